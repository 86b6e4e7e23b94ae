#include "core/speech/synth.hpp"

#include <utility>

#include <espeak-ng/speak_lib.h>

#include <mutex>

#include "core/support/shared_library.hpp"

namespace eco::speech {

namespace {

// espeak-ng (with libpcaudio, pulse, sndfile and its codecs behind it) is opened at the
// first synthesis, not with the program: a kiosk nobody asks to read aloud never loads
// it (issue 20). The calls below go through these pointers, named as in speak_lib.h.
struct Espeak {
  decltype(&::espeak_Initialize) Initialize = nullptr;
  decltype(&::espeak_SetSynthCallback) SetSynthCallback = nullptr;
  decltype(&::espeak_SetVoiceByName) SetVoiceByName = nullptr;
  decltype(&::espeak_SetParameter) SetParameter = nullptr;
  decltype(&::espeak_Synth) Synth = nullptr;
  decltype(&::espeak_Synchronize) Synchronize = nullptr;
  decltype(&::espeak_TextToPhonemes) TextToPhonemes = nullptr;
};
Espeak g_es;  // filled by init_locked(), under g_engine

// Empty when every function was found; else why read-aloud cannot work.
std::string load_espeak() {
  static SharedLibrary lib("libespeak-ng.so.1", "libespeak-ng1");
  Espeak e;
  bool ok = lib.bind(e.Initialize, "espeak_Initialize") && lib.bind(e.SetSynthCallback, "espeak_SetSynthCallback") &&
            lib.bind(e.SetVoiceByName, "espeak_SetVoiceByName") && lib.bind(e.SetParameter, "espeak_SetParameter") &&
            lib.bind(e.Synth, "espeak_Synth") && lib.bind(e.Synchronize, "espeak_Synchronize") &&
            lib.bind(e.TextToPhonemes, "espeak_TextToPhonemes");
  if (!ok) return "read-aloud unavailable: " + lib.error();
  g_es = e;
  return {};
}

std::mutex g_engine;  // espeak-ng keeps one engine per process
int g_rate = 0;
std::string g_init_error;
bool g_started = false;

struct Job {
  std::vector<std::int16_t>* out;
  const std::function<bool()>* cancelled;
  bool stopped = false;
};
Job* g_job = nullptr;  // the synthesis in progress (under g_engine)

int on_audio(short* wav, int n, espeak_EVENT*) {
  if (!g_job) return 1;
  if (wav && n > 0) g_job->out->insert(g_job->out->end(), wav, wav + n);
  if (*g_job->cancelled && (*g_job->cancelled)()) {
    g_job->stopped = true;
    return 1;  // abort the synthesis
  }
  return 0;
}

std::string init_locked() {
  if (g_started) return g_init_error;
  g_started = true;
  if (std::string why = load_espeak(); !why.empty()) {
    g_init_error = why;
    return g_init_error;
  }
  // 20 ms buffers: a stop is seen after at most 20 ms of audio is produced.
  int rate = g_es.Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 20, nullptr, espeakINITIALIZE_DONT_EXIT);
  if (rate <= 0) {
    g_init_error = "espeak-ng could not start (is espeak-ng-data installed?)";
    return g_init_error;
  }
  g_rate = rate;
  g_es.SetSynthCallback(on_audio);
  for (const char* v : {voice_for("zh"), voice_for("en")})
    if (g_es.SetVoiceByName(v) != EE_OK) g_init_error = std::string("espeak-ng has no voice ") + v;
  return g_init_error;
}

std::string g_voice;         // the language whose voice espeak-ng has loaded ("" = load again)
bool g_phonemes_ran = false;  // a phoneme translation ran since the voice was loaded

bool select_voice(const std::string& lang, bool fresh = false) {
  // Only on a change of language: espeak-ng 1.51 loads the voice afresh on every call
  // and keeps about 1.3 kB of each load until exit (seen by LeakSanitizer), which a
  // kiosk reading all day would pile up.
  if (g_voice != lang || fresh) {
    g_voice.clear();
    if (g_es.SetVoiceByName(voice_for(lang)) != EE_OK) return false;
    g_voice = lang;
  }
  // A little slower than espeak's default 175 words a minute: many residents are elderly.
  g_es.SetParameter(espeakRATE, 150, 0);
  g_es.SetParameter(espeakVOLUME, 100, 0);
  return true;
}

}  // namespace

const char* voice_for(const std::string& lang) { return lang == "zh" ? "cmn-latn-pinyin" : "en"; }

std::string synth_init() {
  std::lock_guard lock(g_engine);
  return init_locked();
}

int sample_rate() {
  std::lock_guard lock(g_engine);
  init_locked();
  return g_rate;
}

bool synthesize(const Utterance& u, std::vector<std::int16_t>& out, const std::function<bool()>& cancelled,
                std::string* error) {
  std::lock_guard lock(g_engine);
  if (std::string e = init_locked(); !e.empty()) {
    if (error) *error = e;
    return false;
  }
  bool fresh = std::exchange(g_phonemes_ran, false);
  if (!select_voice(u.lang, fresh)) {
    if (error) *error = std::string("espeak-ng has no voice ") + voice_for(u.lang);
    return false;
  }
  Job job{&out, &cancelled};
  g_job = &job;
  espeak_ERROR rc = g_es.Synth(u.text.c_str(), u.text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
  if (rc == EE_OK) rc = g_es.Synchronize();
  g_job = nullptr;
  if (job.stopped) return false;
  if (rc != EE_OK) {
    if (error) *error = "espeak-ng failed to synthesize";
    return false;
  }
  return true;
}

std::string phonemes(const Utterance& u) {
  std::lock_guard lock(g_engine);
  if (!init_locked().empty() || !select_voice(u.lang)) return {};
  std::string out;
  const void* p = u.text.c_str();
  while (p) {
    const char* ph = g_es.TextToPhonemes(&p, espeakCHARS_UTF8, 0);
    if (ph) out += std::string(ph) + "\n";
  }
  // Translating to phonemes leaves the loaded voice in a state that reads Mandarin in
  // under half the time afterwards (seen in the tests): the next synthesis loads it
  // again. Further translations keep it (each load would leak, see select_voice).
  g_phonemes_ran = true;
  return out;
}

}  // namespace eco::speech
