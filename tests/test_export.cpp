// Exports read back: CSV (BOM, GB18030, codebook), xlsx and HTML written whole or
// not at all, and merging three kiosks' JSON Lines with overlaps.
#include <doctest/doctest.h>

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/analysis/indicators.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/demo_data.hpp"
#include "core/support/ids.hpp"
#include "core/support/time_append.hpp"
#include "core/survey/scoring.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/output/export.hpp"
#include "core/output/xlsx_zip.hpp"
#include "core/support/i18n.hpp"
#include "core/storage/interchange.hpp"
#include "awkward_responses.hpp"
#include "forwarding_queries.hpp"
#include "helpers.hpp"
#include "zip_entries.hpp"

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
  // Changed by issue 18: the question ends in a full-width question mark.
  CHECK(cb.find("您对本区空气质量的满意程度？") != std::string::npos);
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
  // Changed by issue 18: the question ends in a full-width question mark.
  CHECK(utf.find("“世界水日”是每年的哪一天？") != std::string::npos);
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

// libxlsxwriter has no setting for its deflate level: xlsx_zip.cpp takes minizip's
// call on its way. Without that (the symbol not bound to ours) every part says "normal".
TEST_CASE("every part of an xlsx workbook is zipped at zlib's fastest level and reads back whole") {
  Filled f;
  ExportOptions x = f.opts("xlsx", "fast.xlsx");
  REQUIRE(export_data(f.store, test::shipped(), x).error.empty());
  std::istringstream info(test::run_output("unzip -Zv " + test::shell_quoted(x.out)));
  int parts = 0, superfast = 0;
  for (std::string line; std::getline(info, line);) {
    if (line.find("compression method:") != std::string::npos) {
      ++parts;
      CHECK(line.find("deflated") != std::string::npos);
    }
    if (line.find("compression sub-type (deflation):") != std::string::npos) {
      CHECK(line.find("superfast") != std::string::npos);
      superfast += line.find("superfast") != std::string::npos;
    }
  }
  CHECK(parts >= 10);  // the workbook's parts, its sheets and charts among them
  CHECK(superfast == parts);
  test::run_output("unzip -tq " + test::shell_quoted(x.out));  // throws on a bad CRC or stream
  auto entries = test::zip_entries(x.out);
  REQUIRE(entries.count("xl/workbook.xml"));
  CHECK(entries["xl/workbook.xml"].find("<sheets>") != std::string::npos);
  CHECK(xlsx_zip_problem().empty());
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
  // Changed by issue 14/18: the questionnaire's "dont_know" flag decides, not the text
  // (was: the texts 不了解, 说不清 … were recognised).
  Option dk;
  dk.text.by_lang["zh"] = "不了解";
  dk.text.by_lang["en"] = "Don't know";
  dk.dont_know = true;
  CHECK(is_dont_know(dk));
  Option no;
  no.text.by_lang["zh"] = "不知道";
  no.text.by_lang["en"] = "No";
  CHECK_FALSE(is_dont_know(no));
  Option unflagged = dk;
  unflagged.dont_know = false;
  CHECK_FALSE(is_dont_know(unflagged));
  // The shipped satisfaction scale's 不了解/说不清 is flagged; aware_campaign's 没听说过 is not.
  const Questionnaire& sat = *test::shipped().find("satisfaction");
  CHECK(is_dont_know(*sat.find("overall")->find_option("dont_know")));
  for (const auto& o : sat.find("aware_campaign")->options) CHECK_FALSE(is_dont_know(o));
}

TEST_CASE("a response to the old questionnaire version keeps its version and still exports beside the new one") {
  // Version 1 of satisfaction as it was before issue 18: no 说不清 on the scale.
  const QuestionnaireSet& shipped = test::shipped();
  const Questionnaire& v2 = *shipped.find("satisfaction");
  REQUIRE(v2.version >= 2);
  nlohmann::json old = nlohmann::json::parse(*shipped.expanded_json(v2));
  old["version"] = 1;
  auto drop_dk = [](nlohmann::json& opts) {
    nlohmann::json kept = nlohmann::json::array();
    for (auto& o : opts)
      if (!o.value("dont_know", false)) kept.push_back(o);
    opts = kept;
  };
  for (auto& [name, scale] : old["scales"].items()) drop_dk(scale);
  for (auto& q : old["questions"])
    if (q.contains("options")) drop_dk(q["options"]);
  LoadResult lr = load_questionnaire_text(old.dump(), "satisfaction-v1", "");
  REQUIRE(lr.errors.empty());
  REQUIRE(lr.questionnaire);
  QuestionnaireSet set = shipped;
  set.add(std::move(*lr.questionnaire), std::move(lr.expanded_json));
  const Questionnaire* v1 = set.find("satisfaction", 1);
  REQUIRE(v1);
  CHECK(set.find("satisfaction") == set.find("satisfaction", v2.version));  // the newest is asked

  test::TempDir dir;
  Store store(dir.file("v.db"));
  auto respond = [&](const Questionnaire& q, const std::string& overall) {
    Response r;
    r.id = new_uuid();
    r.questionnaire = q.id;
    r.version = q.version;
    r.content_hash = q.content_hash;
    r.kiosk = "k1";
    r.lang = "zh";
    r.started_at = 1'561'000'000'000 + static_cast<TimeMs>(store.count({})) * 3'600'000;
    r.completed_at = r.started_at + 300'000;
    r.visible_questions = 12;
    for (const auto& item : q.scoring.items) r.answers.emplace_back(item, Choice{"satisfied"});
    r.answers.emplace_back("overall", Choice{overall});
    if (const std::string* e = set.expanded_json(q)) store.remember_definition(q, *e);
    test::save_scored(store, r, &q);
    return r.id;
  };
  std::string old_id = respond(*v1, "very_satisfied");
  std::string new_id = respond(*set.find("satisfaction"), "dont_know");
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(test::source_dir() + "/assets/i18n", errors);
  for (const char* fmt : {"csv", "sav", "dta"}) {
    CAPTURE(fmt);
    ExportOptions o;
    o.format = fmt;
    o.out = dir.file(std::string("v.") + fmt);
    o.strings = &strings;
    o.include_flagged = true;
    o.questionnaire = "satisfaction";
    ExportResult r = export_data(store, set, o);
    REQUIRE(r.error.empty());
    CHECK(r.rows == 2);
  }
  std::string csv = slurp(dir.file("v.csv"));
  auto lines = lines_of(csv.substr(3));
  REQUIRE(lines.size() == 3);
  bool saw_old = false, saw_new = false;
  for (const auto& l : lines) {
    if (l.rfind(old_id, 0) == 0) {
      saw_old = true;
      CHECK(l.find(",satisfaction,1,") != std::string::npos);
      CHECK(l.find("very_satisfied") != std::string::npos);
    }
    if (l.rfind(new_id, 0) == 0) {
      saw_new = true;
      CHECK(l.find(",satisfaction," + std::to_string(v2.version) + ",") != std::string::npos);
      CHECK(l.find("dont_know") != std::string::npos);  // CSV keeps the answer as given
    }
  }
  CHECK(saw_old);
  CHECK(saw_new);
  // The indicator reads both versions: the old resident counts, the 说不清 one does not.
  IndicatorReport rep = compute_indicators(store, set, {});
  for (const auto& i : rep.indicators)
    if (i.no == 40) {
      CHECK(i.est.n == 1);
      CHECK(i.no_overall_opinion == 1);
      CHECK(*i.est.value == doctest::Approx(100));
    }
}

// export_row looks answers up from where the last column matched (issue 20): each cell
// must still be what a plain Response::find per column gives, with the answers in the
// order asked, reversed, shuffled, and with a question answered twice (first one wins).
TEST_CASE("export_row's answer lookup gives the same cells as a plain find per column, in any answer order") {
  Filled f(120);
  auto set = test::shipped();
  auto reference = [](const Questionnaire& q, const std::vector<ExportColumn>& cols, const Response& r,
                      std::vector<std::string>& cells) {
    // The straightforward way: each column asks Response::find; the meta and score
    // columns do not depend on the lookup, so they are taken from export_row itself.
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const ExportColumn& c = cols[i];
      if (c.kind == ExportColumn::Kind::meta || c.kind == ExportColumn::Kind::score) continue;
      std::string out;
      if (const Answer* a = r.find(c.question)) {
        if (c.kind == ExportColumn::Kind::choice) {
          if (auto* ch = std::get_if<Choice>(a)) out = ch->option;
        } else if (c.kind == ExportColumn::Kind::option_flag) {
          bool on = false;
          if (auto* s = std::get_if<ChoiceSet>(a))
            for (const auto& o : s->options) on = on || o == c.item;
          if (auto* ch = std::get_if<Choice>(a)) on = ch->option == c.item;
          out = on ? "1" : "0";
        } else if (c.kind == ExportColumn::Kind::count_row) {
          if (auto* cn = std::get_if<Counts>(a)) {
            out = "0";
            for (const auto& [row, n] : cn->rows)
              if (row == c.item) out = std::to_string(n);
          }
        } else if (c.kind == ExportColumn::Kind::integer) {
          if (auto* v = std::get_if<std::int64_t>(a)) out = std::to_string(*v);
        } else if (c.kind == ExportColumn::Kind::text) {
          if (auto* t = std::get_if<Text>(a)) out = t->value;
        }
      }
      cells[i] = out;
    }
    (void)q;
  };
  std::mt19937 rng(20);
  int rows = 0, filled = 0;
  for (const auto& q : set.list) {
    auto cols = export_columns(q);
    ResponseFilter filter;
    filter.questionnaire = q.id;
    f.store.each(filter, [&](const Response& stored) {
      for (int variant = 0; variant < 4; ++variant) {
        Response r = stored;
        if (variant == 1) std::reverse(r.answers.begin(), r.answers.end());
        if (variant == 2) std::shuffle(r.answers.begin(), r.answers.end(), rng);
        if (variant == 3 && !r.answers.empty()) {
          // The same question again, answered differently, after the real one.
          auto dup = r.answers.front();
          if (auto* ch = std::get_if<Choice>(&dup.second)) ch->option = "not-an-option";
          else dup.second = Text{"second answer"};
          r.answers.push_back(dup);
        }
        std::vector<std::string> fast, plain;
        export_row(q, cols, r, false, 480, fast);
        plain = fast;
        reference(q, cols, r, plain);
        REQUIRE(fast == plain);
        for (const auto& c : fast) filled += !c.empty();
        ++rows;
      }
      return true;
    });
  }
  CHECK(rows == 4 * 120);
  CHECK(filled > rows * 5);  // the rows were not blank
  // The cells are reused from row to row: a shorter row leaves nothing of a longer one.
  const Questionnaire& q = set.list.front();
  auto cols = export_columns(q);
  std::vector<std::string> cells(cols.size(), std::string(64, 'x'));
  Response empty;
  empty.id = "e";
  export_row(q, cols, empty, false, 480, cells);
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i].kind != ExportColumn::Kind::meta && cols[i].kind != ExportColumn::Kind::score) CHECK(cells[i].empty());
}

// The CSV is read on one thread and formatted on another (issue 20): the file must be
// byte for byte what one thread writing each response in turn gives, over more responses
// than fit in the queue between them, with flagged ones left out as asked.
TEST_CASE("the two-thread CSV export writes the same bytes as a plain one-thread loop") {
  Filled f(2500);  // ~10 batches of 256 per questionnaire
  auto set = test::shipped();
  for (bool include_flagged : {true, false}) {
    CAPTURE(include_flagged);
    ExportOptions o = f.opts("csv", include_flagged ? "all.csv" : "kept.csv");
    o.include_flagged = include_flagged;
    ExportResult r = export_data(f.store, set, o);
    REQUIRE(r.error.empty());
    auto flagged = flagged_rows(f.store, o.min_seconds_per_question);
    std::int64_t rows = 0;
    for (const auto& q : set.list) {
      if (set.find(q.id) != &q) continue;
      auto cols = export_columns(q);
      std::string expected = "\xEF\xBB\xBF";
      auto field = [&](const std::string& v) {  // the CSV rules, written out plainly
        bool quote = csv_formula_risk(v) || v.find_first_of(",\"\r\n") != std::string::npos;
        if (!quote) return v;
        std::string out = "\"";
        if (csv_formula_risk(v)) out += '\'';
        for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
      };
      for (std::size_t i = 0; i < cols.size(); ++i) expected += (i ? "," : "") + field(cols[i].code);
      expected += "\r\n";
      ResponseFilter only;
      only.questionnaire = q.id;
      std::vector<std::string> cells;
      f.store.each_with_id(only, [&](std::int64_t rid, const Response& resp) {
        bool fl = static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
        if (fl && !include_flagged) return true;
        export_row(q, cols, resp, fl, o.utc_offset_minutes, cells);
        for (std::size_t i = 0; i < cells.size(); ++i) expected += (i ? "," : "") + field(cells[i]);
        expected += "\r\n";
        ++rows;
        return true;
      });
      std::string path = f.dir.file((include_flagged ? "all-" : "kept-") + q.id + ".csv");
      CHECK(slurp(path) == expected);
    }
    CHECK(r.rows == rows);
    if (include_flagged) CHECK(rows == 2500);
  }
}

namespace {
// A row written out the plain way, from the Response alone: to_local_text and
// std::to_string for the meta columns, Response::find for each answer column. The
// export's fast path (one refilled Response per row, recycled batches, times and
// numbers formatted into kept buffers) must give the same text.
std::vector<std::string> plain_row(const Questionnaire& q, const std::vector<ExportColumn>& cols, const Response& r,
                                   bool flagged, int offset) {
  std::vector<std::string> out;
  QuizScore score;
  if (q.scoring.method == ScoringMethod::knowledge) score = quiz_score(q, r);
  for (const auto& c : cols) {
    std::string v;
    if (c.kind == ExportColumn::Kind::meta) {
      if (c.item == "response_id") v = r.id;
      else if (c.item == "questionnaire") v = r.questionnaire;
      else if (c.item == "version") v = std::to_string(r.version);
      else if (c.item == "kiosk") v = r.kiosk;
      else if (c.item == "lang") v = r.lang;
      else if (c.item == "started_at") v = to_local_text(r.started_at, offset);
      else if (c.item == "completed_at") v = to_local_text(r.completed_at, offset);
      else if (c.item == "duration_s") v = std::to_string((r.completed_at - r.started_at) / 1000);
      else if (c.item == "flagged") v = flagged ? "1" : "0";
    } else if (c.kind == ExportColumn::Kind::score) {
      if (c.item == "correct") v = std::to_string(score.correct);
      else if (c.item == "drawn") v = std::to_string(score.drawn);
      else if (score.drawn) {
        char b[16];
        std::snprintf(b, sizeof b, "%.1f", 100.0 * score.correct / score.drawn);
        v = b;
      }
    } else if (const Answer* a = r.find(c.question)) {
      if (c.kind == ExportColumn::Kind::choice) {
        if (auto* ch = std::get_if<Choice>(a)) v = ch->option;
      } else if (c.kind == ExportColumn::Kind::option_flag) {
        bool on = false;
        if (auto* s = std::get_if<ChoiceSet>(a)) on = std::find(s->options.begin(), s->options.end(), c.item) != s->options.end();
        if (auto* ch = std::get_if<Choice>(a)) on = ch->option == c.item;
        v = on ? "1" : "0";
      } else if (c.kind == ExportColumn::Kind::count_row) {
        if (auto* cn = std::get_if<Counts>(a)) {
          v = "0";
          for (const auto& [row, n] : cn->rows)
            if (row == c.item) v = std::to_string(n);
        }
      } else if (c.kind == ExportColumn::Kind::integer) {
        if (auto* i = std::get_if<std::int64_t>(a)) v = std::to_string(*i);
      } else if (c.kind == ExportColumn::Kind::text) {
        if (auto* t = std::get_if<Text>(a)) v = t->value;
      }
    }
    out.push_back(v);
  }
  return out;
}

std::string plain_csv_field(const std::string& v) {
  bool risk = csv_formula_risk(v);
  if (!risk && v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  if (risk) out += '\'';
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Comments with commas, quotes, line breaks and CJK text.
std::vector<Response> awkward_responses(const QuestionnaireSet& set, int n) {
  return test::awkward_responses(set, n,
                                 {"公交太少, 希望增加班次", "He said \"more trees\"", "第一行\n第二行\r\n第三行", "",
                                  "=1+1 看起来像公式", "平常心，中文标点，“引号”", "-3", "trailing comma,"});
}
}  // namespace

// Issue 20: the CSV export's reader refills one Response per row and its batches are
// recycled between the two threads; times and numbers go straight into kept buffers.
// Every file must be the bytes a plain formatting of the same responses gives.
TEST_CASE("the fast CSV export gives the bytes of a plain formatting: n = 0, 1, 2, skipped answers, awkward text") {
  auto set = test::shipped();
  for (int n : {0, 1, 2, 3, 40}) {
    CAPTURE(n);
    test::TempDir dir;
    Store store(dir.file("x.db"));
    auto made = awkward_responses(set, n);
    for (const auto& r : made) REQUIRE(test::save_scored(store, r, set.find(r.questionnaire)) == Store::Saved::inserted);
    if (n == 40) {  // and demo data of every questionnaire (the quiz columns, the bank's drawn items)
      DemoOptions d;
      d.responses = 600;
      d.end = 1'561'000'000'000;
      fill_demo_data(store, set, d);
    }
    ExportOptions o;
    o.format = "csv";
    o.out = dir.file("all.csv");
    o.include_flagged = true;
    ExportResult res = export_data(store, set, o);
    REQUIRE(res.error.empty());
    auto flagged = flagged_rows(store, o.min_seconds_per_question);
    std::int64_t rows = 0;
    for (const auto& q : set.list) {
      if (set.find(q.id) != &q) continue;
      auto cols = export_columns(q);
      std::string expected = "\xEF\xBB\xBF";
      for (std::size_t i = 0; i < cols.size(); ++i) expected += (i ? "," : "") + plain_csv_field(cols[i].code);
      expected += "\r\n";
      auto add = [&](const Response& r, bool fl) {
        auto cells = plain_row(q, cols, r, fl, o.utc_offset_minutes);
        for (std::size_t i = 0; i < cells.size(); ++i) expected += (i ? "," : "") + plain_csv_field(cells[i]);
        expected += "\r\n";
        ++rows;
      };
      // The hand-made ones from memory (saved first, so first in the file); the demo
      // responses as the store reads them back.
      std::vector<const Response*> own;
      for (const auto& r : made)
        if (r.questionnaire == q.id) own.push_back(&r);
      ResponseFilter only;
      only.questionnaire = q.id;
      std::size_t seen = 0;
      store.each_with_id(only, [&](std::int64_t rid, const Response& r) {
        bool fl = static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
        add(seen < own.size() ? *own[seen] : r, fl);
        ++seen;
        return true;
      });
      CHECK(slurp(dir.file("all-" + q.id + ".csv")) == expected);
    }
    CHECK(res.rows == rows);
    CHECK(rows == n + (n == 40 ? 600 : 0));
    CHECK(res.files.size() == 6);
  }
}

TEST_CASE("the fast CSV export's set of files appears complete or not at all") {
  auto set = test::shipped();
  {
    test::TempDir dir;
    Store store(dir.file("x.db"));
    for (const auto& r : awkward_responses(set, 9)) test::save_scored(store, r, set.find(r.questionnaire));
    ExportOptions o;
    o.format = "csv";
    o.out = dir.file("out/all.csv");
    o.include_flagged = true;
    // The last file of the set (satisfaction's codebook) is already there: refused,
    // and the files written before it do not appear either.
    std::filesystem::create_directories(dir.file("out"));
    std::ofstream(dir.file("out/all-satisfaction.codebook.csv")) << "kept";
    ExportResult res = export_data(store, set, o);
    CHECK_FALSE(res.error.empty());
    CHECK(res.files.empty());
    CHECK(res.rows == 0);
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("out"))) names.push_back(e.path().filename().string());
    CHECK(names == std::vector<std::string>{"all-satisfaction.codebook.csv"});
    CHECK(slurp(dir.file("out/all-satisfaction.codebook.csv")) == "kept");
  }
}

// The exports' time text, digits by hand, against to_local_text's gmtime and snprintf.
TEST_CASE("append_local_text writes what to_local_text returns") {
  std::mt19937_64 rng(20);
  std::vector<TimeMs> times = {0, -1, -999, -1000, -1001, 86'399'999, 86'400'000, 951'782'400'000 /* 2000-02-29 */,
                               4'107'456'000'000 /* 2100-02-28 */, 253'402'300'799'999 /* 9999-12-31 */,
                               253'402'300'800'000, -62'167'219'200'000 /* year 0 */, -62'167'219'200'001};
  std::uniform_int_distribution<TimeMs> any(-70'000'000'000'000, 260'000'000'000'000);
  for (int i = 0; i < 20000; ++i) times.push_back(any(rng));
  for (TimeMs t : times)
    for (int offset : {480, 0, -300, 345, -720, 840}) {
      std::string out = "x";
      append_local_text(out, t, offset);
      std::string where = std::to_string(t) + " at " + std::to_string(offset);
      REQUIRE_MESSAGE(out == "x" + to_local_text(t, offset), where);
    }
}

namespace {
// A response to `q` (its version `version`), saved in turn: kiosks alternate, an hour
// apart, and every third is answered too fast (flagged).
Response mixed_response(const Questionnaire& q, int version, int i) {
  Response r;
  r.id = new_uuid();
  r.questionnaire = q.id;
  r.version = version;
  r.content_hash = q.content_hash;
  r.kiosk = i % 2 ? "hall-1" : "hall-2";
  r.lang = i % 2 ? "en" : "zh";
  r.started_at = 1'561'000'000'000 + i * 3'600'000LL;
  r.completed_at = r.started_at + (i % 3 == 1 ? 5'000 : 600'000);
  r.visible_questions = 10;
  if (q.id == "satisfaction") {
    r.answers.emplace_back("overall", Choice{i % 2 ? "very_satisfied" : "neutral"});
    r.answers.emplace_back("comment", Text{"第" + std::to_string(i) + "份, \"ok\""});
  } else if (q.id == "green-travel") {
    r.answers.emplace_back("trips", Counts{{{"walk", i}, {"bus", 2}}});
    r.answers.emplace_back("commute", Choice{"ebike"});
  }
  return r;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}
}  // namespace

// Issue 20: the xlsx export reads the responses once and routes each to its
// questionnaire's sheet, where it read them once per questionnaire. Each responses
// sheet must be the XML a per-questionnaire export (the database's own filter) writes,
// with the questionnaires interleaved in id order, n = 0, 1, 2 responses for one, a
// response to a retired version (its questionnaire's sheet) and responses to a
// questionnaire left out of the export (no sheet, no row).
TEST_CASE("the one-pass xlsx export writes each responses sheet as a per-questionnaire export does") {
  const QuestionnaireSet& shipped = test::shipped();
  // The shipped set plus a retired version 1 of satisfaction (listed after the newest).
  QuestionnaireSet full = shipped;
  Questionnaire v1 = *shipped.find("satisfaction");
  REQUIRE(v1.version >= 2);
  v1.version = 1;
  full.add(v1, *shipped.expanded_json(*shipped.find("satisfaction")));
  REQUIRE(full.find("satisfaction")->version >= 2);
  // Without the quiz: its responses are in the database but not exported.
  QuestionnaireSet no_quiz;
  for (std::size_t i = 0; i < full.list.size(); ++i)
    if (full.list[i].id != "knowledge") no_quiz.add(full.list[i], full.expanded[i]);
  REQUIRE(no_quiz.list.size() + 1 == full.list.size());

  Strings strings = test::shipped_strings();
  // s satisfaction, S its retired version 1, g green travel, k the quiz; in save order.
  const std::vector<std::string> patterns = {"", "g", "kk", "gkgsk", "sgSkgkkg", "kgsgkSgksgkgsggk", "demo"};
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    const std::string& pattern = patterns[p];
    CAPTURE(pattern);
    test::TempDir dir;
    Store store(dir.file("x.db"));
    std::string quiz_uuid, kiosk = "hall-1";
    if (pattern == "demo") {  // several of the reader's batches, questionnaires interleaved at random
      DemoOptions d;
      d.responses = 800;
      d.end = 1'561'000'000'000;
      fill_demo_data(store, shipped, d);
      ResponseFilter quiz;
      quiz.questionnaire = "knowledge";
      store.each(quiz, [&](const Response& r) {
        quiz_uuid = r.id;
        kiosk = r.kiosk;
        return false;
      });
    }
    for (std::size_t i = 0; i < pattern.size() && pattern != "demo"; ++i) {
      char c = pattern[i];
      const Questionnaire& q = *full.find(c == 'g' ? "green-travel" : c == 'k' ? "knowledge" : "satisfaction");
      const Questionnaire* as = c == 'S' ? full.find("satisfaction", 1) : &q;
      Response r = mixed_response(q, as->version, static_cast<int>(i));
      if (c == 'k') quiz_uuid = r.id;
      REQUIRE(test::save_scored(store, r, as) == Store::Saved::inserted);
    }
    auto flagged = flagged_rows(store, 2.0);

    for (const QuestionnaireSet* set : {&full, &no_quiz}) {
      for (int filter = 0; filter < 3; ++filter)
        for (bool include_flagged : {true, false}) {
          // Two of the six filter combinations for each pattern and set, in turn: each
          // pattern meets four of them, each combination four or five patterns, and each
          // combination with each set at least two (the whole cross product took 60 s
          // here, 124 s under the sanitizers).
          std::size_t combo = static_cast<std::size_t>(filter * 2 + (include_flagged ? 0 : 1));
          if ((combo + p + (set == &full ? 0 : 1)) % 3 != 0) continue;
          CAPTURE(set == &full);
          CAPTURE(filter);
          CAPTURE(include_flagged);
          ExportOptions o;
          o.format = "xlsx";
          o.strings = &strings;
          o.include_flagged = include_flagged;
          if (filter == 1) o.filter.kiosk = kiosk;
          if (filter == 2) {  // a window that cuts the hand-made ones and the demo's
            o.filter.from = 1'561'000'000'000 + 2 * 3'600'000LL;
            o.filter.to = 1'561'000'000'000 + 9 * 3'600'000LL;
            if (pattern == "demo") o.filter.from = 1'561'000'000'000 - 60LL * 86'400'000;
          }
          o.out = dir.file("all.xlsx");
          o.replace = true;
          ExportResult all = export_data(store, *set, o);
          REQUIRE(all.error.empty());
          auto book = test::zip_entries(o.out);
          std::int64_t rows = 0;
          int sheet = 3;  // after the Summary and the Charts
          for (const auto& q : set->list) {
            if (set->find(q.id) != &q) continue;  // the retired version has no sheet
            CAPTURE(q.id);
            // What the database's filter lets through for this questionnaire.
            ResponseFilter only = o.filter;
            only.questionnaire = q.id;
            std::int64_t n = 0;
            store.each_with_id(only, [&](std::int64_t rid, const Response&) {
              bool fl = static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
              n += include_flagged || !fl;
              return true;
            });
            rows += n;
            ExportOptions one = o;
            one.questionnaire = q.id;
            one.out = dir.file("one.xlsx");
            REQUIRE(export_data(store, *set, one).error.empty());
            auto alone = test::zip_entries(one.out);
            const std::string& mine = book["xl/worksheets/sheet" + std::to_string(sheet++) + ".xml"];
            CHECK(count_of(mine, "<row ") == static_cast<std::size_t>(n + 2));  // two header rows
            const std::string& theirs = alone["xl/worksheets/sheet3.xml"];
            // Where they part (the XML is too long to print whole).
            auto diff = std::mismatch(mine.begin(), mine.end(), theirs.begin(), theirs.end());
            CAPTURE(mine.substr(static_cast<std::size_t>(diff.first - mine.begin()), 200));
            CAPTURE(theirs.substr(static_cast<std::size_t>(diff.second - theirs.begin()), 200));
            CHECK(!theirs.empty());
            CHECK((mine == theirs));
          }
          CHECK(all.rows == rows);
          if (pattern.size() > 4 && filter == 0) CHECK(rows > 0);
          // The sheet after the last responses sheet is the codebook: no extra sheet.
          CHECK(book["xl/worksheets/sheet" + std::to_string(sheet) + ".xml"].find("question_zh") != std::string::npos);
          if (set == &no_quiz && !quiz_uuid.empty())
            for (const auto& [name, xml] : book) CHECK(xml.find(quiz_uuid) == std::string::npos);
        }
    }
  }
}

// Writes the workbook `o` asks for (over any file already there) and reads back its parts.
std::map<std::string, std::string> exported_book(ResponseQueries& store, const QuestionnaireSet& set,
                                                 ExportOptions o, ExportResult& res) {
  o.replace = true;
  res = export_data(store, set, o);
  REQUIRE(res.error.empty());
  return test::zip_entries(o.out);
}

// A responses sheet stops at the last row Excel can hold; the others go on, the rows it
// holds are the first ones the unlimited export writes, and a note says how many it left
// out. The limit is lowered here so a few responses reach it: 4 rows are the two header
// rows and two responses.
TEST_CASE("an xlsx responses sheet stops at the row limit with an unlimited sheet's first rows and says what it left out") {
  const QuestionnaireSet& shipped = test::shipped();
  Strings strings = test::shipped_strings();
  // g green travel, k the quiz, s satisfaction, in save order; the first two quiz
  // responses are flagged (too fast), the third is not.
  for (std::string pattern : {"gkgskgk", "demo"}) {
    CAPTURE(pattern);
    test::TempDir dir;
    Store store(dir.file("x.db"));
    if (pattern == "demo") {
      DemoOptions d;
      d.responses = 600;  // several of the reader's batches before every sheet is full
      d.end = 1'561'000'000'000;
      fill_demo_data(store, shipped, d);
    }
    for (std::size_t i = 0; i < pattern.size() && pattern != "demo"; ++i) {
      char c = pattern[i];
      const Questionnaire& q = *shipped.find(c == 'g' ? "green-travel" : c == 'k' ? "knowledge" : "satisfaction");
      REQUIRE(test::save_scored(store, mixed_response(q, q.version, static_cast<int>(i)), &q) ==
              Store::Saved::inserted);
    }
    // Flagged responses left out, then a kiosk's or a window's only: what is not written
    // takes no row.
    for (int filter = 0; filter < 3; ++filter) {
      CAPTURE(filter);
      ExportOptions o;
      o.format = "xlsx";
      o.strings = &strings;
      o.include_flagged = filter == 0;
      if (filter == 2 && pattern != "demo") o.filter.kiosk = "hall-1";
      if (filter == 2 && pattern == "demo") o.filter.from = 1'561'000'000'000 - 60LL * 86'400'000;
      o.out = dir.file("all.xlsx");
      o.replace = true;
      ExportResult all = export_data(store, shipped, o);
      REQUIRE(all.error.empty());
      CHECK(all.notes.empty());
      auto whole = test::zip_entries(o.out);
      // Below 2 the pass still reads every response (no sheet ever fills) and writes none.
      for (std::uint32_t limit : {0u, 1u, 2u, 3u, 4u}) {
        if (filter != 0 && limit < 3) continue;  // a filter changes nothing there
        CAPTURE(limit);
        ExportOptions cut = o;
        cut.xlsx_rows = limit;
        cut.out = dir.file("cut.xlsx");
        ExportResult r;
        auto book = exported_book(store, shipped, cut, r);
        std::int64_t rows = 0;
        std::size_t notes = 0;
        for (int sheet = 3; sheet < 3 + static_cast<int>(shipped.list.size()); ++sheet) {
          CAPTURE(sheet);
          const std::string name = "xl/worksheets/sheet" + std::to_string(sheet) + ".xml";
          const std::string& mine = book[name];
          const std::string& theirs = whole[name];
          REQUIRE(!theirs.empty());
          const std::int64_t n = static_cast<std::int64_t>(count_of(theirs, "<row ")) - 2;
          const std::int64_t kept = std::min<std::int64_t>(n, std::max<std::int64_t>(0, std::int64_t{limit} - 2));
          CHECK(count_of(mine, "<row ") == static_cast<std::size_t>(kept + 2));
          rows += kept;
          // The rows kept are the unlimited sheet's first ones, cell for cell.
          auto rows_of = [](const std::string& xml) {
            auto from = xml.find("<sheetData>"), to = xml.find("</sheetData>");
            return from == std::string::npos || to == std::string::npos ? std::string() : xml.substr(from, to - from);
          };
          std::string cut_rows = rows_of(mine), whole_rows = rows_of(theirs);
          REQUIRE(!cut_rows.empty());
          CHECK(whole_rows.compare(0, cut_rows.size(), cut_rows) == 0);
          // A sheet that left responses out says how many, naming its questionnaire; a
          // sheet its responses just fill says nothing.
          if (n == kept) continue;
          ++notes;
          const std::string& id = shipped.list[static_cast<std::size_t>(sheet - 3)].id;
          const std::string says = "（" + std::to_string(kept) + " 份）：其后的 " + std::to_string(n - kept) + " 份";
          CHECK(std::count_if(r.notes.begin(), r.notes.end(), [&](const std::string& note) {
                  return note.find(id) != std::string::npos && note.find(says) != std::string::npos;
                }) == 1);
        }
        CHECK(r.notes.size() == notes);
        if (pattern != "demo" && filter == 0) CHECK(notes == (limit <= 2 ? 3u : 2u));  // green travel 3, the quiz 3, satisfaction 1
        CHECK(r.rows == rows);
        if (filter != 0) continue;
        if (pattern == "demo") CHECK(rows == 3 * std::max<std::int64_t>(0, std::int64_t{limit} - 2));
        else CHECK(rows == (limit <= 2 ? 0 : limit == 3 ? 3 : 5));  // satisfaction has one response
      }
    }
  }
}

namespace {
// The exporting connection's store, with a second connection that saves a response the
// moment the export asks which responses to leave out: after the export began, before
// it reads any row or count.
class SavesMidExport final : public test::ForwardingQueries {
 public:
  SavesMidExport(Store& s, Store& other, std::function<Response()> make)
      : ForwardingQueries(s), other_(other), make_(std::move(make)) {}
  std::vector<std::string> saved;  // ids the second connection saved
  std::vector<std::int64_t> excluded_responses(double m) override {
    Response r = make_();
    REQUIRE(test::save_scored(other_, r, test::shipped().find(r.questionnaire)) == Store::Saved::inserted);
    saved.push_back(r.id);
    return s_.excluded_responses(m);
  }

 private:
  Store& other_;
  std::function<Response()> make_;
};

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

// A kiosk saves into the database while an export is being written: the file is the
// database as it was when the export began, its summary and rows alike, and the
// exporting connection is free to save again afterwards, a cancelled export's too.
TEST_CASE("an export is one view of the responses while another connection saves") {
  const QuestionnaireSet& shipped = test::shipped();
  Strings strings = test::shipped_strings();
  for (int before : {0, 1, 2, 40}) {
    CAPTURE(before);
    test::TempDir dir;
    Store store(dir.file("x.db"));
    Store other(dir.file("x.db"));
    const Questionnaire& q = *shipped.find("green-travel");
    int made = 0;
    auto make = [&] { return mixed_response(q, q.version, 1000 + made++); };
    for (int i = 0; i < before; ++i) REQUIRE(test::save_scored(store, make(), &q) == Store::Saved::inserted);
    for (std::string format : {"csv", "jsonl", "xlsx", "html"}) {
      CAPTURE(format);
      SavesMidExport mid(store, other, make);
      const std::int64_t stored = store.count();
      ExportOptions o;
      o.format = format;
      o.strings = &strings;
      o.include_flagged = true;
      o.questionnaire = "green-travel";
      o.out = dir.file("out." + format);
      o.replace = true;
      ExportResult r = export_data(mid, shipped, o);
      REQUIRE(r.error.empty());
      REQUIRE(mid.saved.size() == 1);
      CHECK(store.count() == stored + 1);  // saved, and seen once the export is done
      if (format != "html") CHECK(r.rows == stored);
      std::string text;
      if (format == "xlsx")
        for (const auto& [name, xml] : test::zip_entries(o.out)) text += xml;
      else
        for (const auto& f : r.files.empty() ? std::vector<std::string>{o.out} : r.files) text += file_text(f);
      REQUIRE(!text.empty());
      CHECK(text.find(mid.saved[0]) == std::string::npos);
      // The exporting connection holds no transaction: it saves as before.
      REQUIRE(test::save_scored(store, make(), &q) == Store::Saved::inserted);
    }
    // Cancelled part-way: the view ends with it.
    std::atomic<bool> cancel{true};
    ExportOptions o;
    o.format = "xlsx";
    o.strings = &strings;
    o.cancel = &cancel;
    o.out = dir.file("cancelled.xlsx");
    ExportResult r = export_data(store, shipped, o);
    CHECK(!r.error.empty());
    REQUIRE(test::save_scored(store, make(), &q) == Store::Saved::inserted);
  }
}

// Cancelling (the console's button) while the one pass runs: the export says so and no
// workbook, not even a part of one, is left where it was going.
TEST_CASE("a cancelled xlsx export says so and leaves no file behind") {
  Filled f(300);
  std::atomic<bool> cancel{true};
  ExportOptions o = f.opts("xlsx", "out/c.xlsx");
  o.cancel = &cancel;
  CHECK(export_data(f.store, test::shipped(), o).error == "cancelled");
  std::size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(f.dir.file("out"))) {
    CAPTURE(e.path().string());
    ++left;
  }
  CHECK(left == 0);
}

namespace {
// A responses sheet's cells read back from its XML: (row, column) -> the value as
// written, and whether it was written as a number. Only what libxlsxwriter writes in
// constant-memory mode is understood: inline strings and <v> numbers.
struct SheetCell {
  bool number = false;
  std::string text;
};
std::map<std::pair<std::uint32_t, std::uint32_t>, SheetCell> sheet_cells(const std::string& xml) {
  auto unescape = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        out += s[i];
        continue;
      }
      std::size_t semi = s.find(';', i);
      std::string ent = s.substr(i, semi - i + 1);
      out += ent == "&amp;" ? "&" : ent == "&lt;" ? "<" : ent == "&gt;" ? ">" : ent == "&quot;" ? "\"" : ent;
      i = semi;
    }
    return out;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, SheetCell> out;
  for (std::size_t at = 0; (at = xml.find("<c r=\"", at)) != std::string::npos;) {
    at += 6;
    std::uint32_t col = 0, row = 0;
    for (; std::isupper(static_cast<unsigned char>(xml[at])); ++at) col = col * 26 + static_cast<std::uint32_t>(xml[at] - 'A' + 1);
    for (; std::isdigit(static_cast<unsigned char>(xml[at])); ++at) row = row * 10 + static_cast<std::uint32_t>(xml[at] - '0');
    std::size_t end = xml.find('>', at);
    REQUIRE(end != std::string::npos);
    SheetCell cell;
    if (xml[end - 1] != '/') {  // an empty cell <c .../> has no value
      std::size_t close = xml.find("</c>", end);
      REQUIRE(close != std::string::npos);
      std::string body = xml.substr(end + 1, close - end - 1);
      cell.number = body.rfind("<v>", 0) == 0;
      std::size_t from = cell.number ? 3 : body.find('>', body.find("<t")) + 1;
      std::size_t to = body.find(cell.number ? "</v>" : "</t>");
      cell.text = unescape(body.substr(from, to - from));
    }
    out[{row - 1, col - 1}] = cell;
  }
  return out;
}
}  // namespace

// The reading thread prepares each row's cells in batches that come back to be
// refilled: a kept row may next hold another questionnaire's row (more or fewer
// columns, another sheet), and one whose numbers were there may next have none. Every
// cell of every responses sheet must be what export_row gives for that response (text
// as text, a number column's value as a number, a blank as no cell), never a value
// left from the row's previous use. Dense demo rows come first, then sparse hand-made
// ones of the three questionnaires in turn, so the sparse ones land in recycled rows.
TEST_CASE("every cell of the xlsx responses sheets is export_row's, whatever the recycled row held before") {
  const QuestionnaireSet& set = test::shipped();
  Strings strings = test::shipped_strings();
  test::TempDir dir;
  Store store(dir.file("x.db"));
  DemoOptions d;
  d.responses = 1600;  // about six batches of 256: the sparse rows below reuse them
  d.end = 1'561'000'000'000;
  fill_demo_data(store, set, d);
  const char* ids[] = {"green-travel", "knowledge", "satisfaction"};
  for (int i = 0; i < 1300; ++i) {
    const Questionnaire& q = *set.find(ids[(i / 7 + i) % 3]);  // runs of one, then turns
    Response r = mixed_response(q, q.version, i);
    if (i % 5 == 0) r.answers.clear();  // nothing answered: every question column blank
    REQUIRE(test::save_scored(store, r, &q) == Store::Saved::inserted);
  }
  for (bool include_flagged : {true, false}) {
    CAPTURE(include_flagged);
    ExportOptions o;
    o.format = "xlsx";
    o.strings = &strings;
    o.include_flagged = include_flagged;
    o.out = dir.file("all.xlsx");
    ExportResult res;
    auto book = exported_book(store, set, o, res);
    auto flagged = flagged_rows(store, o.min_seconds_per_question);
    std::int64_t rows = 0;
    int sheet = 3;  // after the Summary and the Charts
    for (const auto& q : set.list) {
      if (set.find(q.id) != &q) continue;
      CAPTURE(q.id);
      auto cells = sheet_cells(book["xl/worksheets/sheet" + std::to_string(sheet++) + ".xml"]);
      auto cols = export_columns(q);
      std::vector<char> numeric(cols.size());
      for (std::size_t c = 0; c < cols.size(); ++c) {
        auto kind = cols[c].kind;
        numeric[c] = kind == ExportColumn::Kind::option_flag || kind == ExportColumn::Kind::count_row ||
                     kind == ExportColumn::Kind::integer || kind == ExportColumn::Kind::score ||
                     cols[c].item == "version" || cols[c].item == "duration_s" || cols[c].item == "flagged";
      }
      ResponseFilter only;
      only.questionnaire = q.id;
      std::uint32_t r = 2;
      std::size_t expected_cells = 0, blanks = 0;
      std::vector<std::string> want;
      store.each_with_id(only, [&](std::int64_t rid, const Response& resp) {
        bool fl = static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
        if (fl && !include_flagged) return true;
        export_row(q, cols, resp, fl, o.utc_offset_minutes, want);
        for (std::uint32_t c = 0; c < want.size(); ++c) {
          auto it = cells.find({r, c});
          if (want[c].empty()) {
            ++blanks;
            if (it != cells.end()) {
              CAPTURE(r);
              CAPTURE(cols[c].code);
              CAPTURE(it->second.text);
              FAIL_CHECK("a cell where export_row gives a blank");
            }
            continue;
          }
          ++expected_cells;
          if (it == cells.end()) {
            CAPTURE(r);
            CAPTURE(cols[c].code);
            FAIL_CHECK("no cell where export_row gives " << want[c]);
            continue;
          }
          // A number column's digits are written as a number, anything else as text.
          bool as_number = numeric[c] && want[c].find_first_not_of("0123456789.-") == std::string::npos;
          if (it->second.number != as_number ||
              (as_number ? std::strtod(it->second.text.c_str(), nullptr) != std::strtod(want[c].c_str(), nullptr)
                         : it->second.text != want[c])) {
            CAPTURE(r);
            CAPTURE(cols[c].code);
            CAPTURE(want[c]);
            CAPTURE(it->second.text);
            CAPTURE(it->second.number);
            FAIL_CHECK("the cell differs from export_row's");
          }
        }
        ++r;
        ++rows;
        return true;
      });
      // Nothing beyond the rows written: every cell below the headers was checked.
      std::size_t data_cells = 0;
      for (const auto& [at, cell] : cells) data_cells += at.first >= 2;
      CHECK(data_cells == expected_cells);
      CHECK(blanks > 0);  // the sparse rows did leave cells blank
    }
    CHECK(res.rows == rows);
  }
}

namespace {
// The kiosk's store, failing or cancelled once `after` responses were read: the
// database going away, or the console's button, in the middle of the export's pass.
class FailingRead final : public test::ForwardingQueries {
 public:
  FailingRead(Store& s, std::int64_t after, std::atomic<bool>* cancel)
      : ForwardingQueries(s), after_(after), cancel_(cancel) {}
  void each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) override {
    s_.each_with_id(f, [&](std::int64_t rid, Response& r) {
      if (read_++ == after_) {
        if (!cancel_) throw std::runtime_error("disk I/O error");
        cancel_->store(true);
      }
      return fn(rid, r);
    });
  }
  std::int64_t read() const { return read_; }

 private:
  std::int64_t after_;
  std::atomic<bool>* cancel_;
  std::int64_t read_ = 0;
};
}  // namespace

// A failure or a cancel at any point of the pass (before the first batch is sent, in
// the middle of one, after several): the writing thread is joined (no hang), no
// workbook, whole or part, is left where it was going, and none of the workbook's
// temporary files stays open (the console lives on after a failed export).
TEST_CASE("an xlsx export failing or cancelled mid-pass ends and leaves no file behind") {
  Filled f(1500);
  auto open_files = [] { return test::entries_in("/proc/self/fd"); };
  const std::size_t open_before = open_files();
  for (bool cancel : {false, true})
    for (std::int64_t after : {0, 1, 255, 256, 257, 700, 1499}) {
      CAPTURE(cancel);
      CAPTURE(after);
      std::atomic<bool> flag{false};
      FailingRead store(f.store, after, cancel ? &flag : nullptr);
      ExportOptions o = f.opts("xlsx", "out/x.xlsx");
      o.cancel = &flag;
      std::filesystem::create_directories(f.dir.file("out"));
      if (cancel) CHECK(export_data(store, test::shipped(), o).error == "cancelled");
      else CHECK_THROWS_WITH_AS(export_data(store, test::shipped(), o), "disk I/O error", std::runtime_error);
      CHECK(store.read() > after);
      CHECK(open_files() == open_before);
      std::size_t left = 0;
      for (const auto& e : std::filesystem::directory_iterator(f.dir.file("out"))) {
        CAPTURE(e.path().string());
        ++left;
      }
      CHECK(left == 0);
    }
}
