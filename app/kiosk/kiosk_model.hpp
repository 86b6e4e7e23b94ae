// The kiosk's state machine, headless: which screen, the resident's session, the idle
// countdown, the thanks screen's timer, and saving with retry. Views read it and hand
// back Intents; they never own data or touch SQLite.
#pragma once
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/input/text_entry.hpp"
#include "core/support/config.hpp"
#include "core/support/time.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/survey/session.hpp"

namespace eco {

class Store;

enum class Screen { welcome, question, finish, admin };

// What a view asks for. One per frame at most.
struct Intent {
  enum class Kind {
    none, start, set_lang, toggle_large_text, answer, next, back, continue_session, home,
    quit,          // asks "leave this survey?" (the 退出 button)
    confirm_leave, // yes: the survey ends, recorded as abandoned (like walking away)
    cancel_leave,  // no: back to the question, nothing lost
    start_over,    // the idle overlay's 重新开始: the stranger's survey ends now
    corner_press, corner_release,  // the staff gesture: hold a corner of the welcome screen
    input          // the on-screen text input of a text question: `input`
  };
  Kind kind = Kind::none;
  std::string id;       // start: questionnaire id; set_lang: language
  Answer answer;        // answer
  bool advance = false; // answer: move on by itself after a short confirmation (the model decides where)
  bool touched = false; // the finger is on the screen this frame: restarts the screen's timer
  input::InputIntent input;  // input
};

// "Leave this survey?" and why it is asked.
enum class LeaveAsk { none, quit, back_on_first };

class KioskModel {
 public:
  static constexpr TimeMs kAutoAdvanceMs = 700;  // long enough to see the choice light up
  static constexpr TimeMs kAdminHoldMs = 3000;   // press and hold a corner this long for the console
  // A Next tapped this soon after an auto-advance was meant for the question just left:
  // it is absorbed instead of moving on again or refusing an unanswered question.
  static constexpr TimeMs kNextAbsorbMs = 1000;
  // Likewise an answer tapped this soon after an auto-advance: the second tap of a resident
  // who taps twice would otherwise answer a question they have not yet read.
  static constexpr TimeMs kAnswerAbsorbMs = 600;
  // Text sizes a resident can choose, as factors of the normal size (index = text_size()).
  static constexpr float kTextScales[] = {1.0f, 1.3f};

  KioskModel(Config config, const QuestionnaireSet& set, Store* store, std::function<TimeMs()> clock = now_ms,
             std::uint64_t seed = 0);

  void apply(const Intent& in);
  void touch();  // any input from the resident: restarts the screen's timer (idle, thanks)
  // Time-driven changes: idle abandonment, auto-advance, the thanks screen's return,
  // retrying saves that failed.
  void tick();
  // When tick() next has something to do; the main loop sleeps until then.
  TimeMs next_deadline() const;

  Screen screen() const { return screen_; }
  const std::string& lang() const { return lang_; }
  bool large_text() const { return large_text_; }
  int text_size() const { return large_text_ ? 1 : 0; }
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
  LeaveAsk leave_asked() const { return leave_; }
  std::vector<const Questionnaire*> offered() const;
  const Config& config() const { return config_; }

  // Quiet time before "still there?": shorter on the first question, where nothing is
  // given yet and the next person may be waiting.
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
  const std::string& store_problem() const { return store_problem_; }

  // The on-screen input (handwriting, pinyin, letters, symbols). A kiosk given one asks
  // text questions; without one they are skipped. Either engine may be null or not yet
  // ready (the entry says so); `showable` tells which candidates the font can draw.
  void set_text_input(const input::Recognizer* recognizer, input::PinyinEngine* pinyin,
                      std::function<bool(std::string_view)> showable = {});
  // The entry of the text question on screen, else null.
  const input::TextEntry* text_entry() const { return entry_key_.empty() ? nullptr : &entry_; }

 private:
  void sync_entry();  // points the entry at the text question on screen
  void start(const std::string& questionnaire);
  void answer(const Intent& in);
  void go_welcome();
  void note_progress();  // keeps the in-progress marker in step with the screen
  struct note_progress_guard;
  void complete();
  void try_save();
  void abandon();

  Config config_;
  const QuestionnaireSet* set_;
  Store* store_;
  std::function<TimeMs()> clock_;
  Rng rng_;
  Screen screen_ = Screen::welcome;
  std::string lang_;
  bool large_text_ = false;
  std::optional<Session> session_;
  AnswerCheck refusal_;
  TimeMs last_activity_ = 0;
  TimeMs advance_at_ = 0;
  TimeMs absorb_next_until_ = 0;
  TimeMs absorb_answer_until_ = 0;
  LeaveAsk leave_ = LeaveAsk::none;
  TimeMs finish_until_ = 0;
  TimeMs hold_since_ = 0;
  std::string noted_;  // session id + question last written to the in-progress marker
  const Questionnaire* finished_q_ = nullptr;
  std::optional<Response> finished_;
  std::optional<QuizReview> quiz_review_;
  bool last_saved_ = false;
  std::deque<Response> unsaved_;  // kept in memory and retried; never dropped
  TimeMs retry_at_ = 0;
  std::string save_error_;
  std::string store_problem_;
  bool text_input_ = false;
  input::TextEntry entry_;
  std::string entry_key_;  // session id + question the entry holds ("" = none on screen)
};

}  // namespace eco
