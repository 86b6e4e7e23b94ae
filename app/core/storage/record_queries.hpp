// The seam for staff records, as response_queries.hpp is for responses: what the
// analysis code (the dashboard) asks of indicator records and task progress, as plain
// data. The kiosk's AdminStore answers on SQLite; a central store can answer on another
// engine. Nothing here names an engine.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/support/time.hpp"

namespace eco {

struct IndicatorRecord {
  std::int64_t id = 0;
  std::string indicator;         // "2", "14.1"
  std::string as_of;             // YYYY-MM-DD
  std::optional<double> value;   // at_least rules
  std::string state;             // state rules
  std::optional<bool> judged;    // judged rules
  std::string source, evidence, recorded_by;
  TimeMs recorded_at = 0;
};

enum class TaskStatus { not_started, in_progress, done, blocked };
const char* task_status_code(TaskStatus s);
inline constexpr TaskStatus kLastTaskStatus = TaskStatus::blocked;  // tests walk every code (keep it last)
std::optional<TaskStatus> parse_task_status(const std::string& s);

struct TaskUpdate {
  std::int64_t id = 0;
  std::string task;
  TaskStatus status = TaskStatus::not_started;
  std::string note, recorded_by;
  TimeMs recorded_at = 0;
};

class RecordQueries {
 public:
  virtual ~RecordQueries() = default;
  // Latest record of an indicator and the one before it (by as_of, then entry order).
  virtual std::optional<IndicatorRecord> latest(const std::string& indicator, IndicatorRecord* previous = nullptr) = 0;
  // Latest status of every task that has one.
  virtual std::vector<TaskUpdate> task_states() = 0;
};

}  // namespace eco
