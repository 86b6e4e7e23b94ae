// Strings are data: every key the code names exists in every language, and the
// languages hold the same keys (in the manner of ImHex's check_langs).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

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

namespace {
// Chinese text punctuates with full-width marks (，。？：；！（）). In a string holding any
// Chinese character, ASCII , ? : ; ! ( ) are refused, as is a "." right after a Chinese
// character; allowed: inside a {placeholder}, "," or ":" between digits (1,000, 8:30)
// and "://". Returns the offending marks with a little context, "" when clean.
std::string halfwidth_marks(const std::string& s) {
  auto cjk_at = [&](std::size_t i) {  // a 3-byte UTF-8 character in U+3400..U+9FFF
    if (i + 2 >= s.size()) return false;
    unsigned char a = static_cast<unsigned char>(s[i]);
    if ((a & 0xF0) != 0xE0) return false;
    unsigned cp = ((a & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    return cp >= 0x3400 && cp <= 0x9FFF;
  };
  bool chinese = false;
  for (std::size_t i = 0; i < s.size() && !chinese; ++i) chinese = cjk_at(i);
  if (!chinese) return "";
  std::string bad;
  int depth = 0;
  auto digit = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    if (depth > 0) continue;
    bool mark = c != '\0' && std::strchr(",?:;!()", c) != nullptr;
    if (mark && (c == ',' || c == ':') && i > 0 && digit(i - 1) && digit(i + 1)) mark = false;
    if (mark && c == ':' && s.compare(i + 1, 2, "//") == 0) mark = false;
    if (!mark && c == '.' && i >= 3 && cjk_at(i - 3)) mark = true;
    if (mark) bad += "'" + std::string(1, c) + "' in \"" + s + "\" ";
  }
  return bad;
}

void check_zh_texts(const nlohmann::json& j, const std::string& where, std::size_t& seen) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "zh" && v.is_string()) {
        ++seen;
        std::string bad = halfwidth_marks(v.get<std::string>());
        CHECK_MESSAGE(bad.empty(), where, ": ", bad);
      } else {
        check_zh_texts(v, where + "/" + k, seen);
      }
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_zh_texts(j[i], where + "/" + std::to_string(i), seen);
  }
}
}  // namespace

TEST_CASE("Chinese text uses full-width punctuation in zh.json and every questionnaire") {
  // The checker itself: what it refuses and what it lets through.
  CHECK_FALSE(halfwidth_marks("您的年龄段是?").empty());
  CHECK_FALSE(halfwidth_marks("声环境(噪声)").empty());
  CHECK_FALSE(halfwidth_marks("匿名填写,约3分钟。").empty());
  CHECK_FALSE(halfwidth_marks("原因:").empty());
  CHECK_FALSE(halfwidth_marks("完成.").empty());
  CHECK(halfwidth_marks("您的年龄段是？").empty());
  CHECK(halfwidth_marks("共 {n} 题（{least}–{most}）").empty());
  CHECK(halfwidth_marks("已导出 1,000 份，08:30 完成，PM2.5 下降").empty());
  CHECK(halfwidth_marks("Your age group? (optional)").empty());  // English keeps ASCII
  CHECK(halfwidth_marks("{arg:x}，好").empty());

  std::size_t seen = 0;
  {
    std::ifstream in(test::source_dir() + "/assets/i18n/zh.json");
    nlohmann::json zh = nlohmann::json::parse(in);
    for (const auto& [k, v] : zh.items()) {
      if (!v.is_string()) continue;
      ++seen;
      std::string bad = halfwidth_marks(v.get<std::string>());
      CHECK_MESSAGE(bad.empty(), "zh.json ", k, ": ", bad);
    }
  }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_dir() + "/questionnaires")) {
    if (e.path().extension() != ".json") continue;
    ++files;
    std::ifstream in(e.path());
    check_zh_texts(nlohmann::json::parse(in), e.path().filename().string(), seen);
  }
  CHECK(files >= 4);
  CHECK(seen > 400);  // the walk really reached the texts
}
