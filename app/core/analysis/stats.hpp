// Survey statistics: confidence intervals, sample sizes, raking weights.
// Percentages in, percentages out (0..100) where the name says pct.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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

// Respondents needed for a 95% interval half-width of `margin` (in the units of sd):
// n = (z · sd / margin)², z = kZ95 = 1.959964, rounded up.
std::int64_t needed_n(double sd, double margin);

// Wilson score interval for a proportion p in [0,1] at a (possibly fractional) effective
// number of trials, in [0,1]. With n_eff = n and z = 1.96 it is the textbook Wilson.
Interval wilson_unit(double p, double n_eff, double z = kZ95);

// A clustered proportion (a mean score in [0,1], green trips over all trips) from n
// respondents whose estimate p has the linearized variance v, and which rests on
// `trials` item answers or trips. Interval: Wilson at the effective number of trials
// n_eff = p(1−p)/v (Kish's n over the design effect), never more than `trials`, with
// the t quantile on n−1 df (Korn & Graubard 1998; Dean & Pagano 2015). The cap keeps
// it honest when v is 0 (everyone scored the same, one traveller, all green): it is
// then the Wilson interval on the item answers or trips themselves. nullopt for n < 2,
// where a variance has no degrees of freedom.
struct ClusteredInterval {
  std::optional<Interval> ci;  // in [0,1]
  double n_eff = 0;
};
// df: the variance's degrees of freedom (default n − 1).
ClusteredInterval wilson_clustered(double p, double v, double n, double trials, double df = 0);

// The sd to plan a sample with (Cochran, Sampling Techniques, §4.4): the p in the
// interval nearest 0.5 (0.5 itself with no interval), so the need is not
// understated by an estimate that happens to sit near 0 or 1. Per-respondent units
// (percentage points).
double planning_sd_pct(const std::optional<Interval>& ci01);

// Calibration-aware linearized variance of a weighted ratio Σw y / Σw x after raking
// (Deville & Särndal 1992): the linearized values z_i = (y_i − R x_i) / x̄_w are
// regressed on the raking margins' category indicators (weighted least squares by
// backfitting, as raking itself iterates over margins), and the residuals' weighted
// spread gives the variance, n/(n−1) Σ w² e² / (Σw)². Without margins it is the usual
// linearization. cats as for rake().
double calibrated_ratio_variance(const std::vector<double>& y, const std::vector<double>& x,
                                 const std::vector<double>& w, const std::vector<std::vector<int>>& cats);

// The number of parameters the calibration residuals above are fitted with: the mean,
// plus one per answered category of each margin less one (the categories of a margin
// sum to everyone). Their residuals have n − this many degrees of freedom.
double calibration_parameters(const std::vector<std::vector<int>>& cats);

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

// Studentised (bootstrap-t) interval for a ratio Σy / Σx over respondents (Efron &
// Tibshirani 1993, §12.5; Davison & Hinkley 1997, §5.2): B resamples of the n (y, x)
// pairs, each giving t* = (R* − R) / se*(R*) with the linearized se; the interval is
// [R − t*₉₇.₅ se, R − t*₂.₅ se]. It follows the skew a few busy travellers give a small
// sample's ratio, which a symmetric linearized interval misses on one side. The pairs
// are sorted and the generator seeded with a constant, so the same data always give the
// same interval. Resamples without a trip are skipped (the estimate exists only with
// trips); a resample without spread counts as t* = 0 when it reproduces R and ±∞
// otherwise (so the interval widens rather than claim precision). nullopt for n < 2 or
// a sample without spread (the caller falls back to a trials-bounded interval). In [0, 1].
std::optional<Interval> ratio_bootstrap_t(std::vector<std::pair<double, double>> yx, int resamples = 1999);

// Delete-one jackknife variance of the raked ratio Σw y / Σw x: each respondent left out
// in turn, the rest raked again to the same margins (rake() below), the ratio
// recomputed; v = (n−1)/n Σ (R₍ᵢ₎ − R̄)² (Valliant, Dever & Kreuter 2018, §15.4). Unlike
// the linearization it sees how much a respondent alone in a population cell moves the
// estimate through the weights (their calibration residual is 0). n² work: for small
// samples. 0 for n < 2.
double jackknife_raked_variance(const std::vector<double>& y, const std::vector<double>& x,
                                const std::vector<std::vector<int>>& cats,
                                const std::vector<std::vector<double>>& targets);

// Pools a margin's sparse categories before raking: every category with fewer than
// min_count respondents (none at all included) joins one pooled category holding their
// summed population share, and a pool still short of min_count joins the smallest
// category that is not. A category of one or two respondents would otherwise carry its
// whole population share alone: their weights, and the jackknife that leaves them out,
// swing with one person (Kalton & Flores-Cervantes 2003, §4, on collapsing cells).
// cat: each respondent's category (-1 unknown), share: the population shares; both
// rewritten in place. Returns how many categories were pooled away.
int pool_sparse_categories(std::vector<int>& cat, std::vector<double>& share, int min_count);

// Kish's design effect and effective sample size of a set of weights.
void kish(const std::vector<double>& w, double& deff, double& n_eff);

}  // namespace eco::stats
