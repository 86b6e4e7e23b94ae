#include "platform/audio_alsa.hpp"
#include "core/speech/synth.hpp"

#include <alsa/asoundlib.h>

#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <thread>

namespace eco::platform {

namespace {
// ALSA prints its own errors on stderr (every missing card, every plugin tried); the
// kiosk reports one line of its own instead.
void quiet(const char*, int, const char*, int, const char*, ...) {}

constexpr unsigned kLatencyUs = 100'000;  // the device's buffer: dropped at once on a stop
constexpr int kChunkMs = 20;              // written in pieces this long: a stop waits at most one
}  // namespace

AlsaSink::AlsaSink(int rate, std::string device) : rate_(rate), device_(std::move(device)) {
  if (device_.empty()) {
    const char* env = std::getenv("ECOKIOSK_AUDIO_DEVICE");
    device_ = env && *env ? env : "default";
  }
  snd_lib_error_set_handler(quiet);
  snd_pcm_t* pcm = nullptr;
  int rc = snd_pcm_open(&pcm, device_.c_str(), SND_PCM_STREAM_PLAYBACK, 0);
  if (rc < 0) {
    problem_ = "ALSA device \"" + device_ + "\": " + snd_strerror(rc);
    return;
  }
  rc = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, static_cast<unsigned>(rate),
                          1, kLatencyUs);
  if (rc < 0) {
    problem_ = "ALSA device \"" + device_ + "\" refuses 16-bit mono at " + std::to_string(rate) + " Hz: " + snd_strerror(rc);
    snd_pcm_close(pcm);
    return;
  }
  pcm_ = pcm;
}

AlsaSink::~AlsaSink() {
  if (pcm_) {
    snd_pcm_drop(pcm_);
    snd_pcm_close(pcm_);
  }
}

bool AlsaSink::play(const std::int16_t* samples, std::size_t n, int, const std::function<bool()>& cancelled) {
  if (!pcm_) return false;
  const std::size_t chunk = static_cast<std::size_t>(rate_ * kChunkMs / 1000);
  std::size_t done = 0;
  while (done < n) {
    if (cancelled()) return true;
    std::size_t want = std::min(chunk, n - done);
    snd_pcm_sframes_t w = snd_pcm_writei(pcm_, samples + done, want);
    if (w < 0) {
      // An underrun (the device ran dry between utterances) or a suspend: recover, go on.
      if (snd_pcm_recover(pcm_, static_cast<int>(w), 1) < 0) return false;
      continue;
    }
    done += static_cast<std::size_t>(w);
  }
  return true;
}

void AlsaSink::finish(const std::function<bool()>& cancelled) {
  if (!pcm_) return;
  // Wait for what is queued to be heard, watching for a stop (snd_pcm_drain would not).
  for (;;) {
    snd_pcm_sframes_t delay = 0;
    if (cancelled() || snd_pcm_delay(pcm_, &delay) < 0 || delay <= 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  drop();
}

void AlsaSink::drop() {
  if (!pcm_) return;
  snd_pcm_drop(pcm_);
  snd_pcm_prepare(pcm_);
}

SpeechOutput open_speech(int volume_percent, std::function<void()> wake) {
  SpeechOutput out;
  if (volume_percent <= 0) {
    out.problem = "speech_volume is 0";
    return out;
  }
  // espeak-ng itself starts at the first reading (the speaker's thread loads the library
  // and its voices then): a kiosk nobody asks to read aloud never holds its megabytes
  // (issue 20). Its rate is known without it (synth.hpp, checked by a test).
  out.sink = std::make_unique<AlsaSink>(speech::kEspeakRate);
  if (!out.sink->available()) {
    out.problem = out.sink->problem();
    out.sink.reset();
    return out;
  }
  out.speaker = std::make_unique<speech::Speaker>(*out.sink, volume_percent, std::move(wake));
  return out;
}

}  // namespace eco::platform
