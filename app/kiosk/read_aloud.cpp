#include "kiosk/read_aloud.hpp"

namespace eco {

speech::Script screen_script(const KioskModel& m, const Strings& strings) {
  const std::string& lang = m.lang();
  switch (m.screen()) {
    case Screen::question:
      if (const Session* s = m.session(); s && s->current())
        return speech::question_script(*s->current(), s->options_in_order(*s->current()).to_vector(), lang, strings);
      return {};
    case Screen::finish:
      return speech::finish_script(m.finished_questionnaire(), m.finished() ? &*m.finished() : nullptr, m.last_saved(),
                                   lang, strings);
    case Screen::welcome: return speech::welcome_script(m.offered(), lang, strings);
    case Screen::admin: return {};
  }
  return {};
}

bool ReadAloud::sync(KioskModel& m, const Strings& strings) {
  bool changed = false;
  if (speaker_ && m.read_serial() != seen_) {
    seen_ = m.read_serial();
    if (m.reading()) speaker_->say(screen_script(m, strings));
    else speaker_->stop();
    changed = true;
  }
  bool now = speaker_ && speaker_->speaking();
  m.set_speaking(now);
  if (now != was_speaking_) changed = true;
  was_speaking_ = now;
  return changed;
}

}  // namespace eco
