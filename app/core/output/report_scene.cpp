// Chart geometry for the report: bars, an indicator's interval against its target, and
// a monthly trend with its interval band, as positioned shapes in points. The HTML
// renderer turns them into SVG and the PDF renderer into cairo paths.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/output/report_doc.hpp"

namespace eco::doc {

namespace {

constexpr unsigned kGreen = 0x1f6b43, kLight = 0xdceee2, kTrack = 0xeef4ef, kRed = 0xa31f17, kGrid = 0xc9d3c9,
                   kMuted = 0x4a574f, kInk = 0x1c2620, kWarn = 0x8a5a00;

std::string f1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// Decodes one UTF-8 sequence at i; returns its length.
std::size_t next_cp(const std::string& s, std::size_t i, std::uint32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + len > s.size()) len = s.size() - i;
  cp = len == 1 ? c : (c & (0x3F >> (len - 1)));
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return len;
}

bool wide(std::uint32_t cp) { return cp >= 0x1100; }

Shape line(double x1, double y1, double x2, double y2, unsigned colour, double w = 1, bool dashed = false) {
  Shape s;
  s.kind = Shape::Kind::line;
  s.pts = {x1, y1, x2, y2};
  s.stroke = colour;
  s.has_stroke = true;
  s.stroke_width = w;
  s.dashed = dashed;
  return s;
}
Shape rect(double x, double y, double w, double h, unsigned fill, std::optional<unsigned> stroke = std::nullopt) {
  Shape s;
  s.kind = Shape::Kind::rect;
  s.pts = {x, y, std::max(0.0, w), h};
  s.fill = fill;
  s.has_fill = true;
  if (stroke) { s.stroke = *stroke; s.has_stroke = true; }
  return s;
}
Shape circle(double x, double y, double r, unsigned fill, bool hollow = false) {
  Shape s;
  s.kind = Shape::Kind::circle;
  s.pts = {x, y, r};
  if (hollow) {
    s.fill = 0xffffff;
    s.stroke = fill;
    s.has_stroke = true;
    s.stroke_width = 1.5;
  } else {
    s.fill = fill;
  }
  s.has_fill = true;
  return s;
}
Shape text(double x, double y, std::string t, double size, int anchor, unsigned colour = kInk, bool bold = false) {
  Shape s;
  s.kind = Shape::Kind::text;
  s.pts = {x, y};
  s.text = std::move(t);
  s.size = size;
  s.anchor = anchor;
  s.fill = colour;
  s.has_fill = true;
  s.bold = bold;
  return s;
}

unsigned tone_colour(Tone t) {
  switch (t) {
    case Tone::bad: return kRed;
    case Tone::warn: return kWarn;
    case Tone::muted: return kMuted;
    default: return kGreen;
  }
}

double clamp100(double v) { return std::max(0.0, std::min(100.0, v)); }

Scene bars(const Bars& b, double W) {
  Scene sc;
  sc.width = W;
  const double size = 8.5, lh = 11.5, label_w = W * 0.44, gap = 8, fig_w = 92;
  const double bar_x = label_w + gap, bar_w = std::max(40.0, W - bar_x - fig_w);
  double y = 0;
  for (const auto& r : b.rows) {
    // 2 pt in from the edge: glyphs such as "Y" reach left of their origin.
    auto lines = wrap_estimate(r.label, label_w - 2, size);
    double h = std::max(16.0, static_cast<double>(lines.size()) * lh + 4);
    double mid = y + h / 2;
    double ty = mid - (static_cast<double>(lines.size()) * lh) / 2 + lh - 2.5;
    for (const auto& l : lines) {
      sc.shapes.push_back(text(2, ty, l, size, -1));
      ty += lh;
    }
    double w = b.max > 0 ? bar_w * std::max(0.0, std::min(r.value, b.max)) / b.max : 0;
    sc.shapes.push_back(rect(bar_x, mid - 5, bar_w, 10, kTrack));
    sc.shapes.push_back(rect(bar_x, mid - 5, w, 10, tone_colour(r.tone)));
    sc.shapes.push_back(text(bar_x + bar_w + 5, mid + 3, r.figure, size, -1, kMuted));
    y += h;
  }
  if (b.target && b.max > 0) {
    double x = bar_x + bar_w * clamp100(*b.target) / b.max;
    sc.shapes.push_back(line(x, 0, x, y, kRed, 1.2, true));
  }
  sc.height = y + 2;
  return sc;
}

Scene interval(const Interval& iv, double W) {
  Scene sc;
  sc.width = W;
  sc.height = 58;
  const double L = 14, R = 14;
  double top = 0;
  if (!iv.label.empty()) {
    sc.shapes.push_back(text(0, 11, iv.label, 9.5, -1, kInk, true));
    top = 12;
  }
  sc.height += top;
  auto shifted = [&](std::size_t from) {
    for (std::size_t k = from; k < sc.shapes.size(); ++k)
      for (std::size_t j = 1; j < sc.shapes[k].pts.size(); j += 2)
        if (j == 1 || (sc.shapes[k].kind != Shape::Kind::circle && sc.shapes[k].kind != Shape::Kind::rect))
          sc.shapes[k].pts[j] += top;  // y values only: not a rectangle's height or a radius
  };
  std::size_t first = sc.shapes.size();
  auto X = [&](double v) { return L + (W - L - R) * clamp100(v) / 100.0; };
  sc.shapes.push_back(line(X(0), 32, X(100), 32, kGrid, 2));
  for (int t = 0; t <= 100; t += 20) {
    sc.shapes.push_back(line(X(t), 29, X(t), 35, kGrid, 1));
    sc.shapes.push_back(text(X(t), 54, std::to_string(t), 8.5, 0, kMuted));
  }
  if (iv.lo && iv.hi) sc.shapes.push_back(rect(X(*iv.lo), 24, X(*iv.hi) - X(*iv.lo), 16, kLight, kGreen));
  if (iv.value) sc.shapes.push_back(circle(X(*iv.value), 32, 5.5, kGreen));
  sc.shapes.push_back(line(X(iv.target), 10, X(iv.target), 46, kRed, 1.6, true));
  // The target's figure sits on the side with room.
  bool left = iv.target > 85;
  sc.shapes.push_back(text(X(iv.target) + (left ? -4 : 4), 12, "≥" + f1(iv.target), 8.5, left ? 1 : -1, kRed));
  shifted(first);
  return sc;
}

Scene trend(const Trend& t, double W) {
  Scene sc;
  sc.width = W;
  sc.height = 178;
  const double L = 30, R = 12, top = 24, bottom = 30;
  const double ph = sc.height - top - bottom, pw = W - L - R;
  auto Y = [&](double v) { return top + ph * (1 - clamp100(v) / 100.0); };
  std::size_t n = t.points.size();
  auto X = [&](std::size_t i) { return L + (n <= 1 ? pw / 2 : pw * (static_cast<double>(i) + 0.5) / static_cast<double>(n)); };
  for (int g = 0; g <= 100; g += 20) {
    sc.shapes.push_back(line(L, Y(g), L + pw, Y(g), g ? 0xe3eee5 : kGrid, g ? 0.6 : 1));
    sc.shapes.push_back(text(L - 4, Y(g) + 3, std::to_string(g), 8, 1, kMuted));
  }
  // Band and line over each run of months that have an estimate.
  std::size_t i = 0;
  while (i < n) {
    if (!t.points[i].value) { ++i; continue; }
    std::size_t j = i;
    while (j + 1 < n && t.points[j + 1].value) ++j;
    if (j > i) {
      Shape band;
      band.kind = Shape::Kind::polygon;
      for (std::size_t k = i; k <= j; ++k) { band.pts.push_back(X(k)); band.pts.push_back(Y(t.points[k].hi.value_or(*t.points[k].value))); }
      for (std::size_t k = j + 1; k-- > i;) { band.pts.push_back(X(k)); band.pts.push_back(Y(t.points[k].lo.value_or(*t.points[k].value))); }
      band.fill = kLight;
      band.has_fill = true;
      sc.shapes.push_back(band);
      for (std::size_t k = i; k < j; ++k)
        sc.shapes.push_back(line(X(k), Y(*t.points[k].value), X(k + 1), Y(*t.points[k + 1].value), kGreen, 1.8));
    }
    i = j + 1;
  }
  // Whiskers for every month (the band alone hides a lone month's interval).
  for (std::size_t k = 0; k < n; ++k) {
    const auto& p = t.points[k];
    if (p.lo && p.hi) sc.shapes.push_back(line(X(k), Y(*p.lo), X(k), Y(*p.hi), kGreen, 0.8));
  }
  sc.shapes.push_back(line(L, Y(t.target), L + pw, Y(t.target), kRed, 1.3, true));
  for (std::size_t k = 0; k < n; ++k) {
    const auto& p = t.points[k];
    if (p.value) sc.shapes.push_back(circle(X(k), Y(*p.value), 3.2, p.weak ? kWarn : kGreen, p.weak));
  }
  // Month labels: every one while they fit, else every second or third.
  std::size_t step = 1;
  while (n / step > 0 && static_cast<double>(n) / static_cast<double>(step) * 44 > pw) ++step;
  for (std::size_t k = 0; k < n; k += step) sc.shapes.push_back(text(X(k), top + ph + 14, t.points[k].label, 8, 0, kMuted));
  // Legend on top.
  double lx = L;
  auto legend = [&](const Shape& swatch, const std::string& label) {
    sc.shapes.push_back(swatch);
    sc.shapes.push_back(text(lx + 16, 11, label, 8, -1, kMuted));
    lx += 22 + estimate_width(label, 8) + 10;
  };
  legend(line(lx, 8, lx + 12, 8, kGreen, 1.8), t.legend_value);
  legend(rect(lx, 3, 12, 9, kLight), t.legend_band);
  legend(line(lx, 8, lx + 12, 8, kRed, 1.3, true), t.legend_target);
  return sc;
}

}  // namespace

double estimate_width(const std::string& s, double size) {
  double w = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp;
    i += next_cp(s, i, cp);
    w += wide(cp) ? size : size * 0.62;
  }
  return w;
}

std::vector<std::string> wrap_estimate(const std::string& s, double width, double size) {
  // Break units: one CJK character, or a run of non-space Latin characters with the
  // spaces after it; a unit wider than the line is cut by character.
  std::vector<std::string> lines;
  std::string cur;
  double cw = 0;
  auto flush = [&] {
    while (!cur.empty() && cur.back() == ' ') cur.pop_back();
    if (!cur.empty()) lines.push_back(cur);
    cur.clear();
    cw = 0;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint32_t cp;
    std::size_t len = next_cp(s, i, cp);
    std::string unit;
    double uw = 0;
    if (wide(cp)) {
      unit = s.substr(i, len);
      uw = size;
      i += len;
    } else {
      while (i < s.size()) {
        std::size_t l2 = next_cp(s, i, cp);
        if (wide(cp)) break;
        unit += s.substr(i, l2);
        uw += size * 0.62;
        i += l2;
        if (cp == ' ') break;
      }
    }
    if (cw + uw > width && !cur.empty()) flush();
    if (uw > width) {  // a unit longer than a line: by character
      for (std::size_t k = 0; k < unit.size();) {
        std::size_t l3 = next_cp(unit, k, cp);
        double gw = wide(cp) ? size : size * 0.62;
        if (cw + gw > width && !cur.empty()) flush();
        cur += unit.substr(k, l3);
        cw += gw;
        k += l3;
      }
      continue;
    }
    if (cur.empty() && unit == " ") continue;
    cur += unit;
    cw += uw;
  }
  flush();
  if (lines.empty()) lines.push_back("");
  return lines;
}

Scene chart_scene(const Block& b, double width) {
  if (auto* x = std::get_if<Bars>(&b)) return bars(*x, width);
  if (auto* x = std::get_if<Interval>(&b)) return interval(*x, width);
  if (auto* x = std::get_if<Trend>(&b)) return trend(*x, width);
  return {};
}

}  // namespace eco::doc
