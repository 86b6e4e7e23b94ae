#include "core/survey/questionnaire.hpp"

namespace eco {

const std::string& LocalizedText::get(const std::string& lang) const {
  static const std::string empty;
  if (auto it = by_lang.find(lang); it != by_lang.end() && !it->second.empty()) return it->second;
  if (auto it = by_lang.find("zh"); it != by_lang.end()) return it->second;
  return empty;
}

const char* type_name(QuestionType t) {
  switch (t) {
    case QuestionType::single: return "single";
    case QuestionType::multiple: return "multiple";
    case QuestionType::rating: return "rating";
    case QuestionType::count_matrix: return "count_matrix";
    case QuestionType::integer: return "integer";
    case QuestionType::text: return "text";
  }
  return "?";
}

const Option* Question::find_option(const std::string& oid) const {
  for (const auto& o : options)
    if (o.id == oid) return &o;
  return nullptr;
}

const Option* Question::find_row(const std::string& rid) const {
  for (const auto& r : rows)
    if (r.id == rid) return &r;
  return nullptr;
}

const Question* Questionnaire::find(const std::string& qid) const {
  for (const auto& q : questions)
    if (q.id == qid) return &q;
  if (bank)
    for (const auto& q : bank->items)
      if (q.id == qid) return &q;
  return nullptr;
}

}  // namespace eco
