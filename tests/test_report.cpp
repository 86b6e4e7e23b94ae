// The report's document model and its renderers: labels wrap and are never cut, the
// first page carries the headline figures, trends and breakdowns come from the data,
// the PDF is whole or absent, and the workbook carries native charts and print setup.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/storage/demo_data.hpp"
#include "core/support/time.hpp"
#include "core/output/export.hpp"
#include "core/support/i18n.hpp"
#include "core/output/report_doc.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
struct Data {
  test::TempDir dir;
  Store store{dir.file("r.db")};
  Strings strings;
  explicit Data(std::int64_t n) {
    if (n > 0) {
      DemoOptions d;
      d.responses = n;
      d.end = 1'561'000'000'000;
      fill_demo_data(store, test::shipped(), d);
    }
    std::vector<std::string> errors;
    strings.load_dir(test::source_dir() + "/assets/i18n", errors);
  }
  ExportOptions opts(const std::string& format, const std::string& file) {
    ExportOptions o;
    o.format = format;
    o.out = dir.file(file);
    o.strings = &strings;
    o.district = {{"zh", "黔江区"}, {"en", "Qianjiang"}};
    return o;
  }
};
std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l;
  return s;
}
template <class T>
std::vector<const T*> all(const doc::Document& d) {
  std::vector<const T*> out;
  for (const auto& b : d.blocks)
    if (auto* x = std::get_if<T>(&b)) out.push_back(x);
  return out;
}
}  // namespace

TEST_CASE("a long label wraps into lines that each fit, and together hold every character") {
  const std::string label = "我国生活垃圾分类的四个基本类别是哪些?(多选)";
  for (double width : {30.0, 60.0, 120.0, 400.0}) {
    auto lines = doc::wrap_estimate(label, width, 9);
    CHECK(joined(lines) == label);  // nothing dropped at either end
    for (const auto& l : lines) CHECK(doc::estimate_width(l, 9) <= width + 9.0 * (l.size() <= 3));  // one glyph may exceed a tiny width
  }
  // Latin breaks between words; a word longer than the line is cut by character.
  auto en = doc::wrap_estimate("Which are the four basic categories of household waste sorting?", 120, 9);
  CHECK(en.size() > 1);
  for (const auto& l : en) CHECK(doc::estimate_width(l, 9) <= 120);
  auto word = doc::wrap_estimate(std::string(80, 'x'), 50, 9);
  CHECK(joined(word) == std::string(80, 'x'));
  CHECK(doc::wrap_estimate("", 50, 9).size() == 1);
}

TEST_CASE("bar chart labels start inside the chart and end before the bars") {
  doc::Bars b;
  b.rows.push_back({"我国生活垃圾分类的四个基本类别是哪些?(多选)", "53.4%", 53.4, doc::Tone::bad});
  b.rows.push_back({"按照本区2019年工作计划,村(社区)级河长每月应至少巡河几次?", "80.7%", 80.7, doc::Tone::good});
  b.rows.push_back({"x", "0%", 0, doc::Tone::good});
  for (double W : {300.0, 510.0}) {
    doc::Scene sc = doc::chart_scene(doc::Block(b), W);
    double bar_x = W;
    for (const auto& s : sc.shapes)
      if (s.kind == doc::Shape::Kind::rect) bar_x = std::min(bar_x, s.pts[0]);
    std::string text;
    for (const auto& s : sc.shapes) {
      if (s.kind != doc::Shape::Kind::text || s.pts[0] >= bar_x) continue;
      CHECK(s.pts[0] >= 0);
      CHECK(s.anchor == -1);
      CHECK(s.pts[0] + doc::estimate_width(s.text, s.size) <= bar_x);
      CHECK(s.pts[1] <= sc.height);
      text += s.text;
    }
    CHECK(text.find("我国生活垃圾分类的四个基本类别是哪些?(多选)") != std::string::npos);
  }
}

TEST_CASE("the report's first page: district, period, sample and the three headline figures") {
  Data f(600);
  ExportOptions o = f.opts("pdf", "r.pdf");
  o.filter.from = parse_local_day("2019-03-01", 480);
  doc::Document d = doc::build_report(f.store, test::shipped(), o);
  REQUIRE(d.blocks.size() > 10);
  CHECK(d.period.find("2019-03-01") != std::string::npos);
  // Everything before the first page break: title, period, n, the cards.
  std::size_t first_break = 0;
  while (first_break < d.blocks.size()) {
    auto* h = std::get_if<doc::Heading>(&d.blocks[first_break]);
    if (h && h->new_page) break;
    ++first_break;
  }
  std::string cover;
  const doc::KeyFigures* cards = nullptr;
  for (std::size_t i = 0; i < first_break; ++i) {
    if (auto* p = std::get_if<doc::Para>(&d.blocks[i])) cover += p->text + "\n";
    if (auto* h = std::get_if<doc::Heading>(&d.blocks[i])) cover += h->text + "\n";
    if (auto* k = std::get_if<doc::KeyFigures>(&d.blocks[i])) cards = k;
  }
  CHECK(cover.find("黔江区") != std::string::npos);
  CHECK(cover.find("2019-03-01") != std::string::npos);
  REQUIRE(cards);
  REQUIRE(cards->cards.size() == 3);
  CHECK(cards->cards[0].name.find("35") == 0);
  CHECK(cards->cards[0].target.find("50") != std::string::npos);
  CHECK(cards->cards[1].target.find("80") != std::string::npos);
  for (const auto& c : cards->cards) CHECK(c.value.find('%') != std::string::npos);
}

TEST_CASE("each indicator gets a monthly trend with its interval, breakdowns mark small cells") {
  Data f(400);
  doc::Document d = doc::build_report(f.store, test::shipped(), f.opts("html", "r.html"));
  auto trends = all<doc::Trend>(d);
  REQUIRE(trends.size() == 3);
  for (const auto* t : trends) {
    REQUIRE(t->points.size() >= 2);
    for (std::size_t i = 1; i < t->points.size(); ++i) CHECK(t->points[i - 1].label < t->points[i].label);
    for (const auto& p : t->points)
      if (p.value) {
        REQUIRE(p.lo);
        CHECK(*p.lo <= *p.value);
        CHECK(*p.value <= *p.hi);
      }
  }
  auto tables = all<doc::Table>(d);
  REQUIRE(tables.size() >= 2);  // by hall, by township (and age)
  bool weak = false;
  for (const auto* t : tables) {
    CHECK(t->head.size() == 7);
    for (const auto& row : t->rows) {
      CHECK(row.size() == t->head.size());
      for (const auto& c : row)
        if (c.weak && c.text.find('*') != std::string::npos) weak = true;
    }
  }
  CHECK(weak);  // 400 responses over many townships and months: some cells under 30
  bool noted = false;
  for (const auto* t : tables) noted = noted || t->note.find("30") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("the PDF: A4, several pages, Chinese text, written whole or not at all") {
  for (std::int64_t n : {0, 1, 2, 300}) {
    CAPTURE(n);
    Data f(n);
    ExportOptions o = f.opts("pdf", "out/report.pdf");
    ExportResult r = export_data(f.store, test::shipped(), o);
    REQUIRE(r.error.empty());
    std::string pdf = slurp(o.out);
    CHECK(pdf.rfind("%PDF-", 0) == 0);
    CHECK(pdf.find("/MediaBox [ 0 0 595.28 841.89 ]") != std::string::npos);
    CHECK(pdf.find("%%EOF") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(o.out + ".part"));
    int pages = 0;
    for (std::size_t at = 0; (at = pdf.find("/Type /Page\n", at)) != std::string::npos; ++at) ++pages;
    if (pages == 0)
      for (std::size_t at = 0; (at = pdf.find("/Type /Page ", at)) != std::string::npos; ++at) ++pages;
    CHECK(pages >= (n ? 4 : 2));
  }
  Data f(50);
  ExportOptions bad = f.opts("pdf", "x.pdf");
  bad.out = "/proc/forbidden/x.pdf";
  CHECK_FALSE(export_data(f.store, test::shipped(), bad).error.empty());
  std::atomic<bool> stop{true};
  ExportOptions c = f.opts("pdf", "c.pdf");
  c.cancel = &stop;
  CHECK(export_data(f.store, test::shipped(), c).error == "cancelled");
  CHECK_FALSE(std::filesystem::exists(c.out));
  CHECK_FALSE(std::filesystem::exists(c.out + ".part"));
}

TEST_CASE("the HTML report keeps every label whole and groups charts so none splits") {
  Data f(300);
  std::string html = html_report(f.store, test::shipped(), f.opts("html", "r.html"));
  // Changed by issue 18: full-width punctuation in the question.
  CHECK(html.find("我国生活垃圾分类的四个基本类别是哪些？（多选）") != std::string::npos);
  CHECK(html.find("…") == std::string::npos);  // nothing truncated
  CHECK(html.find(".fig{break-inside:avoid") != std::string::npos);
  CHECK(html.find("class='cards'") != std::string::npos);
  CHECK(html.find("<polygon") != std::string::npos);  // an interval band in a trend
  CHECK(html.find("http") == std::string::npos);
  // Chart text is escaped like any other.
  ExportOptions o = f.opts("html", "r.html");
  o.district = {{"zh", "<script>x</script>"}};
  CHECK(html_report(f.store, test::shipped(), o).find("<script>") == std::string::npos);
}

TEST_CASE("the workbook carries native charts and is set up for printing") {
  Data f(300);
  ExportOptions o = f.opts("xlsx", "w.xlsx");
  ExportResult r = export_data(f.store, test::shipped(), o);
  REQUIRE(r.error.empty());
  std::string zip = slurp(o.out);
  // Part names sit uncompressed in the zip's directory.
  for (const char* part : {"xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart5.xml", "xl/drawings/drawing1.xml"})
    CHECK_MESSAGE(zip.find(part) != std::string::npos, part);
  CHECK_FALSE(std::filesystem::exists(o.out + ".part"));
  // n = 0: still a workbook, with its Summary and no chart data to draw.
  Data empty(0);
  ExportOptions e = empty.opts("xlsx", "e.xlsx");
  REQUIRE(export_data(empty.store, test::shipped(), e).error.empty());
  CHECK(slurp(e.out).rfind("PK", 0) == 0);
}

TEST_CASE("a long bar chart is cut into parts that each fit on a page, losing no bar") {
  doc::Bars b;
  std::string very_long;
  for (int i = 0; i < 12; ++i) very_long += "按照本区2019年工作计划,村(社区)级河长每月应至少巡河几次?";
  for (int i = 0; i < 40; ++i) b.rows.push_back({i % 3 ? "短标签" + std::to_string(i) : very_long + std::to_string(i), "1", 1.0 * i});
  auto parts = doc::split_bars(b);
  REQUIRE(parts.size() >= 3);
  std::size_t total = 0;
  for (const auto& p : parts) {
    CHECK(p.rows.size() <= 16);
    CHECK(doc::chart_scene(doc::Block(p), doc::kColumnWidth).height <= doc::kMaxChartHeight);
    for (std::size_t k = 0; k < p.rows.size(); ++k) CHECK(p.rows[k].label == b.rows[total + k].label);  // in order, none lost
    total += p.rows.size();
  }
  CHECK(total == b.rows.size());
  // n = 0 and 1 bars: one part, as given.
  CHECK(doc::split_bars(doc::Bars{}).size() == 1);
  doc::Bars one;
  one.rows.push_back({very_long, "1", 1});
  CHECK(doc::split_bars(one).size() == 1);
}
