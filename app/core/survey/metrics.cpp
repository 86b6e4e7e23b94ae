#include "core/survey/metrics.hpp"

#include <algorithm>

#include "core/survey/scoring.hpp"

namespace eco {

namespace {

std::string choice_of(const Response& r, const char* qid) {
  if (const Answer* a = r.find(qid))
    if (auto* c = std::get_if<Choice>(a)) return c->option;
  return "";
}

// FNV-1a over the answers' canonical text: stable across runs and machines.
struct Fnv {
  std::uint64_t h = 1469598103934665603ULL;
  void add(std::string_view s) {
    for (unsigned char c : s) { h ^= c; h *= 1099511628211ULL; }
    h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  }
};

std::uint64_t fingerprint_of(const Response& r) {
  Fnv f;
  f.add(r.questionnaire);
  for (const auto& d : r.drawn) f.add(d);
  for (const auto& [qid, a] : r.answers) {
    f.add(qid);
    if (auto* c = std::get_if<Choice>(&a)) f.add(c->option);
    else if (auto* s = std::get_if<ChoiceSet>(&a)) for (const auto& o : s->options) f.add(o);
    else if (auto* i = std::get_if<std::int64_t>(&a)) f.add(std::to_string(*i));
    else if (auto* cn = std::get_if<Counts>(&a))
      for (const auto& [row, n] : cn->rows) { f.add(row); f.add(std::to_string(n)); }
    else if (auto* t = std::get_if<Text>(&a)) f.add(t->value);
  }
  return f.h & 0x7fffffffffffffffULL;  // fits SQLite's signed integer
}

}  // namespace

int longest_same_rating_run(const Questionnaire& q, const Response& r) {
  int best = 0, run = 0;
  std::string last;
  for (const auto& [qid, a] : r.answers) {
    const Question* qu = q.find(qid);
    if (!qu || qu->type != QuestionType::rating) continue;
    auto* c = std::get_if<Choice>(&a);
    if (!c) continue;
    run = (run > 0 && c->option == last) ? run + 1 : 1;
    last = c->option;
    best = std::max(best, run);
  }
  return best;
}

std::optional<ResponseMetrics> metrics_of(const Questionnaire* q, const Response& r) {
  if (!q) return std::nullopt;
  return compute_metrics(*q, r);
}

ResponseMetrics compute_metrics(const Questionnaire& q, const Response& r) {
  ResponseMetrics m;
  m.method = q.scoring.method;
  m.age = choice_of(r, kAgeQuestion);
  m.gender = choice_of(r, kGenderQuestion);
  m.township = choice_of(r, kTownshipQuestion);
  m.fingerprint = fingerprint_of(r);
  if (longest_same_rating_run(q, r) >= kStraightLineRun) m.flags |= kFlagStraightLining;
  const Scoring& s = q.scoring;
  switch (s.method) {
    case ScoringMethod::knowledge: {
      for (const auto& id : r.drawn) {
        const Question* item = q.find(id);
        if (!item) continue;
        const Answer* a = r.find(id);
        bool ok = a && knowledge_correct(*item, *a);
        ++m.drawn;
        m.correct += ok;
        m.outcomes.emplace_back(id, ok ? 1 : 0);
      }
      m.score = m.drawn ? 100.0 * m.correct / m.drawn : 0;
      break;
    }
    case ScoringMethod::satisfaction: {
      auto is_satisfied = [&](const std::string& opt) {
        return std::find(s.satisfied.begin(), s.satisfied.end(), opt) != s.satisfied.end();
      };
      std::string overall = choice_of(r, s.overall.c_str());
      m.satisfied = is_satisfied(overall);
      if (auto it = s.option_score.find(overall); it != s.option_score.end()) m.score = it->second;
      for (const auto& item : s.items) {
        std::string opt = choice_of(r, item.c_str());
        const Question* qu = q.find(item);
        const Option* o = qu ? qu->find_option(opt) : nullptr;
        if (!o) continue;  // optional item left blank: not counted for that item
        m.outcomes.emplace_back(item, o->value + (is_satisfied(opt) ? 128 : 0));
      }
      break;
    }
    case ScoringMethod::green_travel: {
      if (const Answer* a = r.find(s.matrix))
        if (auto* c = std::get_if<Counts>(a))
          for (const auto& [row, n] : c->rows) {
            m.trips += n;
            if (std::find(s.green.begin(), s.green.end(), row) != s.green.end()) m.green += n;
            if (n > 0) m.outcomes.emplace_back(row, n);
          }
      break;
    }
    case ScoringMethod::none: break;
  }
  return m;
}

}  // namespace eco
