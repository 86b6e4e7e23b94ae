// Coverage of the indicators' 95% intervals, measured. For each synthetic population a
// pool of residents answers real sessions; their responses are written as JSON Lines
// and imported with import_jsonl (which validates them and works out the stored
// metrics). The pool is the population: each sample copies n of its metrics rows, with
// replacement, into a sample database and runs compute_indicators on it, and each
// interval is checked against the pool's true value (importing a response again would
// give the same row, so this is the import's result without paying for it 10^6 times). Prints, for each indicator and n, the share of intervals
// that hold the true value with its Monte Carlo standard error, the misses on each
// side, and the mean width; beside it the old method (t for 39, Taylor for 35) on the
// same samples. Not a unit test: README "Indicators" shows its output.
//   ecokiosk_coverage [--reps R] [--n 30,100,1000] [--pool P] [--seed S] [--design all|equal|raked]
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/storage/store_access.hpp"
#include "core/storage/demo_data.hpp"
#include "core/support/time.hpp"
#include "core/analysis/indicators.hpp"
#include "core/storage/interchange.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/survey/session.hpp"
#include "core/storage/sqlite.hpp"
#include "core/analysis/stats.hpp"
#include "core/storage/store.hpp"

using namespace eco;
namespace fs = std::filesystem;

namespace {

// Beta(a, b) from two gammas (Marsaglia–Tsang), enough for making populations.
double gamma_draw(double a, Rng& rng) {
  if (a < 1) return gamma_draw(a + 1, rng) * std::pow(rng.unit(), 1 / a);
  double d = a - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x, v;
    do {
      // Box–Muller normal
      double u1 = rng.unit(), u2 = rng.unit();
      x = std::sqrt(-2 * std::log(u1 + 1e-300)) * std::cos(6.283185307179586 * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    double u = rng.unit();
    if (u < 1 - 0.0331 * x * x * x * x || std::log(u + 1e-300) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}
double beta_draw(double a, double b, Rng& rng) {
  double x = gamma_draw(a, rng), y = gamma_draw(b, rng);
  return x / (x + y);
}

// A finite population of N people; samples are drawn with replacement (independent
// residents), so the target is the population's own figure.
struct Person {
  double ability = 0;   // 39: chance of knowing an item
  bool satisfied = false;
  int rating = 4;       // 40: overall rating value 1..5
  int trips = 0, green = 0;  // 35
  int age = 0, gender = 0, township = 0;  // indexes into kAges, kGenders, kTownships
};

// The adult age bands, two genders and four towns the weighted design uses. Older
// residents are a larger share of a service hall's visitors than of the district
// (kVisit: relative chance of being sampled), and answer differently (below), so an
// unweighted sample of them is biased and raking to the margins is what corrects it.
const char* const kAges[] = {"18_29", "30_44", "45_59", "60_69", "70p"};
const double kAgeShare[] = {0.20, 0.27, 0.28, 0.15, 0.10};
const double kVisit[] = {0.5, 0.7, 1.0, 1.8, 2.4};
const char* const kGenders[] = {"male", "female"};
const char* const kTownships[] = {"chengdong", "chengnan", "zhengyang", "lishui"};
const double kTownShare[] = {0.35, 0.30, 0.20, 0.15};

struct SynthPop {
  std::string name;
  std::vector<Person> people;
  double true39 = 0, true40 = 0, true35 = 0;
};

SynthPop make_population(const std::string& name, double ab_a, double ab_b, double p_sat, double green_base,
                           std::uint64_t seed) {
  SynthPop pop;
  pop.name = name;
  Rng rng(seed);
  const int N = 50000;
  double sa = 0, ss = 0, sg = 0, st = 0;
  for (int i = 0; i < N; ++i) {
    Person p;
    double u0 = rng.unit();
    while (p.age < 4 && u0 >= kAgeShare[p.age]) u0 -= kAgeShare[p.age++];
    p.gender = rng.unit() < 0.5 ? 0 : 1;
    double u1 = rng.unit();
    while (p.township < 3 && u1 >= kTownShare[p.township]) u1 -= kTownShare[p.township++];
    // Older residents know a little less, are more often satisfied and travel greener
    // (walk, bus); a town's residents a little differently again.
    double older = (p.age - 2) / 2.0;  // −1 .. +1
    p.ability = std::clamp(beta_draw(ab_a, ab_b, rng) - 0.06 * older, 0.0, 1.0);
    p.satisfied = rng.unit() < std::clamp(p_sat + 0.06 * older - 0.03 * p.township + 0.045, 0.0, 1.0);
    p.rating = p.satisfied ? (rng.unit() < 0.45 ? 5 : 4) : static_cast<int>(1 + rng.below(3));
    // Trips yesterday: many 2 (there and back), a long tail of busy people who drive more.
    double u = rng.unit();
    p.trips = u < 0.12 ? 0 : u < 0.55 ? 2 : u < 0.75 ? 1 + static_cast<int>(rng.below(4)) : 3 + static_cast<int>(rng.below(10));
    double share = beta_draw(1.2, 1.0, rng) * (green_base + 0.08 * older - 0.03 * std::min(p.trips, 10)) / 0.55;
    share = std::clamp(share, 0.0, 1.0);
    for (int t = 0; t < p.trips; ++t) p.green += rng.unit() < share;
    sa += p.ability;
    ss += p.satisfied;
    sg += p.green;
    st += p.trips;
    pop.people.push_back(p);
  }
  pop.true39 = 100 * sa / N;
  pop.true40 = 100 * ss / N;
  pop.true35 = 100 * sg / st;
  return pop;
}

void set_answer(Response& r, const std::string& qid, Answer a) {
  for (auto& [k, v] : r.answers)
    if (k == qid) { v = std::move(a); return; }
  r.answers.emplace_back(qid, std::move(a));
}

// One resident's response: a real session's answers, with the scored ones set from the person.
Response respond(const Questionnaire& q, const Person& p, Rng& rng, TimeMs start, double& score) {
  Response r = demo_response(q, rng.next(), start, "cov");
  // The person's own age band, gender and town (the weighted design rakes to them).
  set_answer(r, "age", Choice{kAges[p.age]});
  set_answer(r, "gender", Choice{kGenders[p.gender]});
  set_answer(r, "township", Choice{kTownships[p.township]});
  switch (q.scoring.method) {
    case ScoringMethod::satisfaction: {
      const Question* overall = q.find(q.scoring.overall);
      for (const auto& o : overall->options)
        if (o.value == p.rating) set_answer(r, overall->id, Choice{o.id});
      break;
    }
    case ScoringMethod::knowledge: {
      int correct = 0;
      for (const auto& id : r.drawn) {
        const Question* item = q.find(id);
        bool ok = rng.unit() < p.ability;
        correct += ok;
        std::string wrong;
        for (const auto& o : item->options)
          if (std::find(item->correct.begin(), item->correct.end(), o.id) == item->correct.end()) { wrong = o.id; break; }
        if (item->type == QuestionType::multiple)
          set_answer(r, id, ok ? Answer{ChoiceSet{item->correct}} : Answer{ChoiceSet{{wrong}}});
        else
          set_answer(r, id, Choice{ok ? item->correct.front() : wrong});
      }
      score = r.drawn.empty() ? 0 : 100.0 * correct / static_cast<double>(r.drawn.size());
      break;
    }
    case ScoringMethod::green_travel: {
      Counts c;
      int green = p.green, other = p.trips - p.green;
      // Spread over rows within each row's maximum (20).
      for (const char* row : {"walk", "bus", "bicycle", "ebike"}) {
        int k = std::min(green, 20);
        c.rows.emplace_back(row, k);
        green -= k;
      }
      for (const char* row : {"car", "taxi", "motorcycle", "other"}) {
        int k = std::min(other, 20);
        c.rows.emplace_back(row, k);
        other -= k;
      }
      set_answer(r, q.scoring.matrix, c);
      break;
    }
    case ScoringMethod::none: break;
  }
  return r;
}

struct Tally {
  long reps = 0, covered = 0, below = 0, above = 0, none = 0;
  double width = 0;
  void add(const std::optional<stats::Interval>& ci, double truth) {
    ++reps;
    if (!ci) { ++none; return; }
    width += ci->hi - ci->lo;
    if (truth < ci->lo - 1e-9) ++below;       // interval entirely above the truth
    else if (truth > ci->hi + 1e-9) ++above;  // entirely below it
    else ++covered;
  }
  void print(const char* what) const {
    double c = reps ? static_cast<double>(covered) / static_cast<double>(reps) : 0;
    double se = reps ? std::sqrt(c * (1 - c) / static_cast<double>(reps)) : 0;
    std::printf("  %-22s %6.1f%% ± %.1f   too high %4.1f%%  too low %4.1f%%  width %5.1f%s\n", what, 100 * c, 100 * se,
                100.0 * static_cast<double>(below) / static_cast<double>(reps),
                100.0 * static_cast<double>(above) / static_cast<double>(reps),
                reps - none ? width / static_cast<double>(reps - none) : 0.0, none ? "  (some without interval)" : "");
  }
};

// 40 is a share of respondents, so its interval's exact coverage at a share p and size n
// is a sum over the binomial's counts. At small n it jumps with p (Brown, Cai & DasGupta
// 2001, figure 5): the exact figure at the pool's share tells how much of a simulated
// row is that discreteness, and the mean over nearby shares how the method does.
double wilson_exact_coverage(int n, double p) {
  double c = 0;
  for (int k = 0; k <= n; ++k) {
    stats::Interval ci = stats::wilson_unit(static_cast<double>(k) / n, n);
    if (ci.lo <= p && p <= ci.hi)
      c += std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                    (n - k) * std::log1p(-p));
  }
  return c;
}

void print_exact_40(int n, double p) {
  double mean = 0;
  int m = 0;
  for (double q = std::max(0.01, p - 0.03); q <= std::min(0.99, p + 0.03) + 1e-12; q += 0.001, ++m)
    mean += wilson_exact_coverage(n, q);
  std::printf("     (exact, binomial)   %6.1f%% at p = %.3f; %.1f%% on average for p within ±0.03\n",
              100 * wilson_exact_coverage(n, p), p, 100 * mean / m);
}

}  // namespace

int main(int argc, char** argv) {
  long reps = 1000;
  std::vector<int> ns = {30, 100, 1000};
  std::uint64_t seed = 20191;
  int pool_size = 4000;
  std::string design = "all";  // all, equal (both populations sampled equally) or raked
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--design") && i + 1 < argc) design = argv[++i];
    else if (!std::strcmp(argv[i], "--pool") && i + 1 < argc) pool_size = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--n") && i + 1 < argc) {
      ns.clear();
      std::stringstream ss(argv[++i]);
      for (std::string t; std::getline(ss, t, ',');) ns.push_back(std::stoi(t));
    } else {
      std::fprintf(stderr, "usage: ecokiosk_coverage [--reps R] [--n 30,100,1000] [--pool P] [--seed S] [--design all|equal|raked]\n");
      return 2;
    }
  }
  if (design != "all" && design != "equal" && design != "raked") {
    std::fprintf(stderr, "--design is all, equal or raked, not %s\n", design.c_str());
    return 2;
  }
  QuestionnaireSet set = load_questionnaire_dir(std::string(ECOKIOSK_SOURCE_DIR) + "/questionnaires");
  const Questionnaire *qk = nullptr, *qs = nullptr, *qg = nullptr;
  for (const auto& q : set.list) {
    if (set.find(q.id) != &q) continue;
    if (q.scoring.method == ScoringMethod::knowledge) qk = &q;
    if (q.scoring.method == ScoringMethod::satisfaction) qs = &q;
    if (q.scoring.method == ScoringMethod::green_travel) qg = &q;
  }
  if (!qk || !qs || !qg) {
    std::fprintf(stderr, "questionnaires not found under %s\n", ECOKIOSK_SOURCE_DIR);
    return 1;
  }
  std::vector<SynthPop> pops = {
      make_population("typical (39 skewed near 80, 40 near 82%, 35 near 44%)", 4.0, 1.0, 0.82, 0.62, seed),
      make_population("near the ceiling (39 near 92, 40 near 95%, 35 near 63%)", 11.0, 1.0, 0.95, 0.85, seed + 1),
  };
  std::printf("coverage of 95%% intervals, %ld samples per row, seed %llu; ± is the Monte Carlo standard error\n", reps,
              static_cast<unsigned long long>(seed));
  double tpool = 0, tsample = 0;
  std::string dir = fs::temp_directory_path().string() + "/ecokiosk-coverage-" + std::to_string(::getpid());
  fs::create_directories(dir);
  struct Cleanup { std::string d; ~Cleanup() { std::error_code ec; fs::remove_all(d, ec); } } cleanup{dir};
  for (std::size_t pi = 0; pi < pops.size(); ++pi) {
    if (design == "raked" && pi > 0) break;  // the unequal design draws from the first only
    const SynthPop& pop = pops[pi];
    // Each population's pool and samples from their own stream: the same figures for a
    // population whatever --n lists.
    Rng rng(seed * 7919 + 1 + pi);
    // The pool: `pool` residents per questionnaire, each answering a real session,
    // written as JSON Lines and imported. Its realised answers are the population the
    // samples are drawn from (with replacement), so the true values are exact.
    auto t0 = std::chrono::steady_clock::now();
    std::string pool_path = dir + "/pool.db", rep_path = dir + "/sample.db";
    for (const char* ext : {"", "-wal", "-shm"}) { std::error_code ec; fs::remove(pool_path + ext, ec); fs::remove(rep_path + ext, ec); }
    double s39 = 0, s40 = 0, g35 = 0, t35 = 0;
    {
      Store pool(pool_path);
      std::string lines;
      TimeMs start = 1561000000000LL;
      for (int i = 0; i < pool_size; ++i) {
        // One person answers all three, so the three pools share their margins.
        const Person& p = pop.people[rng.below(pop.people.size())];
        for (const Questionnaire* q : {qk, qs, qg}) {
          double score = 0;
          Response r = respond(*q, p, rng, start, score);
          start += 3600000;  // an hour apart: never a duplicate burst
          lines += response_to_line(r);
          lines += '\n';
          if (q == qk) s39 += score;
          if (q == qs) s40 += p.satisfied ? 100 : 0;
          if (q == qg) { g35 += p.green; t35 += p.trips; }
        }
      }
      std::istringstream in(lines);
      ImportReport imp;
      import_jsonl(in, "coverage", pool, set, imp);
      if (imp.added() != 3 * pool_size) {
        std::fprintf(stderr, "import refused responses: %s\n", imp.problems.empty() ? "?" : imp.problems.front().c_str());
        return 1;
      }
    }
    double true39 = s39 / pool_size, true40 = s40 / pool_size, true35 = 100 * g35 / t35;
    fs::copy_file(pool_path, rep_path);
    // Each sample: n pool rows per questionnaire copied (with replacement) into the
    // sample database's metrics, then compute_indicators as `ecokiosk indicators` runs it.
    Store rep(rep_path);
    StoreAccess::db(rep).exec("PRAGMA foreign_keys=OFF");
    StoreAccess::db(rep).exec("DELETE FROM answers");
    StoreAccess::db(rep).exec("DELETE FROM responses");
    StoreAccess::db(rep).exec("ATTACH DATABASE '" + pool_path + "' AS pool");
    std::vector<std::int64_t> ids[3];
    struct Fig { double score, sat, trips, green; int age; };
    std::map<std::int64_t, Fig> fig;
    // The population margins for the weighted design: the pool's own age × gender and
    // town counts (the same for the three questionnaires, answered by the same people).
    Population margins;
    margins.source = "coverage pool";
    margins.margins.resize(2);
    margins.margins[0].dims = {"age", "gender"};
    margins.margins[1].dims = {"township"};
    {
      Stmt s(StoreAccess::db(rep),
             "SELECT response, method, score, satisfied, trips, green, age, gender, township FROM pool.response_metrics");
      while (s.step()) {
        int m = static_cast<int>(s.i64(1));
        if (m >= 1 && m <= 3) ids[m - 1].push_back(s.i64(0));
        const std::string& age = rep.label_text(s.i64(6));
        int ai = 0;
        while (ai < 4 && age != kAges[ai]) ++ai;
        fig[s.i64(0)] = {s.f64(2), static_cast<double>(s.i64(3)), static_cast<double>(s.i64(4)), static_cast<double>(s.i64(5)), ai};
        if (m == 1) {
          margins.margins[0].cells[age + "|" + rep.label_text(s.i64(7))] += 1;
          margins.margins[1].cells[rep.label_text(s.i64(8))] += 1;
        }
      }
    }
    Stmt ins(StoreAccess::db(rep), "INSERT INTO main.response_metrics SELECT ?1, method, questionnaire, version, kiosk, completed_at, "
                       "duration_s, visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, "
                       "fingerprint, outcomes FROM pool.response_metrics WHERE response = ?2");
    auto t1 = std::chrono::steady_clock::now();
    tpool += std::chrono::duration<double>(t1 - t0).count();
    std::printf("\npopulation %s: true 39 = %.2f, 40 = %.2f, 35 = %.2f (pool of %d responses each)\n", pop.name.c_str(),
                true39, true40, true35, pool_size);
    // One design: `reps` samples of n per questionnaire, drawn equally or (unequal) with
    // the chance kVisit of the person's age band, then compute_indicators as
    // `ecokiosk indicators` runs it (with the margins when weighted).
    auto run = [&](int n, bool unequal) {
      Tally t39, t40, t35, old39, old35, w39, w40, w35;
      IndicatorOptions opt;
      if (unequal) opt.population = &margins;
      for (long r = 0; r < reps; ++r) {
        StoreAccess::db(rep).exec("BEGIN");
        StoreAccess::db(rep).exec("DELETE FROM main.response_metrics");
        std::int64_t k = 1;
        double s = 0, ss = 0, sy = 0, sx = 0, syy = 0, sxx = 0, sxy = 0;
        for (int m = 0; m < 3; ++m)
          for (int i = 0; i < n; ++i) {
            std::int64_t id = ids[m][rng.below(ids[m].size())];
            while (unequal && rng.unit() * kVisit[4] >= kVisit[fig[id].age]) id = ids[m][rng.below(ids[m].size())];
            ins.bind(1, k++).bind(2, id);
            ins.run();
            const Fig& f = fig[id];
            if (m == 0) { s += f.score; ss += f.score * f.score; }
            if (m == 2) {
              sy += f.green; sx += f.trips; syy += f.green * f.green; sxx += f.trips * f.trips; sxy += f.green * f.trips;
            }
          }
        StoreAccess::db(rep).exec("COMMIT");
        IndicatorReport res = compute_indicators(rep, set, opt);
        for (const auto& ind : res.indicators) {
          Tally* t = ind.no == 39 ? &t39 : ind.no == 40 ? &t40 : &t35;
          Tally* w = ind.no == 39 ? &w39 : ind.no == 40 ? &w40 : &w35;
          double truth = ind.no == 39 ? true39 : ind.no == 40 ? true40 : true35;
          t->add(ind.est.ci, truth);
          if (ind.weighted) w->add(ind.weighted->est.ci, truth);
        }
        // The old intervals on the same samples.
        old39.add(stats::mean_t(n, s, ss).ci, true39);
        if (sx > 0) {
          auto rt = stats::ratio_taylor(n, sy, sx, syy, sxx, sxy);
          old35.add(stats::Interval{100 * rt.ci.lo, 100 * rt.ci.hi}, true35);
        }
      }
      std::printf(" n = %d\n", n);
      if (unequal) {
        w39.print("39 awareness, raked");
        t39.print("   (unweighted)");
        w40.print("40 satisfaction, raked");
        t40.print("   (unweighted)");
        w35.print("35 green travel, raked");
        t35.print("   (unweighted)");
      } else {
        t39.print("39 awareness");
        old39.print("   (old: t-interval)");
        t40.print("40 satisfaction");
        print_exact_40(n, true40 / 100);
        t35.print("35 green travel");
        old35.print("   (old: Taylor)");
      }
      std::fflush(stdout);
    };
    if (design != "raked")
      for (int n : ns) run(n, false);
    if (pi == 0 && design != "equal") {
      std::printf("\nthe same population sampled unequally (older residents 1.8-2.4 times as likely, younger 0.5-0.7),\n"
                  "raked to the pool's age x gender and town margins; beside it the unweighted interval\n");
      for (int n : ns) run(n, true);
    }
    tsample += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  std::printf("\ntime: pools made and imported %.1f s, samples %.1f s\n", tpool, tsample);
  return 0;
}
