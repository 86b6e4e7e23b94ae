// Running as a systemd service: readiness and watchdog pings (sd_notify) and log
// levels the journal understands. Every function is a no-op outside systemd, so the
// kiosk behaves the same when started by hand.
#pragma once
#include <string>

namespace eco::platform {

// When stderr is connected to the journal (JOURNAL_STREAM names it), prefixes every
// line written to std::cerr with its syslog level: <3> for lines starting "error" and
// other failures, <4> for warnings, <6> otherwise. Call once, first thing in main.
void use_journal_levels_if_connected();
// The level a line gets (exposed for the tests): 3, 4 or 6.
int journal_level(const std::string& line);

// Talks to the service manager for the kiosk's main loop. Under cage the kiosk is the
// compositor's child, not the unit's main process, so WATCHDOG_PID names cage: the
// unit sets NotifyAccess=all and the pings are sent from here anyway.
class ServiceNotifier {
 public:
  ServiceNotifier();  // reads NOTIFY_SOCKET and WATCHDOG_USEC
  bool watchdog_enabled() const { return interval_s_ > 0; }
  // The longest the loop may sleep: half of WatchdogSec, or `fallback` without a watchdog.
  double max_wait(double fallback) const;
  void ready(const std::string& status);  // READY=1 once the first frame is on screen
  void alive();                           // WATCHDOG=1, at most every max_wait/2
  void stopping();

 private:
  bool socket_ = false;
  double interval_s_ = 0;  // half of WATCHDOG_USEC, in seconds
  double last_ping_ = -1;
  bool ready_sent_ = false;
};

}  // namespace eco::platform
