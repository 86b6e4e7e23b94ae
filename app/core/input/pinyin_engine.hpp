// Pinyin to Chinese characters through librime (Debian librime-dev) with the
// pinyin_simp schema (rime-data-pinyin-simp; rime-prelude supplies the presets it
// imports). librime keeps one runtime per process: the first start() sets it up with
// its folders; later engines share it, each with its own session.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace eco::input {

class PinyinEngine {
 public:
  struct Options {
    // Private and writable: librime deploys the schema's compiled dictionaries here.
    std::string user_dir;
    std::string shared_dir = "/usr/share/rime-data";
    std::string schema = "pinyin_simp";
    // librime's file, opened at the first start() (tests name a missing one).
    std::string library = "librime.so.1";
  };
  static constexpr std::size_t kMaxInput = 48;  // letters composing at once

  PinyinEngine() = default;
  ~PinyinEngine();
  PinyinEngine(const PinyinEngine&) = delete;
  PinyinEngine& operator=(const PinyinEngine&) = delete;

  // Sets librime up (once per process), deploys the schema into the user folder
  // (seconds the first time, a quick check afterwards) and opens a session. Blocking:
  // the kiosk calls it on a thread of its own; ready() turns true when it is done.
  // Learning is switched off: a public kiosk must not offer the next resident the
  // words the last one typed.
  bool start(const Options& o);
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string error() const;
  double deploy_ms() const { return deploy_ms_; }

  // Composition. Call from one thread, once ready().
  bool type(char letter);  // 'a'..'z'; false when refused (not ready, not a letter, too long)
  bool backspace();        // drops the last letter; false when nothing was composing
  void clear();
  bool composing() const;
  std::string input() const;    // the letters typed: "shengtai"
  std::string preedit() const;  // as librime segments them: "sheng tai"
  // Up to `max` candidates from index `first` (for paging), best first.
  std::vector<std::string> candidates(std::size_t first, std::size_t max) const;
  // Picks candidate i (of the whole list). Returns the text committed once the whole
  // input is converted; "" while the rest is still composing (生 for "sheng" of
  // "shengtai" leaves "tai" to choose).
  std::string pick(std::size_t i);

 private:
  std::string take_commit();
  std::uintptr_t session_ = 0;
  std::atomic<bool> ready_{false}, failed_{false};
  mutable std::mutex mu_;  // error_ is written by the deploying thread
  std::string error_;
  double deploy_ms_ = 0;
};

}  // namespace eco::input
