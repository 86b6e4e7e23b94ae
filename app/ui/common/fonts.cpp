#include "ui/common/fonts.hpp"

#include <fontconfig/fontconfig.h>
#include <imgui.h>
#include <imgui_freetype.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/input/text_entry.hpp"
#include "ui/common/atlas_cache.hpp"
#include "kiosk/kiosk_model.hpp"
#include <vector>

namespace eco::ui {

namespace {
FontFile match(const char* family, const char* lang) {
  FontFile out;
  if (!FcInit()) return out;
  FcPattern* pat = FcPatternCreate();
  FcPatternAddString(pat, FC_FAMILY, reinterpret_cast<const FcChar8*>(family));
  FcLangSet* ls = FcLangSetCreate();
  FcLangSetAdd(ls, reinterpret_cast<const FcChar8*>(lang));
  FcPatternAddLangSet(pat, FC_LANG, ls);
  FcConfigSubstitute(nullptr, pat, FcMatchPattern);
  FcDefaultSubstitute(pat);
  FcResult res;
  FcPattern* m = FcFontMatch(nullptr, pat, &res);
  if (m) {
    FcChar8* file = nullptr;
    FcChar8* fam = nullptr;
    int index = 0;
    // fontconfig always returns *something*; accept it only if it is the family asked for.
    if (FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetString(m, FC_FAMILY, 0, &fam) == FcResultMatch &&
        std::string(reinterpret_cast<char*>(fam)).find(std::string(family).substr(0, 8)) != std::string::npos) {
      FcPatternGetInteger(m, FC_INDEX, 0, &index);
      out.path = reinterpret_cast<char*>(file);
      out.index = index;
    }
    FcPatternDestroy(m);
  }
  FcLangSetDestroy(ls);
  FcPatternDestroy(pat);
  return out;
}
}  // namespace

FontFile find_cjk_font(const std::string& override_path) {
  if (!override_path.empty()) return {override_path, 0};
  for (const char* fam : {"Noto Sans CJK SC", "WenQuanYi Micro Hei"}) {
    FontFile f = match(fam, "zh-cn");
    if (!f.path.empty()) return f;
  }
  // fontconfig missing or not configured: the Debian paths (STACK.md).
  if (std::filesystem::exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"))
    return {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2};
  if (std::filesystem::exists("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
    return {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0};
  return {};
}

namespace {
// A read-only private mapping of the font file, released on close or destruction.
struct MappedFile {
  void* data = nullptr;
  std::size_t size = 0;
  bool open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data = p;
        size = static_cast<std::size_t>(st.st_size);
      }
    }
    ::close(fd);
    return data != nullptr;
  }
  void close() {
    if (data) munmap(data, size);
    data = nullptr;
    size = 0;
  }
  ~MappedFile() { close(); }
};

// FreeType's memory while an atlas is baked. Every 256th allocation (FreeType allocates
// each rendered glyph's bitmap) the font file's pages are dropped from this process's
// memory: they are clean pages of the file, which FreeType reads back from the page
// cache when it next needs them. Without this the glyphs' outlines scattered over the
// 19 MB of Noto CJK stayed resident until the bake ended: +9.6 MB at the full atlas's
// peak (issue 20). Not more often: each drop also drops the tables FreeType reads for
// every glyph, faulted back in at once; every 64th made the full atlas's bake 195-305 ms
// against 92-128 ms never dropping, every 256th 133-137 ms for 1 MB more peak.
// Safe: the mapping is read-only and never written, so its content is the file's
// whether a page is resident or not, and only the baking thread drops its own mapping.
struct BakeMemory {
  MappedFile* file = nullptr;  // the font being baked; null between bakes
  unsigned allocations = 0;
};
thread_local BakeMemory g_bake;  // FreeType allocates on the baking thread
std::atomic<unsigned> g_drop_every{kFontPageDropEvery};
void* ft_alloc(std::size_t n, void*) {
  unsigned every = g_drop_every.load(std::memory_order_relaxed);
  if (every && g_bake.file && g_bake.file->data && ++g_bake.allocations % every == 0)
    madvise(g_bake.file->data, g_bake.file->size, MADV_DONTNEED);
  return std::malloc(n);
}
void ft_free(void* p, void*) { std::free(p); }

// The symbol keys' glyphs (the core's list), for the input font.
std::string symbol_text() {
  std::string s;
  for (const auto& k : input::symbol_keys()) s += k;
  return s + "‹›⌫✎";
}

// A base range plus the app's and the console's own text.
void console_glyph_ranges(const ImWchar* base, const std::string& text, const std::string& console_text,
                          ImVector<ImWchar>& out) {
  out.clear();
  ImFontGlyphRangesBuilder b;
  b.AddRanges(base);
  b.AddText(text.c_str());
  b.AddText(console_text.c_str());
  b.AddText("✓×←−+·…—–“”‘’()、,。:;!?%℃★●");
  b.BuildRanges(&out);
}

// Everything a bake depends on besides the program (atlas_key adds that): the font
// file as it is now, the sizes and fonts asked for, and every character to bake.
std::string bake_inputs(const FontFile& file, float scale, const std::string& text, const std::string& console_text,
                        int text_size, bool with_input) {
  std::string identity = file_identity(file.path);
  if (identity.empty()) return {};
  std::uint32_t scale_bits = 0;
  std::memcpy(&scale_bits, &scale, sizeof scale_bits);
  std::string s = file.path + '\0' + std::to_string(file.index) + ' ' + identity + ' ' + std::to_string(scale_bits) +
                  ' ' + std::to_string(text_size) + ' ' + (with_input ? "input" : "-") + '\0';
  s += std::to_string(text.size()) + '\0' + text + '\0' + console_text;
  return s;
}

// Whether the atlas holds exactly the fonts these pixel sizes make, in order (a kept
// atlas of other sizes is not drawn).
bool fonts_match(const ImFontAtlas& atlas, const std::vector<float>& sizes) {
  if (static_cast<std::size_t>(atlas.Fonts.Size) != sizes.size()) return false;
  for (int i = 0; i < atlas.Fonts.Size; ++i)
    if (atlas.Fonts[i]->FontSize != sizes[static_cast<std::size_t>(i)]) return false;
  return true;
}

// The atlas's fonts, in the order build_fonts adds them (baked or loaded), as out's sets.
void adopt_fonts(Fonts& out, const ImFontAtlas& atlas, bool with_console, int text_size) {
  int i = 0;
  FontSet set = {atlas.Fonts[i], atlas.Fonts[i + 1], atlas.Fonts[i + 2]};
  i += 3;
  if (out.with_input) set.input = atlas.Fonts[i++];
  out.normal = out.large = set;
  out.text_size = text_size;
  out.large_built = text_size > 0;
  out.console = with_console ? atlas.Fonts[i] : nullptr;
  out.console_heading = with_console ? atlas.Fonts[i + 1] : nullptr;
}
}  // namespace

void set_font_page_drop_interval(unsigned every) { g_drop_every.store(every); }

bool font_has_glyphs(const ImFont* font, std::string_view s) {
  if (!font) return false;
  for (const char *p = s.data(), *end = s.data() + s.size(); p < end;) {
    unsigned c = 0;
    int n = ImTextCharFromUtf8(&c, p, end);
    if (n <= 0 || c > 0xFFFF || !font->FindGlyphNoFallback(static_cast<ImWchar>(c))) return false;
    p += n;
  }
  return true;
}

bool build_fonts(Fonts& out, const FontFile& file, float scale, const std::string& text,
                 const std::string& console_text, int text_size) {
  auto t0 = std::chrono::steady_clock::now();
  // The shared atlas when a context exists, else the one the caller will give to
  // ImGui::CreateContext (the kiosk bakes it while its window is being created).
  ImFontAtlas* atlas = out.atlas ? out.atlas : ImGui::GetIO().Fonts;
  struct { ImFontAtlas* Fonts; } io{atlas};
  io.Fonts->Clear();
  io.Fonts->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  // Only as tall as the glyphs need, not the next power of two (OpenGL 3 takes any
  // height): a full atlas that packs into 2048x1100 was 2048x2048, twice the pixels
  // while baking and in the GL driver (issue 20, memory).
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  bool ok = !file.path.empty() && std::filesystem::exists(file.path);
  text_size = std::clamp(text_size, 0, KioskModel::kTextSizes - 1);
  // Body 40 px at 1080p draws Chinese about 28 px tall (Noto: glyphs ~1/1.45 of the size).
  const float body = 40.f * scale;
  const float size = body * KioskModel::kTextScales[text_size];
  // Every font's pixel size, in the order they are added (a kept atlas must match).
  std::vector<float> px = {size * 0.75f, size, size * 1.4f};
  if (out.with_input) px.push_back(std::min(size, 56.f * scale));
  if (!console_text.empty()) px.insert(px.end(), {body * 0.62f, body * 0.8f});
  // A kept atlas from an earlier start with the same inputs: loaded, not baked.
  out.from_cache = false;
  AtlasKey key{};
  std::string inputs = ok && !out.cache_dir.empty()
                           ? bake_inputs(file, scale, text, console_text, text_size, out.with_input)
                           : std::string();
  if (!inputs.empty()) {
    key = atlas_key(inputs);
    ImFontAtlasFlags flags = io.Fonts->Flags;
    if (load_atlas(out.cache_dir, key, *io.Fonts)) {
      if (fonts_match(*io.Fonts, px)) {
        adopt_fonts(out, *io.Fonts, !console_text.empty(), text_size);
        out.from_cache = true;
        out.atlas_w = io.Fonts->TexWidth;
        out.atlas_h = io.Fonts->TexHeight;
        out.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        return true;
      }
      io.Fonts->Clear();
      io.Fonts->Flags = flags;
    }
  }
  // Glyph ranges live as long as the atlas: the vector is static, rebuilt each call.
  static ImVector<ImWchar> ranges;
  ranges.clear();
  ImFontGlyphRangesBuilder b;
  b.AddRanges(io.Fonts->GetGlyphRangesDefault());
  b.AddText(text.c_str());
  b.AddText("✓×←−+·…—–“”‘’()、,。:;!?%℃");  // symbols drawn by code, not in any string file
  b.BuildRanges(&ranges);

  static ImVector<ImWchar> console_ranges;
  console_ranges.clear();
  if (!console_text.empty()) {
    console_glyph_ranges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon(), text, console_text, console_ranges);
  }
  // The font file (19 MB for Noto CJK) is mapped, not read: FreeType touches only the
  // tables and glyphs it bakes, so the rest never becomes resident (reading it into a
  // buffer put all 19 MB on the heap at every bake). Shared by every size; unmapped
  // after the build.
  MappedFile data;
  if (ok) ok = data.open(file.path);
  g_bake = {&data};
  ImGuiFreeType::SetAllocatorFunctions(ft_alloc, ft_free);
  auto add = [&](float pixels, const ImWchar* glyphs = nullptr) -> ImFont* {
    if (!ok) {
      ImFontConfig c;
      c.SizePixels = pixels;
      return io.Fonts->AddFontDefault(&c);
    }
    ImFontConfig c;
    c.FontNo = file.index;
    c.OversampleH = 1;  // FreeType hinting makes oversampling unnecessary; keeps the atlas small
    c.OversampleV = 1;
    // "Owned" only so that AddFont does not copy 19 MB per size (it copies data it
    // does not own); ownership is taken back below before ImGui could free it. FreeType
    // only reads the data: the private read-only mapping is never written.
    c.FontDataOwnedByAtlas = true;
    return io.Fonts->AddFontFromMemoryTTF(data.data, static_cast<int>(data.size), pixels, &c,
                                          glyphs ? glyphs : ranges.Data);
  };
  for (std::size_t i = 0; i < 3; ++i) add(px[i]);
  std::size_t next = 3;
  static ImVector<ImWchar> input_ranges;
  if (out.with_input) {
    console_glyph_ranges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon(), text, symbol_text(), input_ranges);
    add(px[next++], input_ranges.Data);
  }
  if (!console_text.empty()) {
    add(px[next++], console_ranges.Data);
    // Headings show catalog text only: no need for the common-character set twice.
    static ImVector<ImWchar> heading_ranges;
    console_glyph_ranges(io.Fonts->GetGlyphRangesDefault(), text, console_text, heading_ranges);
    add(px[next], heading_ranges.Data);
  }
  adopt_fonts(out, *io.Fonts, !console_text.empty(), text_size);
  io.Fonts->Build();
  g_bake.file = nullptr;
  for (auto& cfg : io.Fonts->ConfigData) cfg.FontDataOwnedByAtlas = false;  // `data` is ours
  io.Fonts->ClearInputData();  // the glyphs are baked; the file data and configs are no longer needed
  data.close();
  malloc_trim(0);  // hand the builder's freed scratch memory back to the system
  if (!inputs.empty()) store_atlas(out.cache_dir, key, *io.Fonts);  // for the next start
  out.atlas_w = io.Fonts->TexWidth;
  out.atlas_h = io.Fonts->TexHeight;
  out.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return ok;
}

}  // namespace eco::ui
