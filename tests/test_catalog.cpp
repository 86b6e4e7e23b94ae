// The catalog transcribed from the seed, its rules, and what admins record against it.
#include <doctest/doctest.h>

#include "core/storage/store_access.hpp"
#include "core/storage/admin_store.hpp"
#include "core/support/time.hpp"
#include "core/support/read_file.hpp"
#include "core/catalog/catalog.hpp"
#include "core/analysis/dashboard.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
using test::shipped_catalog;

struct AdminRig {
  TimeMs now = 1'561'000'000'000;
  test::TempDir dir;
  std::string path = dir.file("admin.db");
  Store store{path};
  AdminStore admin{store, shipped_catalog(), [this] { return now; }};
  IndicatorRecord rec(const std::string& id, const std::string& as_of = "2019-06-30") {
    IndicatorRecord r;
    r.indicator = id;
    r.as_of = as_of;
    r.recorded_by = "张三";
    r.source = "区统计局年报";
    return r;
  }
  Status status(const std::string& id) {
    Dashboard d = build_dashboard(shipped_catalog(), admin, nullptr, "zh");
    for (const auto& r : d.rows) {
      if (r.def->id == id) return r.status;
      for (const auto& s : r.sub)
        if (s.def->id == id) return s.status;
    }
    FAIL("no row " << id);
    return Status::no_data;
  }
};
}  // namespace

TEST_CASE("the catalog holds the seed's 40 indicators and every task row") {
  const Catalog& c = shipped_catalog();
  REQUIRE(c.indicators.size() == 40);
  for (int i = 0; i < 40; ++i) CHECK(c.indicators[static_cast<std::size_t>(i)].no == i + 1);
  CHECK(c.domains == std::vector<std::string>{"生态制度", "生态环境", "生态空间", "生态经济", "生态生活", "生态文化"});
  // Rows per indicator as attachment 2 lists them (39 shares 40's rows).
  const int rows[40] = {3, 1, 1, 1, 1, 4, 1, 2, 1, 26, 15, 14, 4, 7, 4, 7, 6, 4, 3, 5,
                        4, 4, 5, 3, 2, 6, 3, 3, 12, 15, 6, 2, 8, 4, 5, 3, 3, 1, 0, 6};
  std::size_t total = 0;
  for (int i = 0; i < 40; ++i) {
    CHECK_MESSAGE(c.indicators[static_cast<std::size_t>(i)].tasks.size() == static_cast<std::size_t>(rows[i]), "indicator ", i + 1);
    total += c.indicators[static_cast<std::size_t>(i)].tasks.size();
  }
  CHECK(total == 205);
  CHECK(c.find("39")->tasks_shared_with == 40);
  for (const auto& i : c.indicators)
    for (const auto& t : i.tasks) {
      CHECK_FALSE(t.task.empty());
      CHECK_FALSE(t.responsible.empty());
    }
}

TEST_CASE("the catalog keeps the seed's words, marks and structure") {
  const Catalog& c = shipped_catalog();
  CHECK(c.find("1")->name == "生态文明建设规划");
  CHECK(c.find("12")->target == "≥74.32,不降低");
  CHECK(c.find("12")->rule.value == doctest::Approx(74.32));
  CHECK(c.find("12")->rule.not_lower_than_previous);
  CHECK(c.find("22")->target == "达到市级考核要求,且在全市名列前茅");
  CHECK(c.find("22")->rule.kind == Rule::Kind::judged);
  CHECK(c.find("17")->rule.kind == Rule::Kind::state);
  CHECK(c.find("17")->rule.required == "不发生");
  for (const auto& i : c.indicators) CHECK(i.hardest == (i.no == 22 || i.no == 23 || i.no == 29));
  CHECK(c.find("21")->binding == "国家参考性、市级约束性");
  CHECK(c.find("1")->binding == "约束性");
  CHECK(c.find("3")->binding == "参考性");
  CHECK(c.find("10")->binding.empty());  // attachment 2 says neither
  REQUIRE(c.find("14")->sub.size() == 2);
  CHECK(c.find("14.2")->name == "外来物种入侵");
  CHECK(c.find("14.2")->rule.required == "不明显");
  REQUIRE(c.find("26")->sub.size() == 2);
  CHECK(c.find("26.2")->lead == std::vector<std::string>{"区畜牧技术服务中心"});
  CHECK(c.find("30")->lead.size() == 2);
  CHECK(c.find("35")->rule.survey == "green-travel");
  CHECK(c.find("39")->rule.survey == "knowledge");
  CHECK(c.find("40")->rule.survey == "satisfaction");
  CHECK(c.find("40")->rule.value == 80);
  const Task* t = c.find_task("10.9");
  REQUIRE(t);
  CHECK(t->key_task == "推广纯电动车");  // merged cell inherited from the row above
  CHECK(t->responsible == "区机关事务服务中心");
  auto depts = c.departments();
  CHECK(std::find(depts.begin(), depts.end(), "区生态环境局") != depts.end());
  CHECK(std::find(depts.begin(), depts.end(), "区财政局") != depts.end());
}

TEST_CASE("a broken catalog is refused with the place and reason") {
  test::TempDir dir;
  auto bad = load_catalog(dir.write("c.json", R"({"indicators":[{"no":1,"domain":"x","name":"n","lead":["区"],"target":"≥1","rule":{"kind":"more"}}]})"));
  CHECK_FALSE(bad.catalog);
  REQUIRE_FALSE(bad.errors.empty());
  CHECK(bad.errors[0].find("/indicators/0/rule/kind") != std::string::npos);
  auto none = load_catalog(dir.file("missing.json"));
  CHECK_FALSE(none.catalog);
}

TEST_CASE("rules: numbers, not-lower, states and judgements") {
  Rule at{Rule::Kind::at_least, 20};
  Observation hi{25.0, "", {}}, lo{15.0, "", {}}, edge{20.0, "", {}};
  CHECK(evaluate(at, &hi, nullptr) == Status::met);
  CHECK(evaluate(at, &edge, nullptr) == Status::met);
  CHECK(evaluate(at, &lo, nullptr) == Status::not_met);
  CHECK(evaluate(at, nullptr, nullptr) == Status::no_data);
  Rule ei{Rule::Kind::at_least, 74.32, true};
  Observation now{75.0, "", {}}, before{75.5, "", {}}, earlier{74.9, "", {}};
  CHECK(evaluate(ei, &now, nullptr) == Status::to_judge);  // nothing to compare with yet
  CHECK(evaluate(ei, &now, &before) == Status::not_met);   // above 74.32 but lower than before
  CHECK(evaluate(ei, &now, &earlier) == Status::met);
  Rule st{Rule::Kind::state};
  st.required = "不发生";
  Observation ok{{}, "不发生", {}}, bad{{}, "发生", {}};
  CHECK(evaluate(st, &ok, nullptr) == Status::met);
  CHECK(evaluate(st, &bad, nullptr) == Status::not_met);
  Rule j{Rule::Kind::judged};
  Observation yes{{}, "", true}, no{{}, "", false};
  CHECK(evaluate(j, nullptr, nullptr) == Status::to_judge);
  CHECK(evaluate(j, &yes, nullptr) == Status::met);
  CHECK(evaluate(j, &no, nullptr) == Status::not_met);
  CHECK(rule_text(ei, "", "zh").find("不低于 74.32") != std::string::npos);
  CHECK(rule_text(ei, "", "en").find("not lower than the previous") != std::string::npos);
}

TEST_CASE("recording values: checked against the rule, append-only, status flips") {
  AdminRig r;
  CHECK(r.status("2") == Status::no_data);
  auto v = r.rec("2");
  v.value = 18;
  CHECK(r.admin.record(v).empty());
  CHECK(r.status("2") == Status::not_met);
  v.value = 22;
  v.as_of = "2019-09-30";
  CHECK(r.admin.record(v).empty());
  CHECK(r.status("2") == Status::met);
  CHECK(r.admin.history("2").size() == 2);  // nothing overwritten

  auto s = r.rec("17");
  s.state = "不发生";
  CHECK(r.admin.record(s).empty());
  CHECK(r.status("17") == Status::met);
  s.state = "maybe";
  CHECK(r.admin.record(s).find("listed") != std::string::npos);

  CHECK(r.status("22") == Status::to_judge);
  auto j = r.rec("22");
  j.judged = true;
  CHECK(r.admin.record(j).find("evidence") != std::string::npos);  // a judgement needs evidence
  j.evidence = "市发展改革委2019年考核通报:我区排名第3";
  CHECK(r.admin.record(j).empty());
  CHECK(r.status("22") == Status::met);

  // Bad input: clear messages, nothing saved.
  auto bad = r.rec("2");
  CHECK(r.admin.record(bad).find("number") != std::string::npos);
  bad.value = 150;
  CHECK(r.admin.record(bad).find("range") != std::string::npos);
  bad.value = 30;
  bad.as_of = "2019-13-01";
  CHECK(r.admin.record(bad).find("date") != std::string::npos);
  bad.as_of = "2019-12-01";
  bad.recorded_by.clear();
  CHECK(r.admin.record(bad).find("who") != std::string::npos);
  auto survey = r.rec("40");
  survey.value = 99;
  CHECK(r.admin.record(survey).find("survey") != std::string::npos);
  auto parent = r.rec("14");
  CHECK(r.admin.record(parent).find("sub-indicators") != std::string::npos);
  CHECK(r.admin.history("2").size() == 2);

  CHECK_THROWS_AS(StoreAccess::db(r.store).exec("UPDATE indicator_records SET value = 99"), DbError);
  CHECK_THROWS_AS(StoreAccess::db(r.store).exec("DELETE FROM indicator_records"), DbError);
}

TEST_CASE("a parent indicator is met only when all its sub-indicators are") {
  AdminRig r;
  auto a = r.rec("14.1");
  a.state = "严格保护";
  REQUIRE(r.admin.record(a).empty());
  CHECK(r.status("14") == Status::no_data);  // 14.2 not yet recorded
  auto b = r.rec("14.2");
  b.state = "明显";
  REQUIRE(r.admin.record(b).empty());
  CHECK(r.status("14") == Status::not_met);
  b.state = "不明显";
  b.as_of = "2019-07-31";
  REQUIRE(r.admin.record(b).empty());
  CHECK(r.status("14") == Status::met);
}

TEST_CASE("not lower than last year uses the previous record") {
  AdminRig r;
  auto v = r.rec("12", "2018-12-31");
  v.value = 75.1;
  REQUIRE(r.admin.record(v).empty());
  CHECK(r.status("12") == Status::to_judge);
  v.as_of = "2019-12-31";
  v.value = 74.9;
  REQUIRE(r.admin.record(v).empty());
  CHECK(r.status("12") == Status::not_met);
}

TEST_CASE("tasks: status history and the latest state") {
  AdminRig r;
  CHECK(r.admin.update_task("10.3", TaskStatus::in_progress, "渣土车专项检查已启动", "李四").empty());
  CHECK(r.admin.update_task("10.3", TaskStatus::blocked, "", "李四").find("blocks") != std::string::npos);
  CHECK(r.admin.update_task("10.3", TaskStatus::done, "", "李四").empty());
  CHECK(r.admin.update_task("99.1", TaskStatus::done, "", "李四").find("unknown") != std::string::npos);
  CHECK(r.admin.task_history("10.3").size() == 2);
  auto states = r.admin.task_states();
  REQUIRE(states.size() == 1);
  CHECK(states[0].status == TaskStatus::done);
  Dashboard d = build_dashboard(shipped_catalog(), r.admin, nullptr, "zh");
  CHECK(d.rows[9].done_tasks == 1);
  CHECK(d.rows[9].open_tasks == 25);
}

TEST_CASE("PIN: no default, Argon2id, lockout after five wrong that survives a restart") {
  AdminRig r;
  CHECK_FALSE(r.admin.has_pin());
  CHECK(r.admin.check_pin("000000").result == PinCheck::Result::no_pin);
  CHECK(r.admin.set_pin("1234", "setup").find("6 to 12") != std::string::npos);
  CHECK(r.admin.set_pin("12a456", "setup").find("digits") != std::string::npos);
  REQUIRE(r.admin.set_pin("246810", "setup").empty());
  {
    Stmt s(StoreAccess::db(r.store), "SELECT pin_hash FROM admin_auth");
    REQUIRE(s.step());
    std::string h(s.text(0));
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(h.find("246810") == std::string::npos);
  }
  CHECK(r.admin.check_pin("246810").result == PinCheck::Result::ok);
  for (int i = 1; i <= 4; ++i) {
    PinCheck c = r.admin.check_pin("111111");
    CHECK(c.result == PinCheck::Result::wrong);
    CHECK(c.attempts_left == 5 - i);
  }
  PinCheck fifth = r.admin.check_pin("111111");
  CHECK(fifth.result == PinCheck::Result::locked);
  CHECK(fifth.locked_until == r.now + 5 * 60 * 1000);
  CHECK(r.admin.check_pin("246810").result == PinCheck::Result::locked);  // even the right PIN
  {
    // A restart (a new connection and store) does not reset the lock.
    Store again(r.path);
    TimeMs later = r.now + 60'000;
    AdminStore a2(again, shipped_catalog(), [&] { return later; });
    CHECK(a2.check_pin("246810").result == PinCheck::Result::locked);
    later = r.now + 5 * 60 * 1000 + 1;
    CHECK(a2.check_pin("246810").result == PinCheck::Result::ok);
  }
}

TEST_CASE("the audit log is a hash chain: tampering shows") {
  AdminRig r;
  r.admin.audit("王五", "export", "xlsx 100 rows");
  r.now += 1000;
  r.admin.audit("王五", "settings", "idle_seconds 60 -> 90");
  r.admin.audit("王五", "export", "csv 100 rows");
  CHECK_FALSE(r.admin.verify_audit());
  auto entries = r.admin.audit_entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].action == "export");  // newest first
  CHECK(entries[0].prev_hash == entries[1].hash);
  CHECK_THROWS_AS(StoreAccess::db(r.store).exec("UPDATE audit_log SET detail='nothing'"), DbError);
  // Someone with the file drops the guard and edits an entry: the chain breaks there.
  StoreAccess::db(r.store).exec("DROP TRIGGER audit_log_append_only_u");
  StoreAccess::db(r.store).exec("UPDATE audit_log SET detail='idle_seconds 60 -> 600' WHERE action='settings'");
  auto bad = r.admin.verify_audit();
  REQUIRE(bad);
  CHECK(*bad == entries[1].id);
}

TEST_CASE("audit: a cut tail, a dropped guard and a replaced PIN show against the anchor kept outside the database") {
  AdminRig r;
  std::string anchor = r.dir.file("config/anchors/a.json");
  r.admin.use_anchor(anchor);
  REQUIRE(r.admin.anchor_error().empty());
  REQUIRE(r.admin.set_pin("246810", "set-pin (command line)").empty());
  for (int i = 0; i < 4; ++i) r.admin.audit("王五", "export", "csv " + std::to_string(i));
  AuditVerdict ok = r.admin.verify_audit_all();
  CHECK(ok.intact);
  CHECK(ok.head.count == 5);
  REQUIRE(ok.anchored);
  CHECK(ok.anchored->count == 5);
  CHECK(ok.anchored->last_hash == ok.head.last_hash);
  // The chain alone cannot see this: drop the guard, delete the last two entries.
  StoreAccess::db(r.store).exec("DROP TRIGGER audit_log_append_only_d");
  StoreAccess::db(r.store).exec("DELETE FROM audit_log WHERE id > 3");
  CHECK_FALSE(r.admin.verify_audit());  // the old check says all is well
  AuditVerdict cut = r.admin.verify_audit_all();
  CHECK_FALSE(cut.intact);
  REQUIRE_FALSE(cut.problems.empty());
  CHECK(cut.problems[0].find("audit_log has 3 entries but " + anchor + " records 5") == 0);
  CHECK(cut.problems[0].find("2 entries were removed from the end") != std::string::npos);
  // Writing on does not paper over the cut: the anchor stays where it was.
  r.admin.audit("王五", "export", "after the cut");
  r.admin.audit("王五", "export", "after the cut");
  r.admin.audit("王五", "export", "after the cut");
  AuditVerdict rewritten = r.admin.verify_audit_all();
  CHECK_FALSE(rewritten.intact);
  CHECK(rewritten.problems[0].find("audit_log position 5") == 0);
  CHECK(read_anchor(anchor)->head.count == 5);
  // A reopened store restores the dropped guard and says it was missing.
  {
    Store again(r.path);
    REQUIRE(again.restored_guards() == std::vector<std::string>{"audit_log_append_only_d"});
    CHECK_THROWS_AS(StoreAccess::db(again).exec("DELETE FROM audit_log"), DbError);
    AdminStore a2(again, shipped_catalog(), [&] { return r.now; });
    a2.use_anchor(anchor);
    bool named = false;
    for (const auto& p : a2.verify_audit_all().problems)
      named |= p.find("trigger audit_log_append_only_d was missing") != std::string::npos;
    CHECK(named);
    Store third(r.path);
    CHECK(third.restored_guards().empty());
  }
  // A PIN hash cleared in the database is not "no PIN yet": no first-PIN setup.
  StoreAccess::db(r.store).exec("UPDATE admin_auth SET pin_hash=NULL");
  CHECK(r.admin.pin_state() == PinState::tampered);
  CHECK(r.admin.check_pin("246810").result == PinCheck::Result::tampered);
  std::string code;
  CHECK(r.admin.issue_setup_code(code).find("set-pin") != std::string::npos);  // only the staff override
  CHECK(r.admin.pin_state() == PinState::tampered);
}

TEST_CASE("set-pin fails loudly when nothing is stored, and recreates a deleted admin row") {
  AdminRig r;
  std::string anchor = r.dir.file("config/anchors/a.json");
  r.admin.use_anchor(anchor);
  REQUIRE(r.admin.set_pin("246810", "setup").empty());
  // The row is guarded now; someone drops the guard and deletes it.
  CHECK_THROWS_AS(StoreAccess::db(r.store).exec("DELETE FROM admin_auth"), DbError);
  StoreAccess::db(r.store).exec("DROP TRIGGER admin_auth_keep_d");
  StoreAccess::db(r.store).exec("DELETE FROM admin_auth");
  CHECK_FALSE(r.admin.has_pin());
  std::string warning;
  REQUIRE(r.admin.set_pin("135790", "set-pin (command line)", &warning).empty());
  CHECK(warning.find("admin row was missing") != std::string::npos);
  CHECK(r.admin.has_pin());  // today: "success" and nothing stored
  CHECK(r.admin.check_pin("135790").result == PinCheck::Result::ok);
  bool logged = false;
  for (const auto& e : r.admin.audit_entries())
    logged |= e.action == "set_pin" && e.detail.find("recreated") != std::string::npos;
  CHECK(logged);
  // A planted trigger that silently ignores the change: the PIN is not reported as set.
  StoreAccess::db(r.store).exec("CREATE TRIGGER ignore_pin BEFORE UPDATE ON admin_auth BEGIN SELECT RAISE(IGNORE); END");
  std::string err = r.admin.set_pin("111111", "set-pin (command line)");
  CHECK(err.find("the PIN was not stored") == 0);
  CHECK(r.admin.check_pin("135790").result == PinCheck::Result::ok);  // the old PIN still applies
}

TEST_CASE("first-PIN setup needs a one-time setup code, kept only as a hash and good once") {
  AdminRig r;
  CHECK(r.admin.pin_state() == PinState::none);  // no anchor: never offered
  std::string code;
  CHECK_FALSE(r.admin.issue_setup_code(code).empty());
  std::string anchor = r.dir.file("config/anchors/a.json");
  r.admin.use_anchor(anchor);
  CHECK(r.admin.pin_state() == PinState::none);
  CHECK(r.admin.check_setup_code("12345678").result == PinCheck::Result::no_pin);
  REQUIRE(r.admin.issue_setup_code(code).empty());
  CHECK(code.size() == 8);
  CHECK(r.admin.pin_state() == PinState::setup_code);
  auto text = read_file(anchor);
  REQUIRE(text);
  CHECK(text->find(code) == std::string::npos);  // only its hash
  CHECK(text->find("$argon2id$") != std::string::npos);
  std::string wrong = code;
  wrong[7] = wrong[7] == '0' ? '1' : '0';
  CHECK(r.admin.check_setup_code(wrong).result == PinCheck::Result::wrong);
  CHECK(r.admin.check_setup_code(code).result == PinCheck::Result::ok);
  CHECK(r.admin.check_setup_code(code).result == PinCheck::Result::no_pin);  // single use
  CHECK(r.admin.pin_state() == PinState::none);
  // An expired code is refused.
  REQUIRE(r.admin.issue_setup_code(code, 1000).empty());
  r.now += 2000;
  CHECK(r.admin.pin_state() == PinState::none);
  CHECK(r.admin.check_setup_code(code).result == PinCheck::Result::no_pin);
}

TEST_CASE("audit: a guard replaced by a no-op trigger of the same name is recreated and reported") {
  AdminRig r;
  std::string anchor = r.dir.file("config/anchors/a.json");
  r.admin.use_anchor(anchor);
  r.admin.audit("王五", "export", "csv 1");
  r.admin.audit("王五", "export", "csv 2");
  // Same name, does nothing: checking names alone calls this guarded.
  StoreAccess::db(r.store).exec("DROP TRIGGER audit_log_append_only_d");
  StoreAccess::db(r.store).exec("CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT 1; END");
  StoreAccess::db(r.store).exec("DELETE FROM audit_log WHERE id > 1");  // the no-op lets this through
  Store again(r.path);
  REQUIRE(again.restored_guards() == std::vector<std::string>{"audit_log_append_only_d (replaced)"});
  CHECK_THROWS_AS(StoreAccess::db(again).exec("DELETE FROM audit_log"), DbError);  // the real guard is back
  AdminStore a2(again, shipped_catalog(), [&] { return r.now; });
  a2.use_anchor(anchor);
  bool named = false;
  for (const auto& p : a2.verify_audit_all().problems)
    named |= p.find("trigger audit_log_append_only_d had been replaced") == 0;
  CHECK(named);
  // The recreated guard matches, and the same text written differently is not "replaced".
  CHECK(Store(r.path).restored_guards().empty());
  StoreAccess::db(again).exec("DROP TRIGGER audit_log_append_only_u");
  StoreAccess::db(again).exec("CREATE TRIGGER audit_log_append_only_u\n  BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, "
                  "'the audit log is append-only');   END;");
  CHECK(Store(r.path).restored_guards().empty());
}

TEST_CASE("audit: a deleted anchor is reported as missing, not rebuilt silently from a cut log") {
  AdminRig r;
  std::string anchor = r.dir.file("config/anchors/a.json");
  // A new database: the first anchor is made quietly.
  r.admin.use_anchor(anchor);
  CHECK(r.admin.anchor_error().empty());
  CHECK(r.admin.verify_audit_all().intact);
  REQUIRE(r.admin.set_pin("246810", "set-pin (command line)").empty());
  for (int i = 0; i < 4; ++i) r.admin.audit("王五", "export", "csv " + std::to_string(i));
  REQUIRE(r.admin.verify_audit_all().intact);
  const std::string missing = "the anchor " + anchor + " is missing: entries removed before now cannot be detected";
  auto reported = [&](AdminStore& a) {
    bool found = false;
    for (const auto& p : a.verify_audit_all().problems) found |= p.find(missing) == 0;
    return found;
  };
  // Cut the tail, delete the anchor: before, verify called this intact.
  StoreAccess::db(r.store).exec("DROP TRIGGER audit_log_append_only_d");
  StoreAccess::db(r.store).exec("DELETE FROM audit_log WHERE id > 3");
  std::filesystem::remove(anchor);
  {
    Store again(r.path);
    AdminStore a2(again, shipped_catalog(), [&] { return r.now; });
    a2.use_anchor(anchor);
    CHECK(a2.anchor_error().find(missing) == 0);  // the console shows it
    AuditVerdict v = a2.verify_audit_all();
    CHECK_FALSE(v.intact);
    CHECK(reported(a2));
    // It stays reported at the next open, though a new anchor now guards what follows.
    AdminStore a3(again, shipped_catalog(), [&] { return r.now; });
    a3.use_anchor(anchor);
    CHECK(reported(a3));
    bool logged = false;
    for (const auto& e : a3.audit_entries()) logged |= e.action == "anchor_missing";
    CHECK(logged);
  }
  // Every audit entry deleted too: the PIN shows the database had a history.
  {
    Store s(r.dir.file("b.db"));
    AdminStore a(s, shipped_catalog(), [&] { return r.now; });
    std::string b_anchor = r.dir.file("config/anchors/b.json");
    a.use_anchor(b_anchor);
    REQUIRE(a.set_pin("246810", "setup").empty());
    StoreAccess::db(s).exec("DROP TRIGGER audit_log_append_only_d");
    StoreAccess::db(s).exec("DELETE FROM audit_log");
    std::filesystem::remove(b_anchor);
    AdminStore a2(s, shipped_catalog(), [&] { return r.now; });
    a2.use_anchor(b_anchor);
    bool found = false;
    for (const auto& p : a2.verify_audit_all().problems) found |= p.find("is missing: entries removed") != std::string::npos;
    CHECK(found);
  }
  // The PIN hash cleared too: the log's entries show it.
  {
    Store s(r.dir.file("c.db"));
    AdminStore a(s, shipped_catalog(), [&] { return r.now; });
    std::string c_anchor = r.dir.file("config/anchors/c.json");
    a.use_anchor(c_anchor);
    REQUIRE(a.set_pin("246810", "setup").empty());
    StoreAccess::db(s).exec("UPDATE admin_auth SET pin_hash=NULL");
    std::filesystem::remove(c_anchor);
    AdminStore a2(s, shipped_catalog(), [&] { return r.now; });
    a2.use_anchor(c_anchor);
    CHECK_FALSE(a2.verify_audit_all().intact);
    CHECK(a2.anchor_error().find("is missing") != std::string::npos);
  }
}
