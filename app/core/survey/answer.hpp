// An answer to one question, and the check of an answer against its question.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace eco {

struct Question;

struct Choice { std::string option; };                  // single choice, rating
struct ChoiceSet { std::vector<std::string> options; }; // multiple choice, in selection order
struct Counts { std::vector<std::pair<std::string, int>> rows; };  // count matrix, row order
struct Text { std::string value; };

// std::monostate means "not answered".
using Answer = std::variant<std::monostate, Choice, ChoiceSet, std::int64_t, Counts, Text>;

inline bool answered(const Answer& a) { return !std::holds_alternative<std::monostate>(a); }

// Why an answer cannot be accepted. The UI turns the code into localized words
// (i18n key "validation.<code>") with min/max filled in.
enum class AnswerStatus {
  ok,
  required,         // required but empty
  wrong_type,       // e.g. a number given to a choice question
  unknown_option,   // not one of the question's options / rows
  too_few,          // fewer selections than min
  too_many,         // more selections than max
  out_of_range,     // integer or count outside min..max
  too_long,         // text over max_length code points
  invalid_text,     // text that is not valid UTF-8 or holds control characters
};

const char* status_code(AnswerStatus s);
// The last code: tests walk ok..kLastAnswerStatus (keep it last when adding one).
inline constexpr AnswerStatus kLastAnswerStatus = AnswerStatus::invalid_text;

struct AnswerCheck {
  AnswerStatus status = AnswerStatus::ok;
  std::int64_t min = 0, max = 0;  // the bound that was broken, for the message
  std::string detail;             // e.g. the unknown option id
  bool ok() const { return status == AnswerStatus::ok; }
};

// Checks the shape and ranges of a non-empty answer. "Required" is the session's
// concern, since whether a question is shown depends on other answers.
AnswerCheck check_answer(const Question& q, const Answer& a);

// Sum of a count matrix's rows (0 when not a count matrix).
std::int64_t counts_total(const Answer& a);

}  // namespace eco

namespace eco {
// Puts an answer in its canonical form: a count matrix lists every row in the
// question's order (missing rows are 0); an empty multiple choice is "not answered".
void normalize_answer(const Question& q, Answer& a);
}  // namespace eco
