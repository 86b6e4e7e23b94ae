// Survey statistics: confidence intervals, sample sizes, raking weights.
// Percentages in, percentages out (0..100) where the name says pct.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eco::stats {

inline constexpr double kZ95 = 1.959963984540054;  // standard normal 97.5% quantile

struct Interval {
  double lo = 0, hi = 0;
};

// Wilson score interval for k successes in n trials, as percentages. n > 0.
Interval wilson_pct(double k, double n, double z = kZ95);

// Student's t 97.5% quantile with df degrees of freedom (df >= 1).
double t975(double df);

// Mean with a t-interval from running sums of x and x² over n values (n >= 2; with
// n == 1 the interval is the point itself, as nothing better can be said).
struct MeanEstimate {
  double mean = 0, sd = 0;
  Interval ci;
};
MeanEstimate mean_t(double n, double sum, double sum_sq);

// Ratio estimator R = Σy / Σx over n clusters (respondents) with its linearized
// (Taylor) variance: V(R) = Σ(y_i − R x_i)² / (n (n−1) x̄²). Sums of y², x², xy
// make it computable in one pass. Interval uses t with n−1 df.
struct RatioEstimate {
  double ratio = 0, se = 0;
  Interval ci;
  double sd_linearized = 0;  // sd of (y − R x)/x̄, for sample-size planning
};
RatioEstimate ratio_taylor(double n, double sy, double sx, double syy, double sxx, double sxy);

// Respondents needed for a 95% interval half-width of `margin` (in the units of sd).
std::int64_t needed_n(double sd, double margin);

// Raking (iterative proportional fitting). cats[m][i] is respondent i's category in
// margin m (-1: unknown, left out of that margin's adjustment); targets[m][c] the
// population share of category c. Categories with no respondents are dropped and the
// remaining shares renormalized (reported in `notes`). Weights average 1.
struct RakeResult {
  std::vector<double> w;
  int iterations = 0;
  bool converged = false;
  double deff = 1;    // Kish: n Σw² / (Σw)²
  double n_eff = 0;   // (Σw)² / Σw²
  std::vector<int> empty_cells;  // per margin: population categories nobody answered
};
RakeResult rake(const std::vector<std::vector<int>>& cats, const std::vector<std::vector<double>>& targets,
                int max_iterations = 200, double tolerance = 1e-9);

// Kish's design effect and effective sample size of a set of weights.
void kish(const std::vector<double>& w, double& deff, double& n_eff);

}  // namespace eco::stats
