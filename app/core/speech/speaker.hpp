// Reads a Script aloud on its own thread: each utterance is synthesized into a buffer
// (synth.hpp), scaled to the volume, and handed to an AudioSink. say() and stop()
// return at once; a stop (or a new say) ends the sound within one 20 ms chunk, whether
// it lands during synthesis or playback.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/speech/audio_sink.hpp"
#include "core/speech/script.hpp"

namespace eco::speech {

class Speaker {
 public:
  // on_idle runs on the worker when a script ends or is stopped (the kiosk wakes its
  // loop with it, so the button's label changes back).
  Speaker(AudioSink& sink, int volume_percent, std::function<void()> on_idle = {});
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;

  void say(Script script);  // replaces whatever is being read
  void stop();
  bool speaking() const;    // a script is being synthesized or heard
  void set_volume(int percent);  // 0..100
  std::string last_error() const;

 private:
  void run();

  AudioSink& sink_;
  std::atomic<int> volume_;
  std::function<void()> on_idle_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Script> pending_;
  std::atomic<std::uint64_t> gen_{0};  // bumped by say() and stop(): cancels the script before
  bool speaking_ = false;
  bool quit_ = false;
  std::string error_;
  std::thread worker_;
};

// The audio of a whole script, exactly as a Speaker hands it to its sink.
std::vector<std::int16_t> render_script(const Script& script, int volume_percent, std::string* error = nullptr);

}  // namespace eco::speech
