// ParallelDeflate (core/output/parallel_deflate.*): the blocks deflated on several
// threads must join into one stream that inflates to exactly the input, in order, with
// the input's CRC, and compress about as well as one stream; a failing sink or an early
// end must stop it cleanly.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/output/parallel_deflate.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

// Inflates a raw deflate stream; "" and ok == false when it is not one whole stream.
std::string inflate_raw(const std::string& in, bool& ok) {
  z_stream z{};
  ok = false;
  if (inflateInit2(&z, -15) != Z_OK) return {};
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[1 << 16];
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (r == Z_BUF_ERROR && z.avail_in == 0) break;  // the stream stopped short of its end
  }
  ok = r == Z_STREAM_END && z.avail_in == 0;  // and nothing after the end
  inflateEnd(&z);
  return out;
}

// One zlib stream of the same input at the same level: what the blocks are held to.
std::size_t single_stream_size(const std::string& in, int level) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  std::size_t n = out.size() - z.avail_out;
  deflateEnd(&z);
  return n;
}

// Sheet-like XML rows: compressible, and different from block to block.
std::string xml_rows(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  for (int r = 1; s.size() < bytes; ++r)
    s += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\"><v>" +
         std::to_string(rng() % 5) + "</v></c><c t=\"inlineStr\"><is><t>" + std::to_string(rng()) + "</t></is></c></row>";
  s.resize(bytes);
  return s;
}

std::string random_bytes(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(bytes, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct Run {
  std::string out;
  bool ok = false;
  std::uint32_t crc = 0;
  std::uint64_t in = 0, written = 0;
};

// Writes `data` in pieces of `piece` bytes (0: all at once).
Run deflate_in_pieces(const std::string& data, unsigned threads, std::size_t block, std::size_t piece, int level = 1) {
  Run r;
  ParallelDeflate d(
      level, threads,
      [&](const unsigned char* p, std::size_t n) {
        r.out.append(reinterpret_cast<const char*>(p), n);
        return true;
      },
      block);
  bool ok = true;
  if (piece == 0) {
    ok = d.write(data.data(), data.size());
  } else {
    for (std::size_t i = 0; i < data.size() && ok; i += piece)
      ok = d.write(data.data() + i, std::min(piece, data.size() - i));
  }
  r.ok = ok && d.finish();
  r.crc = d.crc32();
  r.in = d.bytes_in();
  r.written = d.bytes_out();
  return r;
}

}  // namespace

TEST_CASE("blocks deflated on several threads inflate to the input, at every size around a block") {
  constexpr std::size_t kBlock = 40'000;  // over deflate's 32 KiB window: a block's dictionary is a part of the one before
  for (unsigned threads : {0u, 1u, 2u, 4u}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, kBlock - 1, kBlock, kBlock + 1, 3 * kBlock,
                             7 * kBlock + 13}) {
      for (bool random : {false, true}) {
        for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{4093}}) {
          if (piece == 1 && size > kBlock + 1) continue;  // a byte at a time is slow, and tried below the block
          CAPTURE(threads);
          CAPTURE(size);
          CAPTURE(random);
          CAPTURE(piece);
          std::string data = random ? random_bytes(size, 7) : xml_rows(size, 7);
          Run r = deflate_in_pieces(data, threads, kBlock, piece);
          REQUIRE(r.ok);
          bool whole = false;
          CHECK(inflate_raw(r.out, whole) == data);
          CHECK(whole);
          CHECK(r.crc == static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()),
                                                          static_cast<uInt>(data.size()))));
          CHECK(r.in == data.size());
          CHECK(r.written == r.out.size());
        }
      }
    }
  }
}

TEST_CASE("blocks smaller than the window: each refers back across several earlier blocks") {
  // A 20 KiB random pattern repeated: only a dictionary spanning earlier blocks lets a
  // 3 KiB block find it. Without the dictionaries the output is the size of the input.
  std::string pattern = random_bytes(20'000, 3), data;
  while (data.size() < 600'000) data += pattern;
  for (unsigned threads : {1u, 3u}) {
    CAPTURE(threads);
    Run r = deflate_in_pieces(data, threads, 3'000, 0);
    REQUIRE(r.ok);
    bool whole = false;
    CHECK(inflate_raw(r.out, whole) == data);
    CHECK(whole);
    CHECK(r.out.size() < data.size() / 5);
  }
}

TEST_CASE("the threaded stream compresses as well as one zlib stream, a few bytes a block aside") {
  std::string data = xml_rows(3'000'000, 11);
  const std::size_t one = single_stream_size(data, 1);
  for (unsigned threads : {1u, 2u, 4u}) {
    CAPTURE(threads);
    Run r = deflate_in_pieces(data, threads, ParallelDeflate::kBlock, 16'384);
    REQUIRE(r.ok);
    const std::size_t blocks = data.size() / ParallelDeflate::kBlock + 1;
    CHECK(r.out.size() <= one + one / 100 + 16 * blocks);
    // Same level: the level is passed on (level 9 is smaller than level 1 here).
    Run best = deflate_in_pieces(data, threads, ParallelDeflate::kBlock, 0, 9);
    REQUIRE(best.ok);
    CHECK(best.out.size() < r.out.size());
  }
}

TEST_CASE("a stream of one block starts no thread, a longer one starts them and ends them") {
  const std::size_t before = test::entries_in("/proc/self/task");
  std::size_t seen_small = 0, seen_large = 0;
  {
    ParallelDeflate d(1, 4, [&](const unsigned char*, std::size_t) {
      seen_small = test::entries_in("/proc/self/task");
      return true;
    });
    std::string part = xml_rows(ParallelDeflate::kBlock, 1);  // exactly one block
    REQUIRE(d.write(part.data(), part.size() / 3));
    REQUIRE(d.write(part.data() + part.size() / 3, part.size() - part.size() / 3));
    REQUIRE(d.finish());
  }
  CHECK(seen_small == before);
  {
    ParallelDeflate d(1, 4, [&](const unsigned char*, std::size_t) {
      seen_large = std::max(seen_large, test::entries_in("/proc/self/task"));
      return true;
    });
    std::string big = xml_rows(6 * ParallelDeflate::kBlock, 1);
    REQUIRE(d.write(big.data(), big.size()));
    REQUIRE(d.finish());
  }
  CHECK(seen_large == before + 4);
  CHECK(test::entries_in("/proc/self/task") == before);
}

TEST_CASE("a sink that fails stops the stream: nothing more is handed over, no thread is left") {
  const std::size_t before = test::entries_in("/proc/self/task");
  std::string data = random_bytes(2'000'000, 5);
  for (int fail_at : {1, 2, 5}) {
    for (unsigned threads : {1u, 3u}) {
      CAPTURE(fail_at);
      CAPTURE(threads);
      int calls = 0, after_failure = 0;
      bool failed = false;
      {
        ParallelDeflate d(
            1, threads,
            [&](const unsigned char*, std::size_t) {
              if (failed) ++after_failure;
              if (++calls == fail_at) failed = true;
              return !failed;
            },
            50'000);
        bool ok = true;
        for (std::size_t i = 0; i < data.size() && ok; i += 30'000)
          ok = d.write(data.data() + i, std::min<std::size_t>(30'000, data.size() - i));
        CHECK_FALSE(ok);
        CHECK_FALSE(d.finish());
        CHECK_FALSE(d.write("x", 1));
        CHECK(d.error().find("could not be written") != std::string::npos);
      }
      CHECK(calls == fail_at);
      CHECK(after_failure == 0);
      CHECK(test::entries_in("/proc/self/task") == before);
    }
  }
}

TEST_CASE("a stream left unfinished, or written after its end, ends cleanly") {
  const std::size_t before = test::entries_in("/proc/self/task");
  std::string data = xml_rows(3'000'000, 9);
  std::size_t handed = 0;
  {
    ParallelDeflate d(1, 4, [&](const unsigned char*, std::size_t n) {
      handed += n;
      return true;
    });
    REQUIRE(d.write(data.data(), data.size()));
    // Dropped here: blocks queued or being deflated are abandoned, the threads joined.
  }
  CHECK(test::entries_in("/proc/self/task") == before);
  CHECK(handed > 0);
  ParallelDeflate d(1, 2, [](const unsigned char*, std::size_t) { return true; });
  REQUIRE(d.write(data.data(), 1000));
  REQUIRE(d.finish());
  CHECK(d.finish());  // a second finish adds no second end
  CHECK_FALSE(d.write("x", 1));
  CHECK(d.error().find("after the stream was finished") != std::string::npos);
}

TEST_CASE("two streams on two threads at once stay apart") {
  std::string a = xml_rows(2'500'000, 21), b = random_bytes(1'500'000, 22);
  Run ra, rb;
  std::thread t([&] { ra = deflate_in_pieces(a, 2, 64'000, 10'000); });
  rb = deflate_in_pieces(b, 2, 64'000, 7'000);
  t.join();
  REQUIRE(ra.ok);
  REQUIRE(rb.ok);
  bool wa = false, wb = false;
  CHECK(inflate_raw(ra.out, wa) == a);
  CHECK(inflate_raw(rb.out, wb) == b);
  CHECK((wa && wb));
}

// Run by the case below in a fresh process of this binary (a forked child would inherit
// the allocator's address space already reserved by earlier cases, and never run out):
// with its address space capped ECOKIOSK_DEFLATE_CAP_MB above its use, it deflates and
// exits 0 (whole), 2 (failed with a reason), 3 (the constructor's allocation threw, as
// any allocation may) or 1 (anything else).
TEST_CASE("child: deflating with the address space capped") {
  const char* cap_mb = std::getenv("ECOKIOSK_DEFLATE_CAP_MB");
  if (!cap_mb) return;
  int code = 1;
  try {
    const std::string data = xml_rows(8'000'000, 4);
    std::string out, why;
    out.reserve(data.size());
    why.reserve(256);
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    rlimit saved{};
    getrlimit(RLIMIT_AS, &saved);
    rlimit cap = saved;
    cap.rlim_cur = static_cast<rlim_t>(pages * sysconf(_SC_PAGESIZE) + std::atol(cap_mb) * 1024 * 1024);
    bool ok = false;
    setrlimit(RLIMIT_AS, &cap);
    try {
      ParallelDeflate d(1, 4, [&](const unsigned char* p, std::size_t n) {
        if (out.size() + n > out.capacity()) return false;  // never: the output is smaller than the input
        out.append(reinterpret_cast<const char*>(p), n);
        return true;
      });
      ok = d.write(data.data(), data.size()) && d.finish();
      if (!ok) why = d.error();
    } catch (const std::bad_alloc&) {
      code = 3;
    }
    setrlimit(RLIMIT_AS, &saved);  // room again to check the output
    if (code != 3) {
      bool complete = false;
      if (ok) code = inflate_raw(out, complete) == data && complete ? 0 : 1;
      else code = why.find("memory") != std::string::npos || why.find("zlib") != std::string::npos ? 2 : 1;
    }
  } catch (...) {
    code = 1;
  }
  std::fflush(nullptr);
  _exit(code);
}

TEST_CASE("out of memory in the middle of a stream fails the stream, never the process") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("skipped under the sanitizers (rlimits)");
  return;
#endif
  // Caps from 1 to 59 MB above the child's use: four threads' stacks take 32 MB of it,
  // so the failures fall on a thread, a block's buffers or zlib's state in turn.
  int whole = 0, failed = 0;
  for (long spare_mb = 1; spare_mb < 60; ++spare_mb) {
    CAPTURE(spare_mb);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      setenv("ECOKIOSK_DEFLATE_CAP_MB", std::to_string(spare_mb).c_str(), 1);
      execl("/proc/self/exe", "ecokiosk_tests", "-tc=child: deflating with the address space capped", "-nv",
            static_cast<char*>(nullptr));
      _exit(4);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));  // not killed by std::terminate's abort
    const int code = WEXITSTATUS(status);
    REQUIRE(code != 4);  // the test binary could not be run again
    CHECK(code != 1);    // a wrong output claimed whole, or a failure without its reason
    whole += code == 0;
    failed += code == 2 || code == 3;
  }
  CHECK(whole >= 1);   // with room enough it deflates
  CHECK(failed >= 1);  // and the smaller caps fail, cleanly
}
