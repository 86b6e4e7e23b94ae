// The two forms of an indicator report: the stable JSON contract and a readable table.
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/support/i18n.hpp"
#include "core/analysis/indicators.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/support/time.hpp"

namespace eco {

using json = nlohmann::json;

namespace {

// Percentages are published to one decimal, as the department reports them.
double r1(double v) { return std::round(v * 10) / 10; }

json estimate_json(const Estimate& e) {
  json j;
  j["value"] = e.value ? json(r1(*e.value)) : json(nullptr);
  j["ci"] = e.ci ? json::array({r1(e.ci->lo), r1(e.ci->hi)}) : json(nullptr);
  j["n"] = e.n;
  // The interval is clipped to [0, 100] and may be asymmetric (Wilson): the margin is
  // the larger distance from the value to an end, null without an interval (n = 1).
  j["margin_of_error"] = e.ci && e.value ? json(r1(e.moe)) : json(nullptr);
  j["n_needed_for_3_points"] = e.value ? json(e.needed_for_3pt) : json(nullptr);
  return j;
}

json filters_json(const IndicatorOptions& o) {
  json f;
  f["from"] = o.filter.from ? json(to_iso_utc(*o.filter.from)) : json(nullptr);
  f["to"] = o.filter.to ? json(to_iso_utc(*o.filter.to)) : json(nullptr);
  f["kiosk"] = o.filter.kiosk.empty() ? json(nullptr) : json(o.filter.kiosk);
  f["version"] = o.filter.version ? json(*o.filter.version) : json(nullptr);
  f["include_flagged"] = o.include_flagged;
  f["exclude_minors"] = o.exclude_minors;
  f["min_seconds_per_question"] = o.min_seconds_per_question;
  f["min_cell_n"] = o.min_cell_n;
  f["utc_offset_minutes"] = o.utc_offset_minutes;
  return f;
}

// What each scoring method adds: the quiz's items, the satisfaction items, the trips by mode.
void method_json(const IndicatorResult& i, json& j) {
  if (i.method == ScoringMethod::knowledge) {
    j["share_at_least_60"] = i.share_at_least_60 ? json(r1(*i.share_at_least_60)) : json(nullptr);
    json items = json::array();
    for (const auto& it : i.items) items.push_back({{"item", it.item}, {"n", it.n}, {"pct_correct", r1(it.pct)}});
    j["items"] = items;
  } else if (i.method == ScoringMethod::satisfaction) {
    j["mean_score"] = i.mean_score ? json(r1(*i.mean_score)) : json(nullptr);
    j["no_overall_opinion"] = i.no_overall_opinion;
    json items = json::array();
    // An item only answered 说不清 has no share: null, not 0.
    for (const auto& it : i.items)
      items.push_back({{"item", it.item}, {"n", it.n}, {"pct_satisfied", it.n ? json(r1(it.pct)) : json(nullptr)},
                       {"mean_score", it.n ? json(r1(it.mean_score)) : json(nullptr)}, {"dont_know", it.dont_know}});
    j["items"] = items;
  } else if (i.method == ScoringMethod::green_travel) {
    j["trips"] = i.trips;
    j["green_trips"] = i.green_trips;
    json modes = json::array();
    for (const auto& m : i.modes) modes.push_back({{"mode", m.mode}, {"trips", m.trips}, {"pct", r1(m.pct)}});
    j["modes"] = modes;
  }
}

// A kiosk cell names its hall when the center knows it (--central).
json breakdowns_json(const IndicatorResult& i, const std::map<std::string, std::string>& halls) {
  json bds = json::object();
  for (const auto& b : i.breakdowns) {
    json cells = json::array();
    for (const auto& c : b.cells) {
      json cj = {{"code", c.code.empty() ? json(nullptr) : json(c.code)}};
      if (b.by == "kiosk")
        if (auto h = halls.find(c.code); h != halls.end()) cj["hall"] = h->second;
      json e2 = estimate_json(c.est);
      cj["value"] = e2["value"];
      cj["ci"] = e2["ci"];
      cj["n"] = e2["n"];
      cj["unreliable"] = c.unreliable;
      cells.push_back(cj);
    }
    bds[b.by] = cells;
  }
  return bds;
}

json weighted_json(const IndicatorResult& i) {
  if (!i.weighted) return nullptr;
  json w = estimate_json(i.weighted->est);
  w["n_effective"] = r1(i.weighted->n_eff);
  w["design_effect"] = std::round(i.weighted->deff * 1000) / 1000;
  w["converged"] = i.weighted->converged;
  w["iterations"] = i.weighted->iterations;
  w["population_cells_without_respondents"] = i.weighted->unweighted_cells;
  w["population_cells_pooled"] = i.weighted->pooled_cells;
  return w;
}

json indicator_json(const IndicatorResult& i, const IndicatorReport& r) {
  json j = {{"no", i.no}, {"questionnaire", i.questionnaire}};
  json e = estimate_json(i.est);
  for (auto& [k, v] : e.items()) j[k] = v;
  j["target"] = i.target;
  j["met"] = i.met ? json(*i.met) : json(nullptr);
  j["met_with_confidence"] = i.met_with_confidence ? json(*i.met_with_confidence) : json(nullptr);
  j["status"] = i.status();
  j["considered"] = i.considered;
  j["excluded"] = {{"too_fast", i.excluded.too_fast},
                   {"straight_lining", i.excluded.straight_lining},
                   {"duplicate", i.excluded.duplicate},
                   {"total", i.excluded.total}};
  j["flagged_included"] = i.flagged_included;
  j["minors_left_out"] = i.minors_left_out;
  // Straight-lining is flagged, not excluded; the figure without those responses shows
  // how much they move it.
  j["straight_lining_flagged"] = i.straight_lining_flagged;
  j["without_straight_lining"] = estimate_json(i.without_straight_lining);
  method_json(i, j);
  j["breakdowns"] = breakdowns_json(i, r.options.hall_names);
  j["weighted"] = weighted_json(i);
  return j;
}

}  // namespace

json indicators_json(const IndicatorReport& r) {
  const auto& o = r.options;
  json out;
  out["generated_at"] = to_iso_utc(r.generated_at);
  out["filters"] = filters_json(o);
  out["weighting"] = o.population ? json{{"source", r.population_source}} : json(nullptr);
  out["method"] = {{"z", 1.959964},
                   {"ci_clipped_to", json::array({0, 100})},
                   {"margin_of_error", "larger distance from value to an end of the clipped interval"},
                   {"straight_lining", "flagged and counted, never a reason to exclude on its own"}};
  json list = json::array();
  for (const auto& i : r.indicators) list.push_back(indicator_json(i, r));
  out["indicators"] = list;
  return out;
}

namespace {

// Display width in a terminal: CJK and full-width forms take two columns.
std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > 1) {
      cp = c & (0x3F >> (len - 1));
      for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6);
    w += wide ? 2 : 1;
    i += static_cast<std::size_t>(len);
  }
  return w;
}

std::string pad(const std::string& s, std::size_t width, bool right = false) {
  std::size_t w = display_width(s);
  std::string fill(w < width ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string fmt1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string value_str(const Estimate& e) { return e.value ? fmt1(*e.value) : "—"; }
std::string ci_str(const Estimate& e) {
  return e.ci ? "[" + fmt1(e.ci->lo) + ", " + fmt1(e.ci->hi) + "]" : "—";
}

}  // namespace

std::string indicators_text(const IndicatorReport& r, const QuestionnaireSet& set, const Strings& s,
                            const std::string& lang) {
  auto tr = [&](const std::string& key) -> const std::string& { return s.get(lang, key); };
  auto trf = [&](const std::string& key, const std::map<std::string, std::string>& args) {
    return Strings::format(tr(key), args);
  };
  // Option text for a breakdown code: the demographics block is shared, so any
  // questionnaire holding the question will do.
  auto code_text = [&](const std::string& by, const std::string& code, const Questionnaire* q) -> std::string {
    if (code.empty()) return tr(T("report.not_answered"));
    if (by == "kiosk")
      if (auto h = r.options.hall_names.find(code); h != r.options.hall_names.end()) return h->second + " (" + code + ")";
    if (by == "kiosk" || by == "month") return code;
    if (const Question* qu = q ? q->find(by) : nullptr)
      if (const Option* o = qu->find_option(code)) return o->text.get(lang);
    return code;
  };
  std::ostringstream o;
  const auto& op = r.options;
  o << tr(T("report.title")) << "\n";
  o << trf(T("report.generated"), {{"time", to_iso_utc(r.generated_at)}}) << "\n";
  std::string filters;
  if (op.filter.from) filters += " " + trf(T("report.filter_from"), {{"date", to_iso_utc(*op.filter.from).substr(0, 10)}});
  if (op.filter.to) filters += " " + trf(T("report.filter_to"), {{"date", to_iso_utc(*op.filter.to - 1).substr(0, 10)}});
  if (!op.filter.kiosk.empty()) filters += " " + trf(T("report.filter_kiosk"), {{"kiosk", op.filter.kiosk}});
  if (op.filter.version) filters += " " + trf(T("report.filter_version"), {{"v", std::to_string(*op.filter.version)}});
  o << tr(T("report.filters")) << (filters.empty() ? " " + tr(T("report.filters_none")) : filters) << "\n";
  o << (op.include_flagged ? tr(T("report.flagged_kept")) : tr(T("report.flagged_left_out"))) << "\n\n";

  const std::size_t wname = 26;
  o << pad(tr(T("report.col.no")), 6) << pad(tr(T("report.col.indicator")), wname) << pad(tr(T("report.col.value")), 8, true)
    << "  " << pad(tr(T("report.col.ci")), 16) << pad(tr(T("report.col.n")), 8, true) << "  " << pad(tr(T("report.col.target")), 8)
    << tr(T("report.col.status")) << "\n";
  for (const auto& i : r.indicators) {
    o << pad(std::to_string(i.no), 6) << pad(tr(T("report.name.") + std::to_string(i.no)), wname)
      << pad(value_str(i.est), 8, true) << "  " << pad(ci_str(i.est), 16) << pad(std::to_string(i.est.n), 8, true)
      << "  " << pad("≥" + fmt1(i.target), 8) << tr(T("report.status.") + i.status()) << "\n";
  }
  for (const auto& i : r.indicators) {
    const Questionnaire* q = set.find(i.questionnaire);
    o << "\n== " << i.no << " " << tr(T("report.name.") + std::to_string(i.no)) << " ==\n";
    if (i.est.value)
      o << trf(T("report.precision"), {{"moe", i.est.ci ? fmt1(i.est.moe) : "—"}, {"need", std::to_string(i.est.needed_for_3pt)}})
        << "\n";
    o << trf(T("report.excluded"), {{"considered", std::to_string(i.considered)},
                               {"fast", std::to_string(i.excluded.too_fast)},
                               {"straight", std::to_string(i.excluded.straight_lining)},
                               {"dup", std::to_string(i.excluded.duplicate)},
                               {"total", std::to_string(i.excluded.total)}})
      << "\n";
    if (i.straight_lining_flagged)
      o << trf(T("report.straight"), {{"n", std::to_string(i.straight_lining_flagged)},
                                 {"value", value_str(i.without_straight_lining)},
                                 {"ci", ci_str(i.without_straight_lining)},
                                 {"k", std::to_string(i.without_straight_lining.n)}})
        << "\n";
    if (i.share_at_least_60) o << trf(T("report.share60"), {{"pct", fmt1(*i.share_at_least_60)}}) << "\n";
    if (i.mean_score) o << trf(T("report.mean_score"), {{"score", fmt1(*i.mean_score)}}) << "\n";
    if (i.minors_left_out)
      o << trf(T("report.minors_left_out"), {{"n", std::to_string(i.minors_left_out)}}) << "\n";
    if (i.no_overall_opinion)
      o << trf(T("report.no_overall_opinion"), {{"n", std::to_string(i.no_overall_opinion)}}) << "\n";
    if (i.method == ScoringMethod::green_travel)
      o << trf(T("report.trips"), {{"green", std::to_string(i.green_trips)}, {"all", std::to_string(i.trips)}}) << "\n";
    if (i.weighted) {
      const auto& w = *i.weighted;
      o << trf(T("report.weighted"), {{"value", value_str(w.est)}, {"ci", ci_str(w.est)}, {"deff", fmt1(w.deff)},
                                 {"neff", std::to_string(static_cast<long long>(std::round(w.n_eff)))}})
        << "\n";
    }
    if (!i.items.empty()) {
      o << tr(i.method == ScoringMethod::knowledge ? T("report.items_knowledge") : T("report.items_satisfaction")) << "\n";
      for (const auto& it : i.items) {
        const Question* qu = q ? q->find(it.item) : nullptr;
        std::string name = qu ? qu->text.get(lang) : it.item;
        if (display_width(name) > 60) {
          // Cut on a character boundary so the table stays readable.
          std::string cut;
          for (std::size_t k = 0; k < name.size();) {
            unsigned char c = static_cast<unsigned char>(name[k]);
            std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (display_width(cut + name.substr(k, len)) > 57) break;
            cut += name.substr(k, len);
            k += len;
          }
          name = cut + "…";
        }
        o << "  " << pad(it.n ? fmt1(it.pct) + "%" : "—", 7, true) << "  n=" << pad(std::to_string(it.n), 7) << name
          << (it.dont_know ? "  " + trf(T("report.item_dont_know"), {{"n", std::to_string(it.dont_know)}}) : "") << "\n";
      }
    }
    if (!i.modes.empty()) {
      o << tr(T("report.modes")) << "\n";
      const Question* mq = q ? q->find(q->scoring.matrix) : nullptr;
      for (const auto& m : i.modes) {
        const Option* row = mq ? mq->find_row(m.mode) : nullptr;
        o << "  " << pad(fmt1(m.pct) + "%", 7, true) << "  " << pad(std::to_string(m.trips), 8, true) << "  "
          << (row ? row->text.get(lang) : m.mode) << "\n";
      }
    }
    for (const auto& b : i.breakdowns) {
      o << trf(T("report.by"), {{"dim", tr(T("report.dim.") + b.by)}}) << "\n";
      for (const auto& c : b.cells)
        o << "  " << pad(code_text(b.by, c.code, q), 24) << pad(value_str(c.est), 7, true) << "  "
          << pad(ci_str(c.est), 16) << " n=" << pad(std::to_string(c.est.n), 7)
          << (c.unreliable ? tr(T("report.unreliable")) : "") << "\n";
    }
  }
  return o.str();
}

}  // namespace eco
