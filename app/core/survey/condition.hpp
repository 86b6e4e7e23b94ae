// show_if conditions: a small expression tree over earlier answers.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eco {

struct Condition {
  enum class Kind { equals, any_of, compare, answered, all, any, not_ };
  enum class Op { lt, le, gt, ge, eq, ne };
  Kind kind = Kind::answered;
  std::string question;             // leaf conditions
  std::string row;                  // compare on one row of a count matrix
  std::vector<std::string> values;  // equals (one) / any_of (several): option ids
  Op op = Op::eq;
  std::int64_t number = 0;          // compare, or equals on an integer question
  bool number_given = false;
  std::vector<Condition> children;  // all / any / not

  // Every question id the condition reads.
  void collect_questions(std::vector<std::string>& out) const;
};

}  // namespace eco

#include "core/survey/answer.hpp"

namespace eco {
// Looks up the current answer to a question; nullptr or monostate = unanswered.
using AnswerLookup = std::function<const Answer*(const std::string& question_id)>;

// An unanswered question satisfies no leaf condition except not(...) around it.
bool evaluate(const Condition& c, const AnswerLookup& lookup);
}  // namespace eco
