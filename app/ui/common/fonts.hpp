// Finds Noto Sans CJK SC through fontconfig and bakes an atlas holding only the glyphs
// the app can show, at the sizes the screens use (normal and larger-text sets).
#pragma once
#include <string>
#include <string_view>

struct ImFont;
struct ImFontAtlas;

namespace eco::ui {

struct FontFile {
  std::string path;
  int index = 0;  // face inside a .ttc
};

// An explicit path wins; otherwise fontconfig's match for "Noto Sans CJK SC", then
// WenQuanYi Micro Hei. Empty path when nothing usable is installed.
FontFile find_cjk_font(const std::string& override_path = {});

struct FontSet {
  ImFont* small = nullptr;
  ImFont* body = nullptr;
  ImFont* title = nullptr;
  // The on-screen input's text, keys and candidates: the common simplified characters
  // (ImGui's 2,500 common + 1,000 next) as well as the app's own, at the body size.
  // Built only while a text question is on screen (Fonts::with_input); else null.
  ImFont* input = nullptr;
};

struct Fonts {
  // Only the text size in use is baked, at its exact pixel size (so extra large text is
  // as crisp as normal): switching sizes bakes the new one and drops the old, which keeps
  // one set in memory, never three. `normal` and `large` both point at that set.
  FontSet normal, large;
  int text_size = 0;  // which of KioskModel::kTextScales is baked
  bool large_built = false;  // text_size > 0
  // Where to bake: null = the current ImGui context's atlas.
  ImFontAtlas* atlas = nullptr;
  // The admin console's text and headings: only built when console text is given
  // (on first entry to the console), so the kiosk starts with a small atlas.
  ImFont* console = nullptr;
  ImFont* console_heading = nullptr;
  // Set before build_fonts: bake FontSet::input too (a 4096-wide atlas page, so only
  // while someone is writing). The input's size is capped so that at any text size the
  // atlas stays within what every GL driver takes.
  bool with_input = false;
  const FontSet& pick(bool large_text) const { return large_text ? large : normal; }
  double build_ms = 0;
  int atlas_w = 0, atlas_h = 0;
  // Where baked atlases are kept between starts (atlas_cache.hpp); empty: always baked.
  std::string cache_dir;
  bool from_cache = false;  // the last build_fonts loaded a kept atlas instead of baking
};

// Clears io.Fonts and bakes every glyph in `text` (plus ASCII) at the sizes for `scale`
// and text size `text_size` (an index into KioskModel::kTextScales: 1.0, 1.4, 1.8). Returns false when no font file was found (ImGui's default font
// is used then, and Chinese shows as boxes: the caller warns).
// console_text adds the console's fonts: its glyphs plus ImGui's 2,500 common
// simplified Chinese characters, for notes typed by staff.
// Whether the font has a glyph for every character of s (UTF-8); false for null.
bool font_has_glyphs(const ImFont* font, std::string_view s);

// While an atlas is baked, the mapped font file's pages are dropped from the process
// every `every` FreeType allocations (kFontPageDropEvery by default; 0: never), so the
// outlines read so far do not stay resident (fonts.cpp). Tests compare atlases baked both ways.
inline constexpr unsigned kFontPageDropEvery = 256;
void set_font_page_drop_interval(unsigned every);

bool build_fonts(Fonts& out, const FontFile& file, float scale, const std::string& text,
                 const std::string& console_text = {}, int text_size = 0);

}  // namespace eco::ui
