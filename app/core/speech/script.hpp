// What the kiosk reads aloud on each screen, as a list of utterances: the question,
// then each option ("第一项，…"); the finish screen's thanks, score and explanations.
// The text is normalised for the synthesizer (normalize.hpp); the screens keep theirs.
#pragma once
#include <string>
#include <vector>

#include "core/support/i18n.hpp"
#include "core/survey/questionnaire.hpp"
#include "core/survey/response.hpp"

namespace eco::speech {

struct Utterance {
  std::string text;  // normalised; never empty
  std::string lang;  // "zh" or "en": picks the voice
};
using Script = std::vector<Utterance>;

// The question as the screen shows it: its text, its hint and how many to choose, then
// the options (or a count matrix's rows) in the order they are drawn, each numbered.
Script question_script(const Question& q, const std::vector<const Option*>& options, const std::string& lang,
                       const Strings& strings);
// The same with the options in the questionnaire's own order (no shuffle), as
// `ecokiosk say` reads them.
Script question_script(const Question& q, const std::string& lang, const Strings& strings);
// The finish screen: thanks, whether it was saved and, for a quiz, the score and each
// item asked with the right answer, the resident's answer and the explanation.
Script finish_script(const Questionnaire* q, const Response* r, bool saved, const std::string& lang,
                     const Strings& strings);
// The welcome screen once reading every page is switched on: that it is on, and the
// questionnaires on offer, numbered as the cards are laid out.
Script welcome_script(const std::vector<const Questionnaire*>& offered, const std::string& lang,
                      const Strings& strings);

// All the text of a script, one utterance a line (for `ecokiosk say --print`).
std::string script_text(const Script& s);

}  // namespace eco::speech
