// The kiosk's state machine, headless: which screen, the resident's session, the idle
// countdown, the thanks screen's timer, and saving with retry. Views read it and hand
// back Intents; they never own data or touch SQLite.
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/storage/staff_call.hpp"
#include "core/input/text_entry.hpp"
#include "core/support/config.hpp"
#include "core/support/time.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/survey/session.hpp"

namespace eco {

class Store;

enum class Screen { welcome, question, finish, admin };

// What a resident screen asks for: one small struct per request, std::monostate for
// nothing. One per frame at most; KioskModel::apply() takes it.
namespace intent {
struct Touch {               // a finger on the glass, nothing asked: the resident is still there
  bool press = false;        // it came down in this frame (a tap acts when it lifts)
  bool lift = false;         // it lifted in this frame, on nothing that asks
  float x = -1, y = -1;      // where it came down, in the layout's units (pixels / scale); -1: not said
};
struct Start { std::string questionnaire; };
struct SetLang { std::string lang; };  // "zh" or "en"
struct ToggleLargeText {};
struct ToggleContrast {};    // the high-contrast theme on or off (reset for the next resident)
struct Answer {
  eco::Answer answer;
  bool advance = false;      // move on by itself after a short confirmation (the model decides where)
};
struct Next {};
struct Back {};
struct ContinueSession {};
struct Home {};
struct Quit {};              // asks "leave this survey?" (the 退出 button)
struct ConfirmLeave {};      // yes: the survey ends, recorded as abandoned (like walking away)
struct CancelLeave {};       // no: back to the question, nothing lost
struct StartOver {};         // the idle overlay's 重新开始: the stranger's survey ends now
struct MoreTime {};          // the idle overlay's 需要更多时间: closes it and waits longer before asking again
struct CallStaff {};         // 呼叫工作人员: a message for hall staff on screen, logged for the console
struct DismissStaffCall {};  // the message closed (by staff, or the resident who no longer needs help)
struct CornerPress {};       // the staff gesture: hold a corner of the welcome screen
struct CornerRelease {};
struct ReadAloud {};         // 朗读 (read_aloud.hpp does the speaking)
struct StopReading {         // a tap while reading
  bool press = false;        // as Touch::press: the press itself stopped it
  float x = -1, y = -1;      // as Touch's
};
struct ToggleAutoRead {};    // the welcome screen's switch: read every page from now on
struct Input { input::InputIntent input; };  // the on-screen text input of a text question
}  // namespace intent

using Intent =
    std::variant<std::monostate, intent::Touch, intent::Start, intent::SetLang, intent::ToggleLargeText,
                 intent::ToggleContrast, intent::Answer, intent::Next, intent::Back, intent::ContinueSession,
                 intent::Home, intent::Quit, intent::ConfirmLeave, intent::CancelLeave, intent::StartOver,
                 intent::MoreTime, intent::CallStaff, intent::DismissStaffCall, intent::CornerPress,
                 intent::CornerRelease, intent::ReadAloud, intent::StopReading, intent::ToggleAutoRead,
                 intent::Input>;
inline bool none(const Intent& in) { return std::holds_alternative<std::monostate>(in); }
// A request of kind R (std::holds_alternative, shorter to read at call sites).
template <class R>
bool is(const Intent& in) { return std::holds_alternative<R>(in); }

// "Leave this survey?" and why it is asked.
enum class LeaveAsk { none, quit, back_on_first };

class KioskModel {
 public:
  static constexpr TimeMs kAutoAdvanceMs = 700;  // long enough to see the choice light up
  static constexpr TimeMs kAdminHoldMs = 3000;   // press and hold a corner this long for the console
  // A Next tapped this soon after the page moved (by itself or by Next) was meant for the
  // question just left: it is absorbed instead of moving on again or refusing an
  // unanswered question.
  // 看完了 is held as long after the thanks appear: a double tap on 提交 (drawn where
  // 看完了 then is) would leave before the thanks, or the quiz's score, were seen.
  static constexpr TimeMs kNextAbsorbMs = 1000;
  // Likewise an answer, Next, Back or key tapped this soon after the page moved by itself:
  // the second tap of a resident who taps twice would otherwise answer a question they
  // have not yet read; and on the first question this soon after 开始 (its double tap).
  // Every hold is judged by when the finger came down (a tap acts when it lifts), and a
  // tap it holds lengthens it to at least this long after that tap lifts.
  static constexpr TimeMs kAnswerAbsorbMs = 600;
  // Except a tap aimed at the new page: an answer, key or Back that came down at least
  // kAimMs after the page moved, farther than kNearUnits from the tap that moved it (a
  // double tap's second half lands where the first did; a finger sent to the old page
  // lands within a reaction time). Session 27's review: a brisk "2" on the number pad,
  // 0.3 s after 公交车 moved the page on, was held and 0 stored instead of 20. Next stays
  // held: tapping it after a card that moves on is a habit, wherever the card was.
  // Seeing a new page and aiming at it takes an elderly resident well over 0.4 s; a
  // finger already on its way to the old page lands sooner.
  static constexpr TimeMs kAimMs = 400;
  // A re-tap aimed at the same card lands within a few millimetres of the first; this is
  // about 16 mm on a 22-inch kiosk at 1920×1080. (80, first tried, held a brisk "3" drawn
  // 1.9 cm from where 公交车 had been, in portrait: the review's 0 for 30.)
  static constexpr float kNearUnits = 64;
  // Text sizes a resident can choose, as factors of the normal size (index = text_size()):
  // normal, large and extra large. The switch steps through them and back to normal.
  static constexpr float kTextScales[] = {1.0f, 1.4f, 1.8f};
  static constexpr int kTextSizes = 3;
  // 需要更多时间: "still there?" comes this much later than usual, for the rest of the survey.
  static constexpr TimeMs kMoreTimeMs = 120'000;
  // After 呼叫工作人员 the survey waits this long for staff before "still there?" may show,
  // and the message stays up at most this long if nobody closes it.
  static constexpr TimeMs kStaffCallHoldMs = 300'000;

  KioskModel(Config config, const QuestionnaireSet& set, Store* store, std::function<TimeMs()> clock = now_ms,
             std::uint64_t seed = 0);

  void apply(const Intent& in);
  void touch();  // any input from the resident: restarts the screen's timer (idle, thanks)
  // When the input about to be applied happened, if the window knows (0: now). A press is
  // judged by it: the frame that shows it may come a frame or two later under load.
  void set_input_time(TimeMs at) { input_at_ = at; }
  // Time-driven changes: idle abandonment, auto-advance, the thanks screen's return,
  // retrying saves that failed.
  void tick();
  // When tick() next has something to do; the main loop sleeps until then.
  TimeMs next_deadline() const;

  Screen screen() const { return screen_; }
  const std::string& lang() const { return lang_; }
  bool large_text() const { return text_size_ > 0; }
  int text_size() const { return text_size_; }
  bool high_contrast() const { return high_contrast_; }
  // 呼叫工作人员 is showing (since staff_called_at()); every call is also in the store.
  bool staff_call_shown() const { return staff_called_at_ != 0; }
  TimeMs staff_called_at() const { return staff_called_at_; }
  bool more_time_given() const { return more_time_; }
  // This run's calls, oldest first (the last kStaffCallsKept), for the console's banner.
  const std::vector<StaffCall>& staff_calls() const { return staff_calls_; }
  static constexpr std::size_t kStaffCallsKept = 20;
  float text_scale() const { return kTextScales[text_size()]; }
  const Session* session() const { return session_ ? &*session_ : nullptr; }
  const Questionnaire* finished_questionnaire() const { return finished_q_; }
  const std::optional<Response>& finished() const { return finished_; }
  // A finished quiz's score and review, worked out once on completion (null otherwise).
  const QuizReview* quiz_review() const { return quiz_review_ ? &*quiz_review_ : nullptr; }
  const AnswerCheck& refusal() const { return refusal_; }  // why Next did not go on
  bool auto_advance_pending() const { return advance_at_ != 0; }
  // One model for single choice: a required pick-one question that is not the last moves
  // on by itself once picked, and shows Next only when it already has an answer (after
  // Back), so a Next can never land on the following question and refuse it. Everywhere
  // else Next (or 提交 on the last question) is the only way on.
  bool auto_advances() const;
  bool next_shown() const;
  // The i18n key of what a resident who has just answered 18岁以下 reads on the age
  // question (config "minors": a short notice, or a request to fetch a parent), "" when
  // none applies. The page then waits for Next instead of moving on by itself.
  std::string_view minor_notice_key() const;  // a string key (a literal), or empty: no notice
  LeaveAsk leave_asked() const { return leave_; }
  std::vector<const Questionnaire*> offered() const;
  void offered(std::vector<const Questionnaire*>& out) const;  // into `out`, reusing its room
  const Config& config() const { return config_; }

  // Quiet time before "still there?": shorter on the first question, where nothing is
  // given yet and the next person may be waiting; longer on a page a slow reader needs
  // more time for.
  int idle_limit_seconds() const;
  bool idle_overlay() const;      // "still there?" is showing
  int idle_seconds_left() const;  // its countdown
  int finish_seconds_left() const;
  std::size_t unsaved() const { return unsaved_.size(); }
  const std::string& save_error() const { return save_error_; }
  bool last_saved() const { return last_saved_; }
  // The console took over (after the gesture) and gave the screen back.
  void leave_admin() { if (screen_ == Screen::admin) go_welcome(); }
  bool corner_held() const { return hold_since_ != 0; }
  // Why the database could not be opened at start-up (the file was left where it is):
  // staff see it after the corner gesture, and saves report it while they are retried.
  void set_store_problem(std::string why) { store_problem_ = std::move(why); }
  // The database opened after all (the kiosk retries): responses kept in memory are
  // saved at the next tick.
  void set_store(Store* store);
  // Called after each response or abandoned session is saved (on the frame's thread):
  // the central sync worker is told there is something to send (it must not block).
  void set_on_saved(std::function<void()> fn) { on_saved_ = std::move(fn); }
  const std::string& store_problem() const { return store_problem_; }
  // An older database being updated before the kiosk can serve (start-up, on a worker):
  // responses counted so far of the total. The screen shows only this while it is on.
  struct DatabaseUpdate {
    bool on = false;
    std::int64_t done = 0, total = 0;
  };
  void set_database_update(DatabaseUpdate u) { database_update_ = u; }
  const DatabaseUpdate& database_update() const { return database_update_; }

  // Questionnaires and settings published by the center (issue 17): the new set (the
  // installed questionnaires and the published versions) and configuration are taken
  // only when no resident is mid-survey (the welcome screen, between residents); a
  // survey under way, and its thanks screen, keep the version they started with. A
  // second offer before the first is taken replaces it.
  void offer_update(std::shared_ptr<const QuestionnaireSet> set, Config config);
  bool update_pending() const { return pending_set_ != nullptr; }
  std::uint64_t updates_taken() const { return updates_taken_; }
  const QuestionnaireSet& questionnaires() const { return *set_; }
  // Called on the frame's thread each time an update is taken (the heartbeat reports
  // the versions now offered).
  void set_on_updated(std::function<void()> fn) { on_updated_ = std::move(fn); }

  // Read-aloud. The model only says what should be heard; app/kiosk/read_aloud.hpp has
  // the screen read when read_serial() changes (or silenced when reading() is false).
  void set_speech_available(bool yes) { speech_available_ = yes; }
  bool speech_available() const { return speech_available_; }
  bool auto_read() const { return auto_read_; }
  bool reading() const { return read_wanted_; }
  std::uint64_t read_serial() const { return read_serial_; }
  void set_speaking(bool now);  // the speaker's state; its end finishes reading()
  // The on-screen input (handwriting, pinyin, letters, symbols). A kiosk given one asks
  // text questions; without one they are skipped. Either engine may be null or not yet
  // ready (the entry says so); `showable` tells which candidates the font can draw.
  void set_text_input(const input::Recognizer* recognizer, input::PinyinEngine* pinyin,
                      std::function<bool(std::string_view)> showable = {});
  // Whether text questions are asked here (an input was given): the welcome card counts them.
  bool asks_text() const { return text_input_; }
  // The entry of the text question on screen, else null.
  const input::TextEntry* text_entry() const { return entry_key_.empty() ? nullptr : &entry_; }

 private:
  void sync_entry();  // points the entry at the text question on screen
  void start(const std::string& questionnaire);
  void answer(const intent::Answer& in);
  bool apply_setting(const Intent& in);  // language, text size, contrast, staff call, corner gesture, home
  void apply_survey(const Intent& in);   // start, answer, next, back, leave, text input
  void moved_on(bool by_itself);         // after the session moved to the next page
  void next();
  void back();
  void type(const input::InputIntent& in);
  void go_welcome();
  void note_progress();  // keeps the in-progress marker in step with the screen
  void note_reading();   // a new page stops the reading, or starts it when every page is read
  void want_reading(bool yes);
  struct note_progress_guard;
  void complete();
  void take_update();  // the pending update, when no resident is mid-survey
  const Questionnaire* find_version(const std::string& id, int version) const;
  void try_save();
  void abandon();

  Config config_;
  const QuestionnaireSet* set_;
  Store* store_;
  std::function<TimeMs()> clock_;
  Rng rng_;
  Screen screen_ = Screen::welcome;
  std::string lang_;
  int text_size_ = 0;
  bool high_contrast_ = false;
  bool more_time_ = false;       // 需要更多时间 was tapped in this survey
  TimeMs staff_called_at_ = 0;
  std::vector<StaffCall> staff_calls_;
  TimeMs quiet_since() const;    // where the idle clock counts from (held while staff are called)
  void pressed(float x, float y);
  TimeMs input_at_ = 0;
  void call_staff();
  std::optional<Session> session_;
  AnswerCheck refusal_;
  TimeMs last_activity_ = 0;
  TimeMs advance_at_ = 0;
  TimeMs absorb_next_until_ = 0;
  LeaveAsk leave_ = LeaveAsk::none;
  TimeMs finish_until_ = 0;
  TimeMs absorb_taps_until_ = 0;  // the page opened under the finger (开始, or by itself): kAnswerAbsorbMs
  // The finger now on the glass: when, and on which page, it came down.
  struct Spot {  // where a finger came down (layout units); unknown: a test's or the tour's request
    float x = -1, y = -1;
    bool known() const { return x >= 0 && y >= 0; }
  };
  struct Press {
    TimeMs at = 0;
    Screen screen = Screen::welcome;
    const Question* question = nullptr;
    Spot spot;
  };
  std::optional<Press> press_;
  // The tap being applied: when its finger came down (now, if the frame did not say), and
  // whether that was on another page (one that moved on by itself under the finger).
  TimeMs tap_at_ = 0;
  Spot tap_spot_;
  bool tap_from_other_page_ = false;
  // The tap that moved the page (开始, or the answer that moved on by itself) and when
  // the page moved: a held tap far from it and late enough was aimed at the new page.
  Spot advance_spot_;  // the answer whose confirmation is pending
  Spot moved_by_;
  TimeMs moved_at_ = 0;
  bool aimed_at_new_page(const Intent& in) const;
  void lifted();
  void held();
  const Question* question_on_screen() const;
  TimeMs hold_since_ = 0;
  // A page something was last done for, checked field by field every frame so that
  // "still the same page?" allocates nothing; assigned only when the page changes.
  struct PageMark {
    int screen = -1;
    std::string lang, session, question, finished;
    bool empty() const { return screen < 0; }
    void clear() { screen = -1; }
    // True (and remembered) when the page differs from the last one marked.
    bool change(int sc, std::string_view l, std::string_view sid, std::string_view q, std::string_view f) {
      if (sc == screen && l == lang && sid == session && q == question && f == finished) return false;
      screen = sc;
      lang.assign(l);
      session.assign(sid);
      question.assign(q);
      finished.assign(f);
      return true;
    }
  };
  PageMark noted_;  // the session and question last written to the in-progress marker
  const Questionnaire* finished_q_ = nullptr;
  std::optional<Response> finished_;
  std::optional<QuizReview> quiz_review_;
  bool last_saved_ = false;
  std::deque<Response> unsaved_;  // kept in memory and retried; never dropped
  std::function<void()> on_saved_;
  // The set in use when it came from an update (set_ points into it), the update
  // waiting for the welcome screen, and sets replaced while responses of theirs still
  // wait to be saved (their metrics need the version they were answered on).
  std::shared_ptr<const QuestionnaireSet> owned_set_, pending_set_;
  const QuestionnaireSet* first_set_;  // the one given at construction (it outlives the model)
  std::optional<Config> pending_config_;
  std::vector<std::shared_ptr<const QuestionnaireSet>> retired_;
  std::uint64_t updates_taken_ = 0;
  std::function<void()> on_updated_;
  TimeMs retry_at_ = 0;
  std::string save_error_;
  std::string store_problem_;
  DatabaseUpdate database_update_;
  bool speech_available_ = false;
  bool auto_read_ = false;
  bool read_wanted_ = false;
  bool speaking_ = false;
  std::uint64_t read_serial_ = 0;
  PageMark read_page_;  // the page last read or silenced: screen, language, session, question
  bool text_input_ = false;
  input::TextEntry entry_;
  PageMark entry_key_;  // the session and question the entry holds (empty: none on screen)
};

}  // namespace eco
