// The kiosk's central sync: pushes completed responses and abandoned sessions from
// the kiosk's SQLite database to the center's PostgreSQL, exactly once.
//
// Each batch is one PostgreSQL transaction (INSERT ... ON CONFLICT (id) DO NOTHING);
// only after its COMMIT returns does the kiosk move its mark on (core/storage, table
// central_sync), so a crash between the two re-sends the batch and the center keeps
// one copy. An id already at the center with other content becomes a row in the
// center's conflicts table; the first arrival is never overwritten.
// The worker runs on its own thread with its own SQLite connection: a frame never waits
// for it, and a save waits at most for one short UPDATE of the mark.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/central/pg.hpp"
#include "core/central/publish.hpp"
#include "core/support/time.hpp"

namespace eco {
class Store;
}

namespace eco::central {

struct SyncSettings {
  std::string url;               // central_url; "" = off
  std::string credentials_path;  // the kiosk's credentials file
  std::string kiosk_id;          // only this kiosk's rows are sent (its role may insert no others)
  int batch = 1000;              // responses per transaction
  // Backoff after a failure: min, doubled each time, up to max. Idle: poll this often.
  int backoff_min_ms = 2000, backoff_max_ms = 300000, idle_poll_ms = 30000;
  // The resident comes first: the background thread (start()) lowers its own priority
  // to this nice value (0 = left as it is), so a save or a frame sharing the cores is not
  // kept waiting by a drain. run_once() on the caller's thread leaves it alone.
  int nice = 10;
  // ... and its reading threads (which read and encode the batches: most of a drain's
  // CPU) run in Linux's idle scheduling class: a thread that wakes (a tap's frame, a
  // save) takes the core from them at once, where nice only weighs the shares and a
  // frame could wait for a time slice to end. The worker's own thread stays at nice:
  // it holds the write lock and the mutex a save waits for, and an idle-class thread can
  // be starved for seconds on a busy machine (an unprivileged thread cannot leave the
  // class again, so it cannot step out while it holds them).
  bool idle_class = true;
  // Questionnaires and settings from the center (publish.hpp): pulled at the first
  // contact and then every pull_every_ms, checked with the loader, kept in
  // published_path ("" = not pulled). on_published runs on the worker's thread when
  // what the center offers has changed (and once after the first pull); it must not block.
  std::string published_path;
  int pull_every_ms = 300000;
  std::function<void(const Published&)> on_published;
};

struct SyncReport {
  Status status = Status::ok;
  std::string detail;  // the error's own words ("" when ok)
  std::int64_t sent = 0, already = 0, conflicts = 0;  // this run
  std::int64_t abandoned_sent = 0;
  // Rows of other kiosk ids the mark moved past (brought by USB from another kiosk, or
  // saved here under an earlier kiosk_id): not this login's to send, said so.
  std::int64_t passed_over = 0;
  std::int64_t waiting = 0;  // left after this run (responses + abandoned sessions)
  // The pull of published questionnaires and settings in this run.
  bool pulled = false, published_changed = false;
  std::string published;                   // Published::fingerprint() of what the kiosk now keeps
  std::vector<std::string> pull_problems;  // refused definitions, a failed pull or save
  bool all_sent() const { return status == Status::ok && waiting == 0; }
};

// The kiosk's sync state as stored (for the console and `ecokiosk sync`).
struct SyncState {
  std::string status;  // status_name, "" before the first attempt
  std::string detail;
  TimeMs last_contact = 0, last_attempt = 0;
  std::int64_t sent = 0, already = 0, conflicts = 0;
  std::int64_t waiting = 0;  // this kiosk's responses and abandoned sessions not yet at the center
};
// Reads it through any Store open on the kiosk's database.
SyncState read_sync_state(Store& store, const std::string& kiosk_id);

// Lowers the calling thread's priority to this nice value (Linux: one thread's own, by
// its tid); never raises it (that would need a privilege), 0 = nothing. idle_class then
// moves it to SCHED_IDLE (no privilege needed); false if that was refused.
bool lower_thread_priority(int nice, bool idle_class = false);

// The login's kiosk must be the one in the settings (throws PgError, status auth,
// naming both). Rows of any other id are skipped as brought from another kiosk, so a
// kiosk_id changed in the console would otherwise let the mark pass this kiosk's unsent
// responses for good. A login that is no kiosk's role (district IT's) must at least name
// a kiosk the center knows.
void check_login_kiosk(Conn& pg, const std::string& kiosk_id);
// PgError::sqlstate of its two refusals, so `doctor` can give each its own fix.
inline constexpr const char* kKioskIdMismatch = "ecokiosk-kiosk-id-mismatch";  // the login is another kiosk's
inline constexpr const char* kKioskIdUnknown = "ecokiosk-kiosk-id-unknown";    // not a kiosk's login, an unknown id

class SyncWorker {
 public:
  SyncWorker(std::string db_path, SyncSettings settings);
  ~SyncWorker();  // stops the thread
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  // Sends batches until nothing waits, an error stops it, or *stop becomes true.
  // The status is also written to the database for the console.
  SyncReport run_once(const std::atomic<bool>* stop = nullptr);

  // The background thread: run_once, then sleep (idle_poll_ms, or the backoff after
  // a failure), until stop(). wake() cuts an idle sleep short (a new save: the kiosk
  // model calls it); during a backoff it only makes the retry, when due, come at once.
  void start();
  void stop();
  void wake();
  SyncReport last() const;
  std::int64_t runs() const;  // background passes finished so far
  // What the kiosk now offers ("knowledge 2, satisfaction 1"), for the heartbeat; any
  // thread. Until set, the heartbeat names the newest definitions in the database.
  // run_once() on the caller's thread: its readers in the idle class too, as the
  // background worker's are (`ecokiosk sync --idle`, to measure it as the kiosk runs it).
  void set_readers_idle(bool on) { readers_idle_ = on; }
  void set_running(std::string versions);

 private:
  void loop();
  void pull(Conn& pg, SyncReport& rep);
  std::string running() const;
  std::string db_path_;
  SyncSettings s_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::int64_t runs_ = 0;
  std::atomic<bool> stopping_{false};
  bool readers_idle_ = false;  // the readers yield (idle_class): set by loop(), or set_readers_idle
  SyncReport last_;
  std::string running_;                 // under mu_
  std::optional<Published> have_;       // the last good set (the run's thread only)
  bool have_loaded_ = false;
  TimeMs next_pull_ = 0;
};

}  // namespace eco::central
