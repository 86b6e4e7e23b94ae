// The report as an A4 PDF without a browser: Pango lays out the text (Noto Sans CJK
// through fontconfig, embedded as subsets by cairo), cairo draws the same chart
// shapes the HTML gets as SVG. Pages flow top to bottom; a heading stays with what
// follows it, a chart or card row never splits, a table repeats its header on each
// page. The whole flow runs twice: the first pass counts the pages for "page n of N".
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>

#include "core/support/i18n.hpp"
#include "core/support/shared_library.hpp"
#include "core/output/report_doc.hpp"

namespace eco::doc {

namespace {
// cairo and Pango (with GLib, HarfBuzz, pixman and fribidi behind them) are opened when
// a PDF is first made, not with the program: the kiosk never makes one, and loading
// them cost every kiosk their memory and start-up time (issue 20). Each call below goes
// through `pdf`.
#define ECO_PANGOCAIRO(X) \
  X(pango_cairo_create_layout) \
  X(pango_cairo_show_layout)
#define ECO_PANGO(X) \
  X(pango_font_description_free) \
  X(pango_font_description_new) \
  X(pango_font_description_set_absolute_size) \
  X(pango_font_description_set_family) \
  X(pango_font_description_set_style) \
  X(pango_font_description_set_weight) \
  X(pango_layout_get_baseline) \
  X(pango_layout_get_size) \
  X(pango_layout_set_alignment) \
  X(pango_layout_set_ellipsize) \
  X(pango_layout_set_font_description) \
  X(pango_layout_set_text) \
  X(pango_layout_set_width) \
  X(pango_layout_set_wrap)
#define ECO_CAIRO(X) \
  X(cairo_arc) \
  X(cairo_close_path) \
  X(cairo_create) \
  X(cairo_destroy) \
  X(cairo_fill) \
  X(cairo_fill_preserve) \
  X(cairo_line_to) \
  X(cairo_move_to) \
  X(cairo_new_path) \
  X(cairo_new_sub_path) \
  X(cairo_pdf_surface_create) \
  X(cairo_pdf_surface_create_for_stream) \
  X(cairo_pdf_surface_set_metadata) \
  X(cairo_rectangle) \
  X(cairo_restore) \
  X(cairo_save) \
  X(cairo_set_dash) \
  X(cairo_set_line_width) \
  X(cairo_set_source_rgb) \
  X(cairo_show_page) \
  X(cairo_status_to_string) \
  X(cairo_stroke) \
  X(cairo_surface_destroy) \
  X(cairo_surface_finish) \
  X(cairo_surface_status) \
  X(cairo_translate)
#define ECO_GOBJECT(X) \
  X(g_object_unref)
struct PdfApi {
#define ECO_FIELD(f) decltype(&::f) f = nullptr;
  ECO_PANGOCAIRO(ECO_FIELD) ECO_PANGO(ECO_FIELD) ECO_CAIRO(ECO_FIELD) ECO_GOBJECT(ECO_FIELD)
#undef ECO_FIELD
};
PdfApi pdf;

// Empty once every function is found (loaded at the first call); else why not.
std::string load_pdf() {
  static std::once_flag once;
  static std::string why;
  std::call_once(once, [] {
    static SharedLibrary pangocairo("libpangocairo-1.0.so.0", "libpangocairo-1.0-0"),
        pango("libpango-1.0.so.0", "libpango-1.0-0"), cairo("libcairo.so.2", "libcairo2"),
        gobject("libgobject-2.0.so.0", "libglib2.0-0");
    PdfApi api;
    bool ok = true;
    auto from = [&](SharedLibrary& lib) {
      return [&ok, &lib](auto& fn, const char* name) {
        if (ok && !lib.bind(fn, name)) {
          ok = false;
          why = "PDF output unavailable: " + lib.error();
        }
      };
    };
    auto bind_pangocairo = from(pangocairo);
    auto bind_pango = from(pango);
    auto bind_cairo = from(cairo);
    auto bind_gobject = from(gobject);
#define ECO_PANGOCAIRO_BIND(f) bind_pangocairo(api.f, #f);
#define ECO_PANGO_BIND(f) bind_pango(api.f, #f);
#define ECO_CAIRO_BIND(f) bind_cairo(api.f, #f);
#define ECO_GOBJECT_BIND(f) bind_gobject(api.f, #f);
    ECO_PANGOCAIRO(ECO_PANGOCAIRO_BIND) ECO_PANGO(ECO_PANGO_BIND) ECO_CAIRO(ECO_CAIRO_BIND) ECO_GOBJECT(ECO_GOBJECT_BIND)
#undef ECO_PANGOCAIRO_BIND
#undef ECO_PANGO_BIND
#undef ECO_CAIRO_BIND
#undef ECO_GOBJECT_BIND
    if (ok) pdf = api;
  });
  return why;
}
}  // namespace

namespace {

constexpr double kW = 595.28, kH = 841.89;          // A4 in points
constexpr double kML = 42.5, kMR = 42.5, kMT = 42.5;  // 15 mm
constexpr double kMB = 58;                            // room for the footer
constexpr double kCW = kW - kML - kMR;
constexpr const char* kFamily = "Noto Sans CJK SC";

struct Rgb {
  double r, g, b;
};
Rgb rgb(unsigned c) { return {((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0}; }
unsigned tone_rgb(Tone t) {
  switch (t) {
    case Tone::good: return 0x1f6b43;
    case Tone::bad: return 0xa31f17;
    case Tone::warn: return 0x8a5a00;
    case Tone::muted: return 0x4a574f;
    default: return 0x1c2620;
  }
}

cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

class Pdf {
 public:
  Pdf(cairo_surface_t* s, const Document& d, int total) : cr_(pdf.cairo_create(s)), d_(d), total_(total) {}
  ~Pdf() { pdf.cairo_destroy(cr_); }
  int pages() const { return page_; }

  void run() {
    new_page();
    for (std::size_t i = 0; i < d_.blocks.size(); ++i) {
      const Block& b = d_.blocks[i];
      if (auto* x = std::get_if<Heading>(&b)) heading(*x, i + 1 < d_.blocks.size() ? follower(d_.blocks[i + 1]) : 0);
      else if (auto* pa = std::get_if<Para>(&b)) {
        bool chart_next = i + 1 < d_.blocks.size() && !std::holds_alternative<Heading>(d_.blocks[i + 1]) &&
                          !std::holds_alternative<Para>(d_.blocks[i + 1]) && !std::holds_alternative<Table>(d_.blocks[i + 1]) &&
                          !std::holds_alternative<KeyFigures>(d_.blocks[i + 1]);
        para(*pa, chart_next ? follower(d_.blocks[i + 1]) : 0);  // a chart's caption stays with it
      }
      else if (auto* kf = std::get_if<KeyFigures>(&b)) cards(*kf);
      else if (auto* tb = std::get_if<Table>(&b)) table(*tb);
      else chart(b);
    }
    footer();
    pdf.cairo_show_page(cr_);
  }

 private:
  using Layout = std::unique_ptr<PangoLayout, decltype(&g_object_unref)>;

  Layout text(const std::string& s, double size, bool bold, double width, bool italic = false,
              PangoAlignment align = PANGO_ALIGN_LEFT) {
    Layout l(pdf.pango_cairo_create_layout(cr_), pdf.g_object_unref);
    PangoFontDescription* fd = pdf.pango_font_description_new();
    pdf.pango_font_description_set_family(fd, kFamily);
    pdf.pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pdf.pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    if (italic) pdf.pango_font_description_set_style(fd, PANGO_STYLE_ITALIC);
    pdf.pango_layout_set_font_description(l.get(), fd);
    pdf.pango_font_description_free(fd);
    if (width > 0) {
      pdf.pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
      pdf.pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    }
    pdf.pango_layout_set_alignment(l.get(), align);
    pdf.pango_layout_set_text(l.get(), s.c_str(), static_cast<int>(s.size()));
    return l;
  }
  static double height(const Layout& l) {
    int w, h;
    pdf.pango_layout_get_size(l.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  static double width(const Layout& l) {
    int w, h;
    pdf.pango_layout_get_size(l.get(), &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }
  void colour(unsigned c) {
    Rgb x = rgb(c);
    pdf.cairo_set_source_rgb(cr_, x.r, x.g, x.b);
  }
  void draw(const Layout& l, double x, double y, unsigned c) {
    colour(c);
    pdf.cairo_move_to(cr_, x, y);
    pdf.pango_cairo_show_layout(cr_, l.get());
  }

  void new_page() {
    if (page_ > 0) {
      footer();
      pdf.cairo_show_page(cr_);
    }
    ++page_;
    y_ = kMT;
  }
  bool at_top() const { return y_ <= kMT + 0.5; }
  // Starts a new page unless `h` points fit below.
  void room(double h) {
    if (y_ + h > kH - kMB && !at_top()) new_page();
  }

  void footer() {
    double fy = kH - kMB + 18;
    colour(0xc9d3c9);
    pdf.cairo_set_line_width(cr_, 0.6);
    pdf.cairo_move_to(cr_, kML, fy - 5);
    pdf.cairo_line_to(cr_, kW - kMR, fy - 5);
    pdf.cairo_stroke(cr_);
    std::string n = Strings::format(d_.page_of, {{"page", std::to_string(page_)}, {"pages", std::to_string(total_ > 0 ? total_ : page_)}});
    Layout right = text(n, 8, false, 0);
    double rw = width(right);
    Layout left = text(d_.title + " · " + d_.period, 8, false, kCW - rw - 16);
    pdf.pango_layout_set_ellipsize(left.get(), PANGO_ELLIPSIZE_END);
    draw(left, kML, fy, 0x4a574f);
    draw(right, kW - kMR - rw, fy, 0x4a574f);
  }

  // How much of the next block a heading must see on its own page.
  static double follower(const Block& b) {
    if (std::holds_alternative<Interval>(b) || std::holds_alternative<Trend>(b)) return chart_scene(b, kCW).height + 6;
    if (std::holds_alternative<Bars>(b)) return std::min(300.0, chart_scene(b, kCW).height + 6);
    return 70;
  }

  void heading(const Heading& h, double next) {
    if (h.new_page && !at_top()) new_page();
    double size = h.level <= 1 ? 19 : h.level == 2 ? 14 : 11;
    Layout l = text(h.text, size, true, kCW);
    double lh = height(l);
    double before = at_top() ? 0 : (h.level == 2 ? 14 : 8);
    room(before + lh + 2 + next);  // a heading keeps company with what follows it
    if (!at_top()) y_ += before;
    draw(l, kML, y_, h.level <= 2 ? 0x1f6b43 : 0x1c2620);
    y_ += lh + 2;
    if (h.level == 2) {
      colour(0xdceee2);
      pdf.cairo_set_line_width(cr_, 1.5);
      pdf.cairo_move_to(cr_, kML, y_);
      pdf.cairo_line_to(cr_, kW - kMR, y_);
      pdf.cairo_stroke(cr_);
      y_ += 5;
    }
  }

  void para(const Para& p, double next = 0) {
    Layout l = text(p.text, p.small ? 8.8 : 10.2, false, kCW);
    double h = height(l);
    room(h + 3 + next);
    draw(l, kML, y_, tone_rgb(p.tone));
    y_ += h + 3;
  }

  void cards(const KeyFigures& k) {
    if (k.cards.empty()) return;
    const double gap = 8, pad = 8;
    double cw = (kCW - gap * static_cast<double>(k.cards.size() - 1)) / static_cast<double>(k.cards.size());
    double inner = cw - 2 * pad;
    struct Card {
      std::vector<std::pair<Layout, unsigned>> parts;
      double h = 0;
    };
    std::vector<Card> cs;
    double tallest = 0;
    for (const auto& c : k.cards) {
      Card card;
      card.parts.emplace_back(text(c.name, 10, true, inner), 0x1c2620);
      card.parts.emplace_back(text(c.value, 24, true, inner), tone_rgb(c.tone));
      if (!c.interval.empty()) card.parts.emplace_back(text(c.interval, 8.8, false, inner), 0x4a574f);
      card.parts.emplace_back(text(c.n + " · " + c.target, 8.8, false, inner), 0x4a574f);
      card.parts.emplace_back(text(c.status, 10, true, inner), tone_rgb(c.tone));
      for (auto& p : card.parts) card.h += height(p.first) + 2;
      tallest = std::max(tallest, card.h);
      cs.push_back(std::move(card));
    }
    double h = tallest + 2 * pad;
    room(h + 8);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      double x = kML + static_cast<double>(i) * (cw + gap);
      colour(0xc9d3c9);
      pdf.cairo_set_line_width(cr_, 0.8);
      double r = 6;
      pdf.cairo_new_sub_path(cr_);
      pdf.cairo_arc(cr_, x + cw - r, y_ + r, r, -M_PI / 2, 0);
      pdf.cairo_arc(cr_, x + cw - r, y_ + h - r, r, 0, M_PI / 2);
      pdf.cairo_arc(cr_, x + r, y_ + h - r, r, M_PI / 2, M_PI);
      pdf.cairo_arc(cr_, x + r, y_ + r, r, M_PI, 3 * M_PI / 2);
      pdf.cairo_close_path(cr_);
      pdf.cairo_stroke(cr_);
      double cy = y_ + pad;
      for (auto& p : cs[i].parts) {
        draw(p.first, x + pad, cy, p.second);
        cy += height(p.first) + 2;
      }
    }
    y_ += h + 8;
  }

  void table(const Table& t) {
    std::size_t n = t.head.size();
    if (!n) return;
    double total = 0;
    for (double w : t.widths) total += w;
    std::vector<double> cw(n), cx(n);
    double x = kML;
    for (std::size_t c = 0; c < n; ++c) {
      cw[c] = kCW * (c < t.widths.size() && total > 0 ? t.widths[c] / total : 1.0 / static_cast<double>(n));
      cx[c] = x;
      x += cw[c];
    }
    const double pad = 3, size = 8.6;
    auto align = [&](std::size_t c) { return c < t.numeric.size() && t.numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT; };
    auto head = [&](bool draw_it) {
      std::vector<Layout> ls;
      double h = 0;
      for (std::size_t c = 0; c < n; ++c) {
        ls.push_back(text(t.head[c], size, true, cw[c] - 2 * pad, false, align(c)));
        h = std::max(h, height(ls.back()));
      }
      h += 2 * pad;
      if (draw_it) {
        colour(0xdceee2);
        pdf.cairo_rectangle(cr_, kML, y_, kCW, h);
        pdf.cairo_fill(cr_);
        for (std::size_t c = 0; c < n; ++c) draw(ls[c], cx[c] + pad, y_ + pad, 0x1c2620);
        y_ += h;
      }
      return h;
    };
    // The header and the first row go together.
    double hh = head(false);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      std::vector<Layout> ls;
      double h = 0;
      const auto& row = t.rows[r];
      for (std::size_t c = 0; c < n && c < row.size(); ++c) {
        ls.push_back(text(row[c].text, size, false, cw[c] - 2 * pad, row[c].weak, align(c)));
        h = std::max(h, height(ls.back()));
      }
      h += 2 * pad;
      if (r == 0) {
        room(hh + h);
        head(true);
      } else if (y_ + h > kH - kMB) {
        new_page();
        head(true);
      }
      for (std::size_t c = 0; c < ls.size(); ++c)
        draw(ls[c], cx[c] + pad, y_ + pad, row[c].weak ? 0x4a574f : tone_rgb(row[c].tone));
      colour(0xe3eee5);
      pdf.cairo_set_line_width(cr_, 0.6);
      pdf.cairo_move_to(cr_, kML, y_ + h);
      pdf.cairo_line_to(cr_, kW - kMR, y_ + h);
      pdf.cairo_stroke(cr_);
      y_ += h;
    }
    y_ += 3;
    if (!t.note.empty()) para(Para{t.note, Tone::warn, true});
    y_ += 3;
  }

  void chart(const Block& b) {
    Scene sc = chart_scene(b, kCW);
    room(sc.height + 6);
    pdf.cairo_save(cr_);
    pdf.cairo_translate(cr_, kML, y_);
    for (const auto& s : sc.shapes) shape(s);
    pdf.cairo_restore(cr_);
    y_ += sc.height + 6;
  }

  void shape(const Shape& s) {
    const auto& p = s.pts;
    auto paint = [&] {
      if (s.has_fill) {
        colour(s.fill);
        if (s.has_stroke) pdf.cairo_fill_preserve(cr_);
        else pdf.cairo_fill(cr_);
      }
      if (s.has_stroke) {
        colour(s.stroke);
        pdf.cairo_set_line_width(cr_, s.stroke_width);
        double dash[] = {4, 3};
        pdf.cairo_set_dash(cr_, dash, s.dashed ? 2 : 0, 0);
        pdf.cairo_stroke(cr_);
        pdf.cairo_set_dash(cr_, nullptr, 0, 0);
      }
      pdf.cairo_new_path(cr_);
    };
    switch (s.kind) {
      case Shape::Kind::line:
        pdf.cairo_move_to(cr_, p[0], p[1]);
        pdf.cairo_line_to(cr_, p[2], p[3]);
        paint();
        break;
      case Shape::Kind::rect:
        pdf.cairo_rectangle(cr_, p[0], p[1], p[2], p[3]);
        paint();
        break;
      case Shape::Kind::circle:
        pdf.cairo_new_sub_path(cr_);
        pdf.cairo_arc(cr_, p[0], p[1], p[2], 0, 2 * M_PI);
        paint();
        break;
      case Shape::Kind::polygon:
        for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
          if (i == 0) pdf.cairo_move_to(cr_, p[i], p[i + 1]);
          else pdf.cairo_line_to(cr_, p[i], p[i + 1]);
        }
        pdf.cairo_close_path(cr_);
        paint();
        break;
      case Shape::Kind::text: {
        Layout l = text(s.text, s.size, s.bold, 0);
        double w = width(l);
        double base = static_cast<double>(pdf.pango_layout_get_baseline(l.get())) / PANGO_SCALE;
        double x = s.anchor < 0 ? p[0] : s.anchor > 0 ? p[0] - w : p[0] - w / 2;
        draw(l, x, p[1] - base, s.fill);
        break;
      }
    }
  }

  cairo_t* cr_;
  const Document& d_;
  int total_;
  int page_ = 0;
  double y_ = kMT;
};

}  // namespace

std::string render_pdf(const Document& d, const std::string& path, int* pages) {
  if (std::string why = load_pdf(); !why.empty()) return why;
  // First pass into nothing: the page count for the footers.
  int total = 0;
  {
    cairo_surface_t* s = pdf.cairo_pdf_surface_create_for_stream(discard, nullptr, kW, kH);
    {
      Pdf p(s, d, 0);
      p.run();
      total = p.pages();
    }
    pdf.cairo_surface_finish(s);
    pdf.cairo_surface_destroy(s);
  }
  cairo_surface_t* s = pdf.cairo_pdf_surface_create(path.c_str(), kW, kH);
  if (pdf.cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    std::string e = "cannot write " + path + ": " + pdf.cairo_status_to_string(pdf.cairo_surface_status(s));
    pdf.cairo_surface_destroy(s);
    return e;
  }
  pdf.cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d.title.c_str());
  pdf.cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "EcoKiosk");
  {
    Pdf p(s, d, total);
    p.run();
    if (pages) *pages = p.pages();
  }
  pdf.cairo_surface_finish(s);
  cairo_status_t st = pdf.cairo_surface_status(s);
  pdf.cairo_surface_destroy(s);
  if (st != CAIRO_STATUS_SUCCESS) return "writing " + path + " failed: " + pdf.cairo_status_to_string(st);
  return "";
}

}  // namespace eco::doc
