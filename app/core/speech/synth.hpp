// Speech from espeak-ng (Debian libespeak-ng1), synthesized into memory on the caller's
// thread (the Speaker's worker in the kiosk, never the UI thread). espeak-ng is one
// engine per process: calls are serialised here.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/speech/script.hpp"

namespace eco::speech {

// The voice for a language. Mandarin is espeak-ng's "cmn-latn-pinyin": Debian 12's plain
// "cmn" voice (1.51) switches to English for most characters and reads their pinyin as
// English words (你好 → "ni three hao three"); the pinyin voice reads them as Mandarin.
const char* voice_for(const std::string& lang);

// Starts the engine once; "" when it runs, otherwise why (no voice data...).
std::string synth_init();
int sample_rate();  // mono 16-bit samples per second (22,050 with espeak-ng's voices)
// What sample_rate() gives for the voices used (espeak-ng 1.51, no MBROLA voice): the
// sound device opens at it before espeak-ng is loaded (a test checks they agree).
constexpr int kEspeakRate = 22050;

// Appends u's audio to out. Returns false, early, when cancelled() turns true (checked
// every 20 ms of audio produced) or when the engine fails (why in *error).
bool synthesize(const Utterance& u, std::vector<std::int16_t>& out, const std::function<bool()>& cancelled,
                std::string* error = nullptr);

// espeak-ng's phoneme mnemonics for u's text, clause by clause; a language switch shows
// as "(en)" — the tests use this to check that nothing Chinese is read as English.
std::string phonemes(const Utterance& u);

}  // namespace eco::speech
