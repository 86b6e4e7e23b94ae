// ecokiosk say: the kiosk's read-aloud for a question, as a WAV file, for staff to
// listen to and for the tests to measure. The same script, synthesis, volume and
// Speaker the kiosk uses; options in the questionnaire's order (the kiosk shuffles
// some per resident).
#include <iostream>

#include "cli/commands.hpp"
#include "core/speech/speaker.hpp"
#include "core/speech/synth.hpp"
#include "core/support/config.hpp"
#include "core/support/i18n.hpp"
#include "core/support/safe_file.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace eco::cli {

int say(const Common& c, const SayArgs& a) {
  if (a.out.empty() && !a.print && !a.list) {
    std::cerr << "error: say needs --out FILE.wav (or --print, --list)\n";
    return 2;
  }
  ConfigLoad cl = load_config(c.config_path());
  for (const auto& e : cl.errors) std::cerr << "config: " << e << "\n";
  std::string lang = a.lang.empty() ? cl.config.default_lang : a.lang;
  QuestionnaireSet set = load_questionnaire_dir(c.questionnaire_dir());
  const Questionnaire* q = set.find(a.questionnaire);
  if (!q) {
    std::cerr << "error: no questionnaire \"" << a.questionnaire << "\"; known:";
    for (const auto& k : set.list) std::cerr << " " << k.id;
    std::cerr << "\n";
    return 2;
  }
  std::vector<const Question*> questions;
  if (a.list) {
    for (const auto& k : q->questions) std::cout << k.id << "\n";
    if (q->bank)
      for (const auto& k : q->bank->items) std::cout << k.id << "\n";
    return 0;
  }
  if (!a.question.empty()) {
    const Question* one = q->find(a.question);
    if (!one) {
      std::cerr << "error: questionnaire " << q->id << " has no question \"" << a.question << "\"; known:";
      for (const auto& k : q->questions) std::cerr << " " << k.id;
      if (q->bank)
        for (const auto& k : q->bank->items) std::cerr << " " << k.id;
      std::cerr << "\n";
      return 2;
    }
    questions.push_back(one);
  } else {
    for (const auto& k : q->questions) questions.push_back(&k);
    if (q->bank)
      for (const auto& k : q->bank->items) questions.push_back(&k);
  }
  Strings strings;
  std::vector<std::string> serr;
  strings.load_dir(c.data_dir + "/assets/i18n", serr);
  for (const auto& e : serr) std::cerr << "strings: " << e << "\n";
  speech::Script script;
  for (const Question* one : questions) {
    speech::Script part = speech::question_script(*one, lang, strings);
    script.insert(script.end(), part.begin(), part.end());
  }
  if (a.print) std::cout << speech::script_text(script);
  if (a.out.empty()) return 0;
  if (std::string e = speech::synth_init(); !e.empty()) {
    std::cerr << "error: " << e << "\n";
    return 1;
  }
  std::string error;
  std::vector<std::int16_t> samples = speech::render_script(script, cl.config.speech_volume, &error);
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  if (std::string e = write_file_safely(a.out, speech::wav_bytes(samples, speech::sample_rate())); !e.empty()) {
    std::cerr << "error: cannot write " << a.out << ": " << e << "\n";
    return 1;
  }
  std::cerr << a.out << ": " << script.size() << " utterance(s), "
            << static_cast<double>(samples.size()) / speech::sample_rate() << " s\n";
  return 0;
}

}  // namespace eco::cli
