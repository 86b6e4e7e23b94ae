#include "core/analysis/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
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
  std::int64_t ms = t + static_cast<std::int64_t>(utc_offset_minutes) * 60000;
  const auto [y, m, d] = civil_from_days(ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000);
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
  double k = 1;             // how many respondents the row stands for (a MetricsCell's n)
  bool straight;            // flagged straight-lining (kept: see README "Which responses count")
  std::int64_t dim[kDims];  // label ids; month as YYYYMM; -1 = not answered
};

// Below this many respondents 35's interval is the studentised bootstrap over
// respondents, and the weighted figures' variance the re-raking jackknife (README
// "Indicators"); from here on the linearized forms, which they approach, are as good and
// need only running sums.
constexpr double kBootstrapBelow = 300;
// A population category with fewer respondents than this is pooled with the other
// sparse ones before raking (stats::pool_sparse_categories). 3, not 5 or 10: the coverage
// program's raked samples covered 97-98% at n = 30 without pooling (one respondent
// carrying a cell's share swings the jackknife), 95-96% with 3, and 92.5% for 35 with 5
// (pooling too much leaves the unequal sampling's bias in).
constexpr int kMinRakingCell = 3;

struct Acc {
  double n = 0, sy = 0, syy = 0, sx = 0, sxx = 0, sxy = 0, st = 0;
  double q[5] = {0, 0, 0, 0, 0};  // Σ y⁴, y³x, y²x², yx³, x⁴: the fourth moment of y − R x
  std::vector<std::pair<double, double>> yx;  // the (y, x) pairs while n < kBootstrapBelow
  // k respondents with these values (k = 1 gives exactly the one-at-a-time sums).
  void add(double y, double x, double t, double k) {
    n += k; sy += k * y; syy += k * (y * y); sx += k * x; sxx += k * (x * x); sxy += k * (x * y); st += k * t;
    double y2 = y * y, x2 = x * x;
    q[0] += k * (y2 * y2); q[1] += k * (y2 * y * x); q[2] += k * (y2 * x2); q[3] += k * (y * x2 * x);
    q[4] += k * (x2 * x2);
    if (n < kBootstrapBelow) yx.insert(yx.end(), static_cast<std::size_t>(k), {y, x});
    else if (!yx.empty()) std::vector<std::pair<double, double>>().swap(yx);  // not needed any more
  }
  void add(const Row& r) { add(r.y, r.x, r.t, r.k); }
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
  // freedom, not n − 1. At n = 30 and 14 population cells that is about half, and the
  // variance and the t quantile say so. Fewer respondents than parameters: no interval.
  double df = n - stats::calibration_parameters(cats);
  std::optional<stats::Interval> ci;
  if (df >= 1) {
    v *= (n - 1) / df;
    // Small samples: the re-raking jackknife when it is larger. A respondent alone in a
    // population cell has calibration residual 0, so the linearization cannot see how
    // much they move the estimate through the weights (the coverage program's raked
    // intervals at n = 30 covered under 80% without it).
    if (n < kBootstrapBelow && !cats.empty()) v = std::max(v, stats::jackknife_raked_variance(y, x, cats, targets));
    if (m == ScoringMethod::satisfaction) {
      // 40 as unweighted: Wilson at the effective n of the variance (without the
      // n/(n−1), as Wilson's own p(1−p)/n has none), at most n, with t on df.
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
// Returns how many population categories were pooled (stats::pool_sparse_categories).
int margin_categories(ResponseQueries& store, const Population& pop, const std::vector<Row>& rows,
                      std::vector<std::vector<int>>& cats, std::vector<std::vector<double>>& targets) {
  int pooled = 0;
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
    pooled += stats::pool_sparse_categories(cat, share, kMinRakingCell);
    cats.push_back(std::move(cat));
    targets.push_back(std::move(share));
  }
  return pooled;
}

struct ItemAcc {
  std::int64_t n = 0, dont_know = 0;
  double hits = 0, score = 0;
};

// One indicator while the metrics stream past: its respondents and running sums.
struct Work {
  IndicatorResult res;
  const Questionnaire* q = nullptr;
  std::vector<Row> rows;
  // From cells: rows carry township, age and gender only; the kiosk and month
  // breakdowns have their own (each respondent is in one cell of each grouping).
  bool cells = false;
  std::vector<Row> kiosk_rows, month_rows;
  Acc all, plain;  // plain: without straight-lined responses
  std::int64_t at_least_60 = 0;
  double score_sum = 0;
  std::unordered_map<std::int64_t, ItemAcc> items;
};

std::vector<Work> indicator_work(const QuestionnaireSet& set, const IndicatorOptions& opt) {
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
  return work;
}

// Left out of the figures: too fast (judged here, with the configured threshold) or a
// duplicate. Straight-lining alone excludes nobody: all satisfaction items are worded
// the same way, so "very satisfied" twelve times is a legitimate answer. It is flagged
// and counted, and the figure without those responses is reported beside the main one.
bool too_fast(const MetricsRow& m, const IndicatorOptions& opt) {
  return opt.min_seconds_per_question > 0 && m.duration_s < m.visible * opt.min_seconds_per_question;
}
bool excluded(const MetricsRow& m, const IndicatorOptions& opt) {
  return too_fast(m, opt) || (m.flags & kFlagDuplicate);
}

// YYYYMM of a time on the district's clock, cached by day.
class MonthCodes {
 public:
  explicit MonthCodes(int utc_offset_minutes) : offset_(utc_offset_minutes) {}
  std::int64_t operator()(TimeMs at) {
    // Whole days rounded down, also before 1970 (cut toward zero, the day before 1970's
    // first shared its code, and whichever came first gave both their month).
    const std::int64_t local = at + offset_ * 60000LL;
    const std::int64_t day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
    auto [it, fresh] = codes_.try_emplace(day, 0);
    if (fresh) {
      std::string m = month_of(at, offset_);
      it->second = std::stoll(m.substr(0, 4)) * 100 + std::stoll(m.substr(5, 2));
    }
    return it->second;
  }

 private:
  int offset_;
  std::unordered_map<std::int64_t, std::int64_t> codes_;
};

// n respondents' outcome on one item (sums of whole numbers: exact in any order).
void add_outcome(Work& w, std::int64_t item, int value, std::int64_t n) {
  ItemAcc& ia = w.items[item];
  if (w.res.method == ScoringMethod::satisfaction && value == 0) {  // don't know
    ia.dont_know += n;
    return;
  }
  ia.n += n;
  double k = static_cast<double>(n);
  if (w.res.method == ScoringMethod::knowledge) ia.hits += k * value;
  else if (w.res.method == ScoringMethod::satisfaction) {
    ia.hits += value >= 128 ? k : 0;
    ia.score += k * (((value & 127) - 1) * 25.0);
  } else ia.hits += k * value;  // trips by mode
}

void add_outcomes(Work& w, const MetricsRow& m) {
  for (const ItemOutcome& o : m.outcomes) add_outcome(w, o.item, o.value, 1);
}

// One response of this indicator's questionnaire.
// Whether a respondent answered 18岁以下 (only asked with exclude_minors).
bool is_minor(ResponseQueries& store, const MetricsRow& m) {
  return m.age != kNoLabel && store.label_text(m.age) == kMinorAgeOption;
}

void take(Work& w, const MetricsRow& m, ResponseQueries& store, const IndicatorOptions& opt, MonthCodes& months) {
  IndicatorResult& res = w.res;
  ++res.considered;
  bool fast = too_fast(m, opt), flagged = excluded(m, opt);
  bool straight = m.flags & kFlagStraightLining, dup = m.flags & kFlagDuplicate;
  res.excluded.too_fast += fast;
  res.excluded.duplicate += dup;
  res.excluded.straight_lining += straight && flagged;
  res.straight_lining_flagged += straight;
  res.excluded.total += flagged;
  if (flagged && !opt.include_flagged) return;
  if (opt.exclude_minors && is_minor(store, m)) {
    ++res.minors_left_out;
    return;
  }
  // 说不清 on the overall rating: no opinion to count as satisfied or not. Out of 40's
  // share (its n), reported on its own; its item answers still count.
  if (res.method == ScoringMethod::satisfaction && (m.flags & kFlagNoOverall)) {
    ++res.no_overall_opinion;
    add_outcomes(w, m);
    return;
  }

  Row row{};
  row.straight = straight;
  switch (res.method) {
    case ScoringMethod::knowledge:
      row.y = m.score;
      row.x = 1;
      row.t = static_cast<double>(std::max(1, m.drawn));
      w.at_least_60 += m.score >= 60 - 1e-9;
      break;
    case ScoringMethod::satisfaction:
      row.y = m.satisfied ? 1 : 0;
      row.x = 1;
      row.t = 1;
      w.score_sum += m.score;
      break;
    case ScoringMethod::green_travel:
      row.y = static_cast<double>(m.green);
      row.x = static_cast<double>(m.trips);
      row.t = row.x;
      break;
    case ScoringMethod::none: break;
  }
  row.dim[kTownship] = m.township;
  row.dim[kAge] = m.age;
  row.dim[kGender] = m.gender;
  row.dim[kKiosk] = m.kiosk;
  row.dim[kMonth] = months(m.completed_at);
  w.all.add(row);
  if (!straight) w.plain.add(row);
  w.rows.push_back(row);
  add_outcomes(w, m);
}

// One MetricsCell of this indicator's questionnaire: as take() for its n respondents.
// The counts come from the demographic grouping, where each respondent is once.
void take_cell(Work& w, const MetricsCell& c, ResponseQueries& store, const IndicatorOptions& opt,
               MonthCodes& months) {
  IndicatorResult& res = w.res;
  const std::int64_t n = c.n;
  const bool counting = c.grouping == CellGrouping::demographic;
  bool fast = c.fast, dup = c.flags & kFlagDuplicate, straight = c.flags & kFlagStraightLining;
  bool flagged = fast || dup;
  if (counting) {
    res.considered += n;
    res.excluded.too_fast += fast ? n : 0;
    res.excluded.duplicate += dup ? n : 0;
    res.excluded.straight_lining += straight && flagged ? n : 0;
    res.straight_lining_flagged += straight ? n : 0;
    res.excluded.total += flagged ? n : 0;
  }
  if (flagged && !opt.include_flagged) return;
  if (opt.exclude_minors && c.age != kNoLabel && store.label_text(c.age) == kMinorAgeOption) {
    if (counting) res.minors_left_out += n;
    return;
  }
  if (c.grouping == CellGrouping::item) return add_outcome(w, c.item, c.value, n);
  if (res.method == ScoringMethod::satisfaction && (c.flags & kFlagNoOverall)) {
    if (counting) res.no_overall_opinion += n;
    return;
  }
  Row row{};
  row.k = static_cast<double>(n);
  row.straight = straight;
  switch (res.method) {
    case ScoringMethod::knowledge:
      row.y = c.score;
      row.x = 1;
      row.t = static_cast<double>(std::max(1, c.drawn));
      break;
    case ScoringMethod::satisfaction:
      row.y = c.satisfied ? 1 : 0;
      row.x = 1;
      row.t = 1;
      break;
    case ScoringMethod::green_travel:
      row.y = static_cast<double>(c.green);
      row.x = static_cast<double>(c.trips);
      row.t = row.x;
      break;
    case ScoringMethod::none: break;
  }
  for (auto& d : row.dim) d = kNoLabel;
  switch (c.grouping) {
    case CellGrouping::demographic:
      row.dim[kTownship] = c.township;
      row.dim[kAge] = c.age;
      row.dim[kGender] = c.gender;
      if (res.method == ScoringMethod::knowledge) w.at_least_60 += c.score >= 60 - 1e-9 ? n : 0;
      if (res.method == ScoringMethod::satisfaction) w.score_sum += row.k * c.score;
      w.all.add(row);
      if (!straight) w.plain.add(row);
      w.rows.push_back(row);
      break;
    case CellGrouping::kiosk:
      row.dim[kKiosk] = c.kiosk;
      w.kiosk_rows.push_back(row);
      break;
    case CellGrouping::day:
      row.dim[kMonth] = months(c.day * 86400000 - opt.utc_offset_minutes * 60000LL);
      w.month_rows.push_back(row);
      break;
    case CellGrouping::item: break;
  }
}

// An owned copy of a cell, and the order cells are taken in: by their values and
// label texts, never by label ids (each engine numbers its own), so the floating-point
// sums, and the figures, are the same whichever engine gave the cells.
struct OwnedCell {
  MetricsCell c;
  std::string questionnaire;
};
void sort_cells(std::vector<OwnedCell>& cells, ResponseQueries& store) {
  auto text = [&](std::int64_t id) -> const std::string& {
    static const std::string none;
    return id == kNoLabel ? none : store.label_text(id);
  };
  auto before = [&](const OwnedCell& l, const OwnedCell& r) {
    const MetricsCell &a = l.c, &b = r.c;
    if (a.grouping != b.grouping) return a.grouping < b.grouping;
    if (int q = l.questionnaire.compare(r.questionnaire)) return q < 0;
    for (auto [x, y] : {std::pair{a.township, b.township}, std::pair{a.age, b.age}, std::pair{a.gender, b.gender},
                        std::pair{a.kiosk, b.kiosk}, std::pair{a.item, b.item}}) {
      if (x == y) continue;
      if ((x == kNoLabel) != (y == kNoLabel)) return x == kNoLabel;
      if (int t = text(x).compare(text(y))) return t < 0;
    }
    return std::tie(a.day, a.fast, a.flags, a.score, a.drawn, a.satisfied, a.trips, a.green, a.value) <
           std::tie(b.day, b.fast, b.flags, b.score, b.drawn, b.satisfied, b.trips, b.green, b.value);
  };
  std::sort(cells.begin(), cells.end(), before);
}

// Item tables, worst first; the mode split, largest first.
void fill_items(IndicatorResult& res, ResponseQueries& store, const Work& w) {
  for (const auto& [id, ia] : w.items) {
    const std::string& code = store.label_text(id);
    if (res.method == ScoringMethod::green_travel) {
      res.modes.push_back({code, static_cast<std::int64_t>(ia.hits), w.all.sx > 0 ? 100 * ia.hits / w.all.sx : 0});
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
}

// One breakdown with n in every cell: demographic cells in the questionnaire's option
// order, kiosks by id, months in time.
Breakdown breakdown(int d, const Work& w, ResponseQueries& store, const IndicatorOptions& opt) {
  std::map<std::int64_t, Acc> cells;
  const std::vector<Row>& rows = !w.cells || (d != kKiosk && d != kMonth) ? w.rows : d == kKiosk ? w.kiosk_rows : w.month_rows;
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
    c.est = estimate(w.res.method, acc);
    c.unreliable = c.est.n < opt.min_cell_n;
    bd.cells.push_back(std::move(c));
  }
  const Question* dq = (d == kAge || d == kGender || d == kTownship) ? w.q->find(kDimNames[d]) : nullptr;
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
  return bd;
}

// Raking to population margins, beside the unweighted estimate.
Weighted weighted(const Work& w, ResponseQueries& store, const Population& pop) {
  // Raking weighs respondents: a cell's row becomes its n respondents again.
  std::vector<Row> one_each;
  if (w.cells) {
    one_each.reserve(static_cast<std::size_t>(w.all.n));
    for (const Row& r : w.rows) {
      Row one = r;
      one.k = 1;
      one_each.insert(one_each.end(), static_cast<std::size_t>(r.k), one);
    }
  }
  const std::vector<Row>& rows = w.cells ? one_each : w.rows;
  std::vector<std::vector<int>> cats;
  std::vector<std::vector<double>> targets;
  int pooled = margin_categories(store, pop, rows, cats, targets);
  stats::RakeResult rk = stats::rake(cats, targets);
  Weighted wt;
  wt.pooled_cells = pooled;
  wt.deff = rk.deff;
  wt.n_eff = rk.n_eff;
  wt.iterations = rk.iterations;
  wt.converged = rk.converged;
  for (int e : rk.empty_cells) wt.unweighted_cells += e;
  wt.est = weighted_estimate(w.res.method, rows, rk.w, cats, targets, rk.deff, w.res.est.needed_for_3pt);
  return wt;
}

IndicatorResult finish(Work& w, ResponseQueries& store, const IndicatorOptions& opt) {
  IndicatorResult& res = w.res;
  res.est = estimate(res.method, w.all);
  res.without_straight_lining = estimate(res.method, w.plain);
  if (res.est.value) {
    res.met = *res.est.value >= res.target - 1e-9;
    res.met_with_confidence = res.est.ci && res.est.ci->lo >= res.target - 1e-9;
  }
  if (!w.rows.empty()) {
    double n = w.all.n;
    if (res.method == ScoringMethod::knowledge) res.share_at_least_60 = 100.0 * w.at_least_60 / n;
    if (res.method == ScoringMethod::satisfaction) res.mean_score = w.score_sum / n;
  }
  if (res.method == ScoringMethod::green_travel) {
    res.trips = static_cast<std::int64_t>(w.all.sx);
    res.green_trips = static_cast<std::int64_t>(w.all.sy);
  }
  fill_items(res, store, w);
  for (int d = 0; d < kDims; ++d) res.breakdowns.push_back(breakdown(d, w, store, opt));
  if (opt.population && !w.rows.empty()) res.weighted = weighted(w, store, *opt.population);
  return std::move(res);
}

}  // namespace

std::int64_t backfill_metrics(ResponseQueries& store, const QuestionnaireSet& set) {
  return store.fill_missing_metrics(
      [&](const Response& r) { return metrics_of(set.find(r.questionnaire, r.version), r); });
}

namespace {
// What both computations start from: the report's header, every response's metrics
// filled in, the indicators asked for, and the filter over all their questionnaires.
std::vector<Work> start_report(ResponseQueries& store, const QuestionnaireSet& set, const IndicatorOptions& opt,
                               IndicatorReport& report, ResponseFilter& f) {
  report.options = opt;
  report.generated_at = now_ms();
  if (opt.population) report.population_source = opt.population->source;
  backfill_metrics(store, set);
  f = opt.filter;
  f.questionnaire.clear();  // each indicator has its own
  f.uuid.clear();
  return indicator_work(set, opt);
}
}  // namespace

IndicatorReport compute_indicators(ResponseQueries& store, const QuestionnaireSet& set, const IndicatorOptions& opt) {
  // Metrics filled in first: the figures are then read in one view of the responses,
  // so a save landing meanwhile cannot be in an indicator's total but not its items or
  // breakdowns (nothing is written inside that view).
  backfill_metrics(store, set);
  IndicatorReport report;
  store.read_consistently([&] {
    // A store that counted its cells as responses arrived (the center; the kiosk's since
    // schema 11) answers from them: the same figures (test_indicator_cells,
    // test_store_cells, central_cells) from thousands of rows, not millions.
    ResponseFilter all = opt.filter;
    all.questionnaire.clear();
    all.uuid.clear();
    if (store.counts_cells(all, {opt.min_seconds_per_question, opt.utc_offset_minutes}))
      report = compute_indicators_from_cells(store, set, opt);
    else
      report = compute_indicators_from_rows(store, set, opt);
  });
  return report;
}

IndicatorReport compute_indicators_from_rows(ResponseQueries& store, const QuestionnaireSet& set,
                                             const IndicatorOptions& opt) {
  IndicatorReport report;
  ResponseFilter f;
  std::vector<Work> work = start_report(store, set, opt, report, f);
  if (work.empty()) return report;
  // One pass over the stored metrics feeds all three indicators.
  MonthCodes months(opt.utc_offset_minutes);
  store.each_metrics(f, [&](const MetricsRow& m) {
    for (auto& w : work)
      if (w.res.questionnaire == m.questionnaire) return take(w, m, store, opt, months);
  });
  for (auto& w : work) report.indicators.push_back(finish(w, store, opt));
  return report;
}

IndicatorReport compute_indicators_from_cells(ResponseQueries& store, const QuestionnaireSet& set,
                                              const IndicatorOptions& opt) {
  IndicatorReport report;
  ResponseFilter f;
  std::vector<Work> work = start_report(store, set, opt, report, f);
  if (work.empty()) return report;
  std::vector<OwnedCell> cells;
  store.each_metrics_cell(f, {opt.min_seconds_per_question, opt.utc_offset_minutes}, [&](const MetricsCell& c) {
    for (const auto& w : work)
      if (w.res.questionnaire == c.questionnaire) {
        cells.push_back({c, std::string(c.questionnaire)});
        cells.back().c.questionnaire = {};
        return;
      }
  });
  sort_cells(cells, store);
  MonthCodes months(opt.utc_offset_minutes);
  for (auto& w : work) w.cells = true;
  for (auto& oc : cells) {
    oc.c.questionnaire = oc.questionnaire;
    for (auto& w : work)
      if (w.res.questionnaire == oc.questionnaire) {
        take_cell(w, oc.c, store, opt, months);
        break;
      }
  }
  for (auto& w : work) report.indicators.push_back(finish(w, store, opt));
  return report;
}

std::map<std::int64_t, double> raking_weights(ResponseQueries& store, const QuestionnaireSet& set,
                                              const std::string& questionnaire, const IndicatorOptions& opt) {
  std::map<std::int64_t, double> out;
  if (!opt.population) return out;
  backfill_metrics(store, set);
  ResponseFilter f = opt.filter;
  f.questionnaire = questionnaire;
  f.uuid.clear();
  std::vector<Row> rows;
  std::vector<std::int64_t> ids;
  store.each_metrics(f, [&](const MetricsRow& m) {
    if (excluded(m, opt) && !opt.include_flagged) return;  // as compute_indicators
    if (opt.exclude_minors && is_minor(store, m)) return;
    Row r{};
    r.dim[kTownship] = m.township;
    r.dim[kAge] = m.age;
    r.dim[kGender] = m.gender;
    r.dim[kKiosk] = r.dim[kMonth] = -1;
    rows.push_back(r);
    ids.push_back(m.response);
  });
  if (rows.empty()) return out;
  std::vector<std::vector<int>> cats;
  std::vector<std::vector<double>> targets;
  margin_categories(store, *opt.population, rows, cats, targets);
  stats::RakeResult rk = stats::rake(cats, targets);
  for (std::size_t i = 0; i < ids.size(); ++i) out[ids[i]] = rk.w[i];
  return out;
}

}  // namespace eco
