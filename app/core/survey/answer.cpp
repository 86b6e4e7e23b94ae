#include "core/survey/answer.hpp"

#include <algorithm>

#include "core/survey/questionnaire.hpp"
#include "core/support/text.hpp"

namespace eco {

const char* status_code(AnswerStatus s) {
  switch (s) {
    case AnswerStatus::ok: return "ok";
    case AnswerStatus::required: return "required";
    case AnswerStatus::wrong_type: return "wrong_type";
    case AnswerStatus::unknown_option: return "unknown_option";
    case AnswerStatus::too_few: return "too_few";
    case AnswerStatus::too_many: return "too_many";
    case AnswerStatus::out_of_range: return "out_of_range";
    case AnswerStatus::too_long: return "too_long";
    case AnswerStatus::invalid_text: return "invalid_text";
  }
  return "unknown";
}

std::int64_t counts_total(const Answer& a) {
  std::int64_t total = 0;
  if (auto* c = std::get_if<Counts>(&a))
    for (const auto& r : c->rows) total += r.second;
  return total;
}

namespace {
AnswerCheck fail(AnswerStatus s, std::int64_t min = 0, std::int64_t max = 0, std::string detail = {}) {
  return AnswerCheck{s, min, max, std::move(detail)};
}
}  // namespace

AnswerCheck check_answer(const Question& q, const Answer& a) {
  if (!answered(a)) return {};
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::rating: {
      auto* c = std::get_if<Choice>(&a);
      if (!c) return fail(AnswerStatus::wrong_type);
      if (!q.find_option(c->option)) return fail(AnswerStatus::unknown_option, 0, 0, c->option);
      return {};
    }
    case QuestionType::multiple: {
      auto* s = std::get_if<ChoiceSet>(&a);
      if (!s) return fail(AnswerStatus::wrong_type);
      for (std::size_t i = 0; i < s->options.size(); ++i) {
        const Option* o = q.find_option(s->options[i]);
        if (!o) return fail(AnswerStatus::unknown_option, 0, 0, s->options[i]);
        for (std::size_t j = 0; j < i; ++j)
          if (s->options[j] == s->options[i])
            return fail(AnswerStatus::unknown_option, 0, 0, "duplicate " + s->options[i]);
        if (o->exclusive && s->options.size() > 1)
          return fail(AnswerStatus::too_many, q.min, 1, o->id);
      }
      auto n = static_cast<std::int64_t>(s->options.size());
      if (n < q.min) return fail(AnswerStatus::too_few, q.min, q.max);
      if (q.max > 0 && n > q.max) return fail(AnswerStatus::too_many, q.min, q.max);
      return {};
    }
    case QuestionType::integer: {
      auto* v = std::get_if<std::int64_t>(&a);
      if (!v) return fail(AnswerStatus::wrong_type);
      if (*v < q.min || *v > q.max) return fail(AnswerStatus::out_of_range, q.min, q.max);
      return {};
    }
    case QuestionType::count_matrix: {
      auto* c = std::get_if<Counts>(&a);
      if (!c) return fail(AnswerStatus::wrong_type);
      for (std::size_t i = 0; i < c->rows.size(); ++i) {
        const auto& [row, n] = c->rows[i];
        if (!q.find_row(row)) return fail(AnswerStatus::unknown_option, 0, 0, row);
        for (std::size_t j = 0; j < i; ++j)
          if (c->rows[j].first == row)
            return fail(AnswerStatus::unknown_option, 0, 0, "duplicate " + row);
        if (n < 0 || n > q.max) return fail(AnswerStatus::out_of_range, 0, q.max, row);
      }
      return {};
    }
    case QuestionType::text: {
      auto* t = std::get_if<Text>(&a);
      if (!t) return fail(AnswerStatus::wrong_type);
      if (!valid_utf8(t->value)) return fail(AnswerStatus::invalid_text);
      for (unsigned char ch : t->value)
        if (ch < 0x20 && ch != '\n') return fail(AnswerStatus::invalid_text);
      if (utf8_length(t->value) > static_cast<std::size_t>(q.max_length))
        return fail(AnswerStatus::too_long, 0, q.max_length);
      return {};
    }
  }
  return fail(AnswerStatus::wrong_type);
}

}  // namespace eco

namespace eco {
void normalize_answer(const Question& q, Answer& a) {
  if (auto* s = std::get_if<ChoiceSet>(&a); s && s->options.empty()) {
    a = std::monostate{};
  } else if (auto* c = std::get_if<Counts>(&a); c && q.type == QuestionType::count_matrix) {
    Counts full;
    full.rows.reserve(q.rows.size());
    for (const auto& row : q.rows) {
      int n = 0;
      for (const auto& [id, v] : c->rows)
        if (id == row.id) n = v;
      full.rows.emplace_back(row.id, n);
    }
    // Unknown rows are kept at the end so check_answer still reports them.
    for (const auto& [id, v] : c->rows)
      if (!q.find_row(id)) full.rows.emplace_back(id, v);
    a = std::move(full);
  }
}
}  // namespace eco
