// Statistics checked against values worked out by hand (and with R/Python once).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/analysis/stats.hpp"

using namespace eco::stats;
using doctest::Approx;

static double r1(double v) { return std::round(v * 10) / 10; }

TEST_CASE("Wilson score interval") {
  Interval w = wilson_pct(8, 10);
  CHECK(r1(w.lo) == 49.0);
  CHECK(r1(w.hi) == 94.3);
  Interval all = wilson_pct(10, 10);  // all satisfied: the interval still has width
  CHECK(r1(all.lo) == 72.2);
  CHECK(all.hi == Approx(100));
  Interval none = wilson_pct(0, 10);
  CHECK(none.lo == Approx(0));
  CHECK(r1(none.hi) == 27.8);
}

TEST_CASE("Student t quantiles") {
  CHECK(t975(1) == Approx(12.7062).epsilon(1e-5));
  CHECK(t975(4) == Approx(2.776445).epsilon(1e-6));
  CHECK(t975(9) == Approx(2.262157).epsilon(1e-6));
  CHECK(t975(1e6) == Approx(kZ95).epsilon(1e-5));
}

TEST_CASE("t-interval on a mean") {
  // 70, 80, 90, 100, 60: mean 80, sd 15.811, t(4) 2.776 -> 80 ± 19.63.
  double xs[] = {70, 80, 90, 100, 60}, s = 0, ss = 0;
  for (double x : xs) { s += x; ss += x * x; }
  MeanEstimate m = mean_t(5, s, ss);
  CHECK(m.mean == Approx(80));
  CHECK(m.sd == Approx(15.8114).epsilon(1e-4));
  CHECK(r1(m.ci.lo) == 60.4);
  CHECK(r1(m.ci.hi) == 99.6);
  MeanEstimate one = mean_t(1, 70, 4900);  // a single respondent: no spread to estimate
  CHECK(one.ci.lo == Approx(70));
  CHECK(one.ci.hi == Approx(70));
}

TEST_CASE("ratio estimator with Taylor linearization") {
  // (green, all) trips of ten respondents; R = 18/28.
  int d[][2] = {{2, 4}, {1, 1}, {0, 3}, {3, 3}, {4, 5}, {2, 2}, {1, 2}, {3, 4}, {0, 2}, {2, 2}};
  double sy = 0, sx = 0, syy = 0, sxx = 0, sxy = 0;
  for (auto& p : d) {
    sy += p[0]; sx += p[1]; syy += p[0] * p[0]; sxx += p[1] * p[1]; sxy += p[0] * p[1];
  }
  RatioEstimate e = ratio_taylor(10, sy, sx, syy, sxx, sxy);
  CHECK(e.ratio == Approx(18.0 / 28));
  CHECK(e.se == Approx(0.1121676).epsilon(1e-6));
  CHECK(r1(100 * e.ci.lo) == 38.9);
  CHECK(r1(100 * e.ci.hi) == 89.7);
  CHECK(needed_n(100 * e.sd_linearized, 3) == 538);
}

TEST_CASE("sample size for a margin") {
  // p = 0.5: sd 50 points; ±3 points needs 1068 (the textbook 1067.1 rounded up).
  CHECK(needed_n(50, 3) == 1068);
  CHECK(needed_n(0, 3) == 0);
}

TEST_CASE("raking leaves a sample that already matches the population unchanged") {
  // Two margins; the sample is balanced: shares 1/2 and 1/2 in each.
  std::vector<std::vector<int>> cats = {{0, 0, 1, 1}, {0, 1, 0, 1}};
  RakeResult r = rake(cats, {{0.5, 0.5}, {0.5, 0.5}});
  CHECK(r.converged);
  for (double w : r.w) CHECK(w == Approx(1));
  CHECK(r.deff == Approx(1));
  CHECK(r.n_eff == Approx(4));
}

TEST_CASE("raking matches both margins and reports the design effect") {
  // Sample: 3 of A, 1 of B in margin 1; margin 2 split 2/2. Population: 50/50 and 30/70.
  std::vector<std::vector<int>> cats = {{0, 0, 0, 1}, {0, 1, 0, 1}};
  RakeResult r = rake(cats, {{0.5, 0.5}, {0.3, 0.7}});
  CHECK(r.converged);
  double a = 0, b = 0, c0 = 0, c1 = 0, sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    (cats[0][i] == 0 ? a : b) += r.w[i];
    (cats[1][i] == 0 ? c0 : c1) += r.w[i];
    sum += r.w[i];
  }
  CHECK(sum == Approx(4));
  CHECK(a / sum == Approx(0.5));
  CHECK(c0 / sum == Approx(0.3));
  double deff, neff;
  kish(r.w, deff, neff);
  CHECK(deff > 1);
  CHECK(r.deff == Approx(deff));
  CHECK(neff == Approx(4 / deff));
}

TEST_CASE("raking with a population cell nobody answered renormalizes the rest") {
  std::vector<std::vector<int>> cats = {{0, 0, 1}};
  RakeResult r = rake(cats, {{0.25, 0.25, 0.5}});  // category 2: no respondents
  CHECK(r.empty_cells[0] == 1);
  CHECK(r.w[0] + r.w[1] == Approx(r.w[2]));  // 0.25 : 0.25 renormalized to 1/2 : 1/2
  // Unknown categories (-1) are left out of that margin's adjustment.
  RakeResult u = rake({{0, -1, 1, 1}}, {{0.5, 0.5}});
  CHECK(u.converged);
  CHECK(u.w[0] == Approx(u.w[2] + u.w[3]));
}

TEST_CASE("sparse raking cells: 0-2 respondents are pooled, shares kept, and a lone respondent no longer carries a cell") {
  // Categories 0 and 1 have 4 and 3 respondents, 2 has one, 3 has none: 2 and 3 pool
  // into one cell of 1 respondent holding 0.1 + 0.2, still short, so it joins the
  // smallest full cell (1).
  std::vector<int> cat = {0, 0, 0, 0, 1, 1, 1, 2, -1};
  std::vector<double> share = {0.4, 0.3, 0.1, 0.2};
  CHECK(pool_sparse_categories(cat, share, 3) == 2);
  CHECK(cat == std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, -1});  // the unknown stays unknown
  CHECK(share[0] == Approx(0.4));
  CHECK(share[1] == Approx(0.6));
  CHECK(share[2] + share[3] == Approx(0));
  // Raked on the pooled margin, the lone respondent weighs like the three it joined,
  // not 0.1 of the population alone (which made its weight swing with one person).
  RakeResult r = rake({cat}, {share});
  CHECK(r.w[7] == Approx(r.w[4]));
  // Two sparse cells that together reach the minimum stay one pooled cell of their own.
  std::vector<int> c2 = {0, 0, 0, 1, 1, 2};
  std::vector<double> s2 = {0.5, 0.3, 0.2};
  CHECK(pool_sparse_categories(c2, s2, 3) == 1);
  CHECK(c2 == std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(s2[1] == Approx(0.5));
  // Nothing sparse: unchanged. n = 0, 1, 2: everything pools into one cell (no
  // adjustment left, the margin says nothing with so few), never a crash.
  std::vector<int> c3 = {0, 0, 0, 1, 1, 1};
  std::vector<double> s3 = {0.5, 0.5};
  CHECK(pool_sparse_categories(c3, s3, 3) == 0);
  CHECK(c3 == std::vector<int>{0, 0, 0, 1, 1, 1});
  for (int n : {0, 1, 2}) {
    std::vector<int> c(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) c[static_cast<std::size_t>(i)] = i;
    std::vector<double> s = {0.25, 0.25, 0.5};
    pool_sparse_categories(c, s, 3);
    for (int v : c) CHECK(v == c.front());
    CHECK(s[0] + s[1] + s[2] == Approx(1));
    RakeResult rn = rake({c}, {s});
    for (double w : rn.w) CHECK(w == Approx(1));
  }
}

TEST_CASE("clustered Wilson: none below two respondents, the trials' Wilson at zero variance") {
  CHECK_FALSE(wilson_clustered(0.7, 0.01, 1, 10).ci);
  CHECK_FALSE(wilson_clustered(0.7, 0.01, 0, 0).ci);
  // v = 0 with p = 1: Wilson on the 300 trials, t(29).
  ClusteredInterval z = wilson_clustered(1.0, 0, 30, 300);
  REQUIRE(z.ci);
  CHECK(z.n_eff == Approx(300));
  double t = t975(29);
  CHECK(z.ci->lo == Approx(300 / (300 + t * t)));
  CHECK(z.ci->hi == Approx(1));
  // n_eff = p(1−p)/v, capped at the trials.
  ClusteredInterval c = wilson_clustered(0.8, 0.16 / 50, 20, 200);
  CHECK(c.n_eff == Approx(50));
  CHECK(wilson_clustered(0.8, 0.16 / 5000, 20, 200).n_eff == Approx(200));
  // Always within [0, 1], also when the variance is huge at n = 2.
  ClusteredInterval w = wilson_clustered(0.5, 0.25, 2, 20);
  CHECK(w.ci->lo >= 0);
  CHECK(w.ci->hi <= 1);
}

TEST_CASE("Wilson at an effective n equals the textbook Wilson at the same n") {
  Interval a = wilson_pct(8, 10);
  Interval b = wilson_unit(0.8, 10);
  CHECK(100 * b.lo == Approx(a.lo));
  CHECK(100 * b.hi == Approx(a.hi));
}

TEST_CASE("planning sd: p = 0.5 without an interval, else the bound nearest 0.5") {
  CHECK(planning_sd_pct(std::nullopt) == Approx(50));
  CHECK(planning_sd_pct(Interval{0.3, 0.9}) == Approx(50));
  CHECK(planning_sd_pct(Interval{0.9, 1.0}) == Approx(100 * std::sqrt(0.09)));
  CHECK(planning_sd_pct(Interval{0.0, 0.2}) == Approx(40));
  CHECK(needed_n(planning_sd_pct(std::nullopt), 3) == 1068);
}

TEST_CASE("calibrated variance: the textbook linearization without margins, smaller when a margin explains y") {
  // Ratio of (green, all) trips, unit weights: n/(n−1) Σ(y − R x)² / (Σx)².
  std::vector<double> y = {2, 1, 0, 3, 4, 2}, x = {4, 1, 3, 3, 5, 2}, w(6, 1.0);
  double R = 12.0 / 18, ss = 0;
  for (int i = 0; i < 6; ++i) ss += (y[i] - R * x[i]) * (y[i] - R * x[i]);
  CHECK(calibrated_ratio_variance(y, x, w, {}) == Approx(6.0 / 5 * ss / (18.0 * 18)));
  // A 0/1 outcome fully explained by a raking margin has no variance left.
  std::vector<double> s = {1, 1, 1, 0, 0, 0}, one(6, 1.0);
  CHECK(calibrated_ratio_variance(s, one, w, {{0, 0, 0, 1, 1, 1}}) == Approx(0).epsilon(1e-9));
  // Partly explained: between zero and the plain variance.
  std::vector<double> s2 = {1, 1, 0, 0, 0, 1};
  double plain = calibrated_ratio_variance(s2, one, w, {});
  double cal = calibrated_ratio_variance(s2, one, w, {{0, 0, 0, 1, 1, 1}});
  CHECK(cal < plain);
  CHECK(cal > 0);
  // Respondents outside a margin (−1) keep their residual.
  CHECK(calibrated_ratio_variance(s, one, w, {{0, 0, -1, 1, 1, 1}}) > 0);
}

TEST_CASE("ratio bootstrap-t: deterministic, order-free, honest at the edges") {
  std::vector<std::pair<double, double>> d = {{1, 2}, {2, 2}, {0, 3}, {3, 3}, {4, 5}, {2, 2}, {1, 2}, {3, 4}, {0, 2}, {2, 2}};
  auto a = ratio_bootstrap_t(d);
  REQUIRE(a);
  // The same data in another order (a database scan may return rows in any order).
  std::vector<std::pair<double, double>> rev(d.rbegin(), d.rend());
  auto b = ratio_bootstrap_t(rev);
  REQUIRE(b);
  CHECK(a->lo == b->lo);
  CHECK(a->hi == b->hi);
  double r = 18.0 / 27;
  CHECK(a->lo < r);
  CHECK(a->hi > r);
  CHECK(a->lo >= 0);
  CHECK(a->hi <= 1);
  // Nothing to resample from: n < 2, no spread at all (everyone's trips all green), no trips.
  CHECK_FALSE(ratio_bootstrap_t({{2, 2}}));
  CHECK_FALSE(ratio_bootstrap_t({{2, 2}, {1, 1}, {3, 3}}));
  CHECK_FALSE(ratio_bootstrap_t({{0, 0}, {0, 0}}));
  // Two respondents with different shares: half the resamples repeat one of them, with
  // no spread and a different ratio, so the interval is everything there is.
  auto two = ratio_bootstrap_t({{0, 2}, {2, 2}});
  REQUIRE(two);
  CHECK(two->lo == 0);
  CHECK(two->hi == 1);
}

TEST_CASE("ratio bootstrap-t follows the skew a busy traveller gives a small sample") {
  // 19 residents with 2 trips, all green; one driver with 12 trips, none green. R = 38/50.
  std::vector<std::pair<double, double>> d(19, {2, 2});
  d.emplace_back(0, 12);
  auto bt = ratio_bootstrap_t(d);
  REQUIRE(bt);
  double r = 38.0 / 50;
  // The sampling distribution is skewed: a sample without the driver shows 100%, one with
  // him twice far less; the interval is asymmetric around R, unlike R ± t·se.
  double below = r - bt->lo, above = bt->hi - r;
  CHECK(std::abs(below - above) > 0.02);
  CHECK(bt->hi <= 1);
}
