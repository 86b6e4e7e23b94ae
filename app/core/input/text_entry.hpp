// The on-screen text input, headless: what has been written, the handwriting on the
// pad, the candidates, the pinyin being composed, and the cap. Screens draw it and hand
// back InputIntents; this applies them, calling the recognizer and librime. The kiosk's
// comment question and the console's notes and evidence use the same entry.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/input/ink.hpp"

namespace eco::input {

class Recognizer;
class PinyinEngine;

enum class InputMode { handwriting, pinyin, letters, symbols };

struct InputIntent {
  enum class Kind {
    none,
    mode,        // switch keyboard: `mode`
    pen_down,    // a finger touches the pad at `at` (the pad's box, 0..kPadBox)
    pen_move,    // ... moves to `at`
    pen_up,      // ... lifts: the stroke is done and the ink is recognised
    undo_stroke, // the last stroke off the pad
    clear_pad,   // every stroke off the pad
    pick,        // candidate `index` of the page shown
    page,        // `index` > 0: the page after the `index` candidates shown; < 0: the page before
    key,         // letter `key` (pinyin: composes; letters: typed as is)
    backspace,   // the last pinyin letter, else the last character written
    space,       // pinyin: the first candidate; otherwise a space
    insert,      // `text`: a digit or punctuation mark from the symbol keys
  };
  Kind kind = Kind::none;
  InputMode mode = InputMode::handwriting;
  Point at;
  int index = 0;
  char key = 0;
  std::string text;
};

// The symbol keyboard: digits and the punctuation a comment needs (full-width for
// Chinese). The only text `insert` accepts.
const std::vector<std::string>& symbol_keys();

// Why the last intent changed nothing (the panel says so).
// unpicked: Next or 提交 was tapped with a character on the pad or pinyin being composed.
enum class InputNotice { none, full, not_allowed, engine_missing, unpicked };

class TextEntry {
 public:
  static constexpr float kPadBox = 1000;   // the pad's units: a square box, whatever its size on screen
  static constexpr std::size_t kPage = 8;  // candidates a page
  static constexpr std::size_t kMaxCandidates = 48;

  // Either engine may be null (not installed, not yet deployed): its keyboard says so.
  TextEntry(const Recognizer* recognizer = nullptr, PinyinEngine* pinyin = nullptr);

  // Starts on a field: its text and cap (code points). Drops the pad and any composition.
  void reset(std::string text, std::size_t max_chars);
  // Applies one intent; true when the text changed.
  bool apply(const InputIntent& in);

  // Which candidates can be offered: the UI passes "the font can draw every character
  // of it", so a candidate is never a row of boxes. Default: all.
  void set_showable(std::function<bool(std::string_view)> f) { showable_ = std::move(f); }
  void set_engines(const Recognizer* recognizer, PinyinEngine* pinyin);

  const std::string& text() const { return text_; }
  std::size_t length() const { return length_; }
  std::size_t max_chars() const { return max_; }
  bool full() const { return length_ >= max_; }
  InputMode mode() const { return mode_; }
  const Ink& ink() const { return ink_; }
  bool drawing() const { return drawing_; }
  // The page of candidates from first(), at most kPage (a view shows as many of them as
  // fit and pages on by that many), and whether others are before / after.
  const std::vector<std::string>& page() const { return page_items_; }
  std::size_t first() const { return first_; }
  std::size_t candidate_count() const { return candidates_.size(); }
  bool has_prev_page() const { return !page_starts_.empty(); }
  bool has_next_page(std::size_t shown = kPage) const { return first_ + shown < candidates_.size(); }
  const std::string& preedit() const { return preedit_; }  // pinyin being composed: "sheng tai"
  InputNotice notice() const { return notice_; }
  // Something written but not yet chosen: strokes on the pad, or pinyin being composed.
  bool composing() const { return !preedit_.empty() || !ink_.empty(); }
  // Says so (InputNotice::unpicked) when the resident tries to leave with it.
  void ask_to_pick() {
    notice_ = InputNotice::unpicked;
    ++revision_;
  }
  bool handwriting_available() const;
  bool pinyin_available() const;  // librime deployed and ready
  // Counts every change (text, pad, candidates): cheap to compare between frames.
  std::uint64_t revision() const { return revision_; }

 private:
  // apply()'s requests, one each; those that return say whether the text changed.
  void set_mode(InputMode m);
  void pen(InputIntent::Kind k, Point at);  // pen_down, pen_move, pen_up, undo_stroke, clear_pad
  void turn_page(int direction);
  bool pick(int index);
  bool key(char c);
  bool backspace();
  bool space();
  bool insert_symbol(const std::string& text);
  bool insert(std::string_view s);
  void recognise();
  void refresh_pinyin();
  void set_candidates(std::vector<std::string> c);
  void clear_candidates();

  const Recognizer* recognizer_;
  PinyinEngine* pinyin_;
  std::function<bool(std::string_view)> showable_;
  std::string text_;
  std::size_t length_ = 0, max_ = 200;
  InputMode mode_ = InputMode::handwriting;
  Ink ink_;
  bool drawing_ = false;
  std::vector<std::string> candidates_, page_items_;
  std::size_t first_ = 0;
  std::vector<std::size_t> page_starts_;  // where the pages before began (for "previous")
  void show_page(std::size_t first);
  std::string preedit_;
  InputNotice notice_ = InputNotice::none;
  std::uint64_t revision_ = 0;
};

}  // namespace eco::input
