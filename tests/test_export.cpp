// Exports read back: CSV (BOM, GB18030, codebook), xlsx and HTML written whole or
// not at all, and merging three kiosks' JSON Lines with overlaps.
#include <doctest/doctest.h>

#include <iconv.h>

#include <fstream>
#include <sstream>

#include "core/storage/store_access.hpp"
#include "core/storage/demo_data.hpp"
#include "core/output/export.hpp"
#include "core/support/i18n.hpp"
#include "core/storage/interchange.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (c == '\n' && !quoted) {
      if (!cur.empty() && cur.back() == '\r') cur.pop_back();
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}
struct Filled {
  test::TempDir dir;
  Store store{dir.file("x.db")};
  Strings strings;
  Filled(std::int64_t n = 300) {
    DemoOptions d;
    d.responses = n;
    d.end = 1'561'000'000'000;
    fill_demo_data(store, test::shipped(), d);
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
  }
  ExportOptions opts(const std::string& format, const std::string& file) {
    ExportOptions o;
    o.format = format;
    o.out = dir.file(file);
    o.strings = &strings;
    o.include_flagged = true;
    return o;
  }
};
}  // namespace

TEST_CASE("CSV: UTF-8 with BOM, one row per response, ASCII codes, a codebook with the Chinese text") {
  Filled f;
  ExportOptions o = f.opts("csv", "sat.csv");
  o.questionnaire = "satisfaction";
  ExportResult r = export_data(f.store, test::shipped(), o);
  REQUIRE(r.error.empty());
  ResponseFilter only;
  only.questionnaire = "satisfaction";
  CHECK(r.rows == f.store.count(only));
  std::string text = slurp(o.out);
  REQUIRE(text.rfind("\xEF\xBB\xBF", 0) == 0);
  auto lines = lines_of(text.substr(3));
  CHECK(static_cast<std::int64_t>(lines.size()) == r.rows + 1);
  CHECK(lines[0].rfind("response_id,questionnaire,version,kiosk,lang,started_at,completed_at,duration_s,flagged,sat_air", 0) == 0);
  CHECK(lines[0].find("improve_first__air") != std::string::npos);  // a 0/1 column per option
  for (char c : lines[0]) CHECK(static_cast<unsigned char>(c) < 0x80);
  std::string cb = slurp(f.dir.file("sat.codebook.csv"));
  CHECK(cb.find("您对本区空气质量的满意程度?") != std::string::npos);
  CHECK(cb.find("very_satisfied,非常满意,Very satisfied") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(o.out + ".part"));
}

TEST_CASE("CSV in GB18030 for older Excel decodes back to the same text") {
  Filled f(60);
  ExportOptions o = f.opts("csv", "k.csv");
  o.questionnaire = "knowledge";
  o.encoding = "gb18030";
  REQUIRE(export_data(f.store, test::shipped(), o).error.empty());
  std::string gb = slurp(f.dir.file("k.codebook.csv"));
  CHECK(gb.rfind("\xEF\xBB\xBF", 0) != 0);  // no BOM in GB18030
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string utf(gb.size() * 2, '\0');
  char* src = gb.data();
  std::size_t left = gb.size(), room = utf.size();
  char* dst = utf.data();
  REQUIRE(iconv(cd, &src, &left, &dst, &room) != static_cast<std::size_t>(-1));
  iconv_close(cd);
  utf.resize(utf.size() - room);
  CHECK(utf.find("“世界水日”是每年的哪一天?") != std::string::npos);
}

TEST_CASE("xlsx and HTML are written under a temporary name and are whole") {
  Filled f;
  ExportOptions x = f.opts("xlsx", "out/all.xlsx");
  ExportResult r = export_data(f.store, test::shipped(), x);
  REQUIRE(r.error.empty());
  CHECK(r.rows == 300);
  std::string zip = slurp(x.out);
  CHECK(zip.rfind("PK", 0) == 0);                     // a zip container
  CHECK(zip.find("xl/worksheets/sheet1.xml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(x.out + ".part"));

  ExportOptions h = f.opts("html", "report.html");
  REQUIRE(export_data(f.store, test::shipped(), h).error.empty());
  std::string html = slurp(h.out);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("公众绿色出行率") != std::string::npos);
  CHECK(html.find("http") == std::string::npos);  // nothing fetched from a network
  h.lang = "en";
  h.out = f.dir.file("report-en.html");
  REQUIRE(export_data(f.store, test::shipped(), h).error.empty());
  CHECK(slurp(h.out).find("Public green-travel rate") != std::string::npos);

  ExportOptions bad = f.opts("csv", "x.csv");
  bad.questionnaire = "nope";
  CHECK(export_data(f.store, test::shipped(), bad).error.find("unknown questionnaire") != std::string::npos);
  ExportOptions nowhere = f.opts("xlsx", "x.xlsx");
  nowhere.out = "/proc/forbidden/x.xlsx";
  CHECK_FALSE(export_data(f.store, test::shipped(), nowhere).error.empty());
}

TEST_CASE("flagged responses are left out of xlsx/csv unless asked, and kept in JSON Lines") {
  Filled f(200);
  // Issue 14: straight-lining (flag 1) alone no longer leaves a response out; duplicates
  // (flag 2) and too fast do (was: flags != 0).
  std::int64_t flagged =
      StoreAccess::db(f.store).scalar("SELECT count(*) FROM response_metrics WHERE (flags & 2) != 0 OR duration_s < visible * 2");
  ExportOptions o = f.opts("csv", "all.csv");
  o.include_flagged = false;
  ExportResult r = export_data(f.store, test::shipped(), o);
  REQUIRE(r.error.empty());
  CHECK(r.rows == 200 - flagged);
  ExportOptions j = f.opts("jsonl", "all.jsonl");
  j.include_flagged = false;
  CHECK(export_data(f.store, test::shipped(), j).rows == 200);
}

TEST_CASE("merging three kiosks' files with overlaps gives the right totals") {
  // Kiosk a: 40 responses, b: 30, c: 20. File 2 repeats 10 of a's; file 3 has a bad line.
  const auto& set = test::shipped();
  std::vector<Response> a, b, c;
  for (int i = 0; i < 40; ++i) a.push_back(demo_response(set.list[static_cast<std::size_t>(i) % 3], 100 + i, 1'561'000'000'000 + i * 60'000LL, "a"));
  for (int i = 0; i < 30; ++i) b.push_back(demo_response(set.list[static_cast<std::size_t>(i) % 3], 200 + i, 1'561'000'000'000 + i * 60'000LL, "b"));
  for (int i = 0; i < 20; ++i) c.push_back(demo_response(set.list[static_cast<std::size_t>(i) % 3], 300 + i, 1'561'000'000'000 + i * 60'000LL, "c"));
  auto jsonl = [](const std::vector<Response>& rs, std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to; ++i) s += response_to_line(rs[i]) + "\n";
    return s;
  };
  test::TempDir dir;
  Store store(dir.file("merge.db"));
  ImportReport r1, r2, r3;
  std::istringstream f1(jsonl(a, 0, 40)), f2(jsonl(a, 30, 40) + jsonl(b, 0, 30)),
      f3(jsonl(c, 0, 20) + "{\"id\":\"x\",\"kiosk\":\"c\"}\n");
  import_jsonl(f1, "a.jsonl", store, set, r1);
  import_jsonl(f2, "b.jsonl", store, set, r2);
  import_jsonl(f3, "c.jsonl", store, set, r3);
  CHECK(r1.kiosks["a"].added == 40);
  CHECK(r2.kiosks["a"].already == 10);
  CHECK(r2.kiosks["b"].added == 30);
  CHECK(r3.kiosks["c"].added == 20);
  CHECK(r3.kiosks["c"].refused == 1);
  CHECK(store.count() == 90);
}

TEST_CASE("another kiosk's database file merges like its JSON Lines, and is left unchanged") {
  const auto& set = test::shipped();
  test::TempDir dir;
  std::string other_path = dir.file("kiosk-b.db");
  std::vector<Response> rs;
  {
    Store other(other_path);
    for (int i = 0; i < 25; ++i) {
      rs.push_back(demo_response(set.list[static_cast<std::size_t>(i) % 3], 500 + i, 1'561'000'000'000 + i * 60'000LL, "b"));
      test::save_scored(other, rs.back(), &set.list[static_cast<std::size_t>(i) % 3]);
    }
  }
  auto before = std::filesystem::file_size(other_path);
  Store store(dir.file("main.db"));
  std::istringstream some(response_to_line(rs[0]) + "\n" + response_to_line(rs[1]) + "\n");
  ImportReport first;
  import_jsonl(some, "b.jsonl", store, set, first);
  CHECK(is_sqlite_file(other_path));
  CHECK_FALSE(is_sqlite_file(test::source_dir() + "/README.md"));
  ImportReport r;
  import_database(other_path, store, set, r);
  CHECK(r.kiosks["b"].added == 23);
  CHECK(r.kiosks["b"].already == 2);
  CHECK(r.problems.empty());
  CHECK(store.count() == 25);
  CHECK(std::filesystem::file_size(other_path) == before);
}

TEST_CASE("csv --labels writes option labels, and sav and dta are written whole, one per questionnaire") {
  Filled f(120);
  ExportOptions o = f.opts("csv", "lab.csv");
  o.questionnaire = "satisfaction";
  o.labels = true;
  REQUIRE(export_data(f.store, test::shipped(), o).error.empty());
  std::string text = slurp(o.out);
  CHECK(text.find("非常满意") != std::string::npos);
  CHECK(text.find("very_satisfied") == std::string::npos);
  CHECK((text.find(",选中,") != std::string::npos || text.find(",未选,") != std::string::npos));
  for (const char* fmt : {"sav", "dta"}) {
    ExportOptions x = f.opts(fmt, std::string("all.") + fmt);
    ExportResult r = export_data(f.store, test::shipped(), x);
    REQUIRE(r.error.empty());
    CHECK(r.files.size() == 3);
    CHECK(r.rows == 120);
    for (const auto& file : r.files) {
      CHECK(std::filesystem::file_size(file) > 1000);
      CHECK_FALSE(std::filesystem::exists(file + ".part"));
    }
  }
  // SPSS files start with "$FL2"; Stata 118 with "<stata_dta>".
  CHECK(slurp(f.dir.file("all-satisfaction.sav")).rfind("$FL2", 0) == 0);
  CHECK(slurp(f.dir.file("all-satisfaction.dta")).rfind("<stata_dta>", 0) == 0);
  // A folder that cannot be written gives a clear message and no file.
  ExportOptions bad = f.opts("sav", "x.sav");
  bad.out = "/proc/forbidden/x.sav";
  bad.questionnaire = "satisfaction";
  CHECK(export_data(f.store, test::shipped(), bad).error.find("cannot write") != std::string::npos);
}

TEST_CASE("a don't-know option is recognised, and 不知道 that answers yes or no is not") {
  Option dk;
  dk.text.by_lang["zh"] = "不了解";
  dk.text.by_lang["en"] = "Don't know";
  CHECK(is_dont_know(dk));
  Option no;
  no.text.by_lang["zh"] = "不知道";
  no.text.by_lang["en"] = "No";
  CHECK_FALSE(is_dont_know(no));
}
