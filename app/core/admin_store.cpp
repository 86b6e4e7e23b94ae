#include "core/admin_store.hpp"

#include <sodium.h>

#include <cmath>
#include <cstdio>

#include "core/util.hpp"

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

std::string AdminStore::record(IndicatorRecord r) {
  const IndicatorDef* d = catalog_.find(r.indicator);
  if (!d) return "unknown indicator " + r.indicator;
  if (!d->sub.empty()) return "indicator " + r.indicator + " is judged from its sub-indicators; record those";
  if (!d->rule.survey.empty()) return "indicator " + r.indicator + " comes from the survey and cannot be typed over";
  if (!is_date(r.as_of)) return "the date must look like 2019-12-31";
  if (r.recorded_by.empty()) return "say who is recording (name)";
  if (!text_ok(r.recorded_by, 100) || !text_ok(r.source, kMaxNote) || !text_ok(r.evidence, kMaxNote))
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
  Stmt s(store_.db(),
         "INSERT INTO indicator_records(indicator, as_of, value, state, judged, source, evidence, recorded_by, "
         "recorded_at) VALUES(?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.indicator).bind(2, r.as_of);
  r.value ? s.bind(3, *r.value) : s.bind_null(3);
  r.state.empty() ? s.bind_null(4) : s.bind(4, r.state);
  r.judged ? s.bind(5, *r.judged ? 1 : 0) : s.bind_null(5);
  s.bind(6, r.source).bind(7, r.evidence).bind(8, r.recorded_by).bind(9, clock_());
  Transaction t(store_.db());
  s.run();
  char num[32] = "";
  if (r.value) std::snprintf(num, sizeof num, "%g", *r.value);
  std::string what = r.value ? num : !r.state.empty() ? r.state : (*r.judged ? "met" : "not met");
  audit(r.recorded_by, "record", r.indicator + " = " + what + " as of " + r.as_of);
  t.commit();
  return "";
}

std::vector<IndicatorRecord> AdminStore::history(const std::string& indicator) {
  std::vector<IndicatorRecord> out;
  Stmt s(store_.db(), std::string("SELECT ") + kRecordCols +
                          " FROM indicator_records WHERE indicator=? ORDER BY as_of, id");
  s.bind(1, indicator);
  while (s.step()) out.push_back(read_record(s));
  return out;
}

std::optional<IndicatorRecord> AdminStore::latest(const std::string& indicator, IndicatorRecord* previous) {
  Stmt s(store_.db(), std::string("SELECT ") + kRecordCols +
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
  Transaction t(store_.db());
  Stmt s(store_.db(), "INSERT INTO task_updates(task, status, note, recorded_by, recorded_at) VALUES(?,?,?,?,?)");
  s.bind(1, task).bind(2, task_status_code(status)).bind(3, note).bind(4, by).bind(5, clock_());
  s.run();
  audit(by, "task", task + " -> " + task_status_code(status));
  t.commit();
  return "";
}

std::vector<TaskUpdate> AdminStore::task_history(const std::string& task) {
  std::vector<TaskUpdate> out;
  Stmt s(store_.db(), "SELECT id, task, status, note, recorded_by, recorded_at FROM task_updates WHERE task=? ORDER BY id");
  s.bind(1, task);
  while (s.step())
    out.push_back({s.i64(0), std::string(s.text(1)), parse_task_status(std::string(s.text(2))).value_or(TaskStatus::not_started),
                   std::string(s.text(3)), std::string(s.text(4)), s.i64(5)});
  return out;
}

std::vector<TaskUpdate> AdminStore::task_states() {
  std::vector<TaskUpdate> out;
  Stmt s(store_.db(),
         "SELECT u.id, u.task, u.status, u.note, u.recorded_by, u.recorded_at FROM task_updates u "
         "JOIN (SELECT task, max(id) AS last FROM task_updates GROUP BY task) l ON u.id = l.last ORDER BY u.task");
  while (s.step())
    out.push_back({s.i64(0), std::string(s.text(1)), parse_task_status(std::string(s.text(2))).value_or(TaskStatus::not_started),
                   std::string(s.text(3)), std::string(s.text(4)), s.i64(5)});
  return out;
}

bool AdminStore::has_pin() {
  Stmt s(store_.db(), "SELECT pin_hash IS NOT NULL FROM admin_auth WHERE id=1");
  return s.step() && s.i64(0) != 0;
}

std::string AdminStore::set_pin(const std::string& pin, const std::string& actor) {
  if (pin.size() < 6 || pin.size() > 12 || pin.find_first_not_of("0123456789") != std::string::npos)
    return "the PIN must be 6 to 12 digits";
  if (sodium_init() < 0) return "libsodium could not start";
  char hash[crypto_pwhash_STRBYTES];
  // Interactive limits: about 0.1 s and 64 MiB, a fair cost for a kiosk unlocking.
  if (crypto_pwhash_str_alg(hash, pin.c_str(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return "out of memory while hashing the PIN";
  Transaction t(store_.db());
  Stmt s(store_.db(), "UPDATE admin_auth SET pin_hash=?, failed=0, locked_until=0 WHERE id=1");
  s.bind(1, std::string_view(hash));
  s.run();
  audit(actor, "set_pin", "PIN changed");
  t.commit();
  return "";
}

PinCheck AdminStore::check_pin(const std::string& pin) {
  PinCheck out;
  std::string hash;
  std::int64_t failed = 0;
  TimeMs locked_until = 0;
  {
    Stmt s(store_.db(), "SELECT pin_hash, failed, locked_until FROM admin_auth WHERE id=1");
    if (!s.step() || s.is_null(0)) { out.result = PinCheck::Result::no_pin; return out; }
    hash = s.text(0);
    failed = s.i64(1);
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
  bool ok = crypto_pwhash_str_verify(hash.c_str(), pin.c_str(), pin.size()) == 0;
  Transaction t(store_.db());
  if (ok) {
    store_.db().exec("UPDATE admin_auth SET failed=0, locked_until=0 WHERE id=1");
    audit("admin", "sign_in", "PIN accepted");
    out.result = PinCheck::Result::ok;
  } else {
    ++failed;
    Stmt u(store_.db(), "UPDATE admin_auth SET failed=?, locked_until=? WHERE id=1");
    TimeMs until = failed >= kMaxFailures ? now + kLockMs : 0;
    u.bind(1, failed >= kMaxFailures ? 0 : failed).bind(2, until);
    u.run();
    audit("?", "sign_in_failed", "wrong PIN (" + std::to_string(failed) + " in a row)" +
                                     (until ? ", console locked for 5 minutes" : ""));
    out.result = until ? PinCheck::Result::locked : PinCheck::Result::wrong;
    out.attempts_left = until ? 0 : kMaxFailures - static_cast<int>(failed);
    out.locked_until = until;
  }
  t.commit();
  return out;
}

void AdminStore::audit(const std::string& actor, const std::string& action, const std::string& detail) {
  // Reading the last hash and appending must be one step, or two writers could fork the chain.
  std::optional<Transaction> t;
  if (!store_.db().in_transaction()) t.emplace(store_.db());
  std::string prev;
  {
    Stmt s(store_.db(), "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (s.step()) prev = s.text(0);
  }
  TimeMs at = clock_();
  Stmt s(store_.db(), "INSERT INTO audit_log(at, actor, action, detail, prev_hash, hash) VALUES(?,?,?,?,?,?)");
  s.bind(1, at).bind(2, actor).bind(3, action).bind(4, detail).bind(5, prev)
      .bind(6, entry_hash(prev, at, actor, action, detail));
  s.run();
  if (t) t->commit();
}

std::vector<AuditEntry> AdminStore::audit_entries(std::int64_t limit) {
  std::vector<AuditEntry> out;
  Stmt s(store_.db(), "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id DESC LIMIT ?");
  s.bind(1, limit);
  while (s.step())
    out.push_back({s.i64(0), s.i64(1), std::string(s.text(2)), std::string(s.text(3)), std::string(s.text(4)),
                   std::string(s.text(5)), std::string(s.text(6))});
  return out;
}

std::optional<std::int64_t> AdminStore::verify_audit() {
  Stmt s(store_.db(), "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id");
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
