#include "console/district_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "console/alert_check.hpp"
#include "core/output/export.hpp"
#include "core/storage/admin_store.hpp"
#include "core/support/i18n.hpp"
#include "core/support/time.hpp"

namespace eco {

DistrictModel::DistrictModel(const Catalog& catalog, std::string url, std::function<void()> wake)
    : catalog_(catalog), url_(std::move(url)), queue_(std::move(wake)) {
  worker_ = std::thread([this] { loop(); });
}

DistrictModel::~DistrictModel() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DistrictModel::loop() {
  std::unique_ptr<central::Conn> conn;
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(conn);
  }
}

void DistrictModel::submit(Job job) {
  ++pending_;
  {
    std::lock_guard<std::mutex> g(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void DistrictModel::tick() { queue_.drain(); }

bool DistrictModel::settle(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (pending_ > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    queue_.wait(left);
    tick();
  }
  return true;
}

void DistrictModel::say(std::string key, bool error, std::string arg) {
  key_ = std::move(key);
  arg_ = std::move(arg);
  error_ = error;
}

void DistrictModel::fail(const central::PgError& e) {
  switch (e.status) {
    case central::Status::auth: say(T("district.wrong_login"), true); break;
    case central::Status::refused:
    case central::Status::dns: say(T("district.unreachable"), true, e.what()); break;
    case central::Status::tls:
    case central::Status::tls_expired: say(T("district.tls"), true, e.what()); break;
    case central::Status::refused_by_center: say(T("district.refused"), true, e.what()); break;
    default: say(T("district.failed"), true, e.what()); break;
  }
}

// An admin action the center refused: in its own words (a bad name, a version whose
// content differs...), under `key`; a refusal by row-level security or grants as fail() says it.
void DistrictModel::refused(const central::PgError& e, const char* key) {
  if (e.status == central::Status::refused_by_center) fail(e);
  else say(key, true, e.what());
}

void DistrictModel::submit_change(const char* refused_key, std::function<void(central::Conn&)> work) {
  submit([this, refused_key, work = std::move(work)](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      work(*conn);
    } catch (const central::PgError& e) {
      queue_.post([this, e, refused_key] {
        --pending_;
        // The server's reason (a bad name, an unknown department, not an admin).
        refused(e, refused_key);
      });
    }
  });
}

bool DistrictModel::leads(const std::string& indicator) const {
  return std::find(mine_.begin(), mine_.end(), indicator) != mine_.end();
}

const IndicatorRecord* DistrictModel::latest(const std::string& indicator) const {
  auto it = latest_.find(indicator);
  return it == latest_.end() ? nullptr : &it->second;
}

const TaskUpdate* DistrictModel::task_update(const std::string& task) const {
  auto it = task_updates_.find(task);
  return it == task_updates_.end() ? nullptr : &it->second;
}

int DistrictModel::open_alerts() const {
  int n = 0;
  for (const auto& a : alerts_) n += a.acked_at ? 0 : 1;
  return n;
}

bool DistrictModel::may_see_results() const {
  return account_ && account_->kind == central::AccountKind::propaganda && analysis_.open != nullptr;
}

bool DistrictModel::may_manage_accounts() const { return account_ && account_->kind == central::AccountKind::admin; }

bool DistrictModel::may_publish() const { return may_manage_accounts(); }

std::string DistrictModel::default_export_path() const {
  const char* home = std::getenv("HOME");
  std::string day = to_local_text(now_ms(), analysis_.utc_offset_minutes).substr(0, 10);
  return std::string(home && *home ? home : ".") + "/ecokiosk-" + day + "." + export_form.format;
}

bool DistrictModel::may_see_fleet() const {
  return account_ && account_->kind != central::AccountKind::department;
}

void DistrictModel::apply(const DistrictIntent& in) {
  using namespace district_intent;
  if (std::get_if<SignIn>(&in)) return sign_in();
  if (!account_) return;  // everything else needs a signed-in account
  if (std::get_if<SignOut>(&in)) return sign_out();
  if (auto* p = std::get_if<ShowPage>(&in)) {
    if (p->page == DistrictPage::sign_in) return;
    if (p->page == DistrictPage::fleet && !may_see_fleet()) return;  // the engine would refuse it too
    if ((p->page == DistrictPage::results || p->page == DistrictPage::exports) && !may_see_results()) return;
    if (p->page == DistrictPage::accounts && !may_manage_accounts()) return;
    if (p->page == DistrictPage::publish && !may_publish()) return;
    page_ = p->page;
    say("", false);
    return load_page(page_);
  }
  if (auto* o = std::get_if<OpenIndicator>(&in)) {
    open_ = o->id;
    form = DistrictForm{};
    form.as_of = to_local_text(now_ms(), 480).substr(0, 10);
    return;
  }
  if (std::get_if<Record>(&in)) return record();
  if (auto* t = std::get_if<SetTask>(&in)) return set_task(*t);
  // Refresh on the alerts page checks first, as `alerts check` does (propaganda only:
  // nobody else may read the responses).
  if (std::get_if<Refresh>(&in)) return page_ == DistrictPage::alerts ? load_alerts(may_see_results()) : load_page(page_);
  if (auto* a = std::get_if<AckAlert>(&in)) return ack_alert(a->id);
  if (std::get_if<Export>(&in)) return start_export();
  if (std::get_if<CancelExport>(&in)) {
    cancel_export_ = true;
    return;
  }
  if (std::get_if<AddAccount>(&in)) return add_account();
  if (auto* e = std::get_if<SetAccountEnabled>(&in)) return set_account_enabled(*e);
  if (std::get_if<Publish>(&in)) return publish_file();
  if (auto* w = std::get_if<Withdraw>(&in)) return withdraw(*w);
}

void DistrictModel::sign_in() {
  if (user.empty() || password.empty()) return say(T("district.need_login"), true);
  say(T("district.signing_in"), false);
  std::string u = user, pw = password, url = url_;
  password.clear();  // not kept once handed to libpq
  submit([this, u, pw, url](std::unique_ptr<central::Conn>& conn) {
    try {
      conn.reset();
      auto c = std::make_unique<central::Conn>(url, std::vector<std::pair<std::string, std::string>>{
                                                        {"user", u}, {"password", pw}, {"connect_timeout", "10"}});
      central::SchemaState s = central::check_schema(*c);
      if (s.status != central::Status::ok) throw central::PgError(s.status, "the center has " + s.words());
      std::optional<central::Account> a = central::my_account(*c);
      if (!a) {
        queue_.post([this] {
          --pending_;
          say(T("district.not_an_account"), true);
        });
        return;
      }
      central::note_action(*c, "sign_in", "console", "");
      rq_.reset();
      if (a->kind == central::AccountKind::propaganda && analysis_.open) open_analysis(url, u, pw);
      auto ind = central::my_indicators(*c);
      auto tasks = central::my_tasks(*c);
      conn = std::move(c);
      queue_.post([this, a, ind, tasks] {
        --pending_;
        account_ = a;
        mine_ = ind;
        tasks_ = tasks;
        // Catalog order (the center sorts as text: "10" before "2").
        auto order = [this](const std::string& id) {
          int n = 0;
          for (const auto& i : catalog_.indicators) {
            ++n;
            if (i.id == id) return n * 100;
            int m = 0;
            for (const auto& s : i.sub) {
              ++m;
              if (s.id == id) return n * 100 + m;
            }
          }
          return 1 << 30;
        };
        std::stable_sort(mine_.begin(), mine_.end(),
                         [&](const std::string& x, const std::string& y) { return order(x) < order(y); });
        page_ = may_see_fleet() ? DistrictPage::fleet : DistrictPage::mine;
        say(T("district.signed_in"), false, a->name);
        load_page(page_);
        if (page_ != DistrictPage::alerts) load_page(DistrictPage::alerts);  // the tab's count
      });
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    }
  });
}

void DistrictModel::sign_out() {
  submit([this](std::unique_ptr<central::Conn>& conn) {
    try {
      if (conn) central::note_action(*conn, "sign_out", "console", "");
    } catch (const central::PgError&) {
      // Signing out goes on when the center has gone: nothing is left to protect.
    }
    conn.reset();
    rq_.reset();
    queue_.post([this] { --pending_; });
  });
  account_.reset();
  mine_.clear();
  tasks_.clear();
  latest_.clear();
  task_updates_.clear();
  fleet_.clear();
  audit_.clear();
  alerts_.clear();
  alert_note.clear();
  results_.reset();
  accounts_.clear();
  account_form = DistrictAccountForm{};
  published_.clear();
  publish_path.clear();
  open_.clear();
  page_ = DistrictPage::sign_in;
  say(T("district.signed_out"), false);
}

void DistrictModel::load_page(DistrictPage p) {
  central::AuditFilter f = audit_filter;
  bool all = alerts_all;
  submit([this, p, f, all](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      if (p == DistrictPage::mine) {
        auto recs = central::latest_records(*conn);
        auto ups = central::latest_task_updates(*conn);
        queue_.post([this, recs, ups] {
          --pending_;
          latest_.clear();
          for (const auto& r : recs) latest_[r.indicator] = r;
          task_updates_.clear();
          for (const auto& u : ups) task_updates_[u.task] = u;
        });
      } else if (p == DistrictPage::fleet) {
        auto rows = central::read_fleet(*conn);
        queue_.post([this, rows] {
          --pending_;
          fleet_ = rows;
        });
      } else if (p == DistrictPage::audit) {
        auto rows = central::read_audit(*conn, f);
        queue_.post([this, rows] {
          --pending_;
          audit_ = rows;
        });
      } else if (p == DistrictPage::alerts) {
        auto rows = central::list_alerts(*conn, !all);
        queue_.post([this, rows] {
          --pending_;
          alerts_ = rows;
        });
      } else if (p == DistrictPage::results && rq_) {
        IndicatorOptions io;
        io.min_seconds_per_question = analysis_.min_seconds_per_question;
        io.utc_offset_minutes = analysis_.utc_offset_minutes;
        for (const auto& d : catalog_.indicators)
          if (!d.rule.survey.empty()) io.targets[d.no] = d.rule.value;
        std::map<std::string, std::pair<std::string, std::string>> halls;
        central::Result k = conn->exec("SELECT kiosk, hall_zh, hall_en FROM kiosks ORDER BY kiosk");
        for (int i = 0; i < k.rows(); ++i) halls[k.text(i, 0)] = {k.text(i, 1), k.text(i, 2)};
        for (const auto& [id, h] : halls) io.hall_names[id] = h.first;
        auto rep = std::make_shared<IndicatorReport>(compute_indicators(*rq_, set_, io));
        queue_.post([this, rep, halls] {
          --pending_;
          results_ = std::move(*rep);
          halls_ = halls;
        });
      } else if (p == DistrictPage::accounts) {
        auto rows = central::list_accounts(*conn);
        auto depts = central::list_departments(*conn);
        queue_.post([this, rows, depts] {
          --pending_;
          accounts_ = rows;
          departments_ = depts;
        });
      } else if (p == DistrictPage::publish) {
        auto rows = central::list_published(*conn);
        queue_.post([this, rows] {
          --pending_;
          published_ = rows;
        });
      } else {
        queue_.post([this] { --pending_; });
      }
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    } catch (const std::exception& e) {  // the analysis's own failures (a bad definition, …)
      std::string what = e.what();
      queue_.post([this, what] {
        --pending_;
        say(T("district.failed"), true, what);
      });
    }
  });
}

void DistrictModel::record() {
  if (open_.empty()) return;
  IndicatorRecord r;
  r.indicator = open_;
  r.as_of = form.as_of;
  r.source = form.source;
  r.evidence = form.evidence;
  r.state = form.state;
  if (!form.value.empty()) {
    char* end = nullptr;
    double v = std::strtod(form.value.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(v)) r.value = v;
    else return say(T("district.not_a_number"), true, form.value);
  }
  if (form.judged >= 0) r.judged = form.judged == 1;
  r.recorded_by = account_->name;  // checked like the kiosk's; the center stamps its own
  if (std::string why = check_record(catalog_, r); !why.empty()) return say(T("district.record_invalid"), true, why);
  // An indicator of another department is not offered; asked anyway, the engine decides.
  submit([this, r](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      central::record_at_center(*conn, r);
      auto recs = central::latest_records(*conn);
      queue_.post([this, r, recs] {
        --pending_;
        latest_.clear();
        for (const auto& x : recs) latest_[x.indicator] = x;
        form = DistrictForm{};
        say(T("district.recorded"), false, r.indicator);
      });
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    }
  });
}

void DistrictModel::set_task(const district_intent::SetTask& t) {
  std::string note = task_note;
  submit([this, t, note](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      central::update_task_at_center(*conn, t.task, t.status, note);
      auto ups = central::latest_task_updates(*conn);
      queue_.post([this, t, ups] {
        --pending_;
        task_updates_.clear();
        for (const auto& u : ups) task_updates_[u.task] = u;
        task_note.clear();
        say(T("district.task_saved"), false, t.task);
      });
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    }
  });
}

void DistrictModel::ack_alert(std::int64_t id) {
  std::string note = alert_note;
  // The note is the point of acknowledging: asked for here, and by the engine anyway.
  if (note.find_first_not_of(" \t\r\n") == std::string::npos) return say(T("district.alerts.need_note"), true);
  bool all = alerts_all;
  submit([this, id, note, all](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      central::ack_alert(*conn, id, note);
      auto rows = central::list_alerts(*conn, !all);
      queue_.post([this, id, rows] {
        --pending_;
        alerts_ = rows;
        alert_note.clear();
        say(T("district.alerts.acked"), false, std::to_string(id));
      });
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    }
  });
}

void DistrictModel::open_analysis(const std::string& url, const std::string& user, const std::string& password) {
  rq_ = analysis_.open(url, user, password);
  // The shipped questionnaires and every version the center holds (as the command line).
  set_ = load_questionnaire_dir(analysis_.data_dir + "/questionnaires");
  for (const auto& d : rq_->definitions()) {
    if (set_.find(d.questionnaire, d.version)) continue;
    LoadResult r = load_questionnaire_text(d.definition, "center:" + d.questionnaire, "");
    if (r.questionnaire) set_.add(std::move(*r.questionnaire), std::move(r.expanded_json));
  }
  std::vector<std::string> errors;
  export_strings_.load_dir(analysis_.data_dir + "/assets/i18n", errors);
}

void DistrictModel::load_alerts(bool raise) {
  bool all = alerts_all;
  int days = analysis_.alert_window_days;
  submit([this, raise, all, days](std::unique_ptr<central::Conn>& conn) {
    try {
      if (!conn) throw central::PgError(central::Status::auth, "not signed in");
      int raised = -1;
      if (raise && rq_) {
        AlertCheckOptions o;
        o.window_days = days;
        o.indicators.min_seconds_per_question = analysis_.min_seconds_per_question;
        o.indicators.utc_offset_minutes = analysis_.utc_offset_minutes;
        for (const auto& d : catalog_.indicators)
          if (!d.rule.survey.empty()) o.indicators.targets[d.no] = d.rule.value;
        central::Result k = conn->exec("SELECT kiosk, hall_zh, hall_en FROM kiosks ORDER BY kiosk");
        for (int i = 0; i < k.rows(); ++i) o.kiosks[k.text(i, 0)] = {k.text(i, 1), k.text(i, 2)};
        raised = check_alerts(*rq_, *conn, set_, o, now_ms()).raised;
      }
      auto rows = central::list_alerts(*conn, !all);
      queue_.post([this, rows, raised] {
        --pending_;
        alerts_ = rows;
        if (raised >= 0) say(T("district.alerts.checked"), false, std::to_string(raised));
      });
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        fail(e);
      });
    }
  });
}

void DistrictModel::start_export() {
  if (!may_see_results() || exporting()) return;
  DistrictExportForm f = export_form;
  if (f.out.empty()) f.out = default_export_path();
  export_form.out = f.out;
  export_started_ = now_ms();
  export_files_.clear();
  export_rows_ = 0;
  cancel_export_ = false;
  say(T("district.export.running"), false, f.out);
  std::string who = account_->name;
  submit([this, f, who](std::unique_ptr<central::Conn>& conn) {
    ExportResult r;
    try {
      if (!conn || !rq_) throw central::PgError(central::Status::auth, "not signed in");
      // Audited at the center before a row leaves it; refused there, nothing is written.
      central::note_export(*conn, "console",
                           f.format + " to " + f.out + "; all questionnaires, all days, all kiosks" +
                               (f.include_flagged ? ", flagged included" : ""));
      ExportOptions o;
      o.format = f.format;
      o.out = f.out;
      o.include_flagged = f.include_flagged;
      o.min_seconds_per_question = analysis_.min_seconds_per_question;
      o.utc_offset_minutes = analysis_.utc_offset_minutes;
      o.strings = &export_strings_;
      o.cancel = &cancel_export_;
      for (const auto& d : catalog_.indicators)
        if (!d.rule.survey.empty()) o.targets[d.no] = d.rule.value;
      central::Result k = conn->exec("SELECT kiosk, hall_zh FROM kiosks");
      for (int i = 0; i < k.rows(); ++i) o.hall_names[k.text(i, 0)] = k.text(i, 1);
      r = export_data(*rq_, set_, o);
    } catch (const central::PgError& e) {
      queue_.post([this, e] {
        --pending_;
        export_started_ = 0;
        fail(e);
      });
      return;
    } catch (const std::exception& e) {  // cancelled, or the files could not be written
      std::string what = e.what();
      queue_.post([this, what] {
        --pending_;
        export_started_ = 0;
        say(T("district.export.failed"), true, what);
      });
      return;
    }
    queue_.post([this, r] {
      --pending_;
      export_started_ = 0;
      if (!r.error.empty()) return say(T("district.export.failed"), true, r.error);
      export_files_ = r.files;
      export_rows_ = r.rows;
      std::string files;
      for (const auto& x : r.files) files += (files.empty() ? "" : ", ") + x;
      for (const auto& note : r.notes) files += "\n" + note;
      say(T("district.export.done"), false, files);
    });
  });
}

void DistrictModel::add_account() {
  DistrictAccountForm f = account_form;
  account_form.password.clear();  // not kept once handed over
  if (f.name.empty()) return say(T("district.accounts.need_name"), true);
  if (f.kind == central::AccountKind::department && f.department.empty())
    return say(T("district.accounts.need_department"), true);
  if (std::string why = central::password_fault(f.password); !why.empty())
    return say(T("district.accounts.bad_password"), true, why);
  submit_change(T("district.accounts.refused"), [this, f](central::Conn& conn) {
    central::add_user(conn, f.name, f.kind, f.department, f.password);
    auto rows = central::list_accounts(conn);
    queue_.post([this, f, rows] {
      --pending_;
      accounts_ = rows;
      account_form = DistrictAccountForm{};
      say(T("district.accounts.added"), false, f.name);
    });
  });
}

void DistrictModel::set_account_enabled(const district_intent::SetAccountEnabled& e) {
  submit_change(T("district.accounts.refused"), [this, e](central::Conn& conn) {
    central::set_account_enabled(conn, e.name, e.enabled);
    auto rows = central::list_accounts(conn);
    queue_.post([this, e, rows] {
      --pending_;
      accounts_ = rows;
      say(e.enabled ? T("district.accounts.enabled") : T("district.accounts.disabled"), false, e.name);
    });
  });
}

// The file is checked by the kiosk's own loader on the worker (a link, a folder, a huge
// or a bad file: the loader's words), and only then offered to the center, whose
// ecokiosk_publish decides (admins only; a version's content never changes).
void DistrictModel::publish_file() {
  const std::string path = publish_path;
  if (path.empty()) return say(T("district.publish.need_file"), true);
  submit_change(T("district.publish.refused"), [this, path](central::Conn& conn) {
    central::PublishCheck checked = central::check_for_publish(path);
    if (!checked.ok()) {
      queue_.post([this, why = checked.errors.front()] {
        --pending_;
        say(T("district.publish.refused"), true, why);
      });
      return;
    }
    const std::string what = central::publish(conn, checked);
    auto rows = central::list_published(conn);
    const std::string which = checked.questionnaire + " " + std::to_string(checked.version);
    queue_.post([this, what, rows, which] {
      --pending_;
      published_ = rows;
      publish_path.clear();
      say(what == "already"      ? T("district.publish.already")
          : what == "reinstated" ? T("district.publish.reinstated")
                                 : T("district.publish.published"),
          false, which);
    });
  });
}

void DistrictModel::withdraw(const district_intent::Withdraw& w) {
  submit_change(T("district.publish.refused"), [this, w](central::Conn& conn) {
    central::withdraw(conn, w.questionnaire, w.version);
    auto rows = central::list_published(conn);
    queue_.post([this, w, rows] {
      --pending_;
      published_ = rows;
      say(T("district.publish.withdrawn"), false, w.questionnaire + " " + std::to_string(w.version));
    });
  });
}

}  // namespace eco
