// JSON Lines interchange: one response per line, how kiosks' data are merged.
//   {"id","questionnaire","version","kiosk","started_at","completed_at","lang",
//    "answers":{QUESTION_ID: VALUE}, "drawn":[...], "hash":"..."}
#pragma once
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/survey/questionnaire_loader.hpp"
#include "core/support/time.hpp"
#include "core/survey/response.hpp"
#include "core/storage/wal_copier.hpp"

namespace eco {

class Store;

constexpr std::size_t kMaxImportLine = 1 << 20;  // 1 MiB: a longer line is refused unread

std::string response_to_line(const Response& r);

// Checks a response against its questionnaire: known questions, answer shapes and
// ranges, drawn items, show_if (no answers to hidden questions, required ones
// answered). Returns the faults; sets visible_questions on success.
// Times are refused before kEarliestResponse (2019-01-01, before any kiosk ran) or
// more than a day after `now`.
constexpr TimeMs kEarliestResponse = 1546300800000LL;  // 2019-01-01T00:00:00Z
constexpr TimeMs kClockSlackMs = 24LL * 3600 * 1000;
std::vector<std::string> validate_response(const Questionnaire& q, Response& r, TimeMs now = now_ms());

struct ParsedLine {
  std::optional<Response> response;
  std::string error;
};
ParsedLine parse_response_line(std::string_view line, const QuestionnaireSet& set);

struct ImportReport {
  // conflicts: an id already stored with different content (the stored one is kept).
  struct PerKiosk { std::int64_t added = 0, already = 0, refused = 0, conflicts = 0; };
  std::map<std::string, PerKiosk> kiosks;  // "?" when a refused line names none
  // "file:line: reason", the first kMaxProblems only: a file of two million bad lines
  // must not grow memory with each one. The rest are counted in problems_more.
  static constexpr std::size_t kMaxProblems = 1000;
  std::vector<std::string> problems;
  std::int64_t problems_more = 0;
  void problem(std::string p);
  std::int64_t lines = 0;
  std::int64_t added() const;
  std::int64_t already() const;
  std::int64_t refused() const;
  std::int64_t conflicts() const;
};
// True when the stored response with incoming's id holds the same content.
bool same_as_stored(Store& store, const Response& incoming);

// Reads JSON Lines from `in`; bad lines are reported and skipped, the rest imported
// in batches. Importing the same ids again adds nothing.
void import_jsonl(std::istream& in, const std::string& name, Store& store, const QuestionnaireSet& set,
                  ImportReport& report);

// Merges another EcoKiosk database file, read in place through a read-only SQLite
// connection (so its -wal counts; no copy is made and the file is not changed). Each
// response is checked as an import line would be. `max_log_frames`: the write-ahead
// log's bound (wal_copier.hpp; tests use a small one).
void import_database(const std::string& path, Store& store, const QuestionnaireSet& set, ImportReport& report,
                     std::int64_t max_log_frames = WalCopier::kMaxFrames);
bool is_sqlite_file(const std::string& path);

// Reads one line of at most `max` bytes. A longer line is consumed without being
// kept; `too_long` says so. Returns false at end of input.
bool bounded_getline(std::istream& in, std::string& line, std::size_t max, bool& too_long);

}  // namespace eco
