#include "core/support/read_file.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace eco {

std::optional<std::string> read_file(const std::string& path, std::string* error, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (error) *error = path + " is a folder, not a file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path;
    return std::nullopt;
  }
  // Refused before reading: the size on disk, then (for pipes and growing files)
  // never more than one byte past the limit.
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    if (error) *error = path + " is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " allowed";
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      if (error) *error = path + " is more than the " + std::to_string(max_bytes) + " bytes allowed";
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace eco
