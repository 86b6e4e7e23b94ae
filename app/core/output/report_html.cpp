// The report as one self-contained HTML file (inline CSS and SVG, no network), A4
// pages, drawn from the report's document model. The browser wraps the text; charts
// come from chart_scene, the same geometry the PDF draws.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/output/export.hpp"
#include "core/output/report_doc.hpp"

namespace eco {

namespace doc {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  std::string s = b;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string rgb(unsigned c) {
  char b[8];
  std::snprintf(b, sizeof b, "#%06x", c & 0xffffff);
  return b;
}

const char* tone_class(Tone t) {
  switch (t) {
    case Tone::good: return "good";
    case Tone::bad: return "bad";
    case Tone::warn: return "warn";
    case Tone::muted: return "muted";
    default: return "";
  }
}

constexpr double kColumnPt = kColumnWidth;

std::string svg(const Scene& sc) {
  std::ostringstream s;
  s << "<svg viewBox='0 0 " << num(sc.width) << " " << num(sc.height) << "' width='100%' role='img' "
    << "preserveAspectRatio='xMinYMin meet'>";
  for (const auto& sh : sc.shapes) {
    std::string paint = std::string(" fill='") + (sh.has_fill ? rgb(sh.fill) : "none") + "'";
    if (sh.has_stroke)
      paint += " stroke='" + rgb(sh.stroke) + "' stroke-width='" + num(sh.stroke_width) + "'" +
               (sh.dashed ? " stroke-dasharray='4 3'" : "");
    const auto& p = sh.pts;
    switch (sh.kind) {
      case Shape::Kind::line:
        s << "<line x1='" << num(p[0]) << "' y1='" << num(p[1]) << "' x2='" << num(p[2]) << "' y2='" << num(p[3]) << "'"
          << paint << "/>";
        break;
      case Shape::Kind::rect:
        s << "<rect x='" << num(p[0]) << "' y='" << num(p[1]) << "' width='" << num(p[2]) << "' height='" << num(p[3])
          << "' rx='2'" << paint << "/>";
        break;
      case Shape::Kind::circle:
        s << "<circle cx='" << num(p[0]) << "' cy='" << num(p[1]) << "' r='" << num(p[2]) << "'" << paint << "/>";
        break;
      case Shape::Kind::polygon: {
        s << "<polygon points='";
        for (std::size_t i = 0; i + 1 < p.size(); i += 2) s << (i ? " " : "") << num(p[i]) << "," << num(p[i + 1]);
        s << "'" << paint << "/>";
        break;
      }
      case Shape::Kind::text:
        s << "<text x='" << num(p[0]) << "' y='" << num(p[1]) << "' font-size='" << num(sh.size) << "' text-anchor='"
          << (sh.anchor < 0 ? "start" : sh.anchor > 0 ? "end" : "middle") << "' fill='" << rgb(sh.fill) << "'"
          << (sh.bold ? " font-weight='bold'" : "") << ">" << esc(sh.text) << "</text>";
        break;
    }
  }
  s << "</svg>";
  return s.str();
}

// The print stylesheet: A4 pages, the district's greens, tables that keep their header.
constexpr const char* kStyle =
    "@page{size:A4;margin:15mm 15mm 16mm}"
    "*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;color:#1c2620;"
    "max-width:180mm;margin:0 auto;padding:0 2mm;font-size:10.5pt;line-height:1.5;overflow-wrap:anywhere}"
    "h1{color:#1f6b43;font-size:19pt;line-height:1.3;margin:4pt 0 8pt}"
    "h2{color:#1f6b43;font-size:14pt;border-bottom:2px solid #dceee2;padding-bottom:2pt;margin:16pt 0 6pt;"
    "break-after:avoid}h2.newpage{break-before:page}"
    "h3{font-size:11pt;margin:10pt 0 3pt;break-after:avoid}"
    "p{margin:3pt 0}p.small{font-size:9pt}.muted{color:#4a574f}.good{color:#1f6b43}.bad{color:#a31f17}"
    ".warn{color:#8a5a00}"
    ".cover{break-after:page}"
    ".cards{display:grid;grid-template-columns:repeat(3,1fr);gap:8pt;margin:8pt 0 12pt}"
    ".card{border:1px solid #c9d3c9;border-radius:6pt;padding:8pt 10pt;break-inside:avoid}"
    ".card .name{font-weight:bold;font-size:10.5pt}.card .value{font-size:24pt;font-weight:bold;line-height:1.2}"
    ".card .line{font-size:9pt;color:#4a574f}.card .status{font-weight:bold;margin-top:3pt}"
    ".fig{break-inside:avoid;margin:4pt 0 8pt}.fig svg{display:block;font-family:inherit}"
    "table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:9pt;margin:2pt 0 4pt}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    "td,th{border-bottom:1px solid #e3eee5;padding:2pt 4pt;text-align:left;vertical-align:top}"
    "th{background:#dceee2;font-weight:bold}td.num,th.num{text-align:right}"
    "td.weak{color:#4a574f;font-style:italic}.note{font-size:8.5pt;color:#8a5a00}"
    ".tablewrap{break-inside:avoid}"
;

void head(std::ostringstream& h, const Document& d) {
  h << "<!doctype html><html lang='" << (d.lang == "en" ? "en" : "zh-CN") << "'><head><meta charset='utf-8'>"
    << "<meta name='viewport' content='width=device-width'>"
    << "<title>" << esc(d.title) << "</title><style>" << kStyle << "</style></head><body>";
}

void heading(std::ostringstream& h, const Heading& x, bool& in_cover) {
  bool breaks = x.new_page;
  if (x.new_page && in_cover) {
    h << "</div>";  // the cover ends with its own page break
    in_cover = false;
    breaks = false;
  }
  int lv = std::max(1, std::min(3, x.level));
  h << "<h" << lv << (breaks ? " class='newpage'" : "") << ">" << esc(x.text) << "</h" << lv << ">";
}

void para(std::ostringstream& h, const Para& pa) {
  std::string cls = std::string(tone_class(pa.tone)) + (pa.small ? " small" : "");
  h << "<p" << (cls.empty() || cls == " small" ? (pa.small ? " class='small'" : "") : " class='" + cls + "'") << ">"
    << esc(pa.text) << "</p>";
}

void key_figures(std::ostringstream& h, const KeyFigures& kf) {
  h << "<div class='cards'>";
  for (const auto& c : kf.cards)
    h << "<div class='card'><div class='name'>" << esc(c.name) << "</div><div class='value " << tone_class(c.tone)
      << "'>" << esc(c.value) << "</div><div class='line'>" << esc(c.interval) << "</div><div class='line'>"
      << esc(c.n) << " · " << esc(c.target) << "</div><div class='status " << tone_class(c.tone) << "'>"
      << esc(c.status) << "</div></div>";
  h << "</div>";
}

void table(std::ostringstream& h, const Table& tb) {
  double total = 0;
  for (double w : tb.widths) total += w;
  h << "<div class='tablewrap'><table><colgroup>";
  for (double w : tb.widths) h << "<col style='width:" << num(100 * w / (total > 0 ? total : 1)) << "%'>";
  h << "</colgroup><thead><tr>";
  for (std::size_t c = 0; c < tb.head.size(); ++c)
    h << "<th" << (c < tb.numeric.size() && tb.numeric[c] ? " class='num'" : "") << ">" << esc(tb.head[c]) << "</th>";
  h << "</tr></thead><tbody>";
  for (const auto& row : tb.rows) {
    h << "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string cls = c < tb.numeric.size() && tb.numeric[c] ? "num" : "";
      if (row[c].weak) cls += " weak";
      else if (*tone_class(row[c].tone)) cls += std::string(" ") + tone_class(row[c].tone);
      h << "<td" << (cls.empty() ? "" : " class='" + cls + "'") << ">" << esc(row[c].text) << "</td>";
    }
    h << "</tr>";
  }
  h << "</tbody></table>";
  if (!tb.note.empty()) h << "<p class='note'>" << esc(tb.note) << "</p>";
  h << "</div>";
}

bool is_chart(const Block& b) {
  return std::holds_alternative<Bars>(b) || std::holds_alternative<Interval>(b) || std::holds_alternative<Trend>(b);
}

}  // namespace

std::string render_html(const Document& d) {
  std::ostringstream h;
  head(h, d);
  bool in_cover = true;
  h << "<div class='cover'>";
  bool grouped = false;  // a caption and its chart share one unbreakable box
  for (std::size_t bi = 0; bi < d.blocks.size(); ++bi) {
    const Block& b = d.blocks[bi];
    if (std::holds_alternative<Para>(b) && bi + 1 < d.blocks.size() && is_chart(d.blocks[bi + 1])) {
      h << "<div class='fig'>";
      grouped = true;
    }
    if (auto* x = std::get_if<Heading>(&b)) {
      heading(h, *x, in_cover);
    } else if (auto* pa = std::get_if<Para>(&b)) {
      para(h, *pa);
    } else if (auto* kf = std::get_if<KeyFigures>(&b)) {
      key_figures(h, *kf);
    } else if (auto* tb = std::get_if<Table>(&b)) {
      table(h, *tb);
    } else if (grouped) {
      h << svg(chart_scene(b, kColumnPt)) << "</div>";
      grouped = false;
    } else {
      h << "<div class='fig'>" << svg(chart_scene(b, kColumnPt)) << "</div>";
    }
  }
  if (in_cover) h << "</div>";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace doc

std::string html_report(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o) {
  return doc::render_html(doc::build_report(store, set, o));
}

}  // namespace eco
