#include "core/analysis/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <boost/math/distributions/students_t.hpp>

namespace eco::stats {

Interval wilson_pct(double k, double n, double z) {
  double p = k / n, z2 = z * z;
  double denom = 1 + z2 / n;
  double centre = (p + z2 / (2 * n)) / denom;
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
  return {100 * std::max(0.0, centre - half), 100 * std::min(1.0, centre + half)};
}

double t975(double df) {
  boost::math::students_t dist(df);
  return boost::math::quantile(dist, 0.975);
}

MeanEstimate mean_t(double n, double sum, double sum_sq) {
  MeanEstimate m;
  m.mean = sum / n;
  if (n < 2) {
    m.ci = {m.mean, m.mean};
    return m;
  }
  double var = std::max(0.0, (sum_sq - sum * sum / n) / (n - 1));
  m.sd = std::sqrt(var);
  double half = t975(n - 1) * m.sd / std::sqrt(n);
  m.ci = {m.mean - half, m.mean + half};
  return m;
}

RatioEstimate ratio_taylor(double n, double sy, double sx, double syy, double sxx, double sxy) {
  RatioEstimate e;
  if (sx <= 0) return e;
  e.ratio = sy / sx;
  if (n < 2) {
    e.ci = {e.ratio, e.ratio};
    return e;
  }
  double r = e.ratio, xbar = sx / n;
  // Σ(y − R x)² expanded, so the caller needs only running sums.
  double ss = std::max(0.0, syy - 2 * r * sxy + r * r * sxx);
  double var_z = ss / (n - 1) / (xbar * xbar);  // sample variance of z_i = (y_i − R x_i)/x̄
  e.sd_linearized = std::sqrt(var_z);
  e.se = std::sqrt(var_z / n);
  double half = t975(n - 1) * e.se;
  e.ci = {std::max(0.0, r - half), std::min(1.0, r + half)};
  return e;
}

std::int64_t needed_n(double sd, double margin) {
  if (margin <= 0) return 0;
  double n = std::pow(kZ95 * sd / margin, 2);
  return static_cast<std::int64_t>(std::ceil(n - 1e-9));
}

void kish(const std::vector<double>& w, double& deff, double& n_eff) {
  double s = 0, s2 = 0;
  for (double x : w) { s += x; s2 += x * x; }
  n_eff = s2 > 0 ? s * s / s2 : 0;
  deff = n_eff > 0 ? static_cast<double>(w.size()) / n_eff : 1;
}

RakeResult rake(const std::vector<std::vector<int>>& cats, const std::vector<std::vector<double>>& targets,
                int max_iterations, double tolerance) {
  RakeResult out;
  std::size_t n = cats.empty() ? 0 : cats[0].size();
  out.w.assign(n, 1.0);
  out.empty_cells.assign(cats.size(), 0);
  // Shares restricted to categories somebody answered, renormalized.
  std::vector<std::vector<double>> share(cats.size());
  for (std::size_t m = 0; m < cats.size(); ++m) {
    std::vector<char> seen(targets[m].size(), 0);
    for (int c : cats[m])
      if (c >= 0 && static_cast<std::size_t>(c) < seen.size()) seen[c] = 1;
    double total = 0;
    share[m] = targets[m];
    for (std::size_t c = 0; c < share[m].size(); ++c) {
      if (!seen[c]) {
        if (share[m][c] > 0) out.empty_cells[m]++;
        share[m][c] = 0;
      }
      total += share[m][c];
    }
    for (double& s : share[m]) s = total > 0 ? s / total : 0;
  }
  std::vector<double> have;
  for (out.iterations = 1; out.iterations <= max_iterations; ++out.iterations) {
    double worst = 0;
    for (std::size_t m = 0; m < cats.size(); ++m) {
      have.assign(share[m].size(), 0);
      double known = 0;  // weight of the respondents this margin can adjust
      for (std::size_t i = 0; i < n; ++i)
        if (int c = cats[m][i]; c >= 0) { have[c] += out.w[i]; known += out.w[i]; }
      if (known <= 0) continue;
      for (std::size_t c = 0; c < have.size(); ++c)
        if (have[c] > 0) {
          double f = share[m][c] * known / have[c];
          worst = std::max(worst, std::abs(f - 1));
          have[c] = f;
        }
      for (std::size_t i = 0; i < n; ++i)
        if (int c = cats[m][i]; c >= 0) out.w[i] *= have[c];
    }
    if (worst < tolerance) { out.converged = true; break; }
  }
  if (out.iterations > max_iterations) out.iterations = max_iterations;
  double sum = 0;
  for (double x : out.w) sum += x;
  if (sum > 0)
    for (double& x : out.w) x *= static_cast<double>(n) / sum;
  kish(out.w, out.deff, out.n_eff);
  return out;
}

}  // namespace eco::stats

namespace eco::stats {

Interval wilson_unit(double p, double n_eff, double z) {
  if (n_eff <= 0) return {0, 1};
  p = std::clamp(p, 0.0, 1.0);
  double z2 = z * z;
  double denom = 1 + z2 / n_eff;
  double centre = (p + z2 / (2 * n_eff)) / denom;
  double half = z * std::sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

ClusteredInterval wilson_clustered(double p, double v, double n, double trials, double df) {
  ClusteredInterval out;
  if (n < 2 || trials <= 0) return out;
  p = std::clamp(p, 0.0, 1.0);
  double pq = p * (1 - p);
  // v == 0 (or p at 0 or 1, where v is 0 too): as precise as the trials allow, no more.
  double n_eff = v > 0 && pq > 0 ? pq / v : trials;
  out.n_eff = std::min(n_eff, trials);
  out.ci = wilson_unit(p, out.n_eff, t975(df > 0 ? std::min(df, n - 1) : n - 1));
  return out;
}

double planning_sd_pct(const std::optional<Interval>& ci01) {
  double p = 0.5;
  if (ci01) p = std::clamp(0.5, ci01->lo, ci01->hi);
  return 100 * std::sqrt(p * (1 - p));
}

double calibration_parameters(const std::vector<std::vector<int>>& cats) {
  double p = 1;
  for (const auto& cat : cats) {
    std::vector<int> seen(cat.begin(), cat.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    std::size_t k = static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [](int c) { return c >= 0; }));
    if (k > 1) p += static_cast<double>(k - 1);
  }
  return p;
}

double calibrated_ratio_variance(const std::vector<double>& y, const std::vector<double>& x,
                                 const std::vector<double>& w, const std::vector<std::vector<int>>& cats) {
  std::size_t n = y.size();
  if (n < 2) return 0;
  double sw = 0, swy = 0, swx = 0;
  for (std::size_t i = 0; i < n; ++i) { sw += w[i]; swy += w[i] * y[i]; swx += w[i] * x[i]; }
  if (sw <= 0 || swx <= 0) return 0;
  double r = swy / swx, xbar = swx / sw;
  std::vector<double> e(n);
  for (std::size_t i = 0; i < n; ++i) e[i] = (y[i] - r * x[i]) / xbar;
  // Backfitting: subtract each margin's weighted category means in turn until they
  // vanish; the fixed point is the least-squares fit on all margins' indicators.
  std::vector<double> num, den;
  for (int iter = 0; iter < 500 && !cats.empty(); ++iter) {
    double change = 0;
    for (const auto& cat : cats) {
      int k = 0;
      for (int c : cat) k = std::max(k, c + 1);
      num.assign(static_cast<std::size_t>(k), 0);
      den.assign(static_cast<std::size_t>(k), 0);
      for (std::size_t i = 0; i < n; ++i)
        if (int c = cat[i]; c >= 0) { num[c] += w[i] * e[i]; den[c] += w[i]; }
      for (int c = 0; c < k; ++c) {
        num[c] = den[c] > 0 ? num[c] / den[c] : 0;
        change = std::max(change, std::abs(num[c]));
      }
      for (std::size_t i = 0; i < n; ++i)
        if (int c = cat[i]; c >= 0) e[i] -= num[c];
    }
    if (change < 1e-12) break;
  }
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) ss += w[i] * w[i] * e[i] * e[i];
  double dn = static_cast<double>(n);
  return dn / (dn - 1) * ss / (sw * sw);
}

}  // namespace eco::stats

namespace eco::stats {

namespace {
// Ratio and its linearized standard error over the pairs picked by idx (se 0: no spread).
struct RatioSe {
  double r = 0, se = 0;
  bool ok = false;  // some trips
};
template <class Pick>
RatioSe ratio_se(std::size_t n, Pick pick) {
  RatioSe o;
  double sy = 0, sx = 0;
  for (std::size_t i = 0; i < n; ++i) { sy += pick(i).first; sx += pick(i).second; }
  if (sx <= 0 || n < 2) return o;
  o.ok = true;
  o.r = sy / sx;
  double xbar = sx / static_cast<double>(n), ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double e = pick(i).first - o.r * pick(i).second;
    ss += e * e;
  }
  double dn = static_cast<double>(n);
  o.se = std::sqrt(ss / (dn - 1) / (xbar * xbar) / dn);
  return o;
}
}  // namespace

std::optional<Interval> ratio_bootstrap_t(std::vector<std::pair<double, double>> yx, int resamples) {
  std::size_t n = yx.size();
  if (n < 2 || resamples < 99) return std::nullopt;
  std::sort(yx.begin(), yx.end());  // the scan order must not change the answer
  RatioSe full = ratio_se(n, [&](std::size_t i) -> const std::pair<double, double>& { return yx[i]; });
  if (!full.ok || !(full.se > 0)) return std::nullopt;
  // A fixed seed: the interval is a function of the data alone. mt19937_64's sequence is
  // fixed by the standard, so it is the same on every build.
  std::mt19937_64 gen(0x5EED2019ULL);
  std::vector<std::size_t> idx(n);
  std::vector<double> t;
  t.reserve(static_cast<std::size_t>(resamples));
  const double inf = std::numeric_limits<double>::infinity();
  for (int b = 0; b < resamples; ++b) {
    for (auto& k : idx) k = static_cast<std::size_t>(gen() % n);
    RatioSe rs = ratio_se(n, [&](std::size_t i) -> const std::pair<double, double>& { return yx[idx[i]]; });
    if (!rs.ok) continue;
    double d = rs.r - full.r;
    if (rs.se > 0) t.push_back(d / rs.se);
    else t.push_back(std::abs(d) < 1e-12 ? 0.0 : (d > 0 ? inf : -inf));
  }
  if (t.size() < 99) return std::nullopt;
  std::sort(t.begin(), t.end());
  // Order statistics at (B+1)·α, the usual bootstrap-t convention.
  double m = static_cast<double>(t.size()) + 1;
  auto at = [&](double a) {
    auto k = static_cast<std::size_t>(std::clamp(std::floor(m * a), 1.0, static_cast<double>(t.size())));
    return t[k - 1];
  };
  double t_lo = at(0.025), t_hi = at(0.975);
  double lo = t_hi == inf ? 0.0 : full.r - t_hi * full.se;
  double hi = t_lo == -inf ? 1.0 : full.r - t_lo * full.se;
  return Interval{std::clamp(lo, 0.0, 1.0), std::clamp(hi, 0.0, 1.0)};
}

}  // namespace eco::stats

namespace eco::stats {

double jackknife_raked_variance(const std::vector<double>& y, const std::vector<double>& x,
                                const std::vector<std::vector<int>>& cats,
                                const std::vector<std::vector<double>>& targets) {
  std::size_t n = y.size();
  if (n < 2) return 0;
  std::vector<std::vector<int>> sub(cats.size(), std::vector<int>(n - 1));
  std::vector<double> r;
  r.reserve(n);
  for (std::size_t out = 0; out < n; ++out) {
    for (std::size_t m = 0; m < cats.size(); ++m)
      for (std::size_t i = 0, k = 0; i < n; ++i)
        if (i != out) sub[m][k++] = cats[m][i];
    RakeResult rk = rake(sub, targets);
    double swy = 0, swx = 0;
    for (std::size_t i = 0, k = 0; i < n; ++i)
      if (i != out) { swy += rk.w[k] * y[i]; swx += rk.w[k] * x[i]; ++k; }
    if (swx > 0) r.push_back(swy / swx);  // a replicate without trips has no ratio
  }
  if (r.size() < 2) return 0;
  double mean = 0;
  for (double v : r) mean += v;
  mean /= static_cast<double>(r.size());
  double ss = 0;
  for (double v : r) ss += (v - mean) * (v - mean);
  double dn = static_cast<double>(r.size());
  return (dn - 1) / dn * ss;
}

int pool_sparse_categories(std::vector<int>& cat, std::vector<double>& share, int min_count) {
  std::vector<int> count(share.size(), 0);
  for (int c : cat)
    if (c >= 0 && static_cast<std::size_t>(c) < count.size()) ++count[static_cast<std::size_t>(c)];
  int pool = -1, pooled = 0, pool_count = 0;
  for (std::size_t c = 0; c < share.size(); ++c)
    if (count[c] < min_count && (share[c] > 0 || count[c] > 0)) {
      if (pool < 0) pool = static_cast<int>(c);
      else { share[static_cast<std::size_t>(pool)] += share[c]; share[c] = 0; ++pooled; }
      pool_count += count[c];
    }
  if (pool < 0) return 0;
  std::vector<int> to(share.size());
  for (std::size_t c = 0; c < share.size(); ++c) to[c] = count[c] < min_count ? pool : static_cast<int>(c);
  if (pool_count < min_count) {
    // Still short: into the smallest category that stands on its own, if there is one.
    int into = -1;
    for (std::size_t c = 0; c < share.size(); ++c)
      if (count[c] >= min_count && (into < 0 || count[c] < count[static_cast<std::size_t>(into)])) into = static_cast<int>(c);
    if (into >= 0) {
      share[static_cast<std::size_t>(into)] += share[static_cast<std::size_t>(pool)];
      share[static_cast<std::size_t>(pool)] = 0;
      for (int& t : to) if (t == pool) t = into;
      ++pooled;
    }
  }
  for (int& c : cat)
    if (c >= 0 && static_cast<std::size_t>(c) < to.size()) c = to[static_cast<std::size_t>(c)];
  return pooled;
}

}  // namespace eco::stats
