#include "core/input/text_entry.hpp"

#include <algorithm>
#include <cmath>

#include "core/input/pinyin_engine.hpp"
#include "core/input/recognizer.hpp"
#include "core/support/text.hpp"

namespace eco::input {

namespace {
// A finger reports many points that add nothing to the shape: keep one every few units.
constexpr float kMinStep = 4;
constexpr std::size_t kRecognise = 24;  // zinnia's best, before the unshowable are dropped

// Where the last code point of valid UTF-8 begins.
std::size_t last_char_start(const std::string& s) {
  std::size_t i = s.size();
  while (i > 0) {
    --i;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) break;
  }
  return i;
}
}  // namespace

const std::vector<std::string>& symbol_keys() {
  static const std::vector<std::string> keys = {
      "1", "2", "3", "4", "5", "6", "7", "8", "9", "0",
      "，", "。", "？", "！", "、", "：", "；", "“", "”", "（", "）", "…", "—", "%", "·", ".", "@", "-"};
  return keys;
}

TextEntry::TextEntry(const Recognizer* recognizer, PinyinEngine* pinyin) : recognizer_(recognizer), pinyin_(pinyin) {}

void TextEntry::set_engines(const Recognizer* recognizer, PinyinEngine* pinyin) {
  recognizer_ = recognizer;
  pinyin_ = pinyin;
  ++revision_;
}

bool TextEntry::handwriting_available() const { return recognizer_ && recognizer_->ready(); }
bool TextEntry::pinyin_available() const { return pinyin_ && pinyin_->ready(); }

void TextEntry::reset(std::string text, std::size_t max_chars) {
  max_ = max_chars;
  text_ = valid_utf8(text) ? std::move(text) : std::string();
  length_ = utf8_length(text_);
  ink_ = Ink{kPadBox, kPadBox, {}};
  drawing_ = false;
  if (pinyin_available()) pinyin_->clear();
  preedit_.clear();
  clear_candidates();
  notice_ = InputNotice::none;
  ++revision_;
}

void TextEntry::clear_candidates() {
  candidates_.clear();
  page_items_.clear();
  page_starts_.clear();
  first_ = 0;
}

void TextEntry::show_page(std::size_t first) {
  first_ = std::min(first, candidates_.size());
  page_items_.assign(candidates_.begin() + static_cast<std::ptrdiff_t>(first_),
                     candidates_.begin() + static_cast<std::ptrdiff_t>(std::min(first_ + kPage, candidates_.size())));
}

void TextEntry::set_candidates(std::vector<std::string> c) {
  candidates_.clear();
  for (auto& s : c) {
    if (candidates_.size() >= kMaxCandidates) break;
    if (s.empty() || (showable_ && !showable_(s))) continue;
    if (std::find(candidates_.begin(), candidates_.end(), s) != candidates_.end()) continue;
    candidates_.push_back(std::move(s));
  }
  page_starts_.clear();
  show_page(0);
}

bool TextEntry::insert(std::string_view s) {
  if (s.empty()) return false;
  if (!valid_utf8(s) || std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    notice_ = InputNotice::not_allowed;
    return false;
  }
  // What does not fit is cut at a character, never mid-way through one, and said so.
  std::size_t room = max_ > length_ ? max_ - length_ : 0;
  std::size_t n = utf8_length(s);
  if (n > room) {
    notice_ = InputNotice::full;
    std::size_t bytes = 0;
    for (std::size_t k = 0; k < room; ++k) {
      ++bytes;
      while (bytes < s.size() && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) ++bytes;
    }
    s = s.substr(0, bytes);
    n = room;
  }
  if (n == 0) return false;
  text_.append(s);
  length_ += n;
  return true;
}

void TextEntry::recognise() {
  if (ink_.empty() || !handwriting_available()) {
    clear_candidates();
    return;
  }
  std::vector<std::string> c;
  for (auto& k : recognizer_->classify(ink_, kRecognise)) c.push_back(std::move(k.text));
  set_candidates(std::move(c));
}

void TextEntry::refresh_pinyin() {
  if (!pinyin_available() || !pinyin_->composing()) {
    preedit_.clear();
    clear_candidates();
    return;
  }
  preedit_ = pinyin_->preedit();
  set_candidates(pinyin_->candidates(0, kMaxCandidates + 16));
}

bool TextEntry::apply(const InputIntent& in) {
  using K = InputIntent::Kind;
  if (in.kind == K::none) return false;
  ++revision_;
  // pen_move keeps what the pen_down said (a finger dragged on a full pad still hears why).
  if (in.kind != K::pen_move) notice_ = InputNotice::none;
  switch (in.kind) {
    case K::none: return false;
    case K::mode: set_mode(in.mode); return false;
    case K::pen_down:
    case K::pen_move:
    case K::pen_up:
    case K::undo_stroke:
    case K::clear_pad: pen(in.kind, in.at); return false;
    case K::page: turn_page(in.index); return false;
    case K::pick: return pick(in.index);
    case K::key: return key(in.key);
    case K::backspace: return backspace();
    case K::space: return space();
    case K::insert: return insert_symbol(in.text);
  }
  return false;
}

void TextEntry::set_mode(InputMode m) {
  if (m == mode_) return;
  if (mode_ == InputMode::pinyin && pinyin_available()) pinyin_->clear();
  preedit_.clear();
  ink_.strokes.clear();
  drawing_ = false;
  clear_candidates();
  mode_ = m;
}

void TextEntry::pen(InputIntent::Kind k, Point at) {
  using K = InputIntent::Kind;
  Point p{std::clamp(at.x, 0.f, kPadBox), std::clamp(at.y, 0.f, kPadBox)};
  switch (k) {
    case K::pen_down:
      if (mode_ != InputMode::handwriting) return;
      if (!handwriting_available()) { notice_ = InputNotice::engine_missing; return; }
      if (full()) { notice_ = InputNotice::full; return; }
      if (ink_.strokes.size() >= kMaxStrokes) { notice_ = InputNotice::not_allowed; return; }
      ink_.strokes.push_back({p});
      drawing_ = true;
      return;
    case K::pen_move: {
      if (!drawing_ || ink_.strokes.empty()) return;
      Stroke& s = ink_.strokes.back();
      if (s.size() < kMaxPointsPerStroke && std::hypot(p.x - s.back().x, p.y - s.back().y) >= kMinStep) s.push_back(p);
      return;
    }
    case K::pen_up:
      if (!drawing_) return;
      drawing_ = false;
      recognise();
      return;
    case K::undo_stroke:
      if (drawing_ || ink_.strokes.empty()) return;
      ink_.strokes.pop_back();
      recognise();
      return;
    case K::clear_pad:
      ink_.strokes.clear();
      drawing_ = false;
      clear_candidates();
      return;
    default: return;
  }
}

void TextEntry::turn_page(int direction) {
  if (direction > 0) {
    std::size_t shown = std::min(static_cast<std::size_t>(direction), page_items_.size());
    if (!has_next_page(shown) || shown == 0) return;
    page_starts_.push_back(first_);
    show_page(first_ + shown);
  } else if (direction < 0 && !page_starts_.empty()) {
    show_page(page_starts_.back());
    page_starts_.pop_back();
  }
}

bool TextEntry::pick(int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= page_items_.size()) return false;
  std::size_t idx = first_ + static_cast<std::size_t>(index);
  bool changed = false;
  if (mode_ == InputMode::pinyin && pinyin_available() && pinyin_->composing()) {
    if (full()) { notice_ = InputNotice::full; return false; }
    // librime's own index: the list shown drops only what cannot be drawn, so find it.
    std::string want = page_items_[static_cast<std::size_t>(index)];
    auto all = pinyin_->candidates(0, kMaxCandidates + 16);
    auto it = std::find(all.begin(), all.end(), want);
    if (it == all.end()) return false;
    std::string done = pinyin_->pick(static_cast<std::size_t>(it - all.begin()));
    changed = insert(done);
    refresh_pinyin();
  } else if (mode_ == InputMode::handwriting && idx < candidates_.size()) {
    changed = insert(candidates_[idx]);
    if (changed) {  // the pad is ready for the next character
      ink_.strokes.clear();
      clear_candidates();
    }
  }
  return changed;
}

bool TextEntry::key(char c) {
  if (c < 'a' || c > 'z') { notice_ = InputNotice::not_allowed; return false; }
  if (mode_ == InputMode::letters) return insert(std::string(1, c));
  if (mode_ == InputMode::pinyin) {
    if (!pinyin_available()) { notice_ = InputNotice::engine_missing; return false; }
    if (full()) { notice_ = InputNotice::full; return false; }
    if (!pinyin_->type(c)) notice_ = InputNotice::not_allowed;
    refresh_pinyin();
  }
  return false;
}

bool TextEntry::backspace() {
  if (mode_ == InputMode::pinyin && pinyin_available() && pinyin_->composing()) {
    pinyin_->backspace();
    refresh_pinyin();
    return false;
  }
  if (text_.empty()) return false;
  text_.erase(last_char_start(text_));
  --length_;
  return true;
}

bool TextEntry::space() {
  if (!(mode_ == InputMode::pinyin && pinyin_available() && pinyin_->composing())) return insert(" ");
  if (candidates_.empty()) return false;
  if (full()) { notice_ = InputNotice::full; return false; }
  auto all = pinyin_->candidates(0, kMaxCandidates + 16);
  auto it = std::find(all.begin(), all.end(), candidates_.front());
  if (it == all.end()) return false;
  bool changed = insert(pinyin_->pick(static_cast<std::size_t>(it - all.begin())));
  refresh_pinyin();
  return changed;
}

bool TextEntry::insert_symbol(const std::string& text) {
  const auto& keys = symbol_keys();
  if (std::find(keys.begin(), keys.end(), text) == keys.end()) { notice_ = InputNotice::not_allowed; return false; }
  return insert(text);
}

}  // namespace eco::input
