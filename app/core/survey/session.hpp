// The entry controller: one resident going through one questionnaire.
// Holds answers, evaluates show_if whenever an answer changes (never in draw code),
// validates, navigates, and produces a Response or an Abandoned record. No UI here.
#pragma once
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "core/survey/questionnaire.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/survey/response.hpp"
#include "core/survey/scoring.hpp"

namespace eco {

struct SessionOptions {
  std::string lang = "zh";
  std::string kiosk = "kiosk";
  std::uint64_t seed = 0;                 // option shuffles and the knowledge draw
  std::function<TimeMs()> clock = now_ms; // injected so tests control time
  // Free-text questions are asked only where a resident can type. The touch screen has
  // no keyboard yet, so the kiosk sets this false: such a question is then treated as
  // hidden (never shown, not counted, not stored), the questionnaire itself unchanged.
  bool ask_text = true;
};

struct Progress {
  int position = 0;  // 1-based among visible questions; equals total at the end
  int total = 0;     // visible with the answers given so far
  // What the resident is told: the questions already passed plus every later one that
  // is visible or may still become visible (its condition reads the question on screen
  // or a later one). It never grows as the resident moves forward, so "第 i 题 / 共 n
  // 题" and the bar never go backwards under the resident; it shrinks when an answer
  // has settled that some questions will not be asked.
  int expected = 0;
  bool last = false;  // the question on screen is the last visible one
};

// How many questions a questionnaire asks one resident: `most` when every conditional
// question is shown, `least` when none is (the welcome card says "6–9 题").
struct QuestionCount {
  int least = 0, most = 0;
  int drawn = 0;  // of them, knowledge items drawn from the bank
};
QuestionCount count_questions(const Questionnaire& q, bool ask_text);

// A question's options in one session's display order, without copying them.
class OptionOrder {
 public:
  OptionOrder(const Question& q, const std::vector<int>* order) : q_(&q), order_(order) {}
  std::size_t size() const { return order_ ? order_->size() : q_->options.size(); }
  bool empty() const { return size() == 0; }
  const Option* operator[](std::size_t i) const {
    return &q_->options[order_ ? static_cast<std::size_t>((*order_)[i]) : i];
  }
  const Option* front() const { return (*this)[0]; }
  const Option* back() const { return (*this)[size() - 1]; }
  bool operator==(const OptionOrder& other) const {
    if (size() != other.size()) return false;
    for (std::size_t i = 0; i < size(); ++i)
      if ((*this)[i] != other[i]) return false;
    return true;
  }
  struct iterator {
    using iterator_category = std::forward_iterator_tag;
    using value_type = const Option*;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = const Option*;
    const OptionOrder* o = nullptr;
    std::size_t i = 0;
    const Option* operator*() const { return (*o)[i]; }
    iterator& operator++() {
      ++i;
      return *this;
    }
    iterator operator++(int) { return {o, i++}; }
    bool operator==(const iterator& other) const { return i == other.i; }
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }
  std::vector<const Option*> to_vector() const { return {begin(), end()}; }

 private:
  const Question* q_;
  const std::vector<int>* order_;  // nullptr: the definition's order
};

class Session {
 public:
  Session(const Questionnaire& q, SessionOptions opts);

  const Questionnaire& questionnaire() const { return *q_; }
  const std::string& lang() const { return opts_.lang; }
  // One id for the whole session: the completed response or the abandoned record keeps it.
  const std::string& id() const { return id_; }
  void set_lang(std::string lang) { opts_.lang = std::move(lang); }

  // The question on screen; nullptr once every visible question is passed.
  const Question* current() const;
  bool at_end() const { return pos_ >= seq_.size(); }
  Progress progress() const;

  // Options of a question in this session's display order: a view into the session,
  // valid while the session lives; copying none (the screens ask every frame).
  OptionOrder options_in_order(const Question& q) const;

  // Sets (or, with std::monostate, clears) the answer to the current question.
  // Returns why it was refused; a refused answer leaves the old one in place.
  AnswerCheck answer(const Answer& a);
  const Answer& answer_of(const std::string& qid) const;

  // Moves to the next visible question; refuses with `required` when the current one
  // needs an answer. At the last question, moves to the end (ready to complete).
  AnswerCheck next();
  // Moves to the previous visible question; false at the first.
  bool back();

  bool visible(const std::string& qid) const;
  // Whether this session asks a question of this type at all (see ask_text).
  bool asks(const Question& q) const { return opts_.ask_text || q.type != QuestionType::text; }
  const std::vector<std::string>& drawn() const { return drawn_; }
  // How many answers the resident gave (or confirmed with Next): an abandoned record's count.
  std::size_t answered_count() const;

  // Valid only at_end(); a fresh UUID each call.
  Response complete() const;
  Abandoned abandon() const;
  TimeMs started_at() const { return started_; }

 private:
  void reevaluate();
  std::size_t index_of(const std::string& qid) const;

  const Questionnaire* q_;
  SessionOptions opts_;
  std::string id_ = new_uuid();
  TimeMs started_;
  std::vector<const Question*> seq_;          // fixed questions + drawn items in asking order
  std::vector<std::vector<int>> option_order_;  // per seq_ entry, indices into options
  std::vector<Answer> answers_;               // per seq_ entry
  std::vector<char> visible_;                 // per seq_ entry
  // Per seq_ entry: the resident gave this answer, or confirmed it with Next. A count
  // matrix shown at 0 holds an answer before either (reevaluate), which a resident who
  // walks away has not given.
  std::vector<char> given_;
  std::vector<long> depends_on_;              // per seq_ entry: latest index its condition reads, or -1
  std::vector<std::string> drawn_;
  std::size_t pos_ = 0;
};

// Deterministic across platforms (std::shuffle is not), so a seed replays a session.
// Options that keep their place at the end when the others are shuffled: "none of
// these" (exclusive), don't-know, and 其他 (id "other"), as a resident expects them.
bool stays_last(const Option& o);

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed ? seed : 0x9E3779B97F4A7C15ULL) {}
  std::uint64_t next();  // splitmix64
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  template <class T> void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
 private:
  std::uint64_t s_;
};

// Draws `count` bank items spread evenly over topics (round robin over shuffled topics).
std::vector<const Question*> draw_items(const Bank& bank, Rng& rng);

// Answer logic the screens call instead of doing it in draw code.

// A tap on option `tapped` of a multiple-choice question: a chosen option is unchosen;
// an exclusive one ("none of these") replaces every other; any other option drops the
// exclusive ones and is added at the end.
ChoiceSet toggle_option(const Question& q, const ChoiceSet* current, const std::string& tapped);

// A key of the number pad: '0'..'9' appends the digit (capped at 1,000,000,000), 'C'
// clears, '<' drops the last digit (a single digit clears). Returns the new answer:
// the number, or std::monostate for none. Any other key leaves `current` unchanged.
constexpr std::int64_t kNumberPadMax = 1'000'000'000;
Answer number_pad_key(const Answer& current, char key);

// The quiz's finish screen, worked out once when the quiz is completed: the score, and
// for each drawn item whether it was right and what the resident chose.
struct QuizReviewItem {
  const Question* item = nullptr;
  bool correct = false;
  std::vector<std::string> chosen;  // empty: not answered
};
struct QuizReview {
  QuizScore score;
  std::vector<QuizReviewItem> items;  // drawn order; items no longer in the questionnaire left out
};
QuizReview review_quiz(const Questionnaire& q, const Response& r);

}  // namespace eco
