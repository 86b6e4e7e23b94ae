#include "core/storage/demo_data.hpp"
#include "core/survey/metrics.hpp"
#include "core/support/time.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/survey/session.hpp"
#include "core/support/handoff.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/wal_copier.hpp"

namespace eco {

namespace {

// A stable per-question number in [0,1), so each item has its own "difficulty".
double item_bias(const std::string& id) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return static_cast<double>(h % 1000) / 1000.0;
}

template <class T>
const T& pick_weighted(const std::vector<T>& v, const std::vector<double>& w, Rng& rng) {
  double total = 0;
  for (double x : w) total += x;
  double r = rng.unit() * total;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (r < w[i]) return v[i];
    r -= w[i];
  }
  return v.back();
}

Answer make_answer(const Session& s, const Question& q, Rng& rng) {
  double bias = item_bias(q.id);
  switch (q.type) {
    case QuestionType::single: {
      if (q.from_bank) {  // knowledge: most residents know most facts; some items are harder
        if (rng.unit() < 0.62 + 0.33 * bias) return Choice{q.correct.front()};
      }
      // Earlier options a little more likely (age bands, common answers first).
      std::vector<const Option*> opts;
      std::vector<double> w;
      for (std::size_t i = 0; i < q.options.size(); ++i) {
        opts.push_back(&q.options[i]);
        w.push_back(1.0 + 0.5 * std::cos(static_cast<double>(i) + bias * 6.0));
      }
      return Choice{pick_weighted(opts, w, rng)->id};
    }
    case QuestionType::multiple: {
      if (q.from_bank && rng.unit() < 0.55 + 0.3 * bias) return ChoiceSet{q.correct};
      std::vector<std::string> ids;
      for (const auto* o : s.options_in_order(q))
        if (!o->exclusive) ids.push_back(o->id);
      Rng local(rng.next());
      local.shuffle(ids);
      std::int64_t lo = std::max<std::int64_t>(q.min, 1);
      std::int64_t hi = std::min<std::int64_t>(q.max, static_cast<std::int64_t>(ids.size()));
      std::int64_t n = lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
      ids.resize(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
      return ChoiceSet{ids};
    }
    case QuestionType::rating: {
      // Mostly positive, with items differing: the kind of spread a real survey shows.
      double shift = bias * 0.25;
      std::vector<double> w = {0.03 + shift * 0.2, 0.06 + shift * 0.3, 0.14 + shift * 0.4, 0.42, 0.35 - shift};
      std::vector<int> values = {1, 2, 3, 4, 5};
      int v = pick_weighted(values, w, rng);
      for (const auto& o : q.options)
        if (o.value == v) return Choice{o.id};
      return Choice{q.options.front().id};
    }
    case QuestionType::count_matrix: {
      // Trips yesterday: 0-6, spread over modes with typical shares for a small city.
      Counts c;
      int trips = static_cast<int>(rng.below(7));
      std::vector<double> w;
      for (std::size_t i = 0; i < q.rows.size(); ++i)
        w.push_back(i < 8 ? std::vector<double>{30, 5, 20, 20, 6, 14, 4, 1}[i] : 1.0);
      std::vector<std::size_t> idx(q.rows.size());
      for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::vector<int> n(q.rows.size(), 0);
      for (int t = 0; t < trips; ++t) n[pick_weighted(idx, w, rng)] += 1;
      for (std::size_t i = 0; i < q.rows.size(); ++i) c.rows.emplace_back(q.rows[i].id, std::min<int>(n[i], static_cast<int>(q.max)));
      return c;
    }
    case QuestionType::integer: {
      std::int64_t span = q.max - q.min;
      return q.min + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(std::min<std::int64_t>(span, 50) + 1)));
    }
    case QuestionType::text:
      return std::monostate{};  // residents rarely type; leave optional text empty
  }
  return std::monostate{};
}

}  // namespace

Answer first_valid_answer(const Question& q) {
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::rating: return Choice{q.options.front().id};
    case QuestionType::multiple: return ChoiceSet{{q.options.front().id}};
    case QuestionType::count_matrix: return Counts{};
    case QuestionType::integer: return q.min;
    case QuestionType::text: return std::monostate{};
  }
  return std::monostate{};
}

Response demo_response(const Questionnaire& q, std::uint64_t seed, TimeMs start, const std::string& kiosk) {
  Rng rng(seed);
  TimeMs clock = start;
  SessionOptions opts;
  opts.seed = rng.next();
  opts.kiosk = kiosk;
  opts.lang = rng.unit() < 0.9 ? "zh" : "en";
  opts.clock = [&clock] { return clock; };
  Session s(q, opts);
  for (int guard = 0; !s.at_end() && guard < 1000; ++guard) {
    const Question& cur = *s.current();
    if (!cur.required && rng.unit() < 0.3) {
      s.answer(std::monostate{});
    } else {
      s.answer(make_answer(s, cur, rng));
    }
    clock += 3000 + static_cast<TimeMs>(rng.below(12000));  // 3-15 s a question
    if (!s.next().ok()) {  // an optional multiple choice left too short: answer it
      s.answer(make_answer(s, cur, rng));
      s.next();
    }
  }
  return s.complete();
}

std::int64_t fill_demo_data(Store& store, const QuestionnaireSet& set, const DemoOptions& opts,
                            const std::function<void(std::int64_t)>& progress) {
  std::vector<const Questionnaire*> qs;
  std::vector<double> weight;
  for (const auto& q : set.list) {
    if (q.scoring.method == ScoringMethod::none || set.find(q.id) != &q) continue;  // newest scored versions
    qs.push_back(&q);
    weight.push_back(q.scoring.method == ScoringMethod::satisfaction ? 4 : q.scoring.method == ScoringMethod::knowledge ? 3.5 : 2.5);
    if (const std::string* e = set.expanded_json(q)) store.remember_definition(q, *e);
  }
  if (qs.empty() || opts.responses <= 0) return 0;
  // The log is copied into the file beside the next batch, not after each commit.
  WalCopier copier(StoreAccess::db(store));
  Rng rng(opts.seed);
  TimeMs end = opts.end ? opts.end : now_ms();
  TimeMs span = static_cast<TimeMs>(opts.days) * 86400000LL;
  // Every response's questionnaire, start and seed are drawn first (the same draws, in
  // the same order, as when each was saved as drawn), then the responses are made and
  // saved in time order: each batch then covers a few days, and its hourly answer
  // counts sum up in memory and are appended at the end of the table (keyed by hour
  // first), instead of being upserted all over it (two thirds of the time when random).
  struct Draw {
    TimeMs start;
    std::uint64_t seed;
    const Questionnaire* q;
  };
  // Drawn a chunk at a time, so a hundred million responses do not need gigabytes of draws.
  constexpr std::int64_t kChunk = 250000;
  std::vector<Draw> draws;
  std::int64_t done = 0;
  while (done < opts.responses) {
    draws.clear();
    for (std::int64_t i = done; i < opts.responses && i < done + kChunk; ++i) {
      const Questionnaire* q = pick_weighted(qs, weight, rng);
      // Service-hall hours: 08:30-17:30 China time (00:30-09:30 UTC).
      TimeMs day = end - span + static_cast<TimeMs>(rng.below(static_cast<std::uint64_t>(opts.days))) * 86400000LL;
      day -= day % 86400000LL;
      TimeMs start = day + 1800000LL + static_cast<TimeMs>(rng.below(9 * 3600000ULL));
      draws.push_back({start, rng.next(), q});
    }
    std::stable_sort(draws.begin(), draws.end(), [](const Draw& a, const Draw& b) { return a.start < b.start; });
    // The responses (a session each) and their metrics are made on a second thread
    // while this one saves them, in the same order (issue 20: a quarter of the time).
    struct Made {
      Response r;
      std::optional<ResponseMetrics> m;
    };
    Handoff<std::vector<Made>> queue(8);
    Spent<std::vector<Made>> spent;  // saved parts, freed on the making thread
    std::exception_ptr failure;
    std::thread maker([&] {
      try {
        std::vector<Made> part;
        for (const Draw& d : draws) {
          Made& m = part.emplace_back();
          m.r = demo_response(*d.q, d.seed, d.start, opts.kiosk);
          m.m = compute_metrics(*d.q, m.r);
          if (part.size() >= 256) {
            if (!queue.put(std::move(part))) return;
            spent.drop();
          }
        }
        if (!part.empty()) queue.put(std::move(part));
      } catch (...) {
        failure = std::current_exception();
      }
      queue.close();
    });
    StopAndJoin<std::vector<Made>> join{queue, maker};
    std::vector<Made> part;
    std::size_t at = 0;
    for (std::size_t next = 0; next < draws.size();) {
      store.batch([&] {
        for (int i = 0; i < 5000 && next < draws.size(); ++i, ++next, ++done) {
          if (at == part.size()) {
            spent.give(std::move(part));
            at = 0;
            if (!queue.take(part)) {
              if (failure) std::rethrow_exception(failure);
              throw std::logic_error("demo responses ended early");
            }
          }
          const Made& m = part[at++];
          store.save(m.r, m.m);
        }
      }, Store::BatchFailure::whole_only);  // a failed save ends the fill
      copier.committed();
      copier.settle();
      if (progress) progress(done);
    }
  }
  return done;
}

}  // namespace eco
