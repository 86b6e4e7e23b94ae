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
      admin_(store, catalog, clock_) {
  // The audit head and PIN mark live beside the configuration, out of reach of
  // whoever can only write the database.
  if (db_path_ != ":memory:" && !config_path_.empty()) admin_.use_anchor(anchor_path_for(config_path_, db_path_));
}

ConsoleModel::~ConsoleModel() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void ConsoleModel::say(std::string msg, bool error) {
  message_ = std::move(msg);
  message_error_ = error;
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

TimeMs ConsoleModel::next_deadline() const {
  if (!active_) return INT64_MAX;
  TimeMs t = last_touch_ + kIdleMs;
  if (locked_until_ > clock_()) t = std::min(t, locked_until_);
  if (computing_) t = std::min(t, clock_() + 250);  // the progress line counts seconds
  return t;
}

double ConsoleModel::computing_seconds() const {
  return computing_ ? static_cast<double>(clock_() - computing_since_) / 1000.0 : 0;
}

void ConsoleModel::tick() {
  if (!active_) return;
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
    say("console.pin_enter", false);
  }
  bool got = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (posted_) {
      posted_ = false;
      got = true;
      if (posted_report_) report_ = std::move(posted_report_);
      if (posted_results_) results_ = std::move(posted_results_);
      posted_report_.reset();
      posted_results_.reset();
      if (!posted_error_.empty()) say(posted_error_, true);
      posted_error_.clear();
      if (!posted_export_.empty()) {
        auto bar = posted_export_.find('|');
        last_export = posted_export_.substr(0, bar);
        admin_.audit(user_name.empty() ? "admin" : user_name, "export",
                     last_export + " (" + posted_export_.substr(bar + 1) + " responses)");
        say("console.export_done|" + last_export + " (" + posted_export_.substr(bar + 1) + ")", false);
        posted_export_.clear();
      }
    }
  }
  if (got) {
    computing_ = false;
    if (worker_.joinable()) worker_.join();
    rebuild();
  }
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
      err = std::string("console.compute_failed|") + e.what();
    }
    std::lock_guard<std::mutex> lock(mu_);
    posted_report_ = std::move(rep);
    posted_results_ = std::move(res);
    posted_error_ = cancel_ ? "" : err;
    posted_ = true;
  };
  run_job(job);
}

void ConsoleModel::start_export(const std::string& format, const std::string& questionnaire) {
  if (computing_) { say("console.busy", true); return; }
  if (!exporter) return;
  ResponseFilter dates;
  if (!export_from.empty()) {
    dates.from = parse_local_day(export_from, cfg_.utc_offset_minutes);
    if (!dates.from) { say("console.export_failed|" + export_from, true); return; }
  }
  if (!export_to.empty()) {
    auto day = parse_local_day(export_to, cfg_.utc_offset_minutes);
    if (!day) { say("console.export_failed|" + export_to, true); return; }
    dates.to = *day + 86400000LL;  // the whole last day
  }
  dates.kiosk = export_kiosk;
  std::string folder = export_target.empty() ? export_folder() : export_target;
  auto job = [this, format, questionnaire, folder, dates](Store& s) {
    std::string path;
    std::int64_t rows = 0;
    std::string err = exporter(s, format, questionnaire, dates, folder, &cancel_, path, rows);
    std::lock_guard<std::mutex> lock(mu_);
    if (err.empty()) posted_export_ = path + "|" + std::to_string(rows);
    else if (!cancel_) posted_error_ = "console.export_failed|" + err;
    posted_ = true;
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
    tick();
    return;
  }
  std::string path = db_path_;
  worker_ = std::thread([this, job, path] {
    try {
      Store own(path);  // its own connection: WAL lets it read while the kiosk writes
      job(own);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mu_);
      posted_error_ = std::string("console.compute_failed|") + e.what();
      posted_ = true;
    }
    if (wake_) wake_();
  });
}

void ConsoleModel::rebuild() {
  dashboard_ = build_dashboard(catalog_, admin_, report(), "zh");
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


std::vector<const DashboardRow*> ConsoleModel::visible_rows() const {
  std::vector<const DashboardRow*> out;
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
    case PinState::set: say("console.pin_enter", false); break;
    case PinState::setup_code: say("console.setup_code_enter", false); break;
    case PinState::none: say("console.pin_none", true); break;
    case PinState::tampered: say("console.pin_tampered", true); break;
  }
}

void ConsoleModel::sign_in(const std::string& pin) {
  if (setup_code_) {
    PinCheck c = admin_.check_setup_code(pin);
    switch (c.result) {
      case PinCheck::Result::ok:
        setup_code_ = false;
        first_pin_ = true;
        say("console.pin_first", false);
        break;
      case PinCheck::Result::wrong: say("console.setup_code_wrong|" + std::to_string(c.attempts_left), true); break;
      case PinCheck::Result::locked:
        locked_until_ = c.locked_until;
        say("console.pin_locked", true);
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
      if (pin.size() < 6) { say("console.pin_rule", true); return; }
      first_pin_value_ = pin;
      say("console.pin_confirm", false);
      return;
    }
    if (pin != first_pin_value_) {
      first_pin_value_.clear();
      say("console.pin_mismatch", true);
      return;
    }
    std::string err = admin_.set_pin(pin, "setup (one-time code)");
    first_pin_value_.clear();
    if (!err.empty()) { say(pin.size() < 6 || pin.size() > 12 ? "console.pin_rule" : "console.pin_not_stored", true); return; }
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
      say("console.pin_wrong|" + std::to_string(c.attempts_left), true);
      break;
    case PinCheck::Result::locked:
      locked_until_ = c.locked_until;
      say("console.pin_locked", true);
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
  c.questionnaires.clear();
  const char* ids[3] = {"knowledge", "satisfaction", "green-travel"};
  for (int i = 0; i < 3; ++i)
    if (settings.offer[i]) c.questionnaires.push_back(ids[i]);
  std::vector<std::string> errors = check_config(c);
  if (!errors.empty()) {
    say("console.settings_bad|" + errors.front(), true);
    return;
  }
  std::string err = save_config(config_path_, c);
  if (!err.empty()) {
    say("console.settings_bad|" + err, true);
    return;
  }
  admin_.audit(user_name, "settings", "saved to " + config_path_ + " (kiosk " + c.kiosk_id + ", idle " +
                                          std::to_string(c.idle_seconds) + " s)");
  cfg_ = c;
  say("console.settings_saved", false);
}

void ConsoleModel::apply(const ConsoleIntent& in) {
  using K = ConsoleIntent::Kind;
  if (!active_ || in.kind == K::none) return;
  touch();
  if (!signed_in_) {
    switch (in.kind) {
      case K::pin_key:
        if (locked_until_ > clock_()) break;
        if (pin_.size() < 12 && in.a.size() == 1 && in.a[0] >= '0' && in.a[0] <= '9') pin_ += in.a;
        break;
      case K::pin_delete:
        if (!pin_.empty()) pin_.pop_back();
        break;
      case K::pin_submit: {
        if (locked_until_ > clock_()) break;
        std::string p = pin_;
        pin_.clear();
        sign_in(p);
        break;
      }
      case K::sign_out:
        active_ = false;
        exit_ = true;
        break;
      default: break;  // nothing else before sign-in
    }
    return;
  }
  switch (in.kind) {
    case K::page:
      if (in.a == "overview") page_ = ConsolePage::overview;
      else if (in.a == "departments") page_ = ConsolePage::departments;
      else if (in.a == "survey") page_ = ConsolePage::survey;
      else if (in.a == "audit") {
        page_ = ConsolePage::audit;
        audit_ = admin_.audit_entries(500);
        audit_verdict_ = admin_.verify_audit_all();
        audit_intact_ = audit_verdict_.intact;
      }
      else if (in.a == "settings") { page_ = ConsolePage::settings; load_settings_form(); }
      say("", false);
      break;
    case K::open:
      if (catalog_.find(in.a)) {
        selected_ = in.a;
        history_ = admin_.history(selected_);
        page_ = ConsolePage::detail;
        form = RecordForm{};
        task_form = TaskForm{};
        say("", false);
      }
      break;
    case K::filter_domain: filter_domain = in.a; break;
    case K::filter_status: filter_status = in.a; break;
    case K::filter_dept: filter_dept = in.a; break;
    case K::toggle_star: star_only = !star_only; break;
    case K::sort_by: sort = in.a; break;
    case K::select_questionnaire: survey_selected = in.a; break;
    case K::record: {
      IndicatorRecord r;
      r.indicator = in.a.empty() ? selected_ : in.a;
      r.as_of = form.as_of;
      r.source = form.source;
      r.evidence = form.evidence;
      r.recorded_by = user_name;
      r.state = form.state;
      if (!form.value.empty()) {
        char* end = nullptr;
        double v = std::strtod(form.value.c_str(), &end);
        if (end && *end == 0) r.value = v;
        else { say("console.value_not_number", true); break; }
      }
      if (form.judged >= 0) r.judged = form.judged == 1;
      std::string err = admin_.record(r);
      if (!err.empty()) { say("console.record_refused|" + err, true); break; }
      form.value.clear();
      form.evidence.clear();
      say("console.record_saved", false);
      rebuild();
      break;
    }
    case K::task: {
      auto st = parse_task_status(in.b);
      if (!st) break;
      std::string err = admin_.update_task(in.a, *st, task_form.note, user_name);
      if (!err.empty()) { say("console.record_refused|" + err, true); break; }
      task_form.note.clear();
      say("console.task_saved", false);
      rebuild();
      break;
    }
    case K::input_open:
      if (std::string* f = field(in.a)) {
        // A note holds at most kMaxNote bytes: as many characters of three bytes (Chinese).
        entry_.reset(*f, in.a == "user_name" ? 40 : AdminStore::kMaxNote / 3);
        input::InputIntent m;
        m.kind = input::InputIntent::Kind::mode;
        m.mode = input::InputMode::handwriting;
        entry_.apply(m);
        input_field_ = in.a;
      }
      break;
    case K::input:
      if (!input_field_.empty()) entry_.apply(in.input);
      break;
    case K::input_done:
      if (std::string* f = field(input_field_)) *f = entry_.text();
      [[fallthrough]];
    case K::input_cancel:
      input_field_.clear();
      entry_.reset({}, 0);
      break;
    case K::refresh: start_refresh(); break;
    case K::cancel_refresh: cancel_ = true; break;
    case K::change_pin: {
      if (settings.new_pin != settings.new_pin_again) { say("console.pin_mismatch", true); break; }
      std::string err = admin_.set_pin(settings.new_pin, user_name.empty() ? "admin" : user_name);
      settings.new_pin.clear();
      settings.new_pin_again.clear();
      say(err.empty() ? "console.pin_changed" : "console.pin_rule", !err.empty());
      break;
    }
    case K::save_settings: save_settings(); break;
    case K::export_file: start_export(in.a, in.b); break;
    case K::sign_out:
      admin_.audit(user_name.empty() ? "admin" : user_name, "sign_out", "by hand");
      input_field_.clear();
      entry_.reset({}, 0);
      cancel_ = true;
      active_ = false;
      signed_in_ = false;
      exit_ = true;
      break;
    default: break;
  }
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
