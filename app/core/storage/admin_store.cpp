#include "core/storage/admin_store.hpp"
#include "core/storage/store_access.hpp"

#include <sodium.h>

#include <cmath>
#include <cstdio>

#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"

namespace eco {

const char* task_status_code(TaskStatus s) {
  switch (s) {
    case TaskStatus::not_started: return "not_started";
    case TaskStatus::in_progress: return "in_progress";
    case TaskStatus::done: return "done";
    case TaskStatus::blocked: return "blocked";
  }
  return "not_started";
}

std::optional<TaskStatus> parse_task_status(const std::string& s) {
  for (auto t : {TaskStatus::not_started, TaskStatus::in_progress, TaskStatus::done, TaskStatus::blocked})
    if (s == task_status_code(t)) return t;
  return std::nullopt;
}

namespace {

bool text_ok(const std::string& s, std::size_t max) { return s.size() <= max && valid_utf8(s); }

bool is_date(const std::string& s) {
  auto t = parse_date_utc(s);
  return t && s.size() == 10;
}

std::string entry_hash(const std::string& prev, TimeMs at, const std::string& actor, const std::string& action,
                       const std::string& detail) {
  // Fields joined with a separator that cannot appear in valid UTF-8 text.
  std::string buf = prev + '\xff' + std::to_string(at) + '\xff' + actor + '\xff' + action + '\xff' + detail;
  return sha256_hex(buf);
}

IndicatorRecord read_record(Stmt& s) {
  IndicatorRecord r;
  r.id = s.i64(0);
  r.indicator = s.text(1);
  r.as_of = s.text(2);
  if (!s.is_null(3)) r.value = s.f64(3);
  if (!s.is_null(4)) r.state = s.text(4);
  if (!s.is_null(5)) r.judged = s.i64(5) != 0;
  r.source = s.text(6);
  r.evidence = s.text(7);
  r.recorded_by = s.text(8);
  r.recorded_at = s.i64(9);
  return r;
}

constexpr const char* kRecordCols = "id, indicator, as_of, value, state, judged, source, evidence, recorded_by, recorded_at";

}  // namespace

std::string check_record(const Catalog& catalog, IndicatorRecord& r) {
  const IndicatorDef* d = catalog.find(r.indicator);
  if (!d) return "unknown indicator " + r.indicator;
  if (!d->sub.empty()) return "indicator " + r.indicator + " is judged from its sub-indicators; record those";
  if (!d->rule.survey.empty()) return "indicator " + r.indicator + " comes from the survey and cannot be typed over";
  if (!is_date(r.as_of)) return "the date must look like 2019-12-31";
  if (!text_ok(r.recorded_by, 100) || !text_ok(r.source, AdminStore::kMaxNote) ||
      !text_ok(r.evidence, AdminStore::kMaxNote))
    return "text too long or not valid UTF-8";
  switch (d->rule.kind) {
    case Rule::Kind::at_least:
      if (!r.value || !std::isfinite(*r.value)) return "a number is needed";
      if (*r.value < 0 || (d->unit == "%" && *r.value > 100)) return "the value is outside its possible range";
      r.state.clear();
      r.judged.reset();
      break;
    case Rule::Kind::state:
      if (std::find(d->rule.states.begin(), d->rule.states.end(), r.state) == d->rule.states.end())
        return "the state must be one of the listed ones";
      r.value.reset();
      r.judged.reset();
      break;
    case Rule::Kind::judged:
      if (!r.judged) return "say whether the requirement is met";
      if (r.evidence.empty()) return "a judged target needs an evidence note";
      break;
    case Rule::Kind::all_sub: return "record the sub-indicators";
  }
  return "";
}

std::string AdminStore::record(IndicatorRecord r) {
  if (r.recorded_by.empty()) return "say who is recording (name)";
  if (std::string why = check_record(catalog_, r); !why.empty()) return why;
  Stmt s(StoreAccess::db(store_),
         "INSERT INTO indicator_records(indicator, as_of, value, state, judged, source, evidence, recorded_by, "
         "recorded_at) VALUES(?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.indicator).bind(2, r.as_of);
  r.value ? s.bind(3, *r.value) : s.bind_null(3);
  r.state.empty() ? s.bind_null(4) : s.bind(4, r.state);
  r.judged ? s.bind(5, *r.judged ? 1 : 0) : s.bind_null(5);
  s.bind(6, r.source).bind(7, r.evidence).bind(8, r.recorded_by).bind(9, clock_());
  Transaction t(StoreAccess::db(store_));
  s.run();
  char num[32] = "";
  if (r.value) std::snprintf(num, sizeof num, "%g", *r.value);
  std::string what = r.value ? num : !r.state.empty() ? r.state : (*r.judged ? "met" : "not met");
  audit(r.recorded_by, "record", r.indicator + " = " + what + " as of " + r.as_of);
  t.commit();
  sync_anchor();
  return "";
}

std::vector<IndicatorRecord> AdminStore::history(const std::string& indicator) {
  std::vector<IndicatorRecord> out;
  Stmt s(StoreAccess::db(store_), std::string("SELECT ") + kRecordCols +
                          " FROM indicator_records WHERE indicator=? ORDER BY as_of, id");
  s.bind(1, indicator);
  while (s.step()) out.push_back(read_record(s));
  return out;
}

std::optional<IndicatorRecord> AdminStore::latest(const std::string& indicator, IndicatorRecord* previous) {
  Stmt s(StoreAccess::db(store_), std::string("SELECT ") + kRecordCols +
                          " FROM indicator_records WHERE indicator=? ORDER BY as_of DESC, id DESC LIMIT 2");
  s.bind(1, indicator);
  if (!s.step()) return std::nullopt;
  IndicatorRecord last = read_record(s);
  if (previous) *previous = s.step() ? read_record(s) : IndicatorRecord{};
  return last;
}

std::string AdminStore::update_task(const std::string& task, TaskStatus status, const std::string& note,
                                    const std::string& by) {
  if (!catalog_.find_task(task)) return "unknown task " + task;
  if (by.empty()) return "say who is recording (name)";
  if (status == TaskStatus::blocked && note.empty()) return "say what blocks the task";
  if (!text_ok(note, kMaxNote) || !text_ok(by, 100)) return "text too long or not valid UTF-8";
  Transaction t(StoreAccess::db(store_));
  Stmt s(StoreAccess::db(store_), "INSERT INTO task_updates(task, status, note, recorded_by, recorded_at) VALUES(?,?,?,?,?)");
  s.bind(1, task).bind(2, task_status_code(status)).bind(3, note).bind(4, by).bind(5, clock_());
  s.run();
  audit(by, "task", task + " -> " + task_status_code(status));
  t.commit();
  sync_anchor();
  return "";
}

std::vector<TaskUpdate> AdminStore::task_history(const std::string& task) {
  std::vector<TaskUpdate> out;
  Stmt s(StoreAccess::db(store_), "SELECT id, task, status, note, recorded_by, recorded_at FROM task_updates WHERE task=? ORDER BY id");
  s.bind(1, task);
  while (s.step())
    out.push_back({s.i64(0), std::string(s.text(1)), parse_task_status(std::string(s.text(2))).value_or(TaskStatus::not_started),
                   std::string(s.text(3)), std::string(s.text(4)), s.i64(5)});
  return out;
}

std::vector<TaskUpdate> AdminStore::task_states() {
  std::vector<TaskUpdate> out;
  Stmt s(StoreAccess::db(store_),
         "SELECT u.id, u.task, u.status, u.note, u.recorded_by, u.recorded_at FROM task_updates u "
         "JOIN (SELECT task, max(id) AS last FROM task_updates GROUP BY task) l ON u.id = l.last ORDER BY u.task");
  while (s.step())
    out.push_back({s.i64(0), std::string(s.text(1)), parse_task_status(std::string(s.text(2))).value_or(TaskStatus::not_started),
                   std::string(s.text(3)), std::string(s.text(4)), s.i64(5)});
  return out;
}

bool AdminStore::has_pin() { return stored_pin_hash().has_value(); }

std::optional<std::string> AdminStore::stored_pin_hash(bool* row) {
  Stmt s(StoreAccess::db(store_), "SELECT pin_hash FROM admin_auth WHERE id=1");
  bool found = s.step();
  if (row) *row = found;
  if (!found || s.is_null(0)) return std::nullopt;
  return std::string(s.text(0));
}

void AdminStore::use_anchor(const std::string& path) {
  anchor_path_ = path;
  anchor_error_.clear();
  if (path.empty()) return;
  std::string err;
  if (read_anchor(path, &err)) return;
  if (!err.empty()) { anchor_error_ = err; return; }
  // First use: what the database holds now becomes the reference.
  Anchor a;
  a.head = audit_head();
  auto pin = stored_pin_hash();
  if (pin) a.pin_mark = sha256_hex(*pin);
  a.database = StoreAccess::db(store_).path();
  // A database with a history had an anchor (every program that writes the log makes
  // one): its absence now means someone removed it, perhaps to hide a cut tail. Say so,
  // and keep saying so, rather than trusting the log as it is. A new database stays quiet.
  bool history = a.head.count > 0 || pin || StoreAccess::db(store_).scalar("SELECT count(*) FROM indicator_records") > 0 ||
                 StoreAccess::db(store_).scalar("SELECT count(*) FROM task_updates") > 0;
  if (history)
    a.rebuilt = "the anchor " + path + " is missing: entries removed before now cannot be detected (made again " +
                to_iso_utc(clock_()) + " from the log's " + std::to_string(a.head.count) + " entries)";
  anchor_error_ = write_anchor(path, a);
  if (history) {
    std::string wrote = anchor_error_;
    try {
      audit("EcoKiosk", "anchor_missing", a.rebuilt);
    } catch (const DbError&) {
      // A read-only database: the anchor's own note still says it.
    }
    anchor_error_ = a.rebuilt + (wrote.empty() ? "" : "; " + wrote);
  }
}

void AdminStore::sync_anchor() {
  if (anchor_path_.empty()) return;
  std::string err;
  auto a = read_anchor(anchor_path_, &err);
  if (!a) { anchor_error_ = err.empty() ? "anchor " + anchor_path_ + " is missing" : err; return; }
  AuditHead h = audit_head();
  // Never moves backwards (another process may have anchored a later entry already),
  // and never over a cut: the log must still hold the anchored entry where it was.
  if (h.count < a->head.count) return;
  if (a->head.count > 0) {
    Stmt s(StoreAccess::db(store_), "SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET ?");
    s.bind(1, a->head.count - 1);
    if (!s.step() || s.text(0) != a->head.last_hash) {
      anchor_error_ = "the audit log no longer holds the entry anchored in " + anchor_path_ + "; the anchor is kept";
      return;
    }
  }
  a->head = h;
  anchor_error_ = write_anchor(anchor_path_, *a);
}

PinState AdminStore::pin_state() {
  auto hash = stored_pin_hash();
  if (anchor_path_.empty()) return hash ? PinState::set : PinState::none;
  auto a = read_anchor(anchor_path_);
  if (!a) return hash ? PinState::set : PinState::none;  // unreadable anchor: no setup offered
  if (!a->pin_mark.empty() || hash) {
    if (!hash || a->pin_mark.empty() || sha256_hex(*hash) != a->pin_mark) return PinState::tampered;
    return PinState::set;
  }
  if (!a->setup_code_hash.empty() && a->setup_code_until > clock_()) return PinState::setup_code;
  return PinState::none;
}

std::string AdminStore::set_pin(const std::string& pin, const std::string& actor, std::string* warning) {
  if (pin.size() < 6 || pin.size() > 12 || pin.find_first_not_of("0123456789") != std::string::npos)
    return "the PIN must be 6 to 12 digits";
  if (sodium_init() < 0) return "libsodium could not start";
  char hash[crypto_pwhash_STRBYTES];
  // Interactive limits: about 0.1 s and 64 MiB, a fair cost for a kiosk unlocking.
  if (crypto_pwhash_str_alg(hash, pin.c_str(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return "out of memory while hashing the PIN";
  std::string note;
  Transaction t(StoreAccess::db(store_));
  bool row = false;
  stored_pin_hash(&row);
  if (!row) {
    // Deleted outside the program (the table's only row): recreated, and said so.
    StoreAccess::db(store_).exec("INSERT INTO admin_auth(id) VALUES(1)");
    note = "the admin row was missing from the database (deleted outside EcoKiosk) and was recreated";
  }
  Stmt s(StoreAccess::db(store_), "UPDATE admin_auth SET pin_hash=?, failed=0, locked_until=0 WHERE id=1");
  s.bind(1, std::string_view(hash));
  s.run();
  // Read back: a planted trigger or a missing row must not pass for success.
  if (StoreAccess::db(store_).changes() != 1 || stored_pin_hash() != std::string(hash))
    return "the PIN was not stored (the database refused or ignored the change: run `ecokiosk audit verify`); "
           "the old PIN, if any, still applies";
  audit(actor, "set_pin", note.empty() ? "PIN changed" : "PIN changed; " + note);
  t.commit();
  if (!anchor_path_.empty()) {
    std::string err;
    auto a = read_anchor(anchor_path_, &err);
    Anchor next = a ? *a : Anchor{};
    next.database = StoreAccess::db(store_).path();
    if (!a) next.head = audit_head();  // else the head moves only through sync_anchor's checks
    next.pin_mark = sha256_hex(hash);
    next.setup_code_hash.clear();  // a PIN exists: no setup code stays usable
    next.setup_code_until = 0;
    anchor_error_ = write_anchor(anchor_path_, next);
    if (anchor_error_.empty()) sync_anchor();
    if (!anchor_error_.empty()) note += (note.empty() ? "" : "; ") + anchor_error_;
  }
  if (warning) *warning = note;
  return "";
}

PinCheck AdminStore::register_failure(const std::string& what) {
  PinCheck out;
  TimeMs now = clock_();
  Transaction t(StoreAccess::db(store_));
  std::int64_t failed = 0;
  {
    Stmt s(StoreAccess::db(store_), "SELECT failed FROM admin_auth WHERE id=1");
    if (s.step()) failed = s.i64(0);
  }
  ++failed;
  Stmt u(StoreAccess::db(store_), "UPDATE admin_auth SET failed=?, locked_until=? WHERE id=1");
  TimeMs until = failed >= kMaxFailures ? now + kLockMs : 0;
  u.bind(1, failed >= kMaxFailures ? 0 : failed).bind(2, until);
  u.run();
  audit("?", "sign_in_failed", what + " (" + std::to_string(failed) + " in a row)" +
                                   (until ? ", console locked for 5 minutes" : ""));
  out.result = until ? PinCheck::Result::locked : PinCheck::Result::wrong;
  out.attempts_left = until ? 0 : kMaxFailures - static_cast<int>(failed);
  out.locked_until = until;
  t.commit();
  sync_anchor();
  return out;
}

PinCheck AdminStore::check_pin(const std::string& pin) {
  PinCheck out;
  if (pin_state() == PinState::tampered) { out.result = PinCheck::Result::tampered; return out; }
  std::string hash;
  TimeMs locked_until = 0;
  {
    Stmt s(StoreAccess::db(store_), "SELECT pin_hash, failed, locked_until FROM admin_auth WHERE id=1");
    if (!s.step() || s.is_null(0)) { out.result = PinCheck::Result::no_pin; return out; }
    hash = s.text(0);
    locked_until = s.i64(2);
  }
  TimeMs now = clock_();
  if (locked_until > now) {
    out.result = PinCheck::Result::locked;
    out.locked_until = locked_until;
    return out;
  }
  if (sodium_init() < 0) return out;
  // crypto_pwhash_str_verify compares in constant time.
  if (crypto_pwhash_str_verify(hash.c_str(), pin.c_str(), pin.size()) != 0) return register_failure("wrong PIN");
  {
    Transaction t(StoreAccess::db(store_));
    StoreAccess::db(store_).exec("UPDATE admin_auth SET failed=0, locked_until=0 WHERE id=1");
    audit("admin", "sign_in", "PIN accepted");
    t.commit();
  }
  sync_anchor();
  out.result = PinCheck::Result::ok;
  return out;
}

std::string AdminStore::issue_setup_code(std::string& code, TimeMs valid_ms) {
  if (anchor_path_.empty()) return "no anchor file: a setup code needs the configuration folder";
  PinState st = pin_state();
  if (st == PinState::set) return "a PIN is already set; use `ecokiosk set-pin` to replace it";
  if (st == PinState::tampered)
    return "the PIN record was changed or cleared outside EcoKiosk; use `ecokiosk set-pin` (the staff override)";
  if (sodium_init() < 0) return "libsodium could not start";
  code.clear();
  for (int i = 0; i < 8; ++i) code += static_cast<char>('0' + randombytes_uniform(10));
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, code.c_str(), code.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return "out of memory while hashing the code";
  std::string err;
  auto a = read_anchor(anchor_path_, &err);
  if (!a && !err.empty()) return err;
  Anchor next = a ? *a : Anchor{};
  next.database = StoreAccess::db(store_).path();
  next.setup_code_hash = hash;
  next.setup_code_until = clock_() + valid_ms;
  if (std::string w = write_anchor(anchor_path_, next); !w.empty()) return w;
  audit("setup-code (command line)", "setup_code", "one-time setup code issued, valid until " +
                                                      to_iso_utc(next.setup_code_until));
  return "";
}

PinCheck AdminStore::check_setup_code(const std::string& code) {
  PinCheck out;
  if (pin_state() != PinState::setup_code) { out.result = PinCheck::Result::no_pin; return out; }
  {
    Stmt s(StoreAccess::db(store_), "SELECT locked_until FROM admin_auth WHERE id=1");
    if (s.step() && s.i64(0) > clock_()) {
      out.result = PinCheck::Result::locked;
      out.locked_until = s.i64(0);
      return out;
    }
  }
  auto a = read_anchor(anchor_path_);
  if (!a || sodium_init() < 0) return out;
  if (crypto_pwhash_str_verify(a->setup_code_hash.c_str(), code.c_str(), code.size()) != 0)
    return register_failure("wrong setup code");
  // Single use: gone before anyone can use it again.
  a->setup_code_hash.clear();
  a->setup_code_until = 0;
  if (std::string w = write_anchor(anchor_path_, *a); !w.empty()) { anchor_error_ = w; return out; }
  audit("setup", "setup_code_used", "one-time setup code accepted; choosing the first PIN");
  out.result = PinCheck::Result::ok;
  return out;
}

void AdminStore::audit(const std::string& actor, const std::string& action, const std::string& detail) {
  // Reading the last hash and appending must be one step, or two writers could fork the chain.
  std::optional<Transaction> t;
  if (!StoreAccess::db(store_).in_transaction()) t.emplace(StoreAccess::db(store_));
  std::string prev;
  {
    Stmt s(StoreAccess::db(store_), "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (s.step()) prev = s.text(0);
  }
  TimeMs at = clock_();
  Stmt s(StoreAccess::db(store_), "INSERT INTO audit_log(at, actor, action, detail, prev_hash, hash) VALUES(?,?,?,?,?,?)");
  s.bind(1, at).bind(2, actor).bind(3, action).bind(4, detail).bind(5, prev)
      .bind(6, entry_hash(prev, at, actor, action, detail));
  s.run();
  if (t) {
    t->commit();
    sync_anchor();
  }
}

std::vector<AuditEntry> AdminStore::audit_entries(std::int64_t limit) {
  std::vector<AuditEntry> out;
  Stmt s(StoreAccess::db(store_), "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id DESC LIMIT ?");
  s.bind(1, limit);
  while (s.step())
    out.push_back({s.i64(0), s.i64(1), std::string(s.text(2)), std::string(s.text(3)), std::string(s.text(4)),
                   std::string(s.text(5)), std::string(s.text(6))});
  return out;
}

std::optional<std::int64_t> AdminStore::verify_audit() {
  Stmt s(StoreAccess::db(store_), "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id");
  std::string prev;
  while (s.step()) {
    std::string p(s.text(5)), h(s.text(6));
    if (p != prev || h != entry_hash(p, s.i64(1), std::string(s.text(2)), std::string(s.text(3)), std::string(s.text(4))))
      return s.i64(0);
    prev = h;
  }
  return std::nullopt;
}

}  // namespace eco

namespace eco {

AuditHead AdminStore::audit_head() {
  AuditHead h;
  h.count = StoreAccess::db(store_).scalar("SELECT count(*) FROM audit_log");
  Stmt s(StoreAccess::db(store_), "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
  if (s.step()) h.last_hash = s.text(0);
  return h;
}

AuditVerdict AdminStore::verify_audit_all() {
  AuditVerdict v;
  v.anchor_path = anchor_path_;
  std::optional<Anchor> anchor;
  if (!anchor_path_.empty()) {
    std::string err;
    anchor = read_anchor(anchor_path_, &err);
    if (!err.empty()) v.problems.push_back("anchor: " + err);
    if (anchor) v.anchored = anchor->head;
  }
  // One pass: the chain, and the entry at the anchored position.
  Stmt s(StoreAccess::db(store_), "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id");
  std::string prev;
  std::int64_t n = 0;
  bool chain_ok = true;
  while (s.step()) {
    ++n;
    std::string p(s.text(5)), h(s.text(6));
    if (chain_ok && (p != prev || h != entry_hash(p, s.i64(1), std::string(s.text(2)), std::string(s.text(3)),
                                                  std::string(s.text(4))))) {
      v.problems.push_back("audit_log entry id " + std::to_string(s.i64(0)) + " (position " + std::to_string(n) +
                           "): its hash does not match its content or the entry before it (edited, inserted or "
                           "an earlier entry removed)");
      chain_ok = false;
    }
    if (anchor && n == anchor->head.count && h != anchor->head.last_hash)
      v.problems.push_back("audit_log position " + std::to_string(n) + " (id " + std::to_string(s.i64(0)) +
                           ") is not the entry anchored in " + anchor_path_ + " (hash " +
                           anchor->head.last_hash.substr(0, 12) + "…): the log was cut and rewritten");
    prev = h;
  }
  v.head.count = n;
  v.head.last_hash = prev;
  if (anchor && n < anchor->head.count)
    v.problems.push_back("audit_log has " + std::to_string(n) + " entries but " + anchor_path_ + " records " +
                         std::to_string(anchor->head.count) + " (the last ending in " +
                         anchor->head.last_hash.substr(0, 12) + "…): " + std::to_string(anchor->head.count - n) +
                         " entries were removed from the end");
  if (anchor && !anchor->rebuilt.empty()) v.problems.push_back(anchor->rebuilt);
  if (pin_state() == PinState::tampered)
    v.problems.push_back("admin_auth: the PIN hash is not the one EcoKiosk stored (changed or cleared outside the "
                         "program); staff must run `ecokiosk set-pin`");
  const std::string replaced = " (replaced)";
  for (const auto& g : store_.restored_guards()) {
    if (g.size() > replaced.size() && g.ends_with(replaced))
      v.problems.push_back("trigger " + g.substr(0, g.size() - replaced.size()) +
                           " had been replaced outside EcoKiosk by one that does something else; recreated at this open");
    else
      v.problems.push_back("trigger " + g + " was missing (dropped outside EcoKiosk); restored at this open");
  }
  v.intact = v.problems.empty();
  return v;
}

std::string AdminStore::reanchor(const std::string& why) {
  if (anchor_path_.empty()) return "";
  audit("restore (command line)", "reanchor", why);
  std::string err;
  auto a = read_anchor(anchor_path_, &err);
  Anchor next = a ? *a : Anchor{};
  next.database = StoreAccess::db(store_).path();
  next.head = audit_head();
  auto h = stored_pin_hash();
  next.pin_mark = h ? sha256_hex(*h) : "";
  next.rebuilt.clear();  // staff chose this database's history deliberately
  return anchor_error_ = write_anchor(anchor_path_, next);
}

}  // namespace eco
