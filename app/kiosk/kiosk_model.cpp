#include "kiosk/kiosk_model.hpp"
#include "core/survey/metrics.hpp"
#include "core/survey/reading_time.hpp"
#include "core/support/time.hpp"
#include "core/support/i18n.hpp"

#include <algorithm>

#include "core/storage/store.hpp"
#include "core/survey/metrics.hpp"

namespace eco {

namespace {
constexpr TimeMs kRetryMs = 5000;
}

// Runs note_progress() when apply() or tick() returns, whatever path they took.
struct KioskModel::note_progress_guard {
  KioskModel* m;
  ~note_progress_guard() {
    m->note_progress();
    m->note_reading();
    m->sync_entry();
  }
};

KioskModel::KioskModel(Config config, const QuestionnaireSet& set, Store* store, std::function<TimeMs()> clock,
                       std::uint64_t seed)
    : config_(std::move(config)), set_(&set), store_(store), clock_(std::move(clock)),
      rng_(seed ? seed : static_cast<std::uint64_t>(clock_())), lang_(config_.default_lang), first_set_(&set) {
  last_activity_ = clock_();
}

std::vector<const Questionnaire*> KioskModel::offered() const {
  std::vector<const Questionnaire*> out;
  offered(out);
  return out;
}

void KioskModel::offered(std::vector<const Questionnaire*>& out) const {
  out.clear();
  for (const auto& id : config_.questionnaires)
    if (const Questionnaire* q = set_->find(id)) out.push_back(q);
}

void KioskModel::touch() {
  // "Still there?" is answered only by its buttons: a touch that dismissed it would make
  // 重新开始 unreachable (the press itself would hide it) and let the next person carry
  // on a stranger's survey by touching anywhere.
  if (idle_overlay()) return;
  last_activity_ = clock_();
  // The thanks screen counts from the last touch: someone reading the explanations and
  // touching the screen is not sent away mid-sentence.
  if (screen_ == Screen::finish) finish_until_ = last_activity_ + config_.finish_seconds * 1000LL;
}

int KioskModel::idle_limit_seconds() const {
  int extra = more_time_ ? static_cast<int>(kMoreTimeMs / 1000) : 0;
  // A long page gets the time a slow reader needs for it (reading_time.hpp); on the
  // first page never more than the usual limit, which a walk-away there would cost the
  // next person, and on any page never more than the longest limit a setting allows.
  const Question* q = session_ ? session_->current() : nullptr;
  int reading = q ? std::min(reading_seconds(*q, lang_), kIdleSecondsMax) : 0;
  if (session_ && session_->progress().position <= 1)
    return std::max(std::min(config_.first_question_idle_seconds, config_.idle_seconds),
                    std::min(reading, config_.idle_seconds)) + extra;
  return std::max(config_.idle_seconds, reading) + extra;
}

TimeMs KioskModel::quiet_since() const {
  // Someone who called for help is waiting, not gone: the survey is not given up on them.
  return staff_called_at_ ? std::max(last_activity_, staff_called_at_ + kStaffCallHoldMs) : last_activity_;
}

bool KioskModel::idle_overlay() const {
  // A resident listening to the page being read is not idle.
  return screen_ == Screen::question && !speaking_ && clock_() - quiet_since() >= idle_limit_seconds() * 1000LL;
}

bool KioskModel::auto_advances() const {
  if (screen_ != Screen::question || !session_ || !session_->current()) return false;
  const Question& q = *session_->current();
  return (q.type == QuestionType::single || q.type == QuestionType::rating) && q.required &&
         !session_->progress().last;
}

std::string_view KioskModel::minor_notice_key() const {
  if (screen_ != Screen::question || !session_ || !session_->current()) return {};
  const Question& q = *session_->current();
  if (q.id != kAgeQuestion) return {};
  const auto* c = std::get_if<Choice>(&session_->answer_of(q.id));
  if (!c || c->option != kMinorAgeOption) return {};
  return config_.minors == "ask_parent" ? T("question.minor_parent") : T("question.minor_notice");
}

bool KioskModel::next_shown() const {
  if (!session_ || !session_->current()) return false;
  return !auto_advances() || answered(session_->answer_of(session_->current()->id));
}

int KioskModel::idle_seconds_left() const {
  TimeMs end = quiet_since() + (idle_limit_seconds() + config_.countdown_seconds) * 1000LL;
  return static_cast<int>(std::max<TimeMs>(0, (end - clock_() + 999) / 1000));
}

int KioskModel::finish_seconds_left() const {
  return static_cast<int>(std::max<TimeMs>(0, (finish_until_ - clock_() + 999) / 1000));
}

void KioskModel::go_welcome() {
  // Wipe everything of the previous resident. The language returns to the default too:
  // the next person should not inherit a stranger's choice.
  session_.reset();
  finished_.reset();
  quiz_review_.reset();
  finished_q_ = nullptr;
  refusal_ = {};
  advance_at_ = 0;
  absorb_next_until_ = 0;
  absorb_taps_until_ = 0;
  leave_ = LeaveAsk::none;
  finish_until_ = 0;
  lang_ = config_.default_lang;
  text_size_ = 0;
  high_contrast_ = false;
  more_time_ = false;
  staff_called_at_ = 0;
  auto_read_ = false;  // reading every page was this resident's choice
  hold_since_ = 0;
  screen_ = Screen::welcome;
  take_update();  // the resident has gone: the next one gets what the center published
}

void KioskModel::offer_update(std::shared_ptr<const QuestionnaireSet> set, Config config) {
  if (!set) return;
  pending_set_ = std::move(set);
  pending_config_ = std::move(config);
  take_update();  // at once when nobody is mid-survey
}

void KioskModel::take_update() {
  if (!pending_set_ || screen_ != Screen::welcome || session_ || hold_since_) return;
  // Responses still waiting to be saved keep the set they were answered on.
  if (owned_set_ && !unsaved_.empty()) retired_.push_back(owned_set_);
  if (unsaved_.empty()) retired_.clear();
  if (store_) {
    // Definitions the database has not seen yet (responses refer to them; the sync sends them on).
    for (const auto& q : pending_set_->list)
      if (!set_->find(q.id, q.version))
        if (const std::string* e = pending_set_->expanded_json(q)) {
          try {
            store_->remember_definition(q, *e);
          } catch (const std::exception&) {
            // Remembered again at the next start; the response itself keeps id and version.
          }
        }
  }
  owned_set_ = std::move(pending_set_);
  pending_set_.reset();
  set_ = owned_set_.get();
  // A resident who has not chosen a language yet gets the new default.
  const bool default_lang = lang_ == config_.default_lang;
  config_ = std::move(*pending_config_);
  pending_config_.reset();
  if (default_lang) lang_ = config_.default_lang;
  ++updates_taken_;
  if (on_updated_) on_updated_();
}

const Questionnaire* KioskModel::find_version(const std::string& id, int version) const {
  if (const Questionnaire* q = set_->find(id, version)) return q;
  for (auto it = retired_.rbegin(); it != retired_.rend(); ++it)
    if (const Questionnaire* q = (*it)->find(id, version)) return q;
  return first_set_->find(id, version);
}

void KioskModel::note_progress() {
  if (!store_ || !session_ || !session_->current()) return;
  // One small write per question reached, not per frame.
  if (!noted_.change(0, {}, session_->id(), session_->current()->id, {})) return;
  try {
    store_->mark_in_progress(session_->abandon());
  } catch (const std::exception&) {
    // Only bookkeeping for crash recovery; the response itself is saved with retries.
  }
}

void KioskModel::want_reading(bool yes) {
  if (!yes && !read_wanted_) return;  // already silent: nothing for the speaker to do
  read_wanted_ = yes && speech_available_;
  ++read_serial_;
}

void KioskModel::set_speaking(bool now) {
  bool ended = speaking_ && !now;
  speaking_ = now;
  if (!ended) return;
  read_wanted_ = false;  // the script was read to its end (or stopped)
  // The quiet time ("still there?", the thanks screen's) starts when the reading ends.
  last_activity_ = clock_();
  if (screen_ == Screen::finish) finish_until_ = last_activity_ + config_.finish_seconds * 1000LL;
}

void KioskModel::note_reading() {
  const Question* q = session_ ? session_->current() : nullptr;
  std::string_view sid = q ? std::string_view(session_->id()) : std::string_view();
  std::string_view qid = q ? std::string_view(q->id) : std::string_view();
  std::string_view fid = screen_ == Screen::finish && finished_ ? std::string_view(finished_->id) : std::string_view();
  if (!read_page_.change(static_cast<int>(screen_), lang_, sid, qid, fid)) return;
  // Whatever was being read belonged to the page that went; the new one is read only
  // when the resident asked for every page to be read.
  if (auto_read_ && screen_ != Screen::admin) want_reading(true);
  else want_reading(false);
}

void KioskModel::start(const std::string& questionnaire) {
  const Questionnaire* q = set_->find(questionnaire);
  if (!q || screen_ != Screen::welcome) return;
  SessionOptions o;
  o.lang = lang_;
  o.kiosk = config_.kiosk_id;
  o.seed = rng_.next();
  o.clock = clock_;
  o.ask_text = text_input_;  // asked only where there is a way to write
  session_.emplace(*q, std::move(o));
  refusal_ = {};
  screen_ = Screen::question;
  absorb_taps_until_ = clock_() + kAnswerAbsorbMs;  // the first question opened under the finger
  moved_by_ = tap_spot_;
  moved_at_ = clock_();
}

void KioskModel::answer(const intent::Answer& in) {
  if (!session_ || screen_ != Screen::question) return;
  bool advances = auto_advances();  // judged before the answer: it may change what is last
  absorb_next_until_ = 0;           // working on this question: a Next now is meant for it
  refusal_ = session_->answer(in.answer);
  advance_at_ = (refusal_.ok() && in.advance && advances && !session_->progress().last) ? clock_() + kAutoAdvanceMs : 0;
  advance_spot_ = tap_spot_;
  if (!minor_notice_key().empty()) advance_at_ = 0;  // the notice is read, then Next
}

void KioskModel::apply(const Intent& in) {
  note_progress_guard guard{this};
  if (none(in)) return;
  touch();
  if (const auto* t = std::get_if<intent::Touch>(&in)) {
    if (t->press) pressed(t->x, t->y);
    if (t->lift) {  // on nothing: in a hold, a tap of the same run as any held one
      lifted();
      held();
    }
    return;
  }
  if (const auto* t = std::get_if<intent::StopReading>(&in); t && t->press) pressed(t->x, t->y);
  else lifted();
  // Any tap stops the reading (the frame turns a press into StopReading); 朗读 starts it.
  if (is<intent::ReadAloud>(in)) {
    if (screen_ != Screen::admin) want_reading(true);
    return;
  }
  if (is<intent::ToggleAutoRead>(in)) {
    auto_read_ = !auto_read_ && speech_available_;
    want_reading(auto_read_);  // switched on: the welcome screen says so and reads the choices
    return;
  }
  want_reading(false);
  if (is<intent::StopReading>(in)) return;
  // While "leave this survey?" is asked, only its answer counts (the dialog is on top).
  if (leave_ != LeaveAsk::none && !is<intent::ConfirmLeave>(in) && !is<intent::CancelLeave>(in) &&
      !is<intent::StartOver>(in) && !is<intent::ContinueSession>(in))
    return;
  if (!apply_setting(in)) apply_survey(in);
}

bool KioskModel::apply_setting(const Intent& in) {
  if (const auto* l = std::get_if<intent::SetLang>(&in)) {
    if (l->lang == "zh" || l->lang == "en") {
      lang_ = l->lang;
      if (session_) session_->set_lang(lang_);
    }
  } else if (is<intent::ToggleLargeText>(in)) {
    text_size_ = (text_size_ + 1) % kTextSizes;
  } else if (is<intent::ToggleContrast>(in)) {
    high_contrast_ = !high_contrast_;
  } else if (is<intent::CallStaff>(in)) {
    call_staff();
  } else if (is<intent::DismissStaffCall>(in)) {
    staff_called_at_ = 0;
  } else if (is<intent::MoreTime>(in)) {
    if (screen_ == Screen::question) {
      more_time_ = true;
      last_activity_ = clock_();
    }
  } else if (is<intent::Home>(in)) {
    // The thanks came by 提交 (moved_on): 看完了 pressed within Next's hold is its second tap.
    if (screen_ == Screen::finish && tap_at_ < absorb_next_until_) {
      held();
      return true;
    }
    go_welcome();
  } else if (is<intent::CornerPress>(in)) {
    if (screen_ == Screen::welcome && !hold_since_) hold_since_ = clock_();
  } else if (is<intent::CornerRelease>(in)) {
    hold_since_ = 0;
  } else {
    return false;
  }
  return true;
}

const Question* KioskModel::question_on_screen() const {
  return session_ && screen_ == Screen::question ? session_->current() : nullptr;
}

// A finger came down. A tap acts when it lifts, but it is judged by where and when it
// came down: one pressed in a hold is absorbed however long it rested (session 26's
// review: a second tap held 0.35 s ticked an answer).
void KioskModel::pressed(float x, float y) {
  const TimeMs now = clock_();
  press_ = Press{input_at_ > 0 && input_at_ <= now ? input_at_ : now, screen_, question_on_screen(), Spot{x, y}};
}

// The tap just lifted came down in a hold and was absorbed (or lifted on nothing): the
// hold lasts until the finger has paused kAnswerAbsorbMs, so a triple tap is held too.
// A tap on a switch is not one of them (session 27's review: 中/EN tapped in the hold
// lengthened it, and the answer tapped after it, 0.85 s after the page moved, was lost).
void KioskModel::held() {
  TimeMs now = clock_();
  for (TimeMs* until : {&absorb_taps_until_, &absorb_next_until_})
    if (tap_at_ < *until) *until = std::max(*until, now + kAnswerAbsorbMs);
}

// A tap (or a request with no press before it: a test, the tour) is being applied.
void KioskModel::lifted() {
  tap_at_ = press_ ? press_->at : clock_();
  tap_spot_ = press_ ? press_->spot : Spot{};
  tap_from_other_page_ = press_ && (press_->screen != screen_ || press_->question != question_on_screen());
  press_.reset();
}

void KioskModel::apply_survey(const Intent& in) {
  const bool survey_tap = is<intent::Answer>(in) || is<intent::Next>(in) || is<intent::Back>(in) || is<intent::Input>(in);
  // A finger that came down on another page was meant for it: the page moved on by
  // itself (an answer's confirmation, the thanks' time) while it rested.
  if ((survey_tap || is<intent::Start>(in)) && tap_from_other_page_) return;
  // The page just opened under the finger (开始, or an answer's confirmation moved it
  // on): an answer, Next, Back or key pressed this soon is a double tap's second half
  // (session 25's review: one ticked the quiz's first question, unseen, and moved on).
  // Any answer, not only a card that moves on: the page may tick a box there.
  if (survey_tap && screen_ == Screen::question && tap_at_ < absorb_taps_until_ && !aimed_at_new_page(in))
    return held();
  if (const auto* s = std::get_if<intent::Start>(&in)) {
    start(s->questionnaire);
  } else if (const auto* a = std::get_if<intent::Answer>(&in)) {
    answer(*a);
  } else if (is<intent::Next>(in)) {
    next();
  } else if (is<intent::Back>(in)) {
    back();
  } else if (is<intent::Quit>(in)) {
    if (session_ && screen_ == Screen::question) {
      advance_at_ = 0;
      leave_ = LeaveAsk::quit;
    }
  } else if (is<intent::ConfirmLeave>(in) || is<intent::StartOver>(in)) {
    // An explicit exit is recorded like a walk-away: the questionnaire, the question
    // reached and how many were answered, never the answers themselves.
    if (session_ && screen_ == Screen::question) abandon();
  } else if (is<intent::CancelLeave>(in)) {
    leave_ = LeaveAsk::none;
  } else if (is<intent::ContinueSession>(in)) {
    last_activity_ = clock_();
  } else if (const auto* t = std::get_if<intent::Input>(&in)) {
    type(t->input);
  }
}

// A tap in the hold after the page moved that the resident aimed at the new page: it came
// down a reaction time after the move, away from the tap that moved it (kAimMs). Judged
// only where both places are known; never for Next (a habit after a card, see kAimMs).
bool KioskModel::aimed_at_new_page(const Intent& in) const {
  if (is<intent::Next>(in) || !tap_spot_.known() || !moved_by_.known()) return false;
  if (tap_at_ < moved_at_ + kAimMs) return false;
  float dx = tap_spot_.x - moved_by_.x, dy = tap_spot_.y - moved_by_.y;
  return dx * dx + dy * dy > kNearUnits * kNearUnits;
}

void KioskModel::next() {
  if (!session_ || screen_ != Screen::question) return;
  // A Next during the advance's short delay is the same step, taken now; one just
  // after it was meant for the question the resident had answered.
  if (!advance_at_ && tap_at_ < absorb_next_until_) return held();
  // A character on the pad or pinyin being composed is not yet in the comment: going on
  // would drop it unseen (the review's 好 and its handwritten stroke). The resident picks
  // a candidate or clears it first; the panel says so.
  if (!entry_key_.empty()) {
    sync_entry();
    if (entry_.composing()) {
      entry_.ask_to_pick();
      return;
    }
  }
  advance_at_ = 0;
  absorb_next_until_ = 0;
  absorb_taps_until_ = 0;
  refusal_ = session_->next();
  if (refusal_.ok()) moved_on(false);
}

// The page moved on: a second Next where the first was (a double tap: session 24's
// review skipped a question after Back that way) was meant for the page just left; so,
// when it moved by itself, was anything tapped at once (no card is drawn where Next is).
void KioskModel::moved_on(bool by_itself) {
  TimeMs now = clock_();
  absorb_next_until_ = now + kNextAbsorbMs;
  absorb_taps_until_ = by_itself ? now + kAnswerAbsorbMs : 0;
  moved_by_ = advance_spot_;
  moved_at_ = now;
  if (session_->at_end()) complete();
}

void KioskModel::back() {
  if (!session_ || screen_ != Screen::question) return;
  advance_at_ = 0;
  absorb_next_until_ = 0;
  absorb_taps_until_ = 0;
  refusal_ = {};
  if (session_->progress().position <= 1) leave_ = LeaveAsk::back_on_first;  // ask before throwing it away
  else session_->back();
}

void KioskModel::type(const input::InputIntent& in) {
  if (!session_ || screen_ != Screen::question || entry_key_.empty()) return;
  sync_entry();  // the entry belongs to the question on screen, whatever happened before
  absorb_next_until_ = 0;  // writing on this question (a key, a stroke): a Next now is meant for it
  if (!entry_.apply(in)) return;
  // Every change is the answer at once: Back, Next, walking away or switching the
  // language keep exactly what is written. Checked (cap, characters) as any answer.
  const std::string& t = entry_.text();
  refusal_ = session_->answer(t.empty() ? Answer{} : Answer{Text{t}});
}

void KioskModel::call_staff() {
  if (screen_ == Screen::admin) return;
  if (staff_called_at_) return;  // already showing: a second tap is the same call
  staff_called_at_ = clock_();
  StaffCall c;
  c.at = staff_called_at_;
  c.kiosk = config_.kiosk_id;
  c.lang = lang_;
  if (screen_ == Screen::question && session_ && session_->current()) {
    c.questionnaire = session_->questionnaire().id;
    c.question = session_->current()->id;
  } else if (screen_ == Screen::finish && finished_q_) {
    c.questionnaire = finished_q_->id;  // on its thanks page: no question
  }
  staff_calls_.push_back(c);
  if (staff_calls_.size() > kStaffCallsKept) staff_calls_.erase(staff_calls_.begin());
  if (!store_) return;  // still on screen and in staff_calls(); the console says the database is missing
  try {
    store_->log_staff_call(c);
  } catch (const std::exception& e) {
    save_error_ = e.what();
  }
}

void KioskModel::set_text_input(const input::Recognizer* recognizer, input::PinyinEngine* pinyin,
                                std::function<bool(std::string_view)> showable) {
  text_input_ = true;
  entry_.set_engines(recognizer, pinyin);
  entry_.set_showable(std::move(showable));
}

void KioskModel::sync_entry() {
  const Question* q = (screen_ == Screen::question && session_) ? session_->current() : nullptr;
  if (!text_input_ || !q || q->type != QuestionType::text) {
    if (!entry_key_.empty()) entry_.reset({}, 0);  // nothing of a resident's text stays behind
    entry_key_.clear();
    return;
  }
  if (!entry_key_.change(0, {}, session_->id(), q->id, {})) return;
  const auto* t = std::get_if<Text>(&session_->answer_of(q->id));
  entry_.reset(t ? t->value : std::string(), static_cast<std::size_t>(std::max(0, q->max_length)));
  // Chinese is written by hand first (no spelling needed); English is typed.
  input::InputIntent m;
  m.kind = input::InputIntent::Kind::mode;
  m.mode = lang_ == "en" ? input::InputMode::letters : input::InputMode::handwriting;
  entry_.apply(m);
}

void KioskModel::abandon() {
  if (session_ && store_) {
    try {
      Abandoned a = session_->abandon();
      store_->save_abandoned(a);
      store_->clear_in_progress(a.id);
      if (on_saved_) on_saved_();
    } catch (const std::exception& e) {
      save_error_ = e.what();  // an abandoned record is statistics only; not retried
    }
  }
  go_welcome();
}

void KioskModel::complete() {
  finished_q_ = &session_->questionnaire();
  finished_ = session_->complete();
  quiz_review_.reset();
  if (finished_q_->scoring.method == ScoringMethod::knowledge) quiz_review_ = review_quiz(*finished_q_, *finished_);
  session_.reset();
  noted_.clear();
  unsaved_.push_back(*finished_);
  try_save();
  last_saved_ = unsaved_.empty();
  screen_ = Screen::finish;
  finish_until_ = clock_() + config_.finish_seconds * 1000LL;
}

void KioskModel::set_store(Store* store) {
  store_ = store;
  store_problem_.clear();
  if (!unsaved_.empty()) retry_at_ = clock_();
}

void KioskModel::try_save() {
  while (!unsaved_.empty()) {
    if (!store_) {
      save_error_ = store_problem_.empty() ? "no database" : store_problem_;
      retry_at_ = clock_() + kRetryMs;
      return;
    }
    try {
      const Response& r = unsaved_.front();
      store_->save(r, metrics_of(find_version(r.questionnaire, r.version), r));
      unsaved_.pop_front();
      save_error_.clear();
      if (on_saved_) on_saved_();
    } catch (const std::exception& e) {
      save_error_ = e.what();
      retry_at_ = clock_() + kRetryMs;
      return;
    }
  }
  retry_at_ = 0;
}

void KioskModel::tick() {
  note_progress_guard guard{this};
  TimeMs now = clock_();
  if (pending_set_) take_update();
  if (hold_since_ && screen_ == Screen::welcome && now - hold_since_ >= kAdminHoldMs) {
    hold_since_ = 0;
    screen_ = Screen::admin;
  }
  if (!unsaved_.empty() && retry_at_ && now >= retry_at_) try_save();
  if (staff_called_at_ && now - staff_called_at_ >= kStaffCallHoldMs) {
    // Nobody came: the usual "still there?" starts counting from here, not from the call.
    last_activity_ = std::max(last_activity_, staff_called_at_ + kStaffCallHoldMs);
    staff_called_at_ = 0;
    if (screen_ == Screen::finish) finish_until_ = std::max<TimeMs>(finish_until_, now + config_.finish_seconds * 1000LL);
  }
  if (screen_ == Screen::question) {
    if (advance_at_ && now >= advance_at_) {
      advance_at_ = 0;
      refusal_ = session_->next();
      if (refusal_.ok()) moved_on(true);
    }
    if (screen_ == Screen::question && !speaking_ &&
        now - quiet_since() >= (idle_limit_seconds() + config_.countdown_seconds) * 1000LL)
      abandon();
  } else if (screen_ == Screen::finish && !speaking_ && !staff_called_at_ && now >= finish_until_) {
    // (A resident who called staff from the thanks waits for them: not sent away.)
    go_welcome();
  }
}

TimeMs KioskModel::next_deadline() const {
  TimeMs now = clock_();
  TimeMs d = now + 60'000;  // nothing pending: wake once a minute anyway
  auto at = [&](TimeMs t) { if (t > 0) d = std::min(d, std::max(t, now)); };
  if (!unsaved_.empty()) at(retry_at_);
  if (hold_since_) at(hold_since_ + kAdminHoldMs);
  if (staff_called_at_) at(staff_called_at_ + kStaffCallHoldMs);
  if (screen_ == Screen::question) {
    at(advance_at_);
    TimeMs idle_at = quiet_since() + idle_limit_seconds() * 1000LL;
    if (now < idle_at) at(idle_at);
    else at(now + 1000 - (now - idle_at) % 1000);  // countdown ticks each second
  } else if (screen_ == Screen::finish) {
    at(now + 1000 - (finish_until_ - now) % 1000 + 1);  // the seconds shown tick down
    at(finish_until_);
  }
  return d;
}

}  // namespace eco
