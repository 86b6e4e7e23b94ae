// What staff record in the console, on the kiosk's database: indicator values with
// evidence, task progress, the PIN, and a hash-chained audit log. All append-only.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/storage/audit_anchor.hpp"
#include "core/support/time.hpp"
#include "core/catalog/catalog.hpp"
#include "core/storage/record_queries.hpp"
#include "core/storage/store.hpp"

namespace eco {

struct AuditEntry {
  std::int64_t id = 0;
  TimeMs at = 0;
  std::string actor, action, detail, prev_hash, hash;
};

struct PinCheck {
  // tampered: the PIN hash in the database is not the one this program stored (see
  // core/audit_anchor.hpp); nothing is accepted until staff run `ecokiosk set-pin`.
  enum class Result { ok, wrong, locked, no_pin, tampered } result = Result::wrong;
  int attempts_left = 0;
  TimeMs locked_until = 0;
};

// Whether the console may be entered, and how.
enum class PinState {
  set,            // enter the PIN
  none,           // no PIN and no setup code: staff run `ecokiosk set-pin` or `ecokiosk setup-code`
  setup_code,     // no PIN yet; a one-time setup code lets the first PIN be chosen
  tampered,       // the PIN hash was changed or cleared outside the program
};

struct AuditVerdict {
  bool intact = true;
  std::vector<std::string> problems;  // what and where, one line each
  AuditHead head;                     // as the database has it
  std::optional<AuditHead> anchored;  // as the anchor file has it
  std::string anchor_path;
};

// The record against its indicator's rule (a typed value, a listed state, a verdict
// with evidence; not a survey indicator nor one judged from its sub-indicators). ""
// when it may be saved; clears the fields its rule does not use. The kiosk's store and
// the district console's center both check with it.
std::string check_record(const Catalog& catalog, IndicatorRecord& r);

class AdminStore final : public RecordQueries {
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
  std::optional<IndicatorRecord> latest(const std::string& indicator, IndicatorRecord* previous = nullptr) override;

  std::string update_task(const std::string& task, TaskStatus status, const std::string& note,
                          const std::string& by);
  std::vector<TaskUpdate> task_history(const std::string& task);
  // Latest status of every task that has one.
  std::vector<TaskUpdate> task_states() override;

  // The anchor file (core/audit_anchor.hpp) kept outside the database. From here on every
  // audit entry and PIN change updates it; a missing one is created from the database as
  // it is now (trust on first use). Without one, first-PIN setup is never offered.
  void use_anchor(const std::string& path);
  const std::string& anchor_path() const { return anchor_path_; }
  const std::string& anchor_error() const { return anchor_error_; }

  // PIN: 6 to 12 digits, stored only as an Argon2id hash. No default.
  bool has_pin();
  PinState pin_state();
  // "" on success. Fails loudly when nothing was stored; `warning` says what was odd
  // (an admin row deleted outside the program is recreated, and the log says so).
  std::string set_pin(const std::string& pin, const std::string& actor, std::string* warning = nullptr);
  PinCheck check_pin(const std::string& pin);
  // A one-time code (8 digits) that lets the console offer first-PIN setup, valid for
  // `valid_ms`; only its Argon2id hash is kept (in the anchor file). "" on success.
  std::string issue_setup_code(std::string& code, TimeMs valid_ms = 24LL * 3600 * 1000);
  // ok consumes the code (single use); wrong and locked count like wrong PINs.
  PinCheck check_setup_code(const std::string& code);

  void audit(const std::string& actor, const std::string& action, const std::string& detail);
  std::vector<AuditEntry> audit_entries(std::int64_t limit = -1);  // newest first
  // Id of the first entry whose hash does not match, or nullopt when the chain holds.
  std::optional<std::int64_t> verify_audit();
  AuditHead audit_head();
  // The chain, the head against the anchor (a cut tail shows), the PIN mark, and the
  // guard triggers the store had to restore at open.
  AuditVerdict verify_audit_all();
  // After a restore: the anchor takes the restored database's head (audited).
  std::string reanchor(const std::string& why);

  Store& store() { return store_; }
  const Catalog& catalog() const { return catalog_; }

 private:
  void sync_anchor();  // after a commit that appended to the log
  PinCheck register_failure(const std::string& what);
  std::optional<std::string> stored_pin_hash(bool* row = nullptr);
  Store& store_;
  const Catalog& catalog_;
  std::function<TimeMs()> clock_;
  std::string anchor_path_, anchor_error_;
};

}  // namespace eco
