// A completed response and an abandoned session, as stored and exchanged.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/survey/answer.hpp"
#include "core/support/time.hpp"

namespace eco {

struct Response {
  std::string id;  // UUID
  std::string questionnaire;
  int version = 0;
  std::string content_hash;
  std::string kiosk;
  std::string lang;
  TimeMs started_at = 0, completed_at = 0;
  std::vector<std::string> drawn;  // knowledge items asked, in the order asked
  int visible_questions = 0;       // questions shown, for the too-fast check
  std::vector<std::pair<std::string, Answer>> answers;  // in the order asked

  const Answer* find(const std::string& qid) const {
    for (const auto& [asked, a] : answers)
      if (asked == qid) return &a;
    return nullptr;
  }
};

struct Abandoned {
  std::string id;  // UUID
  std::string questionnaire;
  int version = 0;
  std::string kiosk;
  std::string lang;
  TimeMs started_at = 0, abandoned_at = 0;
  std::string last_question;  // the question on screen when the resident walked away
  int position = 0;           // its 1-based place among the visible questions
  int answered = 0;
};

}  // namespace eco
