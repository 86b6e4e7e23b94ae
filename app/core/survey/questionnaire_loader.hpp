// Reads questionnaires/*.json into Questionnaire, refusing a bad file with messages
// that name the file, the JSON path and the fault. See questionnaires/README.md.
#pragma once
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/support/json_guard.hpp"
#include "core/survey/questionnaire.hpp"

namespace eco {

struct LoadError {
  std::string file;
  std::string path;     // JSON pointer, e.g. /questions/3/options/1/id ("" for the whole file)
  std::string message;
  std::string to_string() const;  // "file: /path: message"
};

struct LoadResult {
  std::optional<Questionnaire> questionnaire;  // set only when errors is empty
  std::vector<LoadError> errors;
  // The definition with includes expanded, as hashed and stored beside responses.
  std::string expanded_json;
};

// A questionnaire file is at most 2 MiB (the knowledge bank is 47 KB), any string in it
// at most 64 KiB, nesting at most 64 levels: checked before parsing.
constexpr std::size_t kMaxQuestionnaireBytes = 2u << 20;
JsonLimits questionnaire_limits();

// blocks_dir holds the shared blocks named by {"include": NAME} (NAME.json).
LoadResult load_questionnaire_text(const std::string& text, const std::string& file_name,
                                   const std::string& blocks_dir);
LoadResult load_questionnaire_file(const std::string& path);

// Every *.json directly in dir, sorted by name. A bad file is refused alone.
struct QuestionnaireSet {
  std::deque<Questionnaire> list;  // deque: pointers stay valid as files are added
  std::vector<LoadError> errors;
  std::deque<std::string> expanded;  // parallel to list

  const Questionnaire* find(const std::string& id) const;  // the newest version
  const Questionnaire* find(const std::string& id, int version) const;
  const std::string* expanded_json(const Questionnaire& q) const;
  // Adds a questionnaire known from elsewhere (e.g. a definition stored in a database).
  void add(Questionnaire q, std::string expanded_json);
};
QuestionnaireSet load_questionnaire_dir(const std::string& dir);

}  // namespace eco
