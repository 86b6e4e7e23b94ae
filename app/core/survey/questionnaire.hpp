// The questionnaire definition: what is asked, in what order, shown when, scored how.
// Loaded from questionnaires/*.json by questionnaire_loader; read-only afterwards.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/survey/condition.hpp"

namespace eco {

// Text in several languages; Chinese ("zh") is always present and is the fallback.
struct LocalizedText {
  std::map<std::string, std::string> by_lang;
  const std::string& get(const std::string& lang) const;
  bool empty() const { return by_lang.empty(); }
};

enum class QuestionType { single, multiple, rating, count_matrix, integer, text };
const char* type_name(QuestionType t);

struct Option {
  std::string id;
  LocalizedText text;
  int value = 0;           // rating scales: 5 = best ... 1 = worst
  bool exclusive = false;  // multiple choice: "none of these" clears the others
  // 不了解 / 说不清 / 不知道: no opinion or no knowledge. Satisfaction leaves it out of the
  // item's share and mean (counted on its own); knowledge counts it as not correct;
  // .sav/.dta declare it missing. Stays last when options are shuffled.
  bool dont_know = false;
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::single;
  LocalizedText text;
  LocalizedText hint;
  bool required = true;
  bool shuffle = false;            // option order shuffled per session
  std::vector<Option> options;     // single, multiple, rating
  std::vector<Option> rows;        // count matrix
  std::int64_t min = 0, max = 0;   // multiple: selections; integer: value; count matrix: per row
  LocalizedText unit;              // integer / count matrix unit ("trips", "years")
  int max_length = 0;              // text
  std::optional<Condition> show_if;
  // Knowledge bank items only.
  std::string topic;
  std::vector<std::string> correct;  // option ids; for multiple choice the exact set
  LocalizedText explanation;
  bool from_bank = false;

  const Option* find_option(const std::string& id) const;
  const Option* find_row(const std::string& id) const;
};

enum class ScoringMethod { none, knowledge, satisfaction, green_travel };

struct Scoring {
  ScoringMethod method = ScoringMethod::none;
  int indicator = 0;                          // 35, 39 or 40
  // satisfaction
  std::string overall;                        // question id of the overall rating
  std::vector<std::string> satisfied;         // option ids that count as satisfied
  std::vector<std::string> items;             // rating questions reported item by item
  std::map<std::string, double> option_score; // option id -> 0..100 score
  // green travel
  std::string matrix;                         // count-matrix question id
  std::vector<std::string> green;             // its rows that are green modes
};

struct Bank {
  int draw = 0;                     // items drawn per session
  std::string balance_by = "topic"; // the draw is spread evenly over topics
  std::vector<Question> items;
  std::size_t position = 0;         // index in Questionnaire::questions where drawn items go
};

struct Questionnaire {
  std::string id;
  int version = 0;
  std::string content_hash;  // SHA-256 of the expanded definition
  std::string source_file;
  LocalizedText title, intro;
  int minutes = 0;
  std::vector<Question> questions;  // fixed questions, includes expanded
  std::optional<Bank> bank;
  Scoring scoring;

  // Looks in the fixed questions, then the bank.
  const Question* find(const std::string& id) const;
};

}  // namespace eco
