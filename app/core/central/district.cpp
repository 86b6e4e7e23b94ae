#include "core/central/district.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/storage/store_access.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"

namespace eco::central {

namespace {
void add_units(const IndicatorDef& d, std::set<std::string>& depts,
               std::vector<std::pair<std::string, std::string>>& leads) {
  for (const auto& l : d.lead)
    for (const auto& u : units_of(l)) {
      depts.insert(u);
      leads.emplace_back(d.id, u);
    }
  for (const auto& s : d.sub) add_units(s, depts, leads);
}
}  // namespace

UnitsReport load_catalog_units(Conn& admin, const Catalog& catalog) {
  std::set<std::string> depts;
  std::vector<std::pair<std::string, std::string>> leads;
  struct Link { std::string task, dept; bool responsible; };
  std::vector<Link> links;
  for (const auto& i : catalog.indicators) {
    add_units(i, depts, leads);
    for (const auto& t : i.tasks) {
      for (const auto& u : units_of(t.responsible)) links.push_back({t.id, u, true});
      for (const auto& u : units_of(t.cooperating)) links.push_back({t.id, u, false});
    }
  }
  for (const auto& l : links) depts.insert(l.dept);
  UnitsReport rep;
  Txn t(admin);
  admin.run("SELECT pg_advisory_xact_lock(7212016)");
  for (const auto& d : depts)
    rep.departments += admin.exec("INSERT INTO departments(name) VALUES($1) ON CONFLICT DO NOTHING", {d}).affected();
  admin.run("DELETE FROM indicator_leads");
  admin.run("DELETE FROM task_departments");
  for (const auto& [ind, d] : leads)
    rep.leads += admin.exec("INSERT INTO indicator_leads VALUES($1, $2) ON CONFLICT DO NOTHING", {ind, d}).affected();
  // Responsible first: a department named both ways is responsible.
  std::stable_partition(links.begin(), links.end(), [](const Link& l) { return l.responsible; });
  for (const auto& l : links)
    rep.task_links += admin.exec("INSERT INTO task_departments VALUES($1, $2, $3) ON CONFLICT DO NOTHING",
                                 {l.task, l.dept, l.responsible ? "true" : "false"})
                          .affected();
  t.commit();
  return rep;
}

const char* account_kind_name(AccountKind k) {
  switch (k) {
    case AccountKind::department: return "department";
    case AccountKind::propaganda: return "propaganda";
    case AccountKind::admin: return "admin";
  }
  return "department";
}

std::optional<AccountKind> parse_account_kind(const std::string& s) {
  for (auto k : {AccountKind::department, AccountKind::propaganda, AccountKind::admin})
    if (s == account_kind_name(k)) return k;
  return std::nullopt;
}

std::string password_fault(const std::string& pw) {
  if (!valid_utf8(pw)) return "the password is not valid UTF-8";
  if (pw.size() < 10) return "a password needs at least 10 characters";
  if (pw.size() > 200) return "a password has at most 200 characters";
  for (unsigned char ch : pw)
    if (ch < 0x20 || ch == 0x7f) return "a password holds no control characters";
  return "";
}

void add_user(Conn& c, const std::string& name, AccountKind kind, const std::string& department,
              const std::string& password) {
  if (std::string why = password_fault(password); !why.empty()) throw PgError(Status::auth, why);
  std::string verifier = c.scram_verifier(password, name);
  c.run("SELECT ecokiosk_set_account($1, $2, $3, $4)",
        {name, std::string(account_kind_name(kind)),
         kind == AccountKind::department ? std::optional<std::string>(department) : std::nullopt, verifier});
}

namespace {
constexpr const char* kAuditTime = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

CentralAuditVerdict verify_central_audit(Conn& c) {
  CentralAuditVerdict v;
  Result r = c.exec(std::string("SELECT seq, ") + kAuditTime +
                    ", actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq");
  std::string prev;
  std::int64_t expect = 1;
  auto problem = [&](std::string p) {
    v.intact = false;
    if (v.problems.size() < 20) v.problems.push_back(std::move(p));
  };
  for (int i = 0; i < r.rows(); ++i) {
    std::int64_t seq = r.i64(i, 0);
    if (seq != expect)
      problem("entry " + std::to_string(expect) + (seq == expect + 1 ? "" : " to " + std::to_string(seq - 1)) +
              " missing (deleted): the next entry is " + std::to_string(seq));
    if (r.text(i, 6) != prev) problem("entry " + std::to_string(seq) + " does not follow the entry before it");
    std::string buf = r.text(i, 6);
    for (int col : {0, 1, 2, 3, 4, 5}) {
      buf += '\x1f';
      buf += col == 0 ? std::to_string(seq) : r.text(i, col);
    }
    if (sha256_hex(buf) != r.text(i, 7))
      problem("entry " + std::to_string(seq) + " (" + r.text(i, 3) + " by " + r.text(i, 2) +
              ") was changed after it was written");
    prev = r.text(i, 7);
    expect = seq + 1;
    ++v.count;
  }
  v.head_hash = prev;
  return v;
}

std::vector<CentralAuditEntry> read_audit(Conn& c, const AuditFilter& f) {
  std::string sql =
      "SELECT seq, (extract(epoch FROM at) * 1000)::bigint, actor, action, subject, detail FROM audit WHERE true";
  Params p;
  auto add = [&](const std::string& cond, std::string v) {
    p.push_back(std::move(v));
    sql += " AND " + cond + "$" + std::to_string(p.size());
  };
  if (!f.actor.empty()) add("actor = ", f.actor);
  if (!f.action.empty()) add("starts_with(action, ", f.action), sql += ")";
  if (!f.subject.empty()) add("subject = ", f.subject);
  if (f.from > 0) add("at >= to_timestamp(", std::to_string(f.from / 1000.0)), sql += ")";
  if (f.to > 0) add("at < to_timestamp(", std::to_string(f.to / 1000.0)), sql += ")";
  sql += " ORDER BY seq DESC LIMIT " + std::to_string(std::clamp(f.limit, 1, 10000));
  Result r = c.exec(sql, p);
  std::vector<CentralAuditEntry> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
  return out;
}

ImportRecordsReport import_records(Conn& admin, Store& kiosk, const Catalog& catalog, const std::string& label) {
  ImportRecordsReport rep;
  Db& db = StoreAccess::db(kiosk);
  auto opt = [](const Stmt& s, int col) -> std::optional<std::string> {
    if (s.is_null(col)) return std::nullopt;
    return std::string(s.text(col));
  };
  Txn t(admin);
  {
    Stmt s(db, "SELECT id, indicator, as_of, value, state, judged, source, evidence, recorded_by, recorded_at "
               "FROM indicator_records ORDER BY id");
    while (s.step()) {
      std::string ind(s.text(1));
      if (!catalog.find(ind)) {
        rep.skipped.push_back("record " + std::to_string(s.i64(0)) + ": no indicator " + ind + " in the catalog");
        continue;
      }
      std::optional<std::string> value;
      if (!s.is_null(3)) {
        char num[40];
        std::snprintf(num, sizeof num, "%.17g", s.f64(3));
        value = num;
      }
      std::optional<std::string> judged;
      if (!s.is_null(5)) judged = std::to_string(s.i64(5));
      std::string at = std::to_string(s.i64(9));
      std::string key = "record\x1f" + ind;
      for (const auto& f : {std::optional<std::string>(std::string(s.text(2))), value, opt(s, 4), judged,
                            opt(s, 6), opt(s, 7), opt(s, 8), std::optional<std::string>(at)})
        key += '\x1f' + (f ? "=" + *f : std::string("NULL"));
      Result r = admin.exec(
          "INSERT INTO indicator_records(indicator, as_of, value, state, judged, source, evidence, recorded_by, "
          "recorded_at, imported_from, import_key) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
          "ON CONFLICT (import_key) DO NOTHING",
          {ind, std::string(s.text(2)), value, opt(s, 4), judged, std::string(s.text(6)), std::string(s.text(7)),
           std::string(s.text(8)), at, label, sha256_hex(key)});
      (r.affected() == 1 ? rep.records : rep.records_already) += 1;
    }
  }
  {
    Stmt s(db, "SELECT id, task, status, note, recorded_by, recorded_at FROM task_updates ORDER BY id");
    while (s.step()) {
      std::string task(s.text(1));
      if (!catalog.find_task(task)) {
        rep.skipped.push_back("task update " + std::to_string(s.i64(0)) + ": no task " + task + " in the catalog");
        continue;
      }
      std::string at = std::to_string(s.i64(5));
      std::string key = "task\x1f" + task + '\x1f' + std::string(s.text(2)) + '\x1f' + std::string(s.text(3)) +
                        '\x1f' + std::string(s.text(4)) + '\x1f' + at;
      Result r = admin.exec(
          "INSERT INTO task_updates(task, status, note, recorded_by, recorded_at, imported_from, import_key) "
          "VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (import_key) DO NOTHING",
          {task, std::string(s.text(2)), std::string(s.text(3)), std::string(s.text(4)), at, label,
           sha256_hex(key)});
      (r.affected() == 1 ? rep.tasks : rep.tasks_already) += 1;
    }
  }
  t.commit();
  return rep;
}

std::optional<Account> my_account(Conn& c) {
  Result r = c.exec("SELECT session_user::text, kind, department FROM ecokiosk_my_account()");
  if (r.rows() == 0 || r.null(0, 1)) return std::nullopt;
  Account a;
  a.name = r.text(0, 0);
  a.kind = parse_account_kind(r.text(0, 1)).value_or(AccountKind::department);
  a.department = r.text(0, 2);
  return a;
}

std::vector<std::string> my_indicators(Conn& c) {
  Result r = c.exec("SELECT indicator FROM indicator_leads WHERE department = ecokiosk_my_department() ORDER BY 1");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

std::vector<std::pair<std::string, bool>> my_tasks(Conn& c) {
  Result r = c.exec("SELECT task, responsible FROM task_departments WHERE department = ecokiosk_my_department() ORDER BY 1");
  std::vector<std::pair<std::string, bool>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1) == "t");
  return out;
}

std::vector<IndicatorRecord> latest_records(Conn& c) {
  Result r = c.exec(
      "SELECT DISTINCT ON (indicator) id, indicator, as_of, value, state, judged, source, evidence, recorded_by, "
      "recorded_at FROM indicator_records ORDER BY indicator, as_of DESC, id DESC");
  std::vector<IndicatorRecord> out;
  for (int i = 0; i < r.rows(); ++i) {
    IndicatorRecord x;
    x.id = r.i64(i, 0);
    x.indicator = r.text(i, 1);
    x.as_of = r.text(i, 2);
    if (!r.null(i, 3)) x.value = r.f64(i, 3);
    x.state = r.text(i, 4);
    if (!r.null(i, 5)) x.judged = r.i64(i, 5) != 0;
    x.source = r.text(i, 6);
    x.evidence = r.text(i, 7);
    x.recorded_by = r.text(i, 8);
    x.recorded_at = r.i64(i, 9);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<TaskUpdate> latest_task_updates(Conn& c) {
  Result r = c.exec("SELECT DISTINCT ON (task) id, task, status, note, recorded_by, recorded_at FROM task_updates "
                    "ORDER BY task, id DESC");
  std::vector<TaskUpdate> out;
  for (int i = 0; i < r.rows(); ++i) {
    TaskUpdate u;
    u.id = r.i64(i, 0);
    u.task = r.text(i, 1);
    u.status = parse_task_status(r.text(i, 2)).value_or(TaskStatus::not_started);
    u.note = r.text(i, 3);
    u.recorded_by = r.text(i, 4);
    u.recorded_at = r.i64(i, 5);
    out.push_back(std::move(u));
  }
  return out;
}

void record_at_center(Conn& c, const IndicatorRecord& r) {
  std::optional<std::string> value, judged, state;
  if (r.value) {
    char num[40];
    std::snprintf(num, sizeof num, "%.17g", *r.value);
    value = num;
  }
  if (r.judged) judged = *r.judged ? "1" : "0";
  if (!r.state.empty()) state = r.state;
  c.run("INSERT INTO indicator_records(indicator, as_of, value, state, judged, source, evidence) "
        "VALUES($1, $2, $3, $4, $5, $6, $7)",
        {r.indicator, r.as_of, value, state, judged, r.source, r.evidence});
}

void update_task_at_center(Conn& c, const std::string& task, TaskStatus status, const std::string& note) {
  c.run("INSERT INTO task_updates(task, status, note) VALUES($1, $2, $3)",
        {task, std::string(task_status_code(status)), note});
}

void note_action(Conn& c, const std::string& action, const std::string& subject, const std::string& detail) {
  c.run("SELECT ecokiosk_note($1, $2, $3)", {action, subject, detail});
}

}  // namespace eco::central
