#include "core/speech/speaker.hpp"

#include <algorithm>

#include "core/speech/synth.hpp"

namespace eco::speech {

std::string wav_bytes(const std::vector<std::int16_t>& samples, int rate) {
  std::string out;
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto u16 = [&](std::uint16_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>(v >> 8);
  };
  auto data = static_cast<std::uint32_t>(samples.size() * 2);
  out += "RIFF";
  u32(36 + data);
  out += "WAVEfmt ";
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<std::uint32_t>(rate));
  u32(static_cast<std::uint32_t>(rate) * 2);
  u16(2);
  u16(16);
  out += "data";
  u32(data);
  for (std::int16_t s : samples) u16(static_cast<std::uint16_t>(s));
  return out;
}

Speaker::Speaker(AudioSink& sink, int volume_percent, std::function<void()> on_idle)
    : sink_(sink), volume_(std::clamp(volume_percent, 0, 100)), on_idle_(std::move(on_idle)) {
  worker_ = std::thread([this] { run(); });
}

Speaker::~Speaker() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
    ++gen_;
  }
  cv_.notify_all();
  worker_.join();
}

void Speaker::say(Script script) {
  {
    std::lock_guard lock(mu_);
    ++gen_;
    pending_ = std::move(script);
    speaking_ = true;
  }
  cv_.notify_all();
}

void Speaker::stop() {
  std::lock_guard lock(mu_);
  ++gen_;
  pending_.reset();
  speaking_ = false;
}

bool Speaker::speaking() const {
  std::lock_guard lock(mu_);
  return speaking_;
}

void Speaker::set_volume(int percent) { volume_ = std::clamp(percent, 0, 100); }

std::string Speaker::last_error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void Speaker::run() {
  std::vector<std::int16_t> buf;
  for (;;) {
    Script script;
    std::uint64_t mine = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return quit_ || pending_; });
      if (quit_) return;
      script = std::move(*pending_);
      pending_.reset();
      mine = gen_;
    }
    std::function<bool()> cancelled = [&] { return gen_.load() != mine; };
    std::string error;
    for (const Utterance& u : script) {
      buf.clear();
      if (!synthesize(u, buf, cancelled, &error)) break;
      int vol = volume_.load();
      if (vol != 100)
        for (auto& s : buf) s = static_cast<std::int16_t>(s * vol / 100);
      if (!sink_.play(buf.data(), buf.size(), sample_rate(), cancelled)) {
        error = "the sound device failed";
        break;
      }
      if (cancelled()) break;
    }
    if (!cancelled()) sink_.finish(cancelled);
    if (cancelled()) sink_.drop();
    {
      std::lock_guard lock(mu_);
      if (!error.empty()) error_ = error;
      if (gen_ == mine) speaking_ = false;
    }
    if (on_idle_) on_idle_();
  }
}

std::vector<std::int16_t> render_script(const Script& script, int volume_percent, std::string* error) {
  BufferSink sink;
  {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Speaker speaker(sink, volume_percent, [&] {
      std::lock_guard lock(mu);
      done = true;
      cv.notify_all();
    });
    speaker.say(script);
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
    if (error) *error = speaker.last_error();
  }
  return std::move(sink.samples);
}

}  // namespace eco::speech
