// The district console's side of the center (issue 17), as plain functions over a
// connection: departments from the catalog, personal accounts, the engine-written audit
// and its check, kiosk records brought to the center, and the fleet's figures. What a
// role may do is PostgreSQL's business (schema.cpp, version 5): these functions only ask.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog/catalog.hpp"
#include "core/storage/record_queries.hpp"
#include "core/central/pg.hpp"
#include "core/central/schema.hpp"
#include "core/support/time.hpp"

namespace eco {
class Store;
}

namespace eco::central {

// Departments, which indicators each leads and which tasks each is responsible for or
// cooperates on, as the catalog says (run by `central init`; a changed catalog replaces
// the links, departments stay because accounts name them).
struct UnitsReport {
  std::int64_t departments = 0, leads = 0, task_links = 0;
};
UnitsReport load_catalog_units(Conn& admin, const Catalog& catalog);

const char* account_kind_name(AccountKind k);  // "department", "propaganda", "admin"
std::optional<AccountKind> parse_account_kind(const std::string& s);
// "" when the password will do, else why not (length, characters).
std::string password_fault(const std::string& password);
// Creates the login role (or gives it a new password and kind) through
// ecokiosk_set_account, as district IT or an admin account. The password reaches the
// server only as a SCRAM verifier. Throws PgError with the server's reason.
void add_user(Conn& c, const std::string& name, AccountKind kind, const std::string& department,
              const std::string& password);

// The audit chain as the engine wrote it, checked here: every seq from 1 without a
// gap, each prev_hash the hash before it, each hash recomputed from its fields.
struct CentralAuditVerdict {
  bool intact = true;
  std::int64_t count = 0;
  std::string head_hash;              // the newest entry's hash ("" when empty)
  std::vector<std::string> problems;  // the first few, one line each
};
CentralAuditVerdict verify_central_audit(Conn& c);

struct CentralAuditEntry {
  std::int64_t seq = 0;
  TimeMs at = 0;
  std::string actor, action, subject, detail;
};
struct AuditFilter {
  std::string actor, action, subject;  // "" = any (action: a prefix, "record" takes record_imported too)
  TimeMs from = 0, to = 0;             // 0 = open
  int limit = 200;
};
// Newest first; what the login may read (admins all, others their own rows).
std::vector<CentralAuditEntry> read_audit(Conn& c, const AuditFilter& f);

// Records and task updates typed on a kiosk (its SQLite file), brought to the center
// with their authors and times, marked imported from `label`. A digest of each row's
// content is its key: a second run, or a copy of the same file, imports nothing new.
// Rows naming an indicator or task the catalog does not have are skipped and listed.
struct ImportRecordsReport {
  std::int64_t records = 0, records_already = 0, tasks = 0, tasks_already = 0;
  std::vector<std::string> skipped;
};
ImportRecordsReport import_records(Conn& admin, Store& kiosk, const Catalog& catalog, const std::string& label);

// The signed-in account, as the console sees it (nullopt: the login is no EcoKiosk
// account, or a disabled one: district IT's own, a kiosk's).
struct Account {
  std::string name;
  AccountKind kind = AccountKind::department;
  std::string department;  // "" unless a department's
};
std::optional<Account> my_account(Conn& c);
// The indicators the account's department leads, and the tasks it is responsible for
// (true) or cooperates on (false). Empty for the other kinds.
std::vector<std::string> my_indicators(Conn& c);
std::vector<std::pair<std::string, bool>> my_tasks(Conn& c);
// The newest record of every indicator (by as_of, then entry), and the newest update of
// every task, as any account may read them.
std::vector<IndicatorRecord> latest_records(Conn& c);
std::vector<TaskUpdate> latest_task_updates(Conn& c);
// As the signed-in account: the engine stamps login and time and refuses what the
// account's department may not do (PgError, status refused_by_center). check_record
// (core/storage/admin_store.hpp) first, so a bad value never reaches the center.
void record_at_center(Conn& c, const IndicatorRecord& r);
void update_task_at_center(Conn& c, const std::string& task, TaskStatus status, const std::string& note);
// sign_in, sign_out or export, into the audit under the login.
void note_action(Conn& c, const std::string& action, const std::string& subject, const std::string& detail);

// One row of the fleet page.
struct FleetRow {
  std::string kiosk, hall_zh, hall_en;
  std::optional<TimeMs> last_contact;  // heartbeat or newest response received; none = never
  bool silent = true;                  // no contact in the last 24 hours (or never)
  bool reported = false;               // has sent a heartbeat (older kiosks have not)
  std::int64_t waiting = 0;
  std::string app_version, questionnaires, last_error;
  std::optional<TimeMs> last_error_at;
  std::vector<std::int64_t> per_day;   // completed responses per district day, oldest first
  std::int64_t total = 0;              // responses at the center
};
std::vector<FleetRow> read_fleet(Conn& c, int days = 7, int utc_offset_minutes = 480);

// The kiosk's side: at each contact the sync worker upserts its own kiosk_status row
// (versions, what waits, the last failure it had). A failure here is logged, never
// stops the sync.
// `running`: the versions the kiosk offers now ("" = the newest definitions it holds).
void report_heartbeat(Conn& kiosk_conn, Store& store, const std::string& kiosk_id, const std::string& running = "");
// This program's version, as the heartbeat reports it.
const char* app_version();

}  // namespace eco::central
