// Keeps the speaker in step with the kiosk: when the model asks for the page to be read
// (朗读, or every page once the welcome switch is on) the page's script is spoken; when
// it stops asking (a tap, a new page) the speaker stops at once.
#pragma once
#include <cstdint>

#include "core/speech/script.hpp"
#include "core/speech/speaker.hpp"
#include "core/support/i18n.hpp"
#include "kiosk/kiosk_model.hpp"

namespace eco {

// What the kiosk reads on the screen on show: the question and its options in the order
// drawn, the finish screen's thanks, score and explanations, the welcome screen's choices.
speech::Script screen_script(const KioskModel& m, const Strings& strings);

class ReadAloud {
 public:
  explicit ReadAloud(speech::Speaker* speaker) : speaker_(speaker) {}  // null: no sound
  // After the model changed (apply, tick). True when what the screen shows changed (the
  // speaker started or finished), so the caller draws another frame.
  bool sync(KioskModel& m, const Strings& strings);

 private:
  speech::Speaker* speaker_;
  std::uint64_t seen_ = 0;
  bool was_speaking_ = false;
};

}  // namespace eco
