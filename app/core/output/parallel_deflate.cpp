#include "core/output/parallel_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace eco {

namespace {

constexpr std::size_t kWindow = 32 * 1024;  // deflate's window: what a block may refer back to

struct Job {
  std::vector<unsigned char> in, dict, out;
  bool last = false;
  bool done = false;  // under State::mu
  std::uint32_t crc = 0;
  // A static text, never a string made here: the failure may be that memory ran out,
  // and an allocation failing in a thread's handler would end the process.
  const char* error = nullptr;
};

// One z_stream per thread, reset for each block (an init per block costs a few
// hundred KiB of allocation each time).
struct Deflater {
  z_stream z{};
  bool ready = false;
  ~Deflater() {
    if (ready) deflateEnd(&z);
  }

  void run(Job& j, int level) {
    j.crc = static_cast<std::uint32_t>(::crc32(0L, j.in.data(), static_cast<uInt>(j.in.size())));
    int r = ready ? deflateReset(&z) : deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    if (r != Z_OK) {
      j.error = "zlib cannot start a deflate stream (out of memory)";
      return;
    }
    ready = true;
    if (!j.dict.empty() && deflateSetDictionary(&z, j.dict.data(), static_cast<uInt>(j.dict.size())) != Z_OK) {
      j.error = "zlib refused the block's dictionary";
      return;
    }
    j.out.resize(deflateBound(&z, static_cast<uLong>(j.in.size())) + 16);
    z.next_in = j.in.data();
    z.avail_in = static_cast<uInt>(j.in.size());
    z.next_out = j.out.data();
    z.avail_out = static_cast<uInt>(j.out.size());
    const int flush = j.last ? Z_FINISH : Z_SYNC_FLUSH;
    for (;;) {
      r = deflate(&z, flush);
      if (r == Z_STREAM_ERROR) {
        j.error = "zlib's deflate failed";
        return;
      }
      if (j.last ? r == Z_STREAM_END : (z.avail_in == 0 && z.avail_out != 0)) break;
      if (z.avail_out == 0) {  // the bound was not enough: more room, same flush
        std::size_t used = j.out.size();
        j.out.resize(used * 2);
        z.next_out = j.out.data() + used;
        z.avail_out = static_cast<uInt>(j.out.size() - used);
      } else if (r == Z_BUF_ERROR) {
        j.error = "zlib's deflate made no progress";
        return;
      }
    }
    j.out.resize(j.out.size() - z.avail_out);
  }
};

}  // namespace

struct ParallelDeflate::State {
  int level;
  unsigned threads;
  Sink sink;
  std::size_t block;

  std::vector<unsigned char> pending;  // the block being filled
  std::vector<unsigned char> tail;     // the last kWindow bytes before it
  Deflater own;                        // the caller's, when no thread deflates

  std::mutex mu;
  std::condition_variable work, finished;
  // In stream order, until handed to the sink; changed only by the caller, under mu.
  // The last `unstarted` wait for a thread. Nothing is allocated once a job is in it, so
  // running out of memory never leaves a job half-known.
  std::deque<std::unique_ptr<Job>> jobs;
  std::size_t unstarted = 0;
  std::vector<std::thread> workers;
  bool stop = false;

  std::uint32_t crc = 0;
  std::uint64_t in = 0, out = 0;
  std::string error;
  bool failed = false;
  bool ended = false;  // finish() was called: the stream has its last block

  void worker() {
    Deflater d;
    for (;;) {
      Job* j;
      {
        std::unique_lock lk(mu);
        work.wait(lk, [&] { return stop || unstarted > 0; });
        if (stop) return;
        j = jobs[jobs.size() - unstarted].get();
        --unstarted;
      }
      try {
        d.run(*j, level);
      } catch (const std::exception&) {  // out of memory: the stream fails, the process goes on
        j->error = "out of memory while deflating";
      }
      {
        std::lock_guard lk(mu);
        j->done = true;
      }
      finished.notify_all();
    }
  }

  // Threads start with the stream's second block: a part that fits one block (most of a
  // workbook's) never starts any. A thread that cannot start leaves the work to fewer.
  void start_workers() {
    for (unsigned i = 0; i < threads; ++i) {
      try {
        workers.emplace_back([this] { worker(); });
      } catch (const std::exception&) {  // no thread (or no memory for one): fewer do the work
        break;
      }
    }
  }

  void fail(const char* why) {
    if (failed) return;
    failed = true;
    error.assign(why);  // within the room reserved at the start: no allocation
  }

  // Hands the finished blocks at the front to the sink, in order; with `wait`, first
  // waits for the front one.
  void drain(bool wait) {
    for (;;) {
      if (jobs.empty()) return;
      Job& j = *jobs.front();
      {
        std::unique_lock lk(mu);
        if (wait) finished.wait(lk, [&] { return j.done; });
        if (!j.done) return;
      }
      if (!failed) {
        if (j.error) {
          fail(j.error);
        } else {
          crc = static_cast<std::uint32_t>(crc32_combine(crc, j.crc, static_cast<z_off_t>(j.in.size())));
          in += j.in.size();
          if (!j.out.empty() && !sink(j.out.data(), j.out.size())) fail("the compressed data could not be written");
          out += j.out.size();
        }
      }
      {
        std::lock_guard lk(mu);
        jobs.pop_front();
      }
      wait = false;
    }
  }

  void submit(bool last) {
    auto j = std::make_unique<Job>();
    j->in.swap(pending);
    j->dict = tail;
    j->last = last;
    if (j->in.size() >= kWindow) {
      tail.assign(j->in.end() - static_cast<std::ptrdiff_t>(kWindow), j->in.end());
    } else {
      tail.insert(tail.end(), j->in.begin(), j->in.end());
      if (tail.size() > kWindow) tail.erase(tail.begin(), tail.end() - static_cast<std::ptrdiff_t>(kWindow));
    }
    if (!last) pending.reserve(block);
    if (threads > 1 && workers.empty() && !last) start_workers();
    if (workers.empty()) {
      try {
        own.run(*j, level);
      } catch (const std::exception&) {
        j->error = "out of memory while deflating";
      }
      j->done = true;
      std::lock_guard lk(mu);
      jobs.push_back(std::move(j));
    } else {
      {
        std::lock_guard lk(mu);
        jobs.push_back(std::move(j));
        ++unstarted;
      }
      work.notify_one();
    }
    drain(false);
    // At most two blocks a thread in memory: the caller waits for the oldest.
    const std::size_t most = 2 * std::max<std::size_t>(workers.size(), 1);
    while (jobs.size() > most) drain(true);
    if (last)
      while (!jobs.empty()) drain(true);
  }
};

ParallelDeflate::ParallelDeflate(int level, unsigned threads, Sink sink, std::size_t block)
    : s_(std::make_unique<State>()) {
  s_->level = level;
  s_->threads = threads;
  s_->sink = std::move(sink);
  s_->block = std::max<std::size_t>(block, 1);
  s_->pending.reserve(s_->block);
  s_->error.reserve(128);
}

ParallelDeflate::~ParallelDeflate() {
  {
    std::lock_guard lk(s_->mu);
    s_->stop = true;
  }
  s_->work.notify_all();
  for (auto& t : s_->workers) t.join();
}

bool ParallelDeflate::write(const void* data, std::size_t n) {
  State& s = *s_;
  const auto* p = static_cast<const unsigned char*>(data);
  if (s.ended) s.fail("written after the stream was finished");
  try {
    while (n > 0 && !s.failed) {
      // A full block goes once more input comes: if none does, it is the last one (a
      // stream of exactly one block then starts no thread either).
      if (s.pending.size() == s.block) s.submit(false);
      std::size_t take = std::min(n, s.block - s.pending.size());
      s.pending.insert(s.pending.end(), p, p + take);
      p += take;
      n -= take;
    }
  } catch (const std::exception&) {  // out of memory: a block may be lost, so the stream is
    s.fail("out of memory while deflating");
  }
  return !s.failed;
}

bool ParallelDeflate::finish() {
  if (s_->ended) return !s_->failed;
  s_->ended = true;
  try {
    if (!s_->failed) s_->submit(true);
  } catch (const std::exception&) {
    s_->fail("out of memory while deflating");
  }
  return !s_->failed;
}

std::uint32_t ParallelDeflate::crc32() const { return s_->crc; }
std::uint64_t ParallelDeflate::bytes_in() const { return s_->in; }
std::uint64_t ParallelDeflate::bytes_out() const { return s_->out; }
std::string ParallelDeflate::error() const { return s_->error; }

}  // namespace eco
