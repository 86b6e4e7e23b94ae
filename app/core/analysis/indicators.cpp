#include "core/analysis/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/survey/metrics.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/support/time.hpp"
#include "core/support/read_file.hpp"

namespace eco {

using json = nlohmann::json;

std::string IndicatorResult::status() const {
  if (!met) return "no_data";
  if (met_with_confidence.value_or(false)) return "met_with_confidence";
  return *met ? "met" : "not_met";
}

std::string month_of(TimeMs t, int utc_offset_minutes) {
  // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
  std::int64_t ms = t + static_cast<std::int64_t>(utc_offset_minutes) * 60000;
  std::int64_t z = (ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000) + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(y), static_cast<int>(m));
  return buf;
}

std::optional<Population> load_population(const std::string& path, std::string& error) {
  auto text = read_file(path, &error);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  auto bad = [&](const std::string& why) {
    error = path + ": " + why;
    return std::nullopt;
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  Population p;
  if (auto s = j.find("source"); s != j.end() && s->is_string()) p.source = s->get<std::string>();
  auto ms = j.find("margins");
  if (ms == j.end() || !ms->is_array() || ms->empty()) return bad("\"margins\" must be a non-empty array");
  static const std::vector<std::string> known = {kAgeQuestion, kGenderQuestion, kTownshipQuestion};
  for (std::size_t i = 0; i < ms->size(); ++i) {
    const json& m = (*ms)[i];
    std::string at = "/margins/" + std::to_string(i);
    if (!m.is_object() || !m.contains("dims") || !m["dims"].is_array() || !m.contains("cells") ||
        !m["cells"].is_object())
      return bad(at + ": needs \"dims\" (array) and \"cells\" (object)");
    Population::Margin mg;
    for (const auto& d : m["dims"]) {
      if (!d.is_string() || std::find(known.begin(), known.end(), d.get<std::string>()) == known.end())
        return bad(at + "/dims: each must be one of age, gender, township");
      mg.dims.push_back(d.get<std::string>());
    }
    for (const auto& [k, v] : m["cells"].items()) {
      if (!v.is_number() || v.get<double>() < 0) return bad(at + "/cells/" + k + ": must be a number >= 0");
      if (static_cast<std::size_t>(std::count(k.begin(), k.end(), '|')) + 1 != mg.dims.size())
        return bad(at + "/cells/" + k + ": needs one code per dimension, joined by |");
      mg.cells[k] = v.get<double>();
    }
    p.margins.push_back(std::move(mg));
  }
  return p;
}

namespace {

enum Dim { kTownship, kAge, kGender, kKiosk, kMonth, kDims };
const char* const kDimNames[kDims] = {"township", "age", "gender", "kiosk", "month"};

// One included respondent. y/x: knowledge (score, 1), satisfaction (satisfied 0/1, 1),
// green travel (green trips, trips); t: the trials the figure rests on (knowledge: items
// drawn; satisfaction: 1; green travel: trips), which bound how precise it can be.
struct Row {
  double y, x, t;
  bool straight;            // flagged straight-lining (kept: see README "Which responses count")
  std::int64_t dim[kDims];  // label ids; month as YYYYMM; -1 = not answered
};

// Below this many respondents 35's interval is the studentised bootstrap over
// respondents (README "Indicators"); from here on the linearized interval, which the
// bootstrap approaches, is as good and needs only running sums.
constexpr double kBootstrapBelow = 300;

struct Acc {
  double n = 0, sy = 0, syy = 0, sx = 0, sxx = 0, sxy = 0, st = 0;
  double q[5] = {0, 0, 0, 0, 0};  // Σ y⁴, y³x, y²x², yx³, x⁴: the fourth moment of y − R x
  std::vector<std::pair<double, double>> yx;  // the (y, x) pairs while n < kBootstrapBelow
  void add(double y, double x, double t) {
    n += 1; sy += y; syy += y * y; sx += x; sxx += x * x; sxy += x * y; st += t;
    double y2 = y * y, x2 = x * x;
    q[0] += y2 * y2; q[1] += y2 * y * x; q[2] += y2 * x2; q[3] += y * x2 * x; q[4] += x2 * x2;
    if (n < kBootstrapBelow) yx.emplace_back(y, x);
    else if (!yx.empty()) std::vector<std::pair<double, double>>().swap(yx);  // not needed any more
  }
  void add(const Row& r) { add(r.y, r.x, r.t); }
};

// Reported interval in percent, clipped to [0, 100], and the margin as the larger of
// the two distances from the value to an end, so an asymmetric or clipped interval
// never understates the ± (README "Indicators").
void set_interval(Estimate& e, const std::optional<stats::Interval>& ci01) {
  if (!ci01 || !e.value) return;
  stats::Interval ci{std::clamp(100 * ci01->lo, 0.0, 100.0), std::clamp(100 * ci01->hi, 0.0, 100.0)};
  e.ci = ci;
  e.moe = std::max(*e.value - ci.lo, ci.hi - *e.value);
}

Estimate estimate(ScoringMethod m, const Acc& a) {
  Estimate e;
  e.n = static_cast<std::int64_t>(a.n);
  if (a.n <= 0) return e;
  std::optional<stats::Interval> ci01;
  double sd_plan = 50;
  switch (m) {
    case ScoringMethod::knowledge: {
      // The mean score is a proportion of correct answers clustered in respondents.
      double p = a.sy / a.n / 100;
      e.value = 100 * p;
      double var = a.n >= 2 ? std::max(0.0, (a.syy - a.sy * a.sy / a.n) / (a.n - 1)) : 0;  // points²
      ci01 = stats::wilson_clustered(p, var / 1e4 / a.n, a.n, a.st).ci;
      sd_plan = var > 0 ? std::sqrt(var) : stats::planning_sd_pct(ci01);
      break;
    }
    case ScoringMethod::satisfaction: {
      double p = a.sy / a.n;
      e.value = 100 * p;
      ci01 = stats::wilson_unit(p, a.n);  // defined at n = 1 too: [20.7, 100] for one satisfied
      sd_plan = stats::planning_sd_pct(a.n >= 2 ? ci01 : std::nullopt);
      break;
    }
    case ScoringMethod::green_travel: {
      if (a.sx <= 0) return e;  // respondents, but not one trip: nothing to divide
      auto r = stats::ratio_taylor(a.n, a.sy, a.sx, a.syy, a.sxx, a.sxy);
      e.value = 100 * r.ratio;
      // Degrees of freedom of the variance estimate (Satterthwaite): n − 1 for
      // well-behaved residuals, fewer when a few busy travellers carry most of the
      // spread, which is when a small sample's variance is least trustworthy.
      double R = r.ratio, e2 = std::max(0.0, a.syy - 2 * R * a.sxy + R * R * a.sxx);
      double e4 = a.q[0] - 4 * R * a.q[1] + 6 * R * R * a.q[2] - 4 * R * R * R * a.q[3] + R * R * R * R * a.q[4];
      double spread = e4 - e2 * e2 / a.n;
      double df = spread > 1e-12 * e2 * e2 ? std::clamp(2 * e2 * e2 / spread, 1.0, a.n - 1) : a.n - 1;
      // Small samples: the studentised bootstrap, which follows the ratio's skew (the
      // linearized interval covered 92.9% at n = 100 near the ceiling). Without any
      // spread it has nothing to resample, and the trips-bounded Wilson stands.
      if (a.n < kBootstrapBelow) ci01 = stats::ratio_bootstrap_t(a.yx);
      if (!ci01) ci01 = stats::wilson_clustered(r.ratio, r.se * r.se, a.n, a.sx, df).ci;
      // Without a spread to go on: the largest a respondent-level share can have,
      // scaled by how unevenly trips fall on respondents.
      double xbar = a.sx / a.n;
      sd_plan = r.sd_linearized > 0 ? 100 * r.sd_linearized
                                    : stats::planning_sd_pct(ci01) * std::sqrt(a.sxx / a.n) / xbar;
      break;
    }
    case ScoringMethod::none: return e;
  }
  e.needed_for_3pt = stats::needed_n(sd_plan, 3);
  set_interval(e, ci01);
  return e;
}

// Weighted estimate: the same estimators with raking weights; the variance by
// calibration-aware linearization (residuals from the raking margins, Deville &
// Särndal 1992), the interval as unweighted from it; the needed n is the design
// effect times the unweighted need.
Estimate weighted_estimate(ScoringMethod m, const std::vector<Row>& rows, const std::vector<double>& w,
                           const std::vector<std::vector<int>>& cats, const std::vector<std::vector<double>>& targets,
                           double deff, std::int64_t unweighted_need) {
  Estimate e;
  e.n = static_cast<std::int64_t>(rows.size());
  double sw = 0, swy = 0, swx = 0, trials = 0;
  std::vector<double> y(rows.size()), x(rows.size());
  double scale = m == ScoringMethod::knowledge ? 0.01 : 1;  // scores to [0, 1]
  for (std::size_t i = 0; i < rows.size(); ++i) {
    y[i] = rows[i].y * scale;
    x[i] = rows[i].x;
    sw += w[i]; swy += w[i] * y[i]; swx += w[i] * x[i];
    trials += rows[i].t;
  }
  if (sw <= 0 || swx <= 0) return e;
  double p = swy / swx;  // for 39 and 40 x is 1, so this is the weighted mean
  e.value = 100 * p;
  double v = stats::calibrated_ratio_variance(y, x, w, cats);
  double n = static_cast<double>(rows.size());
  // The residuals come from a fit on the margins' categories: n − params degrees of
  // freedom, not n − 1. At n = 30 and 14 population cells that is half, and the
  // variance and the t quantile say so (the coverage program found raked intervals at
  // n = 30 far too short without it). Fewer respondents than parameters: no interval.
  double df = n - stats::calibration_parameters(cats);
  // Small samples: the jackknife with re-raking, which the coverage program showed the
  // linearization falls short of while population cells hold one or two respondents.
  if (n < kBootstrapBelow && !cats.empty() && df >= 1)
    v = std::max(v * (n - 1) / df, stats::jackknife_raked_variance(y, x, cats, targets)) * df / (n - 1);
  std::optional<stats::Interval> ci;
  if (df >= 1) {
    v *= (n - 1) / df;
    if (m == ScoringMethod::satisfaction) {
      // 40 as unweighted: Wilson at the effective n of the calibrated variance (without
      // the n/(n−1), as Wilson's own p(1−p)/n has none), at most n, with t on df.
      double pq = p * (1 - p), vn = v * (n - 1) / n;
      ci = stats::wilson_unit(p, vn > 0 && pq > 0 ? std::min(n, pq / vn) : n, stats::t975(df));
    } else {
      ci = stats::wilson_clustered(p, v, n, trials, df).ci;
    }
  }
  set_interval(e, ci);
  e.needed_for_3pt = static_cast<std::int64_t>(std::ceil(std::max(1.0, deff) * static_cast<double>(unweighted_need) - 1e-9));
  return e;
}

// Each respondent's category in each population margin (-1: not answered or not in
// the margin) and the margins' population shares, for raking.
void margin_categories(Store& store, const Population& pop, const std::vector<Row>& rows,
                       std::vector<std::vector<int>>& cats, std::vector<std::vector<double>>& targets) {
  for (const auto& mg : pop.margins) {
    std::map<std::string, int> index;
    std::vector<double> share;
    double total = 0;
    for (const auto& [k, v] : mg.cells) { index[k] = static_cast<int>(share.size()); share.push_back(v); total += v; }
    for (double& x : share) x = total > 0 ? x / total : 0;
    std::vector<int> cat(rows.size(), -1);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::string key;
      bool ok = true;
      for (std::size_t k = 0; k < mg.dims.size() && ok; ++k) {
        Dim d = mg.dims[k] == kAgeQuestion ? kAge : mg.dims[k] == kGenderQuestion ? kGender : kTownship;
        if (rows[i].dim[d] < 0) { ok = false; break; }
        if (k) key += '|';
        key += store.label_text(rows[i].dim[d]);
      }
      if (!ok) continue;
      if (auto it = index.find(key); it != index.end()) cat[i] = it->second;
    }
    cats.push_back(std::move(cat));
    targets.push_back(std::move(share));
  }
}

struct ItemAcc {
  std::int64_t n = 0, dont_know = 0;
  double hits = 0, score = 0;
};

}  // namespace

IndicatorReport compute_indicators(Store& store, const QuestionnaireSet& set, const IndicatorOptions& opt) {
  IndicatorReport report;
  report.options = opt;
  report.generated_at = now_ms();
  if (opt.population) report.population_source = opt.population->source;
  store.backfill_metrics(set);

  // One scan of the narrow metrics table feeds all three indicators: a full scan reads
  // pages in order, which beats an index lookup per row by 5x at a million rows.
  struct Work {
    IndicatorResult res;
    const Questionnaire* q = nullptr;
    std::vector<Row> rows;
    Acc all, plain;  // plain: without straight-lined responses
    std::int64_t at_least_60 = 0;
    double score_sum = 0;
    std::unordered_map<std::int64_t, ItemAcc> items;
  };
  std::vector<Work> work;
  for (int no : {35, 39, 40}) {
    // The newest questionnaire scored for this indicator; its id covers all versions.
    const Questionnaire* q = nullptr;
    for (const auto& cand : set.list)
      if (cand.scoring.indicator == no && (!q || cand.version > q->version)) q = &cand;
    if (!q) continue;
    Work w;
    w.q = q;
    w.res.no = no;
    w.res.questionnaire = q->id;
    w.res.method = q->scoring.method;
    w.res.flagged_included = opt.include_flagged;
    if (auto t = opt.targets.find(no); t != opt.targets.end()) w.res.target = t->second;
    work.push_back(std::move(w));
  }
  if (work.empty()) return report;

  std::string sql =
      "SELECT score, satisfied, trips, green, township, age, gender, kiosk, completed_at, flags, duration_s, "
      "visible, correct, outcomes, questionnaire, drawn FROM response_metrics NOT INDEXED WHERE 1";
  if (opt.filter.version) sql += " AND version = ?";
  if (opt.filter.from) sql += " AND completed_at >= ?";
  if (opt.filter.to) sql += " AND completed_at < ?";
  if (!opt.filter.kiosk.empty()) sql += " AND kiosk = ?";
  Stmt s(store.db(), sql);
  int b = 1;
  if (opt.filter.version) s.bind(b++, *opt.filter.version);
  if (opt.filter.from) s.bind(b++, *opt.filter.from);
  if (opt.filter.to) s.bind(b++, *opt.filter.to);
  // A kiosk never seen matches nothing (label ids start at 1).
  if (!opt.filter.kiosk.empty()) s.bind(b++, store.find_label("kiosk", opt.filter.kiosk).value_or(0));

  std::unordered_map<std::int64_t, std::int64_t> month_codes;  // day -> YYYYMM cache
  const std::int64_t minor_age = opt.exclude_minors ? store.find_label("age", kMinorAgeOption).value_or(-2) : -2;
  while (s.step()) {
    std::string_view qid = s.text(14);
    Work* wp = nullptr;
    for (auto& w : work)
      if (w.res.questionnaire == qid) { wp = &w; break; }
    if (!wp) continue;
    Work& w = *wp;
    IndicatorResult& res = w.res;
    ++res.considered;
    int flags = static_cast<int>(s.i64(9));
    bool too_fast = opt.min_seconds_per_question > 0 && s.f64(10) < s.i64(11) * opt.min_seconds_per_question;
    bool straight = flags & kFlagStraightLining, dup = flags & kFlagDuplicate;
    // Straight-lining alone excludes nobody: all satisfaction items are worded the same
    // way, so "very satisfied" twelve times is a legitimate answer. It is flagged and
    // counted, and the figure without those responses is reported beside the main one.
    bool flagged = too_fast || dup;
    res.excluded.too_fast += too_fast;
    res.excluded.duplicate += dup;
    res.excluded.straight_lining += straight && flagged;
    res.straight_lining_flagged += straight;
    res.excluded.total += flagged;
    if (flagged && !opt.include_flagged) continue;
    if (minor_age >= 0 && !s.is_null(5) && s.i64(5) == minor_age) {
      ++res.minors_left_out;
      continue;
    }
    // 说不清 on the overall rating: no opinion to count as satisfied or not. Out of 40's
    // share (its n), reported on its own; its item answers still count.
    bool no_overall = res.method == ScoringMethod::satisfaction && (flags & kFlagNoOverall);
    res.no_overall_opinion += no_overall;

    Row row{};
    row.straight = straight;
    double score = s.f64(0);
    switch (res.method) {
      case ScoringMethod::knowledge:
        row.y = score;
        row.x = 1;
        row.t = static_cast<double>(std::max<std::int64_t>(1, s.i64(15)));
        w.at_least_60 += score >= 60 - 1e-9;
        break;
      case ScoringMethod::satisfaction:
        row.y = static_cast<double>(s.i64(1));
        row.x = 1;
        row.t = 1;
        w.score_sum += score;
        break;
      case ScoringMethod::green_travel:
        row.y = static_cast<double>(s.i64(3));
        row.x = static_cast<double>(s.i64(2));
        row.t = row.x;
        break;
      case ScoringMethod::none: break;
    }
    for (int d = kTownship; d <= kKiosk; ++d) row.dim[d] = s.is_null(4 + d) ? -1 : s.i64(4 + d);
    TimeMs at = s.i64(8);
    std::int64_t day = (at + opt.utc_offset_minutes * 60000LL) / 86400000;
    auto [it, fresh] = month_codes.try_emplace(day, 0);
    if (fresh) {
      std::string m = month_of(at, opt.utc_offset_minutes);
      it->second = std::stoll(m.substr(0, 4)) * 100 + std::stoll(m.substr(5, 2));
    }
    row.dim[kMonth] = it->second;
    if (!no_overall) {
      w.all.add(row);
      if (!straight) w.plain.add(row);
      w.rows.push_back(row);
    }

    std::string_view blob = s.blob(13);
    for (std::size_t i = 0; i + 5 <= blob.size(); i += 5) {
      std::uint32_t id = 0;
      for (int k = 0; k < 4; ++k) id |= static_cast<std::uint32_t>(static_cast<unsigned char>(blob[i + k])) << (8 * k);
      int v = static_cast<unsigned char>(blob[i + 4]);
      ItemAcc& ia = w.items[id];
      if (res.method == ScoringMethod::satisfaction && v == 0) {  // don't know
        ia.dont_know++;
        continue;
      }
      ia.n++;
      if (res.method == ScoringMethod::knowledge) ia.hits += v;
      else if (res.method == ScoringMethod::satisfaction) {
        ia.hits += v >= 128;
        ia.score += ((v & 127) - 1) * 25.0;
      } else ia.hits += v;  // trips by mode
    }
  }

  for (auto& w : work) {
    IndicatorResult& res = w.res;
    const Questionnaire* q = w.q;
    auto& rows = w.rows;
    auto& all = w.all;
    auto& items = w.items;
    std::int64_t at_least_60 = w.at_least_60;
    double score_sum = w.score_sum;
    res.est = estimate(res.method, all);
    res.without_straight_lining = estimate(res.method, w.plain);
    if (res.est.value) {
      res.met = *res.est.value >= res.target - 1e-9;
      res.met_with_confidence = res.est.ci && res.est.ci->lo >= res.target - 1e-9;
    }
    if (!rows.empty()) {
      double n = static_cast<double>(rows.size());
      if (res.method == ScoringMethod::knowledge) res.share_at_least_60 = 100.0 * at_least_60 / n;
      if (res.method == ScoringMethod::satisfaction) res.mean_score = score_sum / n;
    }
    if (res.method == ScoringMethod::green_travel) {
      res.trips = static_cast<std::int64_t>(all.sx);
      res.green_trips = static_cast<std::int64_t>(all.sy);
    }

    // Item tables, worst first; the mode split, largest first.
    for (const auto& [id, ia] : items) {
      const std::string& code = store.label_text(id);
      if (res.method == ScoringMethod::green_travel) {
        res.modes.push_back({code, static_cast<std::int64_t>(ia.hits), all.sx > 0 ? 100 * ia.hits / all.sx : 0});
      } else if (ia.n > 0 || ia.dont_know > 0) {
        double dn = static_cast<double>(std::max<std::int64_t>(1, ia.n));
        res.items.push_back({code, ia.n, ia.n ? 100 * ia.hits / dn : 0,
                             res.method == ScoringMethod::satisfaction && ia.n ? ia.score / dn : 0, ia.dont_know});
      }
    }
    std::sort(res.items.begin(), res.items.end(),
              [](const ItemRow& l, const ItemRow& r) { return l.pct != r.pct ? l.pct < r.pct : l.item < r.item; });
    std::sort(res.modes.begin(), res.modes.end(),
              [](const ModeRow& l, const ModeRow& r) { return l.trips != r.trips ? l.trips > r.trips : l.mode < r.mode; });

    // Breakdowns with n in every cell.
    for (int d = 0; d < kDims; ++d) {
      std::map<std::int64_t, Acc> cells;
      for (const auto& r : rows) cells[r.dim[d]].add(r);
      Breakdown bd;
      bd.by = kDimNames[d];
      for (const auto& [code, acc] : cells) {
        Cell c;
        if (code >= 0) {
          if (d == kMonth) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%04d-%02d", static_cast<int>(code / 100), static_cast<int>(code % 100));
            c.code = buf;
          } else {
            c.code = store.label_text(code);
          }
        }
        c.est = estimate(res.method, acc);
        c.unreliable = c.est.n < opt.min_cell_n;
        bd.cells.push_back(std::move(c));
      }
      // Demographic cells in the questionnaire's option order, kiosks by id, months in time.
      const Question* dq = (d == kAge || d == kGender || d == kTownship) ? q->find(kDimNames[d]) : nullptr;
      auto rank = [&](const Cell& c) -> std::size_t {
        if (c.code.empty()) return SIZE_MAX;  // "not answered" last
        if (dq)
          for (std::size_t k = 0; k < dq->options.size(); ++k)
            if (dq->options[k].id == c.code) return k;
        return SIZE_MAX - 1;
      };
      if (d != kMonth)
        std::stable_sort(bd.cells.begin(), bd.cells.end(), [&](const Cell& l, const Cell& r) {
          std::size_t ra = rank(l), rb = rank(r);
          return ra != rb ? ra < rb : l.code < r.code;
        });
      res.breakdowns.push_back(std::move(bd));
    }

    // Raking to population margins, beside the unweighted estimate.
    if (opt.population && !rows.empty()) {
      std::vector<std::vector<int>> cats;
      std::vector<std::vector<double>> targets;
      margin_categories(store, *opt.population, rows, cats, targets);
      stats::RakeResult rk = stats::rake(cats, targets);
      Weighted wt;
      wt.deff = rk.deff;
      wt.n_eff = rk.n_eff;
      wt.iterations = rk.iterations;
      wt.converged = rk.converged;
      for (int e : rk.empty_cells) wt.unweighted_cells += e;
      wt.est = weighted_estimate(res.method, rows, rk.w, cats, targets, rk.deff, res.est.needed_for_3pt);
      res.weighted = wt;
    }
    report.indicators.push_back(std::move(res));
  }
  return report;
}

std::map<std::int64_t, double> raking_weights(Store& store, const QuestionnaireSet& set, const std::string& questionnaire,
                                              const IndicatorOptions& opt) {
  std::map<std::int64_t, double> out;
  if (!opt.population) return out;
  store.backfill_metrics(set);
  std::string sql =
      "SELECT response, township, age, gender, flags, duration_s, visible FROM response_metrics WHERE questionnaire = ?";
  if (opt.filter.version) sql += " AND version = ?";
  if (opt.filter.from) sql += " AND completed_at >= ?";
  if (opt.filter.to) sql += " AND completed_at < ?";
  if (!opt.filter.kiosk.empty()) sql += " AND kiosk = ?";
  Stmt s(store.db(), sql);
  int b = 1;
  s.bind(b++, questionnaire);
  if (opt.filter.version) s.bind(b++, *opt.filter.version);
  if (opt.filter.from) s.bind(b++, *opt.filter.from);
  if (opt.filter.to) s.bind(b++, *opt.filter.to);
  if (!opt.filter.kiosk.empty()) s.bind(b++, store.find_label("kiosk", opt.filter.kiosk).value_or(0));
  std::vector<Row> rows;
  std::vector<std::int64_t> ids;
  const std::int64_t minor_age = opt.exclude_minors ? store.find_label("age", kMinorAgeOption).value_or(-2) : -2;
  while (s.step()) {
    bool too_fast = opt.min_seconds_per_question > 0 && s.f64(5) < s.i64(6) * opt.min_seconds_per_question;
    bool flagged = too_fast || (s.i64(4) & kFlagDuplicate);  // as compute_indicators
    if (flagged && !opt.include_flagged) continue;
    if (minor_age >= 0 && !s.is_null(2) && s.i64(2) == minor_age) continue;
    Row r{};
    for (int d = kTownship; d <= kGender; ++d) r.dim[d] = s.is_null(1 + d) ? -1 : s.i64(1 + d);
    r.dim[kKiosk] = r.dim[kMonth] = -1;
    rows.push_back(r);
    ids.push_back(s.i64(0));
  }
  if (rows.empty()) return out;
  std::vector<std::vector<int>> cats;
  std::vector<std::vector<double>> targets;
  margin_categories(store, *opt.population, rows, cats, targets);
  stats::RakeResult rk = stats::rake(cats, targets);
  for (std::size_t i = 0; i < ids.size(); ++i) out[ids[i]] = rk.w[i];
  return out;
}

}  // namespace eco
