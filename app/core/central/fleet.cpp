// The fleet page's figures (one call to ecokiosk_fleet) and the kiosk's heartbeat.
#include <iostream>

#include "core/central/district.hpp"
#include "core/central/sync.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store_access.hpp"

#ifndef ECOKIOSK_VERSION
#define ECOKIOSK_VERSION "unknown"
#endif

namespace eco::central {

const char* app_version() { return ECOKIOSK_VERSION; }

namespace {
// PostgreSQL's text form of a bigint[]: "{1,0,3}".
std::vector<std::int64_t> parse_counts(const std::string& s) {
  std::vector<std::int64_t> out;
  std::int64_t cur = 0;
  bool any = false;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') {
      cur = cur * 10 + (ch - '0');
      any = true;
    } else if (ch == ',' || ch == '}') {
      if (any) out.push_back(cur);
      cur = 0;
      any = false;
    }
  }
  return out;
}
}  // namespace

std::vector<FleetRow> read_fleet(Conn& c, int days, int utc_offset_minutes) {
  Result r = c.exec(
      "SELECT kiosk, hall_zh, hall_en, (extract(epoch FROM last_contact) * 1000)::bigint, silent, waiting, "
      "app_version, questionnaires, last_error, last_error_at, per_day, total FROM ecokiosk_fleet($1, $2)",
      {std::to_string(days), std::to_string(utc_offset_minutes)});
  std::vector<FleetRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    FleetRow f;
    f.kiosk = r.text(i, 0);
    f.hall_zh = r.text(i, 1);
    f.hall_en = r.text(i, 2);
    if (!r.null(i, 3)) f.last_contact = r.i64(i, 3);
    f.silent = r.text(i, 4) == "t";
    f.reported = !r.null(i, 5);
    if (f.reported) f.waiting = r.i64(i, 5);
    f.app_version = r.text(i, 6);
    f.questionnaires = r.text(i, 7);
    f.last_error = r.text(i, 8);
    if (!r.null(i, 9)) f.last_error_at = r.i64(i, 9);
    f.per_day = parse_counts(r.text(i, 10));
    f.total = r.i64(i, 11);
    out.push_back(std::move(f));
  }
  return out;
}

void report_heartbeat(Conn& pg, Store& store, const std::string& kiosk_id, const std::string& running) {
  try {
    SyncState st = read_sync_state(store, kiosk_id);
    std::string versions = running;
    if (versions.empty()) {
      Stmt s(StoreAccess::db(store),
             "SELECT questionnaire, max(version) FROM questionnaire_definitions GROUP BY 1 ORDER BY 1");
      while (s.step()) {
        versions += versions.empty() ? "" : ", ";
        versions += std::string(s.text(0)) + " " + std::to_string(s.i64(1));
      }
    }
    // The failure before this contact (the state still says so until this run succeeds).
    const bool failed = !st.status.empty() && st.status != "ok";
    std::string err = failed ? st.status + ": " + st.detail : "";
    std::optional<std::string> err_at;
    if (failed) err_at = std::to_string(st.last_attempt);
    pg.run("INSERT INTO kiosk_status(kiosk, app_version, questionnaires, waiting, last_error, last_error_at) "
           "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (kiosk) DO UPDATE SET app_version = excluded.app_version, "
           "questionnaires = excluded.questionnaires, waiting = excluded.waiting, "
           "last_error = CASE WHEN excluded.last_error <> '' THEN excluded.last_error ELSE kiosk_status.last_error END, "
           "last_error_at = CASE WHEN excluded.last_error <> '' THEN excluded.last_error_at "
           "ELSE kiosk_status.last_error_at END",
           {kiosk_id, std::string(app_version()), versions, std::to_string(st.waiting), err, err_at});
  } catch (const PgError& e) {
    std::cerr << "central sync: the heartbeat was not recorded: " << e.what() << "\n";
  } catch (const DbError& e) {
    std::cerr << "central sync: the heartbeat was not recorded: " << e.what() << "\n";
  }
}

}  // namespace eco::central
