// Where synthesized speech goes: the sound device (app/platform/audio_alsa.cpp), memory
// (`ecokiosk say`, tests). The Speaker's worker is the only caller.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eco::speech {

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  // Plays n mono 16-bit samples at `rate`: returns once they are queued on the device,
  // or soon after cancelled() turns true (a device checks it at least every 20 ms of
  // audio). False when the device failed.
  virtual bool play(const std::int16_t* samples, std::size_t n, int rate, const std::function<bool()>& cancelled) = 0;
  // The end of a script: returns once everything queued has been heard, or cancelled.
  virtual void finish(const std::function<bool()>& cancelled) = 0;
  // A stop: whatever is queued is thrown away at once.
  virtual void drop() = 0;
};

// Keeps every sample played, in order (no device, no pacing).
class BufferSink : public AudioSink {
 public:
  bool play(const std::int16_t* in, std::size_t n, int r, const std::function<bool()>&) override {
    rate = r;
    samples.insert(samples.end(), in, in + n);
    return true;
  }
  void finish(const std::function<bool()>&) override {}
  void drop() override {}

  std::vector<std::int16_t> samples;
  int rate = 0;
};

// A RIFF/WAVE file of mono 16-bit PCM.
std::string wav_bytes(const std::vector<std::int16_t>& samples, int rate);

}  // namespace eco::speech
