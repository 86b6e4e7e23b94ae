// Reads the entries of a zip file (an xlsx workbook) into memory, so tests can compare
// the sheets' XML. Only what libxlsxwriter writes: stored or deflated entries, no zip64.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace test {

// Every entry's name and uncompressed bytes; throws on anything it cannot read.
inline std::map<std::string, std::string> zip_entries(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string z = ss.str();
  auto u16 = [&](std::size_t at) {
    if (at + 2 > z.size()) throw std::runtime_error(path + ": truncated zip");
    return static_cast<std::uint32_t>(static_cast<unsigned char>(z[at]) | static_cast<unsigned char>(z[at + 1]) << 8);
  };
  auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
  // The end-of-central-directory record: its signature, searched from the end.
  std::size_t end = z.size() < 22 ? std::string::npos : z.size() - 22;
  while (end != std::string::npos && u32(end) != 0x06054b50) end = end ? end - 1 : std::string::npos;
  if (end == std::string::npos) throw std::runtime_error(path + ": no zip directory");
  std::map<std::string, std::string> out;
  std::size_t at = u32(end + 16);
  for (std::uint32_t n = u16(end + 10); n--;) {
    if (u32(at) != 0x02014b50) throw std::runtime_error(path + ": bad zip directory entry");
    std::uint32_t method = u16(at + 10), csize = u32(at + 20), usize = u32(at + 24);
    std::uint32_t name_len = u16(at + 28), extra = u16(at + 30), comment = u16(at + 32);
    std::size_t local = u32(at + 42);
    std::string name = z.substr(at + 46, name_len);
    at += 46 + name_len + extra + comment;
    std::size_t data = local + 30 + u16(local + 26) + u16(local + 28);
    if (data + csize > z.size()) throw std::runtime_error(path + ": truncated entry " + name);
    std::string& body = out[name];
    if (method == 0) {
      body = z.substr(data, csize);
      continue;
    }
    if (method != 8) throw std::runtime_error(path + ": unknown compression in " + name);
    body.resize(usize);
    z_stream s{};
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data() + data));
    s.avail_in = csize;
    s.next_out = reinterpret_cast<Bytef*>(body.data());
    s.avail_out = usize;
    int rc = inflate(&s, Z_FINISH);
    inflateEnd(&s);
    if (rc != Z_STREAM_END || s.total_out != usize) throw std::runtime_error(path + ": cannot inflate " + name);
  }
  return out;
}

}  // namespace test
