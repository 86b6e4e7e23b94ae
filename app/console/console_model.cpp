#include "console/console_model.hpp"
#include "core/support/time.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace eco {

ConsoleModel::ConsoleModel(const Catalog& catalog, Store& store, std::string db_path, const QuestionnaireSet& set,
                           Config cfg, std::string config_path, std::function<TimeMs()> clock,
                           std::function<void()> wake)
    : catalog_(catalog), store_(store), db_path_(std::move(db_path)), set_(set), cfg_(std::move(cfg)),
      config_path_(std::move(config_path)), clock_(std::move(clock)), wake_(std::move(wake)),
      admin_(store, catalog, clock_), ui_queue_(wake_) {
  // The audit head and PIN mark live beside the configuration, out of reach of
  // whoever can only write the database.
  if (db_path_ != ":memory:" && !config_path_.empty()) admin_.use_anchor(anchor_path_for(config_path_, db_path_));
}

ConsoleModel::~ConsoleModel() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void ConsoleModel::say(std::string key, bool error, std::string arg) {
  message_.key = std::move(key);
  message_.arg = std::move(arg);
  message_.error = error;
}

void ConsoleModel::open() {
  active_ = true;
  exit_ = false;
  signed_in_ = false;
  pin_.clear();
  first_pin_value_.clear();
  first_pin_ = false;
  page_ = ConsolePage::pin;
  input_field_.clear();
  entry_.reset({}, 0);
  refresh_pin_state();
  touch();
}

bool ConsoleModel::take_exit() {
  bool e = exit_;
  exit_ = false;
  return e;
}

void ConsoleModel::touch() { last_touch_ = clock_(); }

void ConsoleModel::refresh_sync_state() {
  next_sync_read_ = clock_() + 5000;
  if (!sync_configured()) return;
  try {
    sync_state_ = central::read_sync_state(store_, cfg_.kiosk_id);
  } catch (const DbError& e) {
    sync_state_.detail = e.what();  // shown as it is; the next read may succeed
  }
}

TimeMs ConsoleModel::next_deadline() const {
  if (!active_) return INT64_MAX;
  TimeMs t = last_touch_ + kIdleMs;
  if (page_ == ConsolePage::settings && sync_configured()) t = std::min(t, next_sync_read_);
  if (locked_until_ > clock_()) t = std::min(t, locked_until_);
  if (computing_) t = std::min(t, clock_() + 250);  // the progress line counts seconds
  return t;
}

double ConsoleModel::computing_seconds() const {
  return computing_ ? static_cast<double>(clock_() - computing_since_) / 1000.0 : 0;
}

void ConsoleModel::tick() {
  if (!active_) return;
  if (page_ == ConsolePage::settings && sync_configured() && clock_() >= next_sync_read_) refresh_sync_state();
  if (clock_() - last_touch_ >= kIdleMs) {
    // Staff walked away: nothing stays open for the next resident.
    admin_.audit(user_name.empty() ? "admin" : user_name, "sign_out", "idle");
    active_ = false;
    signed_in_ = false;
    exit_ = true;
    pin_.clear();
    input_field_.clear();  // nor half-written notes
    entry_.reset({}, 0);
    return;
  }
  if (locked_until_ && locked_until_ <= clock_()) {
    locked_until_ = 0;
    say(T("console.pin_enter"), false);
  }
  ui_queue_.drain();  // the worker's results, if it posted any
}

void ConsoleModel::job_finished() {
  computing_ = false;
  if (worker_.joinable()) worker_.join();
  rebuild();
}

void ConsoleModel::take_figures(std::optional<IndicatorReport> rep, std::optional<SurveyResults> res,
                                std::string err) {
  if (rep) report_ = std::move(rep);
  if (res) results_ = std::move(res);
  if (!err.empty()) say(T("console.compute_failed"), true, std::move(err));
  job_finished();
}

void ConsoleModel::take_export(Result<ExportDone> done) {
  if (done) {
    last_export = done->path;
    std::string rows = std::to_string(done->rows);
    admin_.audit(user_name.empty() ? "admin" : user_name, "export", last_export + " (" + rows + " responses)");
    std::string said = last_export + " (" + rows + ")";
    for (const auto& note : done->notes) said += "\n" + note;
    say(T("console.export_done"), false, said);
  } else if (!done.error().text.empty()) {
    say(T("console.export_failed"), true, done.error().text);
  }
  job_finished();
}

void ConsoleModel::start_refresh() {
  if (computing_) return;
  IndicatorOptions opt;
  opt.min_seconds_per_question = cfg_.min_seconds_per_question;
  opt.utc_offset_minutes = cfg_.utc_offset_minutes;
  for (const auto& d : catalog_.indicators)
    if (!d.rule.survey.empty()) opt.targets[d.no] = d.rule.value;
  int offset = cfg_.utc_offset_minutes;
  auto job = [this, opt, offset](Store& s) {
    std::optional<IndicatorReport> rep;
    std::optional<SurveyResults> res;
    std::string err;
    try {
      rep = compute_indicators(s, set_, opt);
      if (!cancel_) res = compute_survey_results(s, set_, {}, offset, &cancel_);
    } catch (const std::exception& e) {
      err = e.what();
    }
    if (cancel_) err.clear();
    ui_queue_.post([this, rep = std::move(rep), res = std::move(res), err = std::move(err)]() mutable {
      take_figures(std::move(rep), std::move(res), std::move(err));
    });
  };
  run_job(job);
}

void ConsoleModel::start_export(const std::string& format, const std::string& questionnaire) {
  if (computing_) { say(T("console.busy"), true); return; }
  if (!exporter) return;
  DayRange days = parse_day_range(export_from, export_to, cfg_.utc_offset_minutes);
  switch (days.fault) {
    case DayRangeFault::none: break;
    case DayRangeFault::bad_from: say(T("console.export.bad_date"), true, export_from); return;
    case DayRangeFault::bad_to: say(T("console.export.bad_date"), true, export_to); return;
    case DayRangeFault::reversed: say(T("console.export.reversed"), true, export_from + " – " + export_to); return;
  }
  ResponseFilter dates;
  dates.from = days.from;
  dates.to = days.to;  // the whole last day
  dates.kiosk = export_kiosk;
  ExportRequest request{format, questionnaire, dates, export_target.empty() ? export_folder() : export_target};
  auto job = [this, request](Store& s) {
    Result<ExportDone> done = exporter(s, request, &cancel_);
    if (!done && cancel_) done = Error{};  // cancelled by staff: nothing to report
    ui_queue_.post([this, done = std::move(done)]() mutable { take_export(std::move(done)); });
  };
  run_job(job);
}

void ConsoleModel::run_job(const std::function<void(Store&)>& job) {
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
  computing_ = true;
  computing_since_ = clock_();
  if (db_path_ == ":memory:" || db_path_.empty()) {
    job(store_);  // an in-memory database has no second connection: compute inline
    ui_queue_.drain();
    return;
  }
  std::string path = db_path_;
  worker_ = std::thread([this, job, path] {
    try {
      Store own(path);  // its own connection: WAL lets it read while the kiosk writes
      job(own);
    } catch (const std::exception& e) {
      ui_queue_.post([this, err = std::string(e.what())]() mutable { take_figures({}, {}, std::move(err)); });
    }
  });
}

void ConsoleModel::rebuild() {
  dashboard_ = build_dashboard(catalog_, admin_, report(), "zh");
  for (auto& r : dashboard_.rows)
    r.updated_text = r.updated_at > 0 ? to_local_text(r.updated_at, config().utc_offset_minutes).substr(0, 16) : "—";
  ++dashboard_serial_;
  history_ = selected_.empty() ? std::vector<IndicatorRecord>{} : admin_.history(selected_);
  task_states_.clear();
  task_updates_.clear();
  for (const auto& u : admin_.task_states()) {
    task_states_[u.task] = u.status;
    task_updates_[u.task] = u;
  }
}

const std::string& ConsoleModel::question_text(const std::string& questionnaire, const std::string& question,
                                               const std::string& lang) const {
  const Questionnaire* q = set_.find(questionnaire);
  const Question* qu = q ? q->find(question) : nullptr;
  return qu ? qu->text.get(lang) : question;
}

const std::string& ConsoleModel::option_text(const std::string& questionnaire, const std::string& question,
                                             const std::string& option, const std::string& lang) const {
  const Questionnaire* q = set_.find(questionnaire);
  const Question* qu = q ? q->find(question) : nullptr;
  if (!qu) return option;
  const Option* o = qu->type == QuestionType::count_matrix ? qu->find_row(option) : qu->find_option(option);
  return o ? o->text.get(lang) : option;
}

std::vector<std::string> ConsoleModel::removable_drives(const std::string& mounts_file) {
  std::vector<std::string> out;
  std::ifstream in(mounts_file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dev, dir;
    f >> dev >> dir;
    // /proc/mounts escapes spaces as \040.
    for (std::size_t p; (p = dir.find("\\040")) != std::string::npos;) dir.replace(p, 4, " ");
    if (dir.rfind("/media/", 0) == 0 || dir.rfind("/run/media/", 0) == 0) out.push_back(dir);
  }
  return out;
}

std::string ConsoleModel::today() const {
  return to_local_text(clock_(), cfg_.utc_offset_minutes).substr(0, 10);
}

std::vector<std::string> ConsoleModel::export_kiosks() const {
  std::vector<std::string> out;
  if (report_)
    for (const auto& i : report_->indicators)
      for (const auto& b : i.breakdowns)
        if (b.by == "kiosk")
          for (const auto& c : b.cells)
            if (!c.code.empty() && std::find(out.begin(), out.end(), c.code) == out.end()) out.push_back(c.code);
  std::sort(out.begin(), out.end());
  return out;
}

std::string ConsoleModel::hall_label(const std::string& kiosk, const std::string& lang) const {
  if (kiosk != cfg_.kiosk_id) return kiosk;
  auto h = cfg_.hall_name.find(lang);
  return h == cfg_.hall_name.end() ? kiosk : h->second + " (" + kiosk + ")";
}

std::string ConsoleModel::export_folder() const {
  if (!cfg_.export_dir.empty()) return cfg_.export_dir;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/EcoKiosk-exports";
}

const TaskUpdate* ConsoleModel::task_update(const std::string& task) const {
  auto it = task_updates_.find(task);
  return it == task_updates_.end() ? nullptr : &it->second;
}

TaskStatus ConsoleModel::task_status(const std::string& task) const {
  auto it = task_states_.find(task);
  return it == task_states_.end() ? TaskStatus::not_started : it->second;
}

const DashboardRow* ConsoleModel::selected() const {
  for (const auto& r : dashboard_.rows) {
    if (r.def->id == selected_) return &r;
    for (const auto& s : r.sub)
      if (s.def->id == selected_) return &s;
  }
  return nullptr;
}


const std::vector<const DashboardRow*>& ConsoleModel::visible_rows() const {
  RowsKey& k = rows_key_;
  if (k.serial == dashboard_serial_ && k.domain == filter_domain && k.status == filter_status &&
      k.dept == filter_dept && k.search == search && k.sort == sort && k.star == star_only)
    return rows_;
  k = {filter_domain, filter_status, filter_dept, search, sort, star_only, dashboard_serial_};
  std::vector<const DashboardRow*>& out = rows_;
  out.clear();
  for (const auto& r : dashboard_.rows) {
    const IndicatorDef& d = *r.def;
    if (!filter_domain.empty() && d.domain != filter_domain) continue;
    if (!filter_status.empty() && status_code(r.status) != filter_status) continue;
    if (star_only && !d.hardest) continue;
    if (!filter_dept.empty()) {
      bool any = false;
      for (const auto& l : d.lead) any = any || l.find(filter_dept) != std::string::npos;
      if (!any) continue;
    }
    if (!search.empty()) {
      std::string hay = std::to_string(d.no) + " " + d.name + " " + d.target;
      for (const auto& l : d.lead) hay += " " + l;
      for (const auto& s : d.sub) hay += " " + s.name;
      if (hay.find(search) == std::string::npos) continue;
    }
    out.push_back(&r);
  }
  auto rank = [](Status s) { return s == Status::not_met ? 0 : s == Status::to_judge ? 1 : s == Status::no_data ? 2 : 3; };
  if (sort == "status")
    std::stable_sort(out.begin(), out.end(), [&](auto* a, auto* b) { return rank(a->status) < rank(b->status); });
  else if (sort == "updated")
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->updated_at > b->updated_at; });
  else if (sort == "dept")
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->def->lead.front() < b->def->lead.front(); });
  return out;
}

void ConsoleModel::refresh_pin_state() {
  // First-PIN setup is offered only with a one-time setup code (`ecokiosk setup-code`);
  // with neither PIN nor code, or a PIN changed outside the program, staff must use
  // the command line (`ecokiosk set-pin`), not whoever finds the corner gesture first.
  pin_state_ = admin_.pin_state();
  setup_code_ = pin_state_ == PinState::setup_code;
  switch (pin_state_) {
    case PinState::set: say(T("console.pin_enter"), false); break;
    case PinState::setup_code: say(T("console.setup_code_enter"), false); break;
    case PinState::none: say(T("console.pin_none"), true); break;
    case PinState::tampered: say(T("console.pin_tampered"), true); break;
  }
}

void ConsoleModel::sign_in(const std::string& pin) {
  if (setup_code_) {
    PinCheck c = admin_.check_setup_code(pin);
    switch (c.result) {
      case PinCheck::Result::ok:
        setup_code_ = false;
        first_pin_ = true;
        say(T("console.pin_first"), false);
        break;
      case PinCheck::Result::wrong: say(T("console.setup_code_wrong"), true, std::to_string(c.attempts_left)); break;
      case PinCheck::Result::locked:
        locked_until_ = c.locked_until;
        say(T("console.pin_locked"), true);
        break;
      default: refresh_pin_state(); break;  // expired, or a PIN was set meanwhile
    }
    return;
  }
  if (!first_pin_ && pin_state_ != PinState::set) {
    refresh_pin_state();  // staff may have run set-pin since the pad opened
    if (pin_state_ != PinState::set) return;
  }
  if (first_pin_) {
    // First use: there is no default PIN; it is chosen here, entered twice.
    if (first_pin_value_.empty()) {
      if (pin.size() < 6) { say(T("console.pin_rule"), true); return; }
      first_pin_value_ = pin;
      say(T("console.pin_confirm"), false);
      return;
    }
    if (pin != first_pin_value_) {
      first_pin_value_.clear();
      say(T("console.pin_mismatch"), true);
      return;
    }
    std::string err = admin_.set_pin(pin, "setup (one-time code)");
    first_pin_value_.clear();
    if (!err.empty()) { say(pin.size() < 6 || pin.size() > 12 ? T("console.pin_rule") : T("console.pin_not_stored"), true); return; }
    first_pin_ = false;
    pin_state_ = PinState::set;
  }
  PinCheck c = admin_.check_pin(pin);
  switch (c.result) {
    case PinCheck::Result::ok:
      signed_in_ = true;
      page_ = ConsolePage::overview;
      say("", false);
      rebuild();
      start_refresh();
      break;
    case PinCheck::Result::wrong:
      say(T("console.pin_wrong"), true, std::to_string(c.attempts_left));
      break;
    case PinCheck::Result::locked:
      locked_until_ = c.locked_until;
      say(T("console.pin_locked"), true);
      break;
    case PinCheck::Result::no_pin:
    case PinCheck::Result::tampered:
      refresh_pin_state();
      break;
  }
}

void ConsoleModel::load_settings_form() {
  settings.kiosk_id = cfg_.kiosk_id;
  settings.hall_zh = cfg_.hall_name.count("zh") ? cfg_.hall_name.at("zh") : "";
  settings.title_zh = cfg_.district_title.count("zh") ? cfg_.district_title.at("zh") : "";
  settings.export_dir = cfg_.export_dir;
  settings.default_lang = cfg_.default_lang;
  settings.idle_seconds = cfg_.idle_seconds;
  settings.first_question_idle_seconds = cfg_.first_question_idle_seconds;
  settings.countdown_seconds = cfg_.countdown_seconds;
  settings.finish_seconds = cfg_.finish_seconds;
  settings.speech_volume = cfg_.speech_volume;
  const char* ids[3] = {"knowledge", "satisfaction", "green-travel"};
  for (int i = 0; i < 3; ++i)
    settings.offer[i] = std::find(cfg_.questionnaires.begin(), cfg_.questionnaires.end(), ids[i]) != cfg_.questionnaires.end();
  settings.new_pin.clear();
  settings.new_pin_again.clear();
}

void ConsoleModel::save_settings() {
  Config c = cfg_;
  c.kiosk_id = settings.kiosk_id;
  if (!settings.hall_zh.empty()) c.hall_name["zh"] = settings.hall_zh;
  if (!settings.title_zh.empty()) c.district_title["zh"] = settings.title_zh;
  c.export_dir = settings.export_dir;
  c.default_lang = settings.default_lang;
  c.idle_seconds = settings.idle_seconds;
  c.first_question_idle_seconds = settings.first_question_idle_seconds;
  c.countdown_seconds = settings.countdown_seconds;
  c.finish_seconds = settings.finish_seconds;
  c.speech_volume = settings.speech_volume;
  c.questionnaires.clear();
  const char* ids[3] = {"knowledge", "satisfaction", "green-travel"};
  for (int i = 0; i < 3; ++i)
    if (settings.offer[i]) c.questionnaires.push_back(ids[i]);
  std::vector<std::string> errors = check_config(c);
  if (!errors.empty()) {
    say(T("console.settings_bad"), true, errors.front());
    return;
  }
  std::string err = save_config(config_path_, c);
  if (!err.empty()) {
    say(T("console.settings_bad"), true, err);
    return;
  }
  admin_.audit(user_name, "settings", "saved to " + config_path_ + " (kiosk " + c.kiosk_id + ", idle " +
                                          std::to_string(c.idle_seconds) + " s)");
  cfg_ = c;
  say(T("console.settings_saved"), false);
}

void ConsoleModel::apply(const ConsoleIntent& in) {
  namespace ci = console_intent;
  if (!active_ || none(in)) return;
  touch();
  if (!signed_in_) {
    apply_signed_out(in);
    return;
  }
  if (auto* p = std::get_if<ci::ShowPage>(&in)) show_page(p->page);
  else if (auto* o = std::get_if<ci::OpenIndicator>(&in)) open_indicator(o->id);
  else if (auto* fd = std::get_if<ci::FilterDomain>(&in)) filter_domain = fd->domain;
  else if (auto* fs = std::get_if<ci::FilterStatus>(&in)) filter_status = fs->status;
  else if (auto* fp = std::get_if<ci::FilterDept>(&in)) filter_dept = fp->dept;
  else if (std::holds_alternative<ci::ToggleStar>(in)) star_only = !star_only;
  else if (auto* so = std::get_if<ci::SortBy>(&in)) sort = so->order;
  else if (auto* q = std::get_if<ci::SelectQuestionnaire>(&in)) survey_selected = q->id;
  else if (auto* r = std::get_if<ci::RecordValue>(&in)) record_value(r->indicator);
  else if (auto* t = std::get_if<ci::SetTask>(&in)) set_task(*t);
  else if (std::holds_alternative<ci::Refresh>(in)) start_refresh();
  else if (std::holds_alternative<ci::Cancel>(in)) cancel_ = true;
  else if (std::holds_alternative<ci::ChangePin>(in)) change_pin();
  else if (std::holds_alternative<ci::SaveSettings>(in)) save_settings();
  else if (auto* e = std::get_if<ci::ExportFile>(&in)) start_export(e->format, e->questionnaire);
  else if (std::holds_alternative<ci::SignOut>(in)) sign_out();
  else if (auto* io = std::get_if<ci::InputOpen>(&in)) input_open(io->field);
  else if (auto* ik = std::get_if<ci::Input>(&in)) {
    if (!input_field_.empty()) entry_.apply(ik->input);
  } else if (std::holds_alternative<ci::InputDone>(in)) {
    if (std::string* f = field(input_field_)) *f = entry_.text();
    input_close();
  } else if (std::holds_alternative<ci::InputCancel>(in)) input_close();
  // The PIN pad's keys once signed in: nothing.
}

// Before sign-in only the PIN pad and the way back to the kiosk work.
void ConsoleModel::apply_signed_out(const ConsoleIntent& in) {
  namespace ci = console_intent;
  if (const auto* k = std::get_if<ci::PinKey>(&in)) {
    if (locked_until_ > clock_()) return;
    if (pin_.size() < 12 && k->digit >= '0' && k->digit <= '9') pin_ += k->digit;
  } else if (std::holds_alternative<ci::PinDelete>(in)) {
    if (!pin_.empty()) pin_.pop_back();
  } else if (std::holds_alternative<ci::PinSubmit>(in)) {
    if (locked_until_ > clock_()) return;
    std::string p = pin_;
    pin_.clear();
    sign_in(p);
  } else if (std::holds_alternative<ci::SignOut>(in)) {
    active_ = false;
    exit_ = true;
  }
}

void ConsoleModel::show_page(ConsolePage p) {
  switch (p) {
    case ConsolePage::overview:
    case ConsolePage::departments:
    case ConsolePage::survey: page_ = p; break;
    case ConsolePage::audit:
      page_ = ConsolePage::audit;
      audit_ = admin_.audit_entries(500);
      audit_verdict_ = admin_.verify_audit_all();
      audit_intact_ = audit_verdict_.intact;
      break;
    case ConsolePage::settings:
      page_ = ConsolePage::settings;
      load_settings_form();
      refresh_sync_state();
      break;
    case ConsolePage::pin:
    case ConsolePage::detail: break;  // reached by signing in and opening an indicator
  }
  say("", false);
}

void ConsoleModel::open_indicator(const std::string& id) {
  if (!catalog_.find(id)) return;
  selected_ = id;
  history_ = admin_.history(selected_);
  page_ = ConsolePage::detail;
  form = RecordForm{};
  task_form = TaskForm{};
  say("", false);
}

void ConsoleModel::record_value(const std::string& indicator) {
  if (records_at_center()) {
    say(T("console.records_at_center"), true);
    return;
  }
  IndicatorRecord r;
  r.indicator = indicator.empty() ? selected_ : indicator;
  r.as_of = form.as_of;
  r.source = form.source;
  r.evidence = form.evidence;
  r.recorded_by = user_name;
  r.state = form.state;
  if (!form.value.empty()) {
    char* end = nullptr;
    double v = std::strtod(form.value.c_str(), &end);
    if (!(end && *end == 0)) {
      say(T("console.value_not_number"), true);
      return;
    }
    r.value = v;
  }
  if (form.judged >= 0) r.judged = form.judged == 1;
  std::string err = admin_.record(r);
  if (!err.empty()) {
    say(T("console.record_refused"), true, err);
    return;
  }
  form.value.clear();
  form.evidence.clear();
  say(T("console.record_saved"), false);
  rebuild();
}

void ConsoleModel::set_task(const console_intent::SetTask& t) {
  if (records_at_center()) {
    say(T("console.records_at_center"), true);
    return;
  }
  std::string err = admin_.update_task(t.task, t.status, task_form.note, user_name);
  if (!err.empty()) {
    say(T("console.record_refused"), true, err);
    return;
  }
  task_form.note.clear();
  say(T("console.task_saved"), false);
  rebuild();
}

void ConsoleModel::change_pin() {
  if (settings.new_pin != settings.new_pin_again) {
    say(T("console.pin_mismatch"), true);
    return;
  }
  std::string err = admin_.set_pin(settings.new_pin, user_name.empty() ? "admin" : user_name);
  settings.new_pin.clear();
  settings.new_pin_again.clear();
  say(err.empty() ? T("console.pin_changed") : T("console.pin_rule"), !err.empty());
}

void ConsoleModel::sign_out() {
  admin_.audit(user_name.empty() ? "admin" : user_name, "sign_out", "by hand");
  input_close();
  cancel_ = true;
  active_ = false;
  signed_in_ = false;
  exit_ = true;
}

void ConsoleModel::input_open(const std::string& name) {
  std::string* f = field(name);
  if (!f) return;
  // A note holds at most kMaxNote bytes: as many characters of three bytes (Chinese).
  entry_.reset(*f, name == "user_name" ? 40 : AdminStore::kMaxNote / 3);
  input::InputIntent m;
  m.kind = input::InputIntent::Kind::mode;
  m.mode = input::InputMode::handwriting;
  entry_.apply(m);
  input_field_ = name;
}

void ConsoleModel::input_close() {
  input_field_.clear();
  entry_.reset({}, 0);
}

std::string* ConsoleModel::field(const std::string& name) {
  if (name == "source") return &form.source;
  if (name == "evidence") return &form.evidence;
  if (name == "task_note") return &task_form.note;
  if (name == "user_name") return &user_name;
  return nullptr;
}

void ConsoleModel::set_text_input(const input::Recognizer* recognizer, input::PinyinEngine* pinyin,
                                  std::function<bool(std::string_view)> showable) {
  entry_.set_engines(recognizer, pinyin);
  entry_.set_showable(std::move(showable));
}

}  // namespace eco
