// One raw deflate stream made on several threads (parallel_deflate.cpp), as pigz makes
// its gzip streams: the xlsx workbook's sheets are zipped after every row is written,
// and zlib alone deflates them on one core (issue 20).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace eco {

// The input is cut into blocks. Each block is deflated on its own, with the 32 KiB
// before it as its dictionary (so it compresses as well as one stream would), and ends
// on a byte boundary (zlib's sync flush); the last ends the stream. The blocks' outputs
// joined in order are therefore one raw deflate stream that any inflater reads whole.
// A stream of one block is deflated on the caller's thread and starts no thread.
class ParallelDeflate {
 public:
  // Gets the compressed bytes in order, on the caller's thread; false stops the stream.
  using Sink = std::function<bool(const unsigned char* data, std::size_t n)>;
  static constexpr std::size_t kBlock = 256 * 1024;

  // threads: how many deflate at once (0 or 1: the caller's thread only).
  ParallelDeflate(int level, unsigned threads, Sink sink, std::size_t block = kBlock);
  ~ParallelDeflate();  // stops and joins the threads, whatever state the stream is in
  ParallelDeflate(const ParallelDeflate&) = delete;
  ParallelDeflate& operator=(const ParallelDeflate&) = delete;

  // False once the stream has failed (error() says why); nothing more is written then.
  bool write(const void* data, std::size_t n);
  // Deflates what is left, ends the stream and hands every byte to the sink.
  bool finish();

  std::uint32_t crc32() const;       // of the input, as zip wants it
  std::uint64_t bytes_in() const;
  std::uint64_t bytes_out() const;   // handed to the sink
  std::string error() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace eco
