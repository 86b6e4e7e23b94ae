#include "core/analysis/question_tally.hpp"

#include <variant>

namespace eco {

namespace {

// Options are a handful (31 at most, the townships): a scan beats hashing.
std::size_t position_of(const std::vector<Option>& opts, const std::string& id) {
  for (std::size_t i = 0; i < opts.size(); ++i)
    if (opts[i].id == id) return i;
  return opts.size();
}

}  // namespace

QuestionTally::QuestionTally(const Questionnaire& q) : q_(&q), per_(q.questions.size()) {
  for (std::size_t i = 0; i < q.questions.size(); ++i) {
    const Question& qu = q.questions[i];
    index_.emplace(qu.id, i);
    per_[i].n.assign(qu.type == QuestionType::count_matrix ? qu.rows.size() : qu.options.size(), 0);
  }
}

void QuestionTally::add(const Response& r) {
  const auto& qs = q_->questions;
  for (const auto& [qid, ans] : r.answers) {
    std::size_t i = next_;
    if (i >= qs.size() || qs[i].id != qid) {
      auto it = index_.find(qid);
      if (it == index_.end()) continue;  // a bank item, or a question this version lacks
      i = it->second;
    }
    next_ = i + 1;
    const Question& qu = qs[i];
    PerQuestion& p = per_[i];
    ++p.answered;  // as the hourly counts: every answer kept is a respondent
    const auto& opts = qu.type == QuestionType::count_matrix ? qu.rows : qu.options;
    if (const auto* c = std::get_if<Choice>(&ans)) {
      if (std::size_t k = position_of(opts, c->option); k < opts.size()) ++p.n[k];
    } else if (const auto* s = std::get_if<ChoiceSet>(&ans)) {
      for (const auto& o : s->options)
        if (std::size_t k = position_of(opts, o); k < opts.size()) ++p.n[k];
    } else if (const auto* v = std::get_if<std::int64_t>(&ans)) {
      ++p.values;
      p.sum += *v;
    } else if (const auto* cnt = std::get_if<Counts>(&ans)) {
      for (const auto& [row, trips] : cnt->rows)
        if (std::size_t k = position_of(opts, row); k < opts.size()) p.n[k] += trips;
    }
  }
  next_ = 0;
}

std::vector<QuestionDist> QuestionTally::results() const {
  std::vector<QuestionDist> out;
  out.reserve(per_.size());
  for (std::size_t i = 0; i < per_.size(); ++i) {
    const Question& qu = q_->questions[i];
    const PerQuestion& p = per_[i];
    QuestionDist d;
    d.question = qu.id;
    d.answered = p.answered;
    const auto& opts = qu.type == QuestionType::count_matrix ? qu.rows : qu.options;
    for (std::size_t k = 0; k < opts.size(); ++k) d.counts.push_back({opts[k].id, p.n[k]});
    if (qu.type == QuestionType::integer && p.values > 0)
      d.mean = static_cast<double>(p.sum) / static_cast<double>(p.values);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace eco
