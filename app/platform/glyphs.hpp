// The text each atlas must hold, gathered from the data: ImGui 1.86 bakes only the
// glyphs it is given, and the full CJK range overflows the texture (STACK.md).
#pragma once
#include <string>

#include "core/catalog/catalog.hpp"
#include "core/support/config.hpp"
#include "core/support/i18n.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace eco::ui {

// Every string the resident screens can show.
std::string glyph_text(const QuestionnaireSet& set, const Strings& strings, const Config& cfg);
// The first frame's glyphs: the welcome screen in every language. The rest of the atlas
// is baked right after that frame is on screen, so start-up stays short.
std::string welcome_glyphs(const QuestionnaireSet& set, const Strings& strings, const Config& cfg);
// The console's own text: the catalog (names, targets, tasks, departments).
std::string console_glyphs(const Catalog& c);

}  // namespace eco::ui
