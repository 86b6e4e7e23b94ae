// The printable report as data: one description of its content (headings, text,
// headline figures, tables, charts) built once from the indicators and survey results,
// then drawn by two renderers: HTML (a browser lays out the text) and PDF (cairo and
// Pango, no browser). Charts are turned into positioned shapes by one function
// (chart_scene) that both renderers draw, so their geometry exists once.
#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace eco {

class ResponseQueries;
struct QuestionnaireSet;
struct ExportOptions;

namespace doc {

enum class Tone { normal, muted, good, bad, warn };

struct Heading {
  int level = 2;              // 1 title, 2 section, 3 sub-section
  std::string text;
  bool new_page = false;      // start a fresh page (sections after the first page)
};
struct Para {
  std::string text;
  Tone tone = Tone::normal;
  bool small = false;
};
// The first page's headline figures: one card per indicator.
struct KeyFigure {
  std::string name, value, interval, n, target, status;
  Tone tone = Tone::normal;
};
struct KeyFigures {
  std::vector<KeyFigure> cards;
};
struct TableCell {
  std::string text;
  Tone tone = Tone::normal;
  bool weak = false;  // an unreliable cell: shown in grey italics with a mark
};
struct Table {
  std::vector<std::string> head;
  std::vector<double> widths;  // relative column widths, one per column
  std::vector<bool> numeric;   // right-aligned columns
  std::vector<std::vector<TableCell>> rows;
  std::string note;            // under the table (what the mark means)
};
// Horizontal bars: a label that wraps, a bar on a 0..max scale, the figure beside it.
struct BarRow {
  std::string label, figure;
  double value = 0;
  Tone tone = Tone::normal;
};
struct Bars {
  std::vector<BarRow> rows;
  double max = 100;
  std::optional<double> target;  // a dashed line at the target when there is one
};
// One indicator on a 0–100 scale: interval as a band, estimate as a dot, target line.
struct Interval {
  std::optional<double> value, lo, hi;
  double target = 0;
  std::string label;  // drawn above the scale when set (the first page's three rows)
};
// An indicator month by month: the estimate as a line, its interval as a band.
struct TrendPoint {
  std::string label;  // YYYY-MM
  std::optional<double> value, lo, hi;
  long long n = 0;
  bool weak = false;
};
struct Trend {
  std::vector<TrendPoint> points;
  double target = 0;
  std::string legend_value, legend_band, legend_target;
};

using Block = std::variant<Heading, Para, KeyFigures, Table, Bars, Interval, Trend>;

struct Document {
  std::string lang = "zh";
  std::string title;     // the report's title, also in the footer
  std::string period;    // also in the footer
  std::string page_of;   // "第 {page} / {pages} 页"
  std::vector<Block> blocks;
};

Document build_report(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o);

// The page's text column (A4 less 15 mm margins), in points: both renderers draw here.
constexpr double kColumnWidth = 180.0 / 25.4 * 72.0;
// No chart is taller than this, so every chart fits a page below a heading.
constexpr double kMaxChartHeight = 400;
// A bar chart in parts of at most 16 bars and kMaxChartHeight points each.
std::vector<Bars> split_bars(const Bars& b);
// "2019-06-01 至 2019-06-30": the filter's days, else the first and last
// response's, on the district's clock (the report's first page and every footer).
std::string report_period(ResponseQueries& store, const ExportOptions& o);

// ---- chart geometry shared by the renderers ---------------------------------------
struct Shape {
  enum class Kind { line, rect, circle, polygon, text } kind = Kind::line;
  std::vector<double> pts;  // line: x1 y1 x2 y2; rect: x y w h; circle: cx cy r; polygon: x y ...
  unsigned fill = 0, stroke = 0;  // 0xRRGGBB; `none` when the flag is unset
  bool has_fill = false, has_stroke = false;
  double stroke_width = 1;
  bool dashed = false;
  std::string text;
  double size = 9;        // text size in points
  int anchor = 0;         // text: -1 start, 0 middle, 1 end (x is that point; y the baseline)
  bool bold = false;
};
struct Scene {
  double width = 0, height = 0;  // points
  std::vector<Shape> shapes;
};
// Lays a chart block (Bars, Interval or Trend) out at the given width in points.
Scene chart_scene(const Block& chart, double width);
// Label lines for a bar chart: wraps at `width` points by a conservative estimate of
// the glyph widths (CJK one em, Latin 0.62 em), so no renderer can clip a label.
std::vector<std::string> wrap_estimate(const std::string& text, double width, double size);
double estimate_width(const std::string& text, double size);

// ---- renderers --------------------------------------------------------------------
std::string render_html(const Document& d);
// Writes an A4 PDF to `path`; returns "" or why it failed.
std::string render_pdf(const Document& d, const std::string& path, int* pages = nullptr);

}  // namespace doc
}  // namespace eco
