// What staff record in the console, on the kiosk's database: indicator values with
// evidence, task progress, the PIN, and a hash-chained audit log. All append-only.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/store.hpp"

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
std::optional<TaskStatus> parse_task_status(const std::string& s);

struct TaskUpdate {
  std::int64_t id = 0;
  std::string task;
  TaskStatus status = TaskStatus::not_started;
  std::string note, recorded_by;
  TimeMs recorded_at = 0;
};

struct AuditEntry {
  std::int64_t id = 0;
  TimeMs at = 0;
  std::string actor, action, detail, prev_hash, hash;
};

struct PinCheck {
  enum class Result { ok, wrong, locked, no_pin } result = Result::wrong;
  int attempts_left = 0;
  TimeMs locked_until = 0;
};

class AdminStore {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr TimeMs kLockMs = 5 * 60 * 1000;
  static constexpr std::size_t kMaxNote = 2000;  // bytes of a note, source or evidence

  AdminStore(Store& store, const Catalog& catalog, std::function<TimeMs()> clock = now_ms)
      : store_(store), catalog_(catalog), clock_(std::move(clock)) {}

  // Checks the record against its indicator's rule; "" when saved, else why not.
  std::string record(IndicatorRecord r);
  std::vector<IndicatorRecord> history(const std::string& indicator);  // oldest first
  // Latest record and the one before it (by as_of, then entry order).
  std::optional<IndicatorRecord> latest(const std::string& indicator, IndicatorRecord* previous = nullptr);

  std::string update_task(const std::string& task, TaskStatus status, const std::string& note,
                          const std::string& by);
  std::vector<TaskUpdate> task_history(const std::string& task);
  // Latest status of every task that has one.
  std::vector<TaskUpdate> task_states();

  // PIN: 6 to 12 digits, stored only as an Argon2id hash. No default.
  bool has_pin();
  std::string set_pin(const std::string& pin, const std::string& actor);  // "" on success
  PinCheck check_pin(const std::string& pin);

  void audit(const std::string& actor, const std::string& action, const std::string& detail);
  std::vector<AuditEntry> audit_entries(std::int64_t limit = -1);  // newest first
  // Id of the first entry whose hash does not match, or nullopt when the chain holds.
  std::optional<std::int64_t> verify_audit();

  Store& store() { return store_; }
  const Catalog& catalog() const { return catalog_; }

 private:
  Store& store_;
  const Catalog& catalog_;
  std::function<TimeMs()> clock_;
};

}  // namespace eco
