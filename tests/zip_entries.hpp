// Reads the entries of a zip file (an xlsx workbook) into memory, so tests can compare
// the sheets' XML. Info-ZIP's unzip does the reading (installed with the tests'
// dependencies); the path is a test's own temporary file, quoted for the shell.
#pragma once
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

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
inline std::map<std::string, std::string> zip_entries(const std::string& path) {
  std::map<std::string, std::string> out;
  std::istringstream names(run_output("unzip -Z1 " + shell_quoted(path)));
  // -p: to stdout, unchanged; the entry's name is matched as a pattern, so escape it.
  for (std::string name; std::getline(names, name);) {
    std::string pattern;
    for (char c : name) pattern += (c == '[' || c == ']' || c == '*' || c == '?' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    out[name] = run_output("unzip -p " + shell_quoted(path) + " " + shell_quoted(pattern));
  }
  if (out.empty()) throw std::runtime_error(path + ": no entries");
  return out;
}

}  // namespace test
