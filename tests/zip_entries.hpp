// Reads the entries of a zip file (an xlsx workbook) into memory, so tests can compare
// the sheets' XML. Info-ZIP's unzip does the reading (installed with the tests'
// dependencies); the path is a test's own temporary file, quoted for the shell.
#pragma once
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

#include "helpers.hpp"

namespace test {

inline std::string run_output(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (::pclose(p) != 0) throw std::runtime_error(command + " failed");
  return out;
}

inline std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Every entry's name and uncompressed bytes; throws on anything unzip cannot read.
// One unzip extracts the whole workbook into a scratch folder: a process for each
// entry (a workbook has dozens) was most of the xlsx tests' time.
inline std::map<std::string, std::string> zip_entries(const std::string& path) {
  namespace fs = std::filesystem;
  TempDir scratch;
  // -o: never a prompt; two entries of one name are caught by the count below.
  run_output("unzip -qq -o " + shell_quoted(path) + " -d " + shell_quoted(scratch.path.string()));
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(scratch.path)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out[fs::relative(e.path(), scratch.path).generic_string()] = std::move(bytes).str();
  }
  if (out.empty()) throw std::runtime_error(path + ": no entries");
  std::istringstream names(run_output("unzip -Z1 " + shell_quoted(path)));
  std::size_t listed = 0;
  for (std::string name; std::getline(names, name);) ++listed;
  if (listed != out.size())
    throw std::runtime_error(path + ": " + std::to_string(listed) + " entries listed, " + std::to_string(out.size()) +
                             " distinct files");
  return out;
}

// A workbook's parts as read back, without what says when it was made: docProps/core.xml
// and the Summary's "made at" minute (two exports may straddle one).
inline std::map<std::string, std::string> workbook_parts(const std::string& path) {
  static const std::regex made(R"(\d{4}-\d\d-\d\d \d\d:\d\d \(UTC)");
  auto e = zip_entries(path);
  e.erase("docProps/core.xml");
  for (auto& [name, bytes] : e) bytes = std::regex_replace(bytes, made, "(made at) (UTC");
  return e;
}

}  // namespace test
