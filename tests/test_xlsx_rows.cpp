// The responses sheets' rows written straight into libxlsxwriter's file of rows
// (xlsx_rows.hpp): every part of the workbook must be the bytes libxlsxwriter alone
// writes, with awkward text and numbers sending rows through it between direct ones.
#include <doctest/doctest.h>

#include <xlsxwriter.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "core/output/export.hpp"
#include "core/output/xlsx_rows.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/support/i18n.hpp"
#include "awkward_responses.hpp"
#include "helpers.hpp"
#include "zip_entries.hpp"

using namespace eco;

namespace {

struct Direct {  // the direct rows on or off for one export, then as before
  bool saved = xlsx_direct_rows();
  explicit Direct(bool on) { set_xlsx_direct_rows(on); }
  ~Direct() { set_xlsx_direct_rows(saved); }
};

// Text a cell may hold: what needs escaping, preserving or refusing sits among the
// plain kind, so rows through libxlsxwriter come between direct ones.
const std::vector<std::string> kComments = {
    "公交太少, 希望增加班次", "a & b", "<b>bold</b>", "x > y", "He said \"more trees\"", "it's fine",
    "\x01" "control", "tab\there", "第一行\n第二行", " leading space", "trailing space ", " ",
    "a_x0041_b", "_X0041_", "under_score", "é ü 中文 😀", "=1+1", "-3", "1e5", "plain words",
    "\x7f" "del", "ends with tab\t"};

}  // namespace

TEST_CASE("plain text for a direct cell: nothing libxlsxwriter escapes, preserves or refuses") {
  CHECK(xlsx_plain_text("abc"));
  CHECK(xlsx_plain_text("中文, 逗号"));
  CHECK(xlsx_plain_text("under_score"));
  CHECK(xlsx_plain_text("a b"));
  CHECK(xlsx_plain_text(std::string(32767, 'a')));
  CHECK_FALSE(xlsx_plain_text(""));
  CHECK_FALSE(xlsx_plain_text(std::string(32768, 'a')));
  for (const char* s : {"a&b", "a<b", "a>b", "a\"b", "\x01", "a\tb", "a\nb", "\x7f", " a", "a ", "a_x0041_b", "_X"})
    CHECK_FALSE(xlsx_plain_text(s));
}

TEST_CASE("rows written directly into a sheet with no autofilter: numbers as %.16G, the used range, rows between through libxlsxwriter, and a sheet with a column format or a default row height left to it") {
  // The export's autofilter would cover a wrong used range: here nothing does.
  struct Row {
    lxw_row_t r;
    std::vector<std::string> cells;
    std::vector<char> number;
    std::vector<double> x;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  auto nums = [](lxw_row_t r, std::vector<double> v) {
    Row row{r, {}, {}, v};
    for (double d : v) row.cells.push_back("n"), row.number.push_back(1), (void)d;
    return row;
  };
  const std::vector<Row> rows = {
      nums(2, {0, -0.0, 0.1, 1e15, 1e17, 123456789012345678.0, -5, 2.5e-7, 1.0 / 3, 999999999999999, -1e15}),
      {3, {"plain", "", "中文", "under_score"}, {0, 0, 0, 0}, {0, 0, 0, 0}},
      {4, {"", "", ""}, {0, 0, 0}, {0, 0, 0}},  // nothing: no row at all
      nums(5, {1, nan}),                          // not finite: through libxlsxwriter
      {7, {"a & b", "ok"}, {0, 0}, {0, 0}},
      {8, std::vector<std::string>(31, ""), std::vector<char>(31, 0), std::vector<double>(31, 0)},
      nums(9, {inf, 2}),
      {10, {"last"}, {0}, {0}},
  };
  std::vector<Row> all = rows;
  all[5].cells[30] = "far right";  // column AE only: wider than the header
  // setup 0: as the export sets its sheets up; 1: a column with a default format, 2: a
  // default row height, each of which libxlsxwriter adds to the cells or rows.
  auto book = [&](bool direct, int setup, const std::string& path) {
    lxw_workbook_options opt{};
    opt.constant_memory = LXW_TRUE;
    lxw_workbook* wb = workbook_new_opt(path.c_str(), &opt);
    REQUIRE(wb);
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    if (setup == 1) {
      lxw_format* bold = workbook_add_format(wb);
      format_set_bold(bold);
      worksheet_set_column(ws, 1, 1, 12, bold);
    }
    if (setup == 2) worksheet_set_default_row(ws, 20, LXW_FALSE);
    worksheet_write_string(ws, 0, 0, "head", nullptr);
    worksheet_set_row(ws, 1, 60, nullptr);
    worksheet_write_string(ws, 1, 1, "second", nullptr);
    const std::uint64_t before = xlsx_rows_written_directly();
    {
      Direct d(direct);
      XlsxRows out(ws);
      for (const Row& r : all) out.write(r.r, r.cells, r.number, r.x);
      REQUIRE(out.flush());
    }
    // Rows 2, 3, 8 and 10 directly on the export's kind of sheet, none on the others.
    CHECK(xlsx_rows_written_directly() - before == (direct && setup == 0 ? 4u : 0u));
    REQUIRE(workbook_close(wb) == LXW_NO_ERROR);
    return test::workbook_parts(path);
  };
  test::TempDir dir;
  for (int setup : {0, 1, 2}) {
    CAPTURE(setup);
    auto plain = book(false, setup, dir.file("plain.xlsx"));
    auto direct = book(true, setup, dir.file("direct.xlsx"));
    const std::string& sheet = plain["xl/worksheets/sheet1.xml"];
    CHECK(sheet.find("<dimension ref=\"A1:AE11\"/>") != std::string::npos);
    CHECK(sheet.find("<v>-0</v>") != std::string::npos);
    CHECK(sheet.find("<v>1.234567890123457E+17</v>") != std::string::npos);
    REQUIRE(direct.size() == plain.size());
    for (const auto& [part, bytes] : plain) {
      CAPTURE(part);
      CHECK(direct[part] == bytes);
    }
  }
}

TEST_CASE("responses sheets written directly hold libxlsxwriter's own bytes: n = 0, 1, 2, 3, awkward text, demo data") {
  auto set = test::shipped();
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(test::source_dir() + "/assets/i18n", errors);
  for (int n : {0, 1, 2, 3, 60}) {
    CAPTURE(n);
    test::TempDir dir;
    Store store(dir.file("x.db"));
    for (const auto& r : test::awkward_responses(set, n, kComments, "大厅 & 2"))
      REQUIRE(test::save_scored(store, r, set.find(r.questionnaire)) == Store::Saved::inserted);
    if (n == 60) {  // and every questionnaire's columns (the quiz's, the bank's drawn items)
      DemoOptions d;
      d.responses = 500;
      d.end = 1'561'000'000'000;
      fill_demo_data(store, set, d);
    }
    auto exported = [&](bool direct, const std::string& name, const std::string& lang) {
      Direct on(direct);
      ExportOptions o;
      o.format = "xlsx";
      o.out = dir.file(name);
      o.strings = &strings;
      o.lang = lang;
      o.include_flagged = true;
      ExportResult r = export_data(store, set, o);
      REQUIRE(r.error.empty());
      return test::workbook_parts(o.out);
    };
    for (const std::string lang : {"zh", "en"}) {
      CAPTURE(lang);
      const std::uint64_t direct_before = xlsx_rows_written_directly();
      auto direct = exported(true, "direct-" + lang + ".xlsx", lang);
      const std::uint64_t direct_rows = xlsx_rows_written_directly() - direct_before;
      auto plain = exported(false, "plain-" + lang + ".xlsx", lang);
      CHECK(xlsx_rows_written_directly() - direct_before == direct_rows);  // none when off
      // The rows did go the direct way (all of them but the awkward ones: the first has
      // the kiosk 大厅 & 2, the second nothing to escape).
      if (n >= 2) CHECK(direct_rows >= 1);
      if (n == 60) CHECK(direct_rows >= 500);
      REQUIRE(direct.size() == plain.size());
      for (const auto& [part, bytes] : plain) {
        CAPTURE(part);
        CHECK(direct[part] == bytes);
      }
    }
  }
}
