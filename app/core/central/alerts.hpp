// Alerts at the center (issue 17): raised by whoever computed the figures (`alerts
// check`, the console's refresh as the propaganda department), read and acknowledged by
// the responsible department. The rules of who may do what are the engine's
// (migration_alerts.hpp); these functions only ask, and throw PgError with its reason.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/central/pg.hpp"
#include "core/support/time.hpp"

namespace eco::central {

struct AlertItem {
  std::string item;
  std::string zh, en;  // the question's text ("" when the check did not know it)
  std::int64_t n = 0;
  double pct = 0;
};

// What a check found for one indicator and scope.
struct AlertRaise {
  std::string indicator;         // "35", "39", "40"
  std::string scope;             // "" = the district, else a kiosk id
  std::string hall_zh, hall_en;  // the kiosk's hall ("" for the district)
  int window_days = 30;
  double target = 0, value = 0, lo = 0, hi = 0;
  std::int64_t n = 0;
  std::string items_json = "[]";  // [{item, n, pct}], worst first
};
struct RaiseResult {
  std::int64_t id = 0;
  bool raised = false;  // false: an open alert got the newer evidence, or one was acknowledged within the window
};
RaiseResult raise_alert(Conn& c, const AlertRaise& a);

struct Alert {
  std::int64_t id = 0;
  std::string indicator, scope, hall_zh, hall_en, department;
  int window_days = 0;
  double target = 0, value = 0, lo = 0, hi = 0;
  std::int64_t n = 0;
  std::vector<AlertItem> items;  // worst first
  TimeMs raised_at = 0, checked_at = 0;
  std::string raised_by;
  std::optional<TimeMs> acked_at;
  std::string acked_by, ack_note;
  bool mine = false;  // the login answers for its department (may acknowledge it while open)
};
// What the login may see (its department's; all for propaganda, readers, admins),
// open ones first, newest first.
std::vector<Alert> list_alerts(Conn& c, bool open_only);
// As the responsible department; the engine stamps login and time and audits it.
void ack_alert(Conn& c, std::int64_t id, const std::string& note);
// Whether the login may acknowledge alerts of this department (the console hides the
// button otherwise; the engine refuses anyway).
bool acts_for(Conn& c, const std::string& department);

// An export of residents' answers from the center, into the audit under the login
// (any login that may read the responses). Throws when the center refuses to record it:
// an export that cannot be audited is not made.
void note_export(Conn& c, const std::string& subject, const std::string& detail);

}  // namespace eco::central
