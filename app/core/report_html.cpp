// The printable report: one self-contained HTML file (inline CSS and SVG, no network),
// A4 pages, Chinese by default. Sections: the three indicators against their targets
// with intervals, items worst first, breakdowns, every question, and the method.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/export.hpp"
#include "core/i18n.hpp"
#include "core/survey_results.hpp"

namespace eco {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string f1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// 0–100 scale with the interval as a bar, the estimate as a dot and the target as a line.
std::string interval_svg(const Estimate& e, double target) {
  std::ostringstream s;
  const double W = 600, H = 56, L = 20, R = 20;
  auto X = [&](double v) { return L + (W - L - R) * std::max(0.0, std::min(100.0, v)) / 100.0; };
  s << "<svg viewBox='0 0 " << W << " " << H << "' width='100%' height='" << H << "' role='img'>";
  s << "<line x1='" << X(0) << "' y1='30' x2='" << X(100) << "' y2='30' stroke='#c9d3c9' stroke-width='2'/>";
  for (int t = 0; t <= 100; t += 20)
    s << "<text x='" << X(t) << "' y='52' font-size='11' text-anchor='middle' fill='#4a574f'>" << t << "</text>";
  if (e.ci)
    s << "<rect x='" << X(e.ci->lo) << "' y='22' width='" << X(e.ci->hi) - X(e.ci->lo)
      << "' height='16' rx='4' fill='#dceee2' stroke='#1f6b43'/>";
  if (e.value) s << "<circle cx='" << X(*e.value) << "' cy='30' r='6' fill='#1f6b43'/>";
  s << "<line x1='" << X(target) << "' y1='10' x2='" << X(target) << "' y2='44' stroke='#a31f17' stroke-width='2' "
    << "stroke-dasharray='4 3'/>";
  s << "<text x='" << X(target) + 4 << "' y='14' font-size='11' fill='#a31f17'>" << f1(target) << "</text>";
  s << "</svg>";
  return s.str();
}

// Horizontal bars with the number beside each.
std::string bars_svg(const std::vector<std::pair<std::string, double>>& rows, double max,
                     const std::vector<std::string>& numbers, const char* colour = "#1f6b43") {
  std::ostringstream s;
  const double row_h = 22, label_w = 260, bar_w = 300;
  double H = row_h * static_cast<double>(rows.size()) + 4;
  s << "<svg viewBox='0 0 680 " << H << "' width='100%' role='img'>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    double y = static_cast<double>(i) * row_h;
    double w = max > 0 ? bar_w * rows[i].second / max : 0;
    s << "<text x='" << label_w - 6 << "' y='" << y + 15 << "' font-size='12' text-anchor='end'>" << esc(rows[i].first)
      << "</text>";
    s << "<rect x='" << label_w << "' y='" << y + 4 << "' width='" << bar_w << "' height='14' rx='3' fill='#eef4ef'/>";
    s << "<rect x='" << label_w << "' y='" << y + 4 << "' width='" << w << "' height='14' rx='3' fill='" << colour << "'/>";
    s << "<text x='" << label_w + bar_w + 6 << "' y='" << y + 15 << "' font-size='12'>" << esc(numbers[i]) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string html_report(Store& store, const QuestionnaireSet& set, const ExportOptions& o) {
  Strings fallback;
  const Strings& S = o.strings ? *o.strings : fallback;
  const std::string& L = o.lang;
  auto T = [&](const std::string& k) { return esc(S.get(L, k)); };
  auto TF = [&](const std::string& k, const std::map<std::string, std::string>& a) {
    return esc(Strings::format(S.get(L, k), a));
  };

  IndicatorReport rep = compute_indicators(store, set, indicator_options(o));
  SurveyResults sr = compute_survey_results(store, set, o.filter, o.utc_offset_minutes, o.cancel);

  std::ostringstream h;
  h << "<!doctype html><html lang='" << (L == "en" ? "en" : "zh-CN") << "'><head><meta charset='utf-8'>"
    << "<title>" << T("report.title") << "</title><style>"
    << "@page{size:A4;margin:16mm 14mm}"
    << "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;color:#1c2620;"
    << "max-width:180mm;margin:0 auto;font-size:11pt;line-height:1.5}"
    << "h1{color:#1f6b43;font-size:18pt;margin:0 0 4pt}h2{color:#1f6b43;font-size:14pt;border-bottom:2px solid #dceee2;"
    << "padding-bottom:2pt;margin-top:18pt}h3{font-size:11.5pt;margin:10pt 0 2pt}"
    << ".muted{color:#4a574f;font-size:9.5pt}.card{border:1px solid #c9d3c9;border-radius:6pt;padding:6pt 10pt;"
    << "margin:8pt 0;page-break-inside:avoid}.big{font-size:20pt;font-weight:bold}"
    << ".met{color:#1f6b43}.not_met{color:#a31f17}.no_data{color:#4a574f}.met_with_confidence{color:#1f6b43}"
    << "table{border-collapse:collapse;width:100%;font-size:9.5pt;page-break-inside:auto}"
    << "td,th{border-bottom:1px solid #e3eee5;padding:2pt 4pt;text-align:left}th{background:#dceee2}"
    << "tr{page-break-inside:avoid}.q{page-break-inside:avoid}.warn{color:#8a5a00}"
    << "</style></head><body>";
  h << "<h1>" << T("report.title") << "</h1>";
  std::string local = to_iso_utc(rep.generated_at + o.utc_offset_minutes * 60000LL);
  char zone[16];
  std::snprintf(zone, sizeof zone, " (UTC%+d)", o.utc_offset_minutes / 60);
  h << "<p class='muted'>" << TF("report.generated", {{"time", local.substr(0, 10) + " " + local.substr(11, 5) + zone}}) << "<br>"
    << T("report.filters") << " ";
  std::string filters;
  if (o.filter.from) filters += " " + Strings::format(S.get(L, "report.filter_from"), {{"date", to_iso_utc(*o.filter.from + o.utc_offset_minutes * 60000LL).substr(0, 10)}});
  if (o.filter.to) filters += " " + Strings::format(S.get(L, "report.filter_to"), {{"date", to_iso_utc(*o.filter.to - 1 + o.utc_offset_minutes * 60000LL).substr(0, 10)}});
  if (!o.filter.kiosk.empty()) filters += " " + Strings::format(S.get(L, "report.filter_kiosk"), {{"kiosk", o.filter.kiosk}});
  h << (filters.empty() ? T("report.filters_none") : esc(filters)) << "<br>"
    << (o.include_flagged ? T("report.flagged_kept") : T("report.flagged_left_out")) << "</p>";

  // 1. The indicators against their targets.
  h << "<h2>" << T("html.indicators") << "</h2>";
  for (const auto& i : rep.indicators) {
    h << "<div class='card'><h3>" << i.no << " " << T("report.name." + std::to_string(i.no)) << "</h3>";
    h << "<span class='big " << i.status() << "'>" << (i.est.value ? f1(*i.est.value) + "%" : T("report.status.no_data"))
      << "</span> ";
    if (i.est.ci) h << "<span class='muted'>95%: [" << f1(i.est.ci->lo) << ", " << f1(i.est.ci->hi) << "] · n = " << i.est.n << "</span>";
    h << " · " << T("report.col.target") << " ≥" << f1(i.target) << " · <b class='" << i.status() << "'>"
      << T("report.status." + i.status()) << "</b>";
    h << interval_svg(i.est, i.target);
    if (i.est.value)
      h << "<div class='muted'>" << TF("report.precision", {{"moe", i.est.ci ? f1(i.est.moe) : "—"}, {"need", std::to_string(i.est.needed_for_3pt)}}) << "</div>";
    h << "<div class='muted'>" << TF("report.excluded", {{"considered", std::to_string(i.considered)},
                                                         {"fast", std::to_string(i.excluded.too_fast)},
                                                         {"straight", std::to_string(i.excluded.straight_lining)},
                                                         {"dup", std::to_string(i.excluded.duplicate)},
                                                         {"total", std::to_string(i.excluded.total)}})
      << "</div>";
    if (i.straight_lining_flagged)
      h << "<div class='muted'>" << TF("report.straight", {{"n", std::to_string(i.straight_lining_flagged)},
                                                           {"value", i.without_straight_lining.value ? f1(*i.without_straight_lining.value) : "—"},
                                                           {"ci", i.without_straight_lining.ci ? "[" + f1(i.without_straight_lining.ci->lo) + ", " + f1(i.without_straight_lining.ci->hi) + "]" : "—"},
                                                           {"k", std::to_string(i.without_straight_lining.n)}})
        << "</div>";
    if (i.weighted && i.weighted->est.value)
      h << "<div class='muted'>" << TF("report.weighted", {{"value", f1(*i.weighted->est.value)},
                                                           {"ci", i.weighted->est.ci ? "[" + f1(i.weighted->est.ci->lo) + ", " + f1(i.weighted->est.ci->hi) + "]" : "—"},
                                                           {"deff", f1(i.weighted->deff)},
                                                           {"neff", std::to_string(static_cast<long long>(std::round(i.weighted->n_eff)))}})
        << "</div>";
    h << "</div>";
  }

  // 2. Items worst first, and the mode split.
  h << "<h2>" << T("html.items") << "</h2>";
  for (const auto& i : rep.indicators) {
    const Questionnaire* q = set.find(i.questionnaire);
    if (!i.items.empty()) {
      h << "<h3>" << T(i.method == ScoringMethod::knowledge ? "report.items_knowledge" : "report.items_satisfaction") << "</h3>";
      std::vector<std::pair<std::string, double>> rows;
      std::vector<std::string> nums;
      for (const auto& it : i.items) {
        const Question* qu = q ? q->find(it.item) : nullptr;
        std::string label = utf8_truncate(qu ? qu->text.get(L) : it.item, L == "en" ? 44 : 22);
        rows.emplace_back(label, it.pct);
        nums.push_back(f1(it.pct) + "%  n=" + std::to_string(it.n));
      }
      h << bars_svg(rows, 100, nums);
    }
    if (!i.modes.empty()) {
      h << "<h3>" << T("report.modes") << "</h3>";
      const Question* mq = q ? q->find(q->scoring.matrix) : nullptr;
      std::vector<std::pair<std::string, double>> rows;
      std::vector<std::string> nums;
      for (const auto& m : i.modes) {
        const Option* r = mq ? mq->find_row(m.mode) : nullptr;
        rows.emplace_back(r ? r->text.get(L) : m.mode, m.pct);
        nums.push_back(f1(m.pct) + "%  (" + std::to_string(m.trips) + ")");
      }
      h << bars_svg(rows, 100, nums);
    }
  }

  // 3. Breakdowns by township, age band and month.
  h << "<h2>" << T("html.breakdowns") << "</h2>";
  for (const auto& i : rep.indicators) {
    const Questionnaire* q = set.find(i.questionnaire);
    for (const auto& b : i.breakdowns) {
      if (b.by != "township" && b.by != "age" && b.by != "month") continue;
      h << "<h3>" << i.no << " " << T("report.name." + std::to_string(i.no)) << " · "
        << TF("report.by", {{"dim", S.get(L, "report.dim." + b.by)}}) << "</h3>";
      h << "<table><tr><th>" << T("report.dim." + b.by) << "</th><th>" << T("report.col.value") << "</th><th>"
        << T("report.col.ci") << "</th><th>n</th><th></th></tr>";
      for (const auto& c : b.cells) {
        std::string label = c.code;
        if (c.code.empty()) label = S.get(L, "report.not_answered");
        else if (b.by != "month")
          if (const Question* qu = q ? q->find(b.by) : nullptr)
            if (const Option* op = qu->find_option(c.code)) label = op->text.get(L);
        h << "<tr><td>" << esc(label) << "</td><td>" << (c.est.value ? f1(*c.est.value) : "—") << "</td><td>"
          << (c.est.ci ? "[" + f1(c.est.ci->lo) + ", " + f1(c.est.ci->hi) + "]" : "—") << "</td><td>" << c.est.n
          << "</td><td class='warn'>" << (c.unreliable ? T("report.unreliable") : "") << "</td></tr>";
      }
      h << "</table>";
    }
  }

  // 4. Every question.
  h << "<h2>" << T("html.questions") << "</h2>";
  for (const auto& qr : sr.questionnaires) {
    const Questionnaire* q = set.find(qr.id);
    if (!q || (!o.questionnaire.empty() && q->id != o.questionnaire)) continue;
    std::int64_t started = qr.completed + qr.abandoned;
    h << "<h3>" << esc(q->title.get(L)) << "</h3><p class='muted'>"
      << TF("console.funnel", {{"started", std::to_string(started)},
                               {"completed", std::to_string(qr.completed)},
                               {"abandoned", std::to_string(qr.abandoned)},
                               {"rate", started ? f1(100.0 * qr.completed / started) + "%" : "—"},
                               {"flagged", std::to_string(qr.flagged)}})
      << "</p>";
    for (const auto& d : qr.questions) {
      const Question* qu = q->find(d.question);
      if (!qu || d.counts.empty()) continue;
      std::vector<std::pair<std::string, double>> rows;
      std::vector<std::string> nums;
      double mx = 1;
      for (const auto& c : d.counts) mx = std::max(mx, static_cast<double>(c.n));
      for (const auto& c : d.counts) {
        const Option* op = qu->type == QuestionType::count_matrix ? qu->find_row(c.option) : qu->find_option(c.option);
        rows.emplace_back(op ? op->text.get(L) : c.option, static_cast<double>(c.n));
        double share = d.answered ? 100.0 * static_cast<double>(c.n) / static_cast<double>(d.answered) : 0;
        nums.push_back(std::to_string(c.n) + "  (" + f1(share) + "%)");
      }
      h << "<div class='q'><b>" << esc(qu->text.get(L)) << "</b> <span class='muted'>n=" << d.answered << "</span>"
        << bars_svg(rows, mx, nums) << "</div>";
    }
  }

  // 5. Sample and method.
  h << "<h2>" << T("html.method") << "</h2>";
  for (const char* k : {"html.method.39", "html.method.40", "html.method.35", "html.method.exclusions", "html.method.weighting"})
    h << "<p>" << T(k) << "</p>";
  if (o.population) h << "<p class='muted'>" << esc(o.population->source) << "</p>";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace eco
