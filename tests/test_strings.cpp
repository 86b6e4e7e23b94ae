// Strings are data: every key the code names exists in every language, and the
// languages hold the same keys (in the manner of ImHex's check_langs).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "console/console_model.hpp"
#include "console/district_model.hpp"
#include "core/analysis/indicators.hpp"
#include "core/catalog/catalog.hpp"
#include "core/central/district.hpp"
#include "core/central/pg.hpp"
#include "core/storage/record_queries.hpp"
#include "core/support/i18n.hpp"
#include "core/survey/answer.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {

std::string slurp_source(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Every source file of the program, with its comments blanked (a key quoted in a
// comment is not a use).
std::vector<std::pair<std::string, std::string>> program_sources() {
  std::vector<std::pair<std::string, std::string>> out;
  std::regex comment(R"re(//[^\n]*)re");
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_dir() + "/app")) {
    if (e.path().extension() != ".cpp" && e.path().extension() != ".hpp") continue;
    out.emplace_back(e.path().filename().string(), std::regex_replace(slurp_source(e.path()), comment, ""));
  }
  return out;
}

// The codes each key family is completed with at run time, walked from the core.
std::map<std::string, std::vector<std::string>> family_codes() {
  std::map<std::string, std::vector<std::string>> f;
  for (int i = 1; i <= static_cast<int>(kLastAnswerStatus); ++i)  // ok (0) is never shown
    f["validation."].push_back(status_code(static_cast<AnswerStatus>(i)));
  for (int i = 0; i <= static_cast<int>(kLastStatus); ++i) f["console.status."].push_back(status_code(static_cast<Status>(i)));
  for (auto k : {central::AccountKind::department, central::AccountKind::propaganda, central::AccountKind::admin})
    f["district.kind."].push_back(central::account_kind_name(k));
  // The printed reports name an indicator result's status (IndicatorResult::status()).
  for (auto [met, sure] : {std::pair<std::optional<bool>, std::optional<bool>>{std::nullopt, std::nullopt},
                           {true, true}, {true, false}, {false, false}}) {
    IndicatorResult r;
    r.met = met;
    r.met_with_confidence = sure;
    f["report.status."].push_back(r.status());
  }
  // The central sync's statuses (server is the last), and "none" before the first attempt.
  for (int i = 0; i <= static_cast<int>(central::Status::server); ++i)
    f["console.sync.status."].push_back(central::status_name(static_cast<central::Status>(i)));
  f["console.sync.status."].push_back("none");
  for (int i = 0; i <= static_cast<int>(kLastTaskStatus); ++i)
    f["console.task."].push_back(task_status_code(static_cast<TaskStatus>(i)));
  for (const char* m : kSortModes) f["console.sort."].push_back(m);
  for (const char* x : kDistrictExportFormats) f["district.export.fmt."].push_back(x);
  for (const auto& q : test::shipped().list) {
    f["console.q."].push_back(q.id);
    if (q.scoring.indicator) f["report.name."].push_back(std::to_string(q.scoring.indicator));
  }
  // The breakdowns an indicator report carries, and the ones the printed report tabulates.
  for (const char* d : {"township", "age", "gender", "kiosk", "month"}) f["report.dim."].push_back(d);
  for (const char* d : {"township", "age", "kiosk"}) {
    f["doc.col_"].push_back(d);
    f["doc.by_"].push_back(d);
  }
  return f;
}

using Sources = std::vector<std::pair<std::string, std::string>>;  // file name, text

// What the key check finds wrong; all empty when the code and the languages agree.
struct KeyFaults {
  std::vector<std::string> missing;           // "file: key (lang)": marked, not in that language
  std::vector<std::string> unmarked;          // "file: key": a key written without T()
  std::set<std::string> unknown_families;     // T("x.") + code, with no codes walked for x.
  std::vector<std::string> unused;            // in the languages, used nowhere
  std::size_t marks = 0;
};

KeyFaults check_keys(const Sources& sources, const std::map<std::string, std::set<std::string>>& langs,
                     const std::map<std::string, std::vector<std::string>>& families) {
  static const std::regex mark(R"re(\bT\("([^"\\]*)"\))re");
  static const std::regex literal(R"re("([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)")re");
  KeyFaults out;
  std::set<std::string> used, known;
  for (const auto& [lang, keys] : langs) known.insert(keys.begin(), keys.end());
  auto use = [&](const std::string& file, const std::string& k) {
    used.insert(k);
    for (const auto& [lang, keys] : langs)
      if (!keys.count(k)) out.missing.push_back(file + ": " + k + " (" + lang + ")");
  };
  for (const auto& [file, text] : sources) {
    for (std::sregex_iterator it(text.begin(), text.end(), mark), end; it != end; ++it) {
      std::string k = (*it)[1];
      ++out.marks;
      if (k.empty() || (k.back() != '.' && k.back() != '_')) {
        use(file, k);
        continue;
      }
      // A family: T("area.family.") + code, completed with each of its codes.
      auto f = families.find(k);
      if (f == families.end()) out.unknown_families.insert(k);
      else
        for (const auto& code : f->second) use(file, k + code);
    }
    // A key written without its mark would escape the check: none may be.
    for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) {
      std::string k = (*it)[1];
      auto at = static_cast<std::size_t>(it->position(0));
      if (known.count(k) && !(at >= 2 && text.compare(at - 2, 2, "T(") == 0)) out.unmarked.push_back(file + ": " + k);
    }
  }
  for (const auto& k : known) {
    bool in_family = false;  // a family whose codes are not walked counts as used (and fails above)
    for (const auto& f : out.unknown_families) in_family = in_family || k.rfind(f, 0) == 0;
    if (!used.count(k) && !in_family) out.unused.push_back(k);
  }
  return out;
}

}  // namespace

TEST_CASE("every string key is marked T() in the code and exists in zh and en, with every family's codes, and none is unused") {
  Strings s;
  std::vector<std::string> errors;
  REQUIRE(s.load_dir(test::source_dir() + "/assets/i18n", errors));
  REQUIRE(errors.empty());
  auto zh = s.keys("zh"), en = s.keys("en");
  std::set<std::string> zs(zh.begin(), zh.end()), es(en.begin(), en.end());
  for (const auto& k : zs) CHECK_MESSAGE(es.count(k), "missing in en: ", k);
  for (const auto& k : es) CHECK_MESSAGE(zs.count(k), "missing in zh: ", k);

  KeyFaults f = check_keys(program_sources(), {{"zh", zs}, {"en", es}}, family_codes());
  CHECK(f.marks > 300);  // the scan really looked at the code
  for (const auto& m : f.missing) MESSAGE("marked key missing from a language: ", m);
  CHECK(f.missing.empty());
  for (const auto& m : f.unmarked) MESSAGE("key named without T(): ", m);
  CHECK(f.unmarked.empty());
  for (const auto& m : f.unknown_families) MESSAGE("key family whose codes this test does not walk: ", m);
  CHECK(f.unknown_families.empty());
  for (const auto& k : f.unused) MESSAGE("unused key: ", k);
  CHECK_MESSAGE(f.unused.empty(), f.unused.size(), " keys in the languages are used nowhere (listed above)");
}

TEST_CASE("the string-key check fails on a key missing from a language, a key without T(), an unwalked family and an unused key") {
  // A probe: small made-up sources and languages, each fault planted once.
  Sources code = {{"probe.cpp", R"(v.t(T("nav.next")); v.t(T("nav.gone")); say("nav.back"); v.t(T("status.") + code);)"},
                  {"probe2.cpp", R"(v.t(T("mood.") + m); v.t(T("only.zh"));)"}};
  std::map<std::string, std::set<std::string>> langs = {
      {"zh", {"nav.next", "nav.back", "mood.happy", "mood.sad", "only.zh", "nav.spare"}},
      {"en", {"nav.next", "nav.back", "mood.happy", "nav.spare"}}};
  std::map<std::string, std::vector<std::string>> families = {{"mood.", {"happy", "sad"}}};
  KeyFaults f = check_keys(code, langs, families);
  CHECK(f.marks == 5);
  std::vector<std::string> missing(f.missing.begin(), f.missing.end());
  std::sort(missing.begin(), missing.end());
  CHECK(missing == std::vector<std::string>{"probe.cpp: nav.gone (en)", "probe.cpp: nav.gone (zh)",
                                            "probe2.cpp: mood.sad (en)", "probe2.cpp: only.zh (en)"});
  CHECK(f.unmarked == std::vector<std::string>{"probe.cpp: nav.back"});
  CHECK(f.unknown_families == std::set<std::string>{"status."});
  CHECK(f.unused == std::vector<std::string>{"nav.back", "nav.spare"});
  // And a clean probe passes.
  KeyFaults ok = check_keys({{"ok.cpp", R"(T("nav.next"); T("mood.") + m;)"}},
                            {{"zh", {"nav.next", "mood.happy"}}, {"en", {"nav.next", "mood.happy"}}},
                            {{"mood.", {"happy"}}});
  CHECK(ok.missing.empty());
  CHECK(ok.unmarked.empty());
  CHECK(ok.unknown_families.empty());
  CHECK(ok.unused.empty());
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
