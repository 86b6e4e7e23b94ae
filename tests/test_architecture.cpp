// The never-rules of ARCHITECTURE.md, checked on the sources: the core includes no
// ImGui, GL or GLFW; dependencies run one way between the core's folders; the
// analysis code never names an engine (SQLite or PostgreSQL).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace fs = std::filesystem;

namespace {

struct Include {
  std::string file;    // relative to app/
  std::string target;  // what it names, as written
  bool system = false; // <...>
};

std::vector<Include> includes_under(const std::string& sub) {
  std::vector<Include> out;
  std::regex inc(R"re(^\s*#\s*include\s*([<"])([^>"]+)[>"])re");
  fs::path root = fs::path(test::source_dir()) / "app";
  for (const auto& e : fs::recursive_directory_iterator(root / sub)) {
    auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, inc))
        out.push_back({fs::relative(e.path(), root).string(), m[2], m[1] == "<"});
    }
  }
  return out;
}

// "core/storage/store.hpp" -> "core/storage"; "kiosk/kiosk_model.hpp" -> "kiosk".
std::string folder_of(const std::string& path) {
  auto parts = fs::path(path).parent_path();
  return parts.string();
}

}  // namespace

TEST_CASE("the core includes no ImGui, GL, GLFW, nor anything above it") {
  auto incs = includes_under("core");
  REQUIRE(incs.size() > 200);  // the scan really read the core
  std::regex ui(R"re(^(imgui|GL/|GLFW/|glad|backends/))re");
  for (const auto& i : incs) {
    CHECK_MESSAGE(!std::regex_search(i.target, ui), i.file, " includes ", i.target);
    if (!i.system)
      CHECK_MESSAGE(i.target.rfind("core/", 0) == 0, i.file, " reaches out of the core: ", i.target);
  }
}

TEST_CASE("the core's folders depend one way: support, then survey and catalog, storage, analysis, output") {
  // What each folder may include besides itself.
  const std::map<std::string, std::set<std::string>> allowed = {
      {"core/support", {}},
      {"core/survey", {"core/support"}},
      {"core/catalog", {"core/support"}},
      {"core/input", {"core/support"}},  // the on-screen input's engines: nothing of the survey or storage
      {"core/storage", {"core/support", "core/survey", "core/catalog"}},
      {"core/analysis", {"core/support", "core/survey", "core/catalog", "core/storage"}},
      {"core/output", {"core/support", "core/survey", "core/catalog", "core/storage", "core/analysis"}},
      {"core/speech", {"core/support", "core/survey"}},  // read-aloud: text, synthesis, the speaker thread
      {"core/central", {"core/support", "core/survey", "core/catalog", "core/storage"}},
  };
  std::size_t checked = 0;
  for (const auto& i : includes_under("core")) {
    if (i.system) continue;
    std::string from = folder_of(i.file), to = folder_of(i.target);
    if (from == to) continue;
    auto rule = allowed.find(from);
    if (rule == allowed.end()) continue;  // a folder added since: the CMake target says what it links
    ++checked;
    CHECK_MESSAGE(rule->second.count(to), i.file, " (", from, ") must not include ", i.target);
  }
  CHECK(checked > 50);
}

TEST_CASE("screens and models above the core never reach below the kiosk or console model into a database") {
  // Screens draw a view and return an intent: no store, no SQLite, no files.
  for (const auto& i : includes_under("ui")) {
    CHECK_MESSAGE(i.target.find("sqlite") == std::string::npos, i.file, " includes ", i.target);
    CHECK_MESSAGE(i.target.find("core/storage/") != 0, i.file, " includes ", i.target);
    CHECK_MESSAGE(i.target.find("libpq") == std::string::npos, i.file, " includes ", i.target);
  }
}

namespace {

// Every header a file reaches through the project's own includes (app/-relative).
void reach(const std::string& file, const std::map<std::string, std::vector<Include>>& by_file,
           std::set<std::string>& seen, std::set<std::string>& system) {
  auto it = by_file.find(file);
  if (it == by_file.end()) return;
  for (const auto& i : it->second) {
    if (i.system) { system.insert(i.target); continue; }
    if (seen.insert(i.target).second) reach(i.target, by_file, seen, system);
  }
}

}  // namespace

TEST_CASE("the analysis code names no database engine, even through the headers it includes") {
  std::map<std::string, std::vector<Include>> by_file;
  for (const auto& i : includes_under("core")) by_file[i.file].push_back(i);
  std::size_t files = 0;
  for (const auto& [file, incs] : by_file) {
    if (file.rfind("core/analysis/", 0) != 0) continue;
    ++files;
    std::set<std::string> seen, system;
    reach(file, by_file, seen, system);
    for (const auto& h : seen) {
      CHECK_MESSAGE(h != "core/storage/sqlite.hpp", file, " reaches ", h);
      CHECK_MESSAGE(h != "core/storage/store.hpp", file, " reaches the SQLite store through ", h);
    }
    for (const auto& h : system) {
      CHECK_MESSAGE(h.find("sqlite") == std::string::npos, file, " reaches <", h, ">");
      CHECK_MESSAGE(h.find("libpq") == std::string::npos, file, " reaches <", h, ">");
    }
  }
  CHECK(files >= 8);  // stats, indicators, survey results, dashboard: headers and sources
}

TEST_CASE("libpq is included only by the central store's folder") {
  std::size_t seen = 0, ssl = 0;
  for (const std::string sub : {"core", "kiosk", "console", "ui", "platform", "cli"})
    for (const auto& i : includes_under(sub)) {
      if (i.target.find("libpq") != std::string::npos) {
        ++seen;
        CHECK_MESSAGE(i.file.find("core/central/") != std::string::npos, i.file, " includes ", i.target);
      }
      // OpenSSL only reads the center's certificate there (libpq's own TLS library).
      if (i.target.rfind("openssl/", 0) == 0) {
        ++ssl;
        CHECK_MESSAGE(i.file.find("core/central/") != std::string::npos, i.file, " includes ", i.target);
      }
    }
  CHECK(seen >= 1);
  CHECK(ssl >= 1);
}

TEST_CASE("the analysis and output code reach the center only through the ResponseQueries seam") {
  // The center's query class lives in core/central; nothing below the command line
  // names it, so compute_indicators and the exports cannot tell the engines apart.
  std::size_t users = 0;
  for (const std::string sub : {"core", "kiosk", "console", "ui", "platform", "cli"})
    for (const auto& i : includes_under(sub))
      if (i.target.find("central_queries.hpp") != std::string::npos) {
        ++users;
        bool ok = i.file.find("core/central/") != std::string::npos || i.file.find("cli/") != std::string::npos;
        CHECK_MESSAGE(ok, i.file, " includes ", i.target);
      }
  CHECK(users >= 2);  // its own source and the command line
}
