// Answer atoms: how one answer is stored as rows (one per choice, count row or value), on
// the kiosk's SQLite and the center's PostgreSQL alike. kind tells single from multiple
// choice with one selection, so a response reads back exactly as it was saved.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/survey/response.hpp"

namespace eco {

enum AtomKind { kChoice = 1, kChoiceSet = 2, kInteger = 3, kCounts = 4, kText = 5 };

// Adds one stored atom to a response's answers: a choice-set or count atom for the same
// question as the last answer joins it when that answer is of its kind (atoms of two
// kinds for one question, which no kiosk writes but a hand-edited file or a hostile
// center row can hold, are read as two answers, not a crash). An unknown kind is skipped.
// Views in, one string made per field: a million-response export reads 17 million atoms.
inline void add_answer_atom(std::vector<std::pair<std::string, Answer>>& answers, std::string_view question, int kind,
                            std::string_view item, std::int64_t value, std::string_view text) {
  const bool same = !answers.empty() && answers.back().first == question;
  switch (kind) {
    case kChoice: answers.emplace_back(question, Choice{std::string(item)}); break;
    case kChoiceSet:
      if (auto* set = same ? std::get_if<ChoiceSet>(&answers.back().second) : nullptr) set->options.emplace_back(item);
      else answers.emplace_back(question, ChoiceSet{{std::string(item)}});
      break;
    case kInteger: answers.emplace_back(question, value); break;
    case kCounts:
      if (auto* counts = same ? std::get_if<Counts>(&answers.back().second) : nullptr)
        counts->rows.emplace_back(item, static_cast<int>(value));
      else answers.emplace_back(question, Counts{{{std::string(item), static_cast<int>(value)}}});
      break;
    case kText: answers.emplace_back(question, Text{std::string(text)}); break;
    default: break;
  }
}

}  // namespace eco
