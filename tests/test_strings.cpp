// Strings are data: every key the code names exists in every language, and the
// languages hold the same keys (in the manner of ImHex's check_langs).
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/support/i18n.hpp"
#include "helpers.hpp"

using namespace eco;

TEST_CASE("every string key used in the code exists in zh and en, and both hold the same keys") {
  Strings s;
  std::vector<std::string> errors;
  REQUIRE(s.load_dir(test::source_dir() + "/assets/i18n", errors));
  REQUIRE(errors.empty());
  auto zh = s.keys("zh"), en = s.keys("en");
  std::set<std::string> zs(zh.begin(), zh.end()), es(en.begin(), en.end());
  for (const auto& k : zs) CHECK_MESSAGE(es.count(k), "missing in en: ", k);
  for (const auto& k : es) CHECK_MESSAGE(zs.count(k), "missing in zh: ", k);

  // Literal keys in the sources: "<area>.<name>" passed to t(), tf(), get() or a message.
  std::regex key(R"re("((?:welcome|question|nav|validation|finish|idle|numpad|lang|report|console)\.[a-z0-9_.\-]*[a-z0-9_])")re");
  std::size_t found = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_dir() + "/app")) {
    if (e.path().extension() != ".cpp" && e.path().extension() != ".hpp") continue;
    std::ifstream in(e.path());
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    for (std::sregex_iterator it(text.begin(), text.end(), key), end; it != end; ++it) {
      std::string k = (*it)[1];
      ++found;
      CHECK_MESSAGE(zs.count(k), e.path().filename().string(), " uses a key missing from zh.json: ", k);
    }
  }
  CHECK(found > 100);  // the scan really looked at the code
}

TEST_CASE("test names carry no semicolon, which CTest would split into a test that runs nothing") {
  std::regex name(R"re(TEST_CASE\("([^"]*)")re");
  std::size_t seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::source_dir() + "/tests")) {
    if (e.path().extension() != ".cpp") continue;
    std::ifstream in(e.path());
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
      ++seen;
      CHECK_MESSAGE(std::string((*it)[1]).find(';') == std::string::npos, (*it)[1]);
      // An unbalanced "[" joins the rest of CMake's test list into one (as found by issue 13).
      std::string n = (*it)[1];
      CHECK_MESSAGE(std::count(n.begin(), n.end(), '[') == std::count(n.begin(), n.end(), ']'), n);
    }
  }
  CHECK(seen > 50);
}
