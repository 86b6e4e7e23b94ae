#include "core/survey/condition.hpp"

#include <algorithm>

namespace eco {

void Condition::collect_questions(std::vector<std::string>& out) const {
  if (!question.empty()) out.push_back(question);
  for (const auto& c : children) c.collect_questions(out);
}

namespace {
bool compare(std::int64_t lhs, Condition::Op op, std::int64_t rhs) {
  switch (op) {
    case Condition::Op::lt: return lhs < rhs;
    case Condition::Op::le: return lhs <= rhs;
    case Condition::Op::gt: return lhs > rhs;
    case Condition::Op::ge: return lhs >= rhs;
    case Condition::Op::eq: return lhs == rhs;
    case Condition::Op::ne: return lhs != rhs;
  }
  return false;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The number a comparison reads: an integer answer, a count-matrix row, or its total.
bool numeric_value(const Answer& a, const std::string& row, std::int64_t& out) {
  if (auto* i = std::get_if<std::int64_t>(&a)) { out = *i; return true; }
  if (auto* c = std::get_if<Counts>(&a)) {
    if (row.empty()) { out = counts_total(a); return true; }
    for (const auto& [id, n] : c->rows)
      if (id == row) { out = n; return true; }
    out = 0;  // a row left at its default counts as zero
    return true;
  }
  return false;
}
}  // namespace

bool evaluate(const Condition& c, const AnswerLookup& lookup) {
  using K = Condition::Kind;
  switch (c.kind) {
    case K::all:
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const Condition& k) { return evaluate(k, lookup); });
    case K::any:
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const Condition& k) { return evaluate(k, lookup); });
    case K::not_:
      return !c.children.empty() && !evaluate(c.children.front(), lookup);
    default: break;
  }
  const Answer* a = lookup(c.question);
  if (!a || !answered(*a)) return false;
  switch (c.kind) {
    case K::answered: return true;
    case K::equals:
    case K::any_of: {
      if (c.number_given) {
        std::int64_t v;
        return numeric_value(*a, c.row, v) && v == c.number;
      }
      if (auto* ch = std::get_if<Choice>(a)) return contains(c.values, ch->option);
      if (auto* set = std::get_if<ChoiceSet>(a)) {
        if (c.kind == K::equals) {  // equals on multiple choice: exactly that one option
          return set->options.size() == 1 && contains(c.values, set->options.front());
        }
        return std::any_of(set->options.begin(), set->options.end(),
                           [&](const std::string& o) { return contains(c.values, o); });
      }
      return false;
    }
    case K::compare: {
      std::int64_t v;
      return numeric_value(*a, c.row, v) && compare(v, c.op, c.number);
    }
    default: return false;
  }
}

}  // namespace eco
