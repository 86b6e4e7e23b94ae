// Builds the report's content once: a first page with the district, period, sample and
// the three headline figures; each indicator with its interval and monthly trend;
// items worst first and the travel mode split; breakdowns by hall and township as
// small tables; every question; the method. Both renderers draw this.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/output/export.hpp"
#include "core/support/time.hpp"
#include "core/support/i18n.hpp"
#include "core/output/report_doc.hpp"
#include "core/analysis/survey_results.hpp"

namespace eco::doc {

namespace {

std::string f1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

Tone status_tone(const std::string& status) {
  if (status == "met" || status == "met_with_confidence") return Tone::good;
  if (status == "not_met") return Tone::bad;
  return Tone::muted;
}

// Bar charts are cut into parts of at most 16 bars and at most half a page's height
// (labels may wrap onto several lines), so that no part spans two pages in either
// renderer: both draw at the text column's width.
constexpr std::size_t kBarsPerChart = 16;

}  // namespace

std::vector<Bars> split_bars(const Bars& b) {
  std::vector<Bars> parts;
  Bars part = b;
  part.rows.clear();
  for (const auto& r : b.rows) {
    part.rows.push_back(r);
    bool full = part.rows.size() > kBarsPerChart || chart_scene(Block(part), kColumnWidth).height > kMaxChartHeight;
    if (full && part.rows.size() > 1) {
      part.rows.pop_back();
      parts.push_back(part);
      part.rows.assign(1, r);
    }
  }
  if (!part.rows.empty() || parts.empty()) parts.push_back(part);
  return parts;
}

namespace {

void add_bars(Document& d, const Bars& b, const std::string& continued) {
  auto parts = split_bars(b);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) d.blocks.push_back(Para{continued, Tone::muted, true});
    d.blocks.push_back(std::move(parts[i]));
  }
}

// The first and last response time the filters let through, for the period line.
std::pair<std::optional<TimeMs>, std::optional<TimeMs>> data_span(ResponseQueries& store, const ResponseFilter& f) {
  ResponseFilter span = f;
  span.questionnaire.clear();  // every questionnaire's responses, as the indicators
  span.uuid.clear();
  auto s = store.completed_span(span);
  if (!s) return {};
  return {s->first, s->last};
}

}  // namespace

std::string report_period(ResponseQueries& store, const ExportOptions& o) {
  Strings fallback;
  const Strings& S = o.strings ? *o.strings : fallback;
  auto day = [&](TimeMs t) { return to_local_text(t, o.utc_offset_minutes).substr(0, 10); };
  auto [first, last] = data_span(store, o.filter);
  std::string from = o.filter.from ? day(*o.filter.from) : first ? day(*first) : "—";
  std::string to = o.filter.to ? day(*o.filter.to - 1) : last ? day(*last) : "—";
  return Strings::format(S.get(o.lang, T("doc.span")), {{"from", from}, {"to", to}});
}

namespace {

// What every section of the report needs: the options, the questionnaires, the
// strings in the report's language, and the document being built.
struct Ctx {
  const ExportOptions& o;
  const QuestionnaireSet& set;
  const Strings& S;
  const std::string& L;
  Document& d;
  std::string tr(const std::string& k) const { return S.get(L, k); }
  std::string trf(const std::string& k, const std::map<std::string, std::string>& a) const {
    return Strings::format(S.get(L, k), a);
  }
};

void first_page(const Ctx& cx, const IndicatorReport& rep) {
  const ExportOptions& o = cx.o;
  const std::string& L = cx.L;
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  auto trf = [&](const std::string& k, const std::map<std::string, std::string>& a) { return cx.trf(k, a); };
  // ---- first page ----
  std::string district = o.district.count(L) ? o.district.at(L) : "";
  if (!district.empty() && d.title.find(district) == std::string::npos) d.blocks.push_back(Para{district, Tone::muted, false});
  d.blocks.push_back(Heading{1, d.title, false});
  d.blocks.push_back(Para{d.period, Tone::normal, false});
  std::int64_t considered = 0, used = 0;
  for (const auto& i : rep.indicators) considered += i.considered, used += i.est.n;
  d.blocks.push_back(Para{trf(T("doc.sample"), {{"n", std::to_string(considered)}, {"used", std::to_string(used)}}), Tone::normal, false});
  if (considered == 0) d.blocks.push_back(Para{tr(T("doc.no_responses")), Tone::warn, false});
  std::string filters;
  if (!o.filter.kiosk.empty()) {
    auto h = o.hall_names.find(o.filter.kiosk);
    filters += " " + Strings::format(tr(T("report.filter_kiosk")), {{"kiosk", h != o.hall_names.end() ? h->second + " (" + o.filter.kiosk + ")" : o.filter.kiosk}});
  }
  if (o.filter.version) filters += " " + Strings::format(tr(T("report.filter_version")), {{"v", std::to_string(*o.filter.version)}});
  if (!filters.empty()) d.blocks.push_back(Para{tr(T("report.filters")) + filters, Tone::muted, true});

  d.blocks.push_back(Heading{2, tr(T("doc.headline")), false});
  KeyFigures kf;
  for (const auto& i : rep.indicators) {
    KeyFigure k;
    k.name = std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no));
    k.value = i.est.value ? f1(*i.est.value) + "%" : tr(T("report.status.no_data"));
    if (i.est.ci) k.interval = trf(T("doc.card_interval"), {{"lo", f1(i.est.ci->lo)}, {"hi", f1(i.est.ci->hi)}});
    k.n = trf(T("doc.card_n"), {{"n", std::to_string(i.est.n)}});
    k.target = trf(T("doc.card_target"), {{"t", f1(i.target)}});
    k.status = tr(T("report.status.") + i.status());
    k.tone = status_tone(i.status());
    kf.cards.push_back(std::move(k));
  }
  d.blocks.push_back(std::move(kf));
  // The three against their targets on one scale: interval band, estimate, target line.
  for (const auto& i : rep.indicators) {
    Interval iv;
    iv.label = std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no));
    iv.value = i.est.value;
    if (i.est.ci) iv.lo = i.est.ci->lo, iv.hi = i.est.ci->hi;
    iv.target = i.target;
    d.blocks.push_back(iv);
  }
  d.blocks.push_back(Para{trf(T("report.generated"), {{"time", to_local_text(rep.generated_at, o.utc_offset_minutes).substr(0, 16)}}), Tone::muted, true});
  d.blocks.push_back(Para{o.include_flagged ? tr(T("report.flagged_kept")) : tr(T("report.flagged_left_out")), Tone::muted, true});
}

void indicator_sections(const Ctx& cx, const IndicatorReport& rep) {
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  auto trf = [&](const std::string& k, const std::map<std::string, std::string>& a) { return cx.trf(k, a); };
  // ---- 1. each indicator: interval, precision, exclusions, monthly trend ----
  d.blocks.push_back(Heading{2, tr(T("html.indicators")), true});
  for (const auto& i : rep.indicators) {
    d.blocks.push_back(Heading{3, std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no)), false});
    std::string line = (i.est.value ? f1(*i.est.value) + "%" : tr(T("report.status.no_data")));
    if (i.est.ci) line += "  95%: [" + f1(i.est.ci->lo) + ", " + f1(i.est.ci->hi) + "]";
    line += "  n = " + std::to_string(i.est.n) + "  · " + tr(T("report.col.target")) + " ≥" + f1(i.target) + " · " +
            tr(T("report.status.") + i.status());
    d.blocks.push_back(Para{line, status_tone(i.status()), false});
    if (i.est.value)
      d.blocks.push_back(Para{trf(T("report.precision"), {{"moe", i.est.ci ? f1(i.est.moe) : "—"}, {"need", std::to_string(i.est.needed_for_3pt)}}), Tone::muted, true});
    d.blocks.push_back(Para{trf(T("report.excluded"), {{"considered", std::to_string(i.considered)},
                                                   {"fast", std::to_string(i.excluded.too_fast)},
                                                   {"straight", std::to_string(i.excluded.straight_lining)},
                                                   {"dup", std::to_string(i.excluded.duplicate)},
                                                   {"total", std::to_string(i.excluded.total)}}),
                            Tone::muted, true});
    // Straight-lining alone excludes nothing; the figure without it shows the sensitivity.
    if (i.straight_lining_flagged) {
      const Estimate& w = i.without_straight_lining;
      d.blocks.push_back(Para{trf(T("report.straight"), {{"n", std::to_string(i.straight_lining_flagged)},
                                                     {"value", w.value ? f1(*w.value) : "—"},
                                                     {"ci", w.ci ? "[" + f1(w.ci->lo) + ", " + f1(w.ci->hi) + "]" : "—"},
                                                     {"k", std::to_string(w.n)}}),
                              Tone::muted, true});
    }
    if (i.weighted && i.weighted->est.value && i.weighted->est.ci)
      d.blocks.push_back(Para{trf(T("report.weighted"), {{"value", f1(*i.weighted->est.value)},
                                                     {"ci", "[" + f1(i.weighted->est.ci->lo) + ", " + f1(i.weighted->est.ci->hi) + "]"},
                                                     {"deff", f1(i.weighted->deff)},
                                                     {"neff", std::to_string(static_cast<long long>(std::round(i.weighted->n_eff)))}}),
                              Tone::muted, true});
    for (const auto& b : i.breakdowns) {
      if (b.by != "month" || b.cells.empty()) continue;
      d.blocks.push_back(Heading{3, std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no)) + " · " + tr(T("doc.trend")), false});
      Trend t;
      t.target = i.target;
      t.legend_value = tr(T("doc.legend_value"));
      t.legend_band = tr(T("doc.legend_band"));
      t.legend_target = tr(T("doc.legend_target")) + " ≥" + f1(i.target);
      for (const auto& c : b.cells) {
        TrendPoint p;
        p.label = c.code;
        p.value = c.est.value;
        if (c.est.ci) p.lo = c.est.ci->lo, p.hi = c.est.ci->hi;
        p.n = c.est.n;
        p.weak = c.unreliable;
        t.points.push_back(std::move(p));
      }
      d.blocks.push_back(std::move(t));
      bool any_weak = std::any_of(b.cells.begin(), b.cells.end(), [](const Cell& c) { return c.unreliable; });
      if (any_weak) d.blocks.push_back(Para{trf(T("doc.trend_weak"), {{"n", std::to_string(rep.options.min_cell_n)}}), Tone::warn, true});
    }
  }
}

void item_sections(const Ctx& cx, const IndicatorReport& rep) {
  const QuestionnaireSet& set = cx.set;
  const std::string& L = cx.L;
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  // ---- 2. items worst first, the travel mode split ----
  d.blocks.push_back(Heading{2, tr(T("html.items")), true});
  for (const auto& i : rep.indicators) {
    const Questionnaire* q = set.find(i.questionnaire);
    if (!i.items.empty()) {
      d.blocks.push_back(Heading{3, tr(i.method == ScoringMethod::knowledge ? T("report.items_knowledge") : T("report.items_satisfaction")), false});
      Bars b;
      for (const auto& it : i.items) {
        const Question* qu = q ? q->find(it.item) : nullptr;
        b.rows.push_back({qu ? qu->text.get(L) : it.item, f1(it.pct) + "%  n=" + std::to_string(it.n), it.pct,
                          it.pct < i.target ? Tone::bad : Tone::good});
      }
      b.target = i.target;
      add_bars(d, std::move(b), tr(T("doc.continued")));
    }
    if (!i.modes.empty()) {
      d.blocks.push_back(Heading{3, tr(T("report.modes")), false});
      const Question* mq = q ? q->find(q->scoring.matrix) : nullptr;
      Bars b;
      for (const auto& m : i.modes) {
        const Option* r = mq ? mq->find_row(m.mode) : nullptr;
        b.rows.push_back({r ? r->text.get(L) : m.mode, f1(m.pct) + "%  (" + std::to_string(m.trips) + ")", m.pct, Tone::good});
      }
      add_bars(d, std::move(b), tr(T("doc.continued")));
    }
  }
}

std::vector<TableCell> breakdown_row(const Ctx& cx, const IndicatorReport& rep, const char* by, const std::string& code, bool& any_weak) {
  const ExportOptions& o = cx.o;
  const QuestionnaireSet& set = cx.set;
  const std::string& L = cx.L;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  std::vector<TableCell> row;
  std::string label = code;
  if (code.empty()) label = tr(T("report.not_answered"));
  else if (std::string(by) == "kiosk") {
    auto h = o.hall_names.find(code);
    if (h != o.hall_names.end()) label = h->second + " (" + code + ")";
  } else {
    for (const auto& i : rep.indicators)
      if (const Questionnaire* q = set.find(i.questionnaire))
        if (const Question* qu = q->find(by))
          if (const Option* op = qu->find_option(code)) { label = op->text.get(L); break; }
  }
  row.push_back({label});
  for (const auto& i : rep.indicators) {
    const Cell* cell = nullptr;
    for (const auto& b : i.breakdowns)
      if (b.by == by)
        for (const auto& c : b.cells)
          if (c.code == code) cell = &c;
    if (!cell || !cell->est.value) {
      row.push_back({"—", Tone::muted});
      row.push_back({cell ? std::to_string(cell->est.n) : "0", Tone::muted});
      continue;
    }
    std::string v = f1(*cell->est.value);
    if (cell->est.ci) v += " (" + f1(cell->est.ci->lo) + "–" + f1(cell->est.ci->hi) + ")";
    if (cell->unreliable) v += " *", any_weak = true;
    Tone tone = *cell->est.value >= i.target ? Tone::good : Tone::bad;
    row.push_back({v, cell->unreliable ? Tone::muted : tone, cell->unreliable});
    row.push_back({std::to_string(cell->est.n), Tone::normal, cell->unreliable});
  }
  return row;
}

Table breakdown_table(const Ctx& cx, const IndicatorReport& rep, const char* by, const std::vector<std::string>& codes) {
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  auto trf = [&](const std::string& k, const std::map<std::string, std::string>& a) { return cx.trf(k, a); };
  Table t;
  t.head.push_back(tr(std::string(T("doc.col_")) + by));
  t.widths.push_back(2.2);
  t.numeric.push_back(false);
  for (const auto& i : rep.indicators) {
    t.head.push_back(trf(T("doc.value_ci"), {{"no", std::to_string(i.no)}}));
    t.head.push_back(tr(T("report.col.n")));
    t.widths.insert(t.widths.end(), {1.9, 0.7});
    t.numeric.insert(t.numeric.end(), {true, true});
  }
  bool any_weak = false;
  for (const auto& code : codes) t.rows.push_back(breakdown_row(cx, rep, by, code, any_weak));
  if (any_weak) t.note = trf(T("doc.weak_note"), {{"n", std::to_string(rep.options.min_cell_n)}});
  return t;
}

void breakdown_section(const Ctx& cx, const IndicatorReport& rep) {
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  // ---- 3. breakdowns: one small table per dimension, the three indicators side by side ----
  d.blocks.push_back(Heading{2, tr(T("html.breakdowns")), true});
  for (const char* by : {"kiosk", "township", "age"}) {
    // Codes in the order of the first indicator that has them, then any others.
    std::vector<std::string> codes;
    for (const auto& i : rep.indicators)
      for (const auto& b : i.breakdowns)
        if (b.by == by)
          for (const auto& c : b.cells)
            if (std::find(codes.begin(), codes.end(), c.code) == codes.end()) codes.push_back(c.code);
    if (codes.empty()) continue;
    d.blocks.push_back(Heading{3, tr(std::string(T("doc.by_")) + by), false});
    d.blocks.push_back(breakdown_table(cx, rep, by, codes));
  }
}

void question_section(const Ctx& cx, const SurveyResults& sr) {
  const ExportOptions& o = cx.o;
  const QuestionnaireSet& set = cx.set;
  const std::string& L = cx.L;
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  auto trf = [&](const std::string& k, const std::map<std::string, std::string>& a) { return cx.trf(k, a); };
  // ---- 4. every question ----
  d.blocks.push_back(Heading{2, tr(T("html.questions")), true});
  for (const auto& qr : sr.questionnaires) {
    const Questionnaire* q = set.find(qr.id);
    if (!q || (!o.questionnaire.empty() && q->id != o.questionnaire)) continue;
    std::int64_t started = qr.completed + qr.abandoned;
    d.blocks.push_back(Heading{3, q->title.get(L), false});
    d.blocks.push_back(Para{trf(T("console.funnel"), {{"started", std::to_string(started)},
                                                  {"completed", std::to_string(qr.completed)},
                                                  {"abandoned", std::to_string(qr.abandoned)},
                                                  {"rate", started ? f1(100.0 * static_cast<double>(qr.completed) / static_cast<double>(started)) + "%" : "—"},
                                                  {"flagged", std::to_string(qr.flagged)}}),
                            Tone::muted, true});
    for (const auto& dq : qr.questions) {
      const Question* qu = q->find(dq.question);
      if (!qu || dq.counts.empty()) continue;
      d.blocks.push_back(Para{qu->text.get(L) + "  (n=" + std::to_string(dq.answered) + ")", Tone::normal, false});
      Bars b;
      b.max = 1;
      for (const auto& c : dq.counts) b.max = std::max(b.max, static_cast<double>(c.n));
      for (const auto& c : dq.counts) {
        const Option* op = qu->type == QuestionType::count_matrix ? qu->find_row(c.option) : qu->find_option(c.option);
        double share = dq.answered ? 100.0 * static_cast<double>(c.n) / static_cast<double>(dq.answered) : 0;
        b.rows.push_back({op ? op->text.get(L) : c.option, std::to_string(c.n) + "  (" + f1(share) + "%)", static_cast<double>(c.n), Tone::good});
      }
      add_bars(d, std::move(b), tr(T("doc.continued")));
    }
  }
}

void method_section(const Ctx& cx) {
  const ExportOptions& o = cx.o;
  Document& d = cx.d;
  auto tr = [&](const std::string& k) { return cx.tr(k); };
  // ---- 5. sample and method ----
  d.blocks.push_back(Heading{2, tr(T("html.method")), true});
  for (const char* k : {T("html.method.39"), T("html.method.40"), T("html.method.35"), T("html.method.exclusions"), T("html.method.weighting")})
    d.blocks.push_back(Para{tr(k), Tone::normal, false});
  if (o.population) d.blocks.push_back(Para{o.population->source, Tone::muted, true});
}

// An empty section says so.
void say_if_empty(const Ctx& cx, std::size_t section_start) {
  if (cx.d.blocks.size() == section_start + 1) cx.d.blocks.push_back(Para{cx.tr(T("report.status.no_data")), Tone::muted, false});
}

}  // namespace

Document build_report(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o) {
  Strings fallback;
  const Strings& S = o.strings ? *o.strings : fallback;
  IndicatorReport rep = compute_indicators(store, set, indicator_options(o));
  SurveyResults sr = compute_survey_results(store, set, o.filter, o.utc_offset_minutes, o.cancel);

  Document d;
  Ctx cx{o, set, S, o.lang, d};
  d.lang = o.lang;
  d.title = cx.tr(T("report.title"));
  d.page_of = cx.tr(T("doc.page"));
  d.period = cx.trf(T("doc.period"), {{"span", report_period(store, o)}});
  first_page(cx, rep);
  indicator_sections(cx, rep);
  std::size_t items_start = d.blocks.size();
  item_sections(cx, rep);
  say_if_empty(cx, items_start);
  std::size_t breakdowns_start = d.blocks.size();
  breakdown_section(cx, rep);
  say_if_empty(cx, breakdowns_start);
  question_section(cx, sr);
  method_section(cx);
  return d;
}

}  // namespace eco::doc
