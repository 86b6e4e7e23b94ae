// The sound device for read-aloud, through ALSA (Debian libasound2; with PulseAudio or
// PipeWire running, ALSA's "default" device goes through them). A kiosk without a sound
// device keeps working: available() is false and problem() says why.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "core/speech/audio_sink.hpp"
#include "core/speech/speaker.hpp"

struct _snd_pcm;

namespace eco::platform {

class AlsaSink : public speech::AudioSink {
 public:
  // `device` "" means $ECOKIOSK_AUDIO_DEVICE, else ALSA's "default".
  AlsaSink(int rate, std::string device = {});
  ~AlsaSink() override;
  AlsaSink(const AlsaSink&) = delete;
  AlsaSink& operator=(const AlsaSink&) = delete;

  bool available() const { return pcm_ != nullptr; }
  const std::string& problem() const { return problem_; }
  const std::string& device() const { return device_; }

  bool play(const std::int16_t* samples, std::size_t n, int rate, const std::function<bool()>& cancelled) override;
  void finish(const std::function<bool()>& cancelled) override;
  void drop() override;

 private:
  _snd_pcm* pcm_ = nullptr;
  int rate_;
  std::string device_, problem_;
};

// The kiosk's read-aloud: espeak-ng started and the sound device opened. Without either
// (no sound card, volume 0) speaker is null and `problem` says why, for the log and the
// staff console.
struct SpeechOutput {
  std::unique_ptr<AlsaSink> sink;
  std::unique_ptr<speech::Speaker> speaker;
  std::string problem;
};
SpeechOutput open_speech(int volume_percent, std::function<void()> wake);

}  // namespace eco::platform
