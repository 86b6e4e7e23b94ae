#include "core/stats.hpp"

#include <algorithm>
#include <cmath>

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
