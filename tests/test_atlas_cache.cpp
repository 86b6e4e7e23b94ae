// Font atlases kept between starts (atlas_cache.hpp): a kept atlas must be the baked one
// exactly, any change to what it is baked from must bake afresh, and no file in the
// cache folder, however damaged or planted, may change what the kiosk draws or crash it.
#include <doctest/doctest.h>

#include <imgui.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"
#include "ui/common/atlas_cache.hpp"
#include "ui/common/fonts.hpp"

using namespace eco;
using namespace eco::ui;

namespace {

template <class T>
void raw(std::string& s, const T* p, std::size_t n) {
  s.append(reinterpret_cast<const char*>(p), n * sizeof(T));
}

// Everything of an atlas that drawing reads, compared byte for byte, taken from the
// atlas itself (not through atlas_payload, which is under test): the texture, its UVs,
// the custom rectangles, and per font its metrics, glyphs and lookup tables.
std::string signature(const ImFontAtlas& a) {
  std::string s;
  raw(s, &a.Flags, 1);
  raw(s, &a.TexWidth, 1);
  raw(s, &a.TexHeight, 1);
  raw(s, &a.TexUvScale, 1);
  raw(s, &a.TexUvWhitePixel, 1);
  raw(s, a.TexUvLines, IM_ARRAYSIZE(a.TexUvLines));
  raw(s, &a.PackIdMouseCursors, 1);
  raw(s, &a.PackIdLines, 1);
  s += a.TexReady ? "ready" : "not ready";
  if (a.TexPixelsAlpha8) raw(s, a.TexPixelsAlpha8, static_cast<std::size_t>(a.TexWidth) * static_cast<std::size_t>(a.TexHeight));
  for (const ImFontAtlasCustomRect& r : a.CustomRects) {
    s += std::to_string(r.Width) + "," + std::to_string(r.Height) + "," + std::to_string(r.X) + "," +
         std::to_string(r.Y) + "," + std::to_string(r.GlyphID) + ";";
    raw(s, &r.GlyphAdvanceX, 1);
    raw(s, &r.GlyphOffset, 1);
    s += r.Font ? "font" : "-";
  }
  for (const ImFont* f : a.Fonts) {
    s += "|font";
    raw(s, &f->FontSize, 1);
    raw(s, &f->Scale, 1);
    raw(s, &f->Ascent, 1);
    raw(s, &f->Descent, 1);
    raw(s, &f->MetricsTotalSurface, 1);
    raw(s, &f->FallbackChar, 1);
    raw(s, &f->EllipsisChar, 1);
    raw(s, &f->DotChar, 1);
    raw(s, &f->FallbackAdvanceX, 1);
    raw(s, f->Used4kPagesMap, sizeof f->Used4kPagesMap);
    s += f->ContainerAtlas == &a ? "in" : "out";
    s += std::to_string(f->FallbackGlyph ? f->FallbackGlyph - f->Glyphs.Data : -1);
    static_assert(sizeof(ImFontGlyph) == 40, "no padding between a glyph's fields");
    raw(s, f->Glyphs.Data, static_cast<std::size_t>(f->Glyphs.Size));
    raw(s, f->IndexAdvanceX.Data, static_cast<std::size_t>(f->IndexAdvanceX.Size));
    raw(s, f->IndexLookup.Data, static_cast<std::size_t>(f->IndexLookup.Size));
  }
  return s;
}

struct Baked {
  bool found = false, from_cache = false;
  std::string sig;
  int fonts = 0;
  bool sets_point_into_atlas = false;
};

// A few characters, so a bake takes milliseconds and the damaged-file cases can bake
// dozens of times; the fidelity case bakes the kiosk's real text.
const std::string kSmallText = "绿色出行满意度调查问卷，下一题。";

Baked bake(const std::string& cache, const FontFile& file, const std::string& text, int text_size = 0,
           bool input = false, const std::string& console = {}, float scale = 1.0f) {
  ImFontAtlas atlas;
  Fonts f;
  f.atlas = &atlas;
  f.with_input = input;
  f.cache_dir = cache;
  Baked b;
  b.found = build_fonts(f, file, scale, text, console, text_size);
  b.from_cache = f.from_cache;
  b.sig = signature(atlas);
  b.fonts = atlas.Fonts.Size;
  auto in = [&](const ImFont* p) { return p && std::find(atlas.Fonts.begin(), atlas.Fonts.end(), p) != atlas.Fonts.end(); };
  b.sets_point_into_atlas = in(f.normal.small) && in(f.normal.body) && in(f.normal.title) &&
                            (!input || in(f.normal.input)) && (console.empty() || (in(f.console) && in(f.console_heading)));
  if (b.sets_point_into_atlas) {  // and the fonts draw: a glyph looked up, a width measured
    CHECK(f.normal.body->FindGlyphNoFallback('A') != nullptr);
    CHECK(f.normal.body->CalcTextSizeA(f.normal.body->FontSize, 1e9f, 0, text.c_str()).x > 0);
  }
  return b;
}

// kSmallText's atlas baked without the cache, for the cases that store and restore it.
struct SmallAtlas {
  FontFile file = find_cjk_font();
  ImFontAtlas atlas;
  SmallAtlas() {
    REQUIRE(!file.path.empty());
    Fonts f;
    f.atlas = &atlas;
    REQUIRE(build_fonts(f, file, 1.0f, kSmallText));
  }
};

std::vector<std::string> atlas_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".atlas") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary | std::ios::trunc) << s; }

}  // namespace

TEST_CASE("atlas cache: a kept atlas is the baked one, pixel for pixel and glyph for glyph, with the input's and the console's fonts") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  struct Case {
    int text_size;
    bool input;
    std::string console;
  };
  std::vector<Case> cases = {{0, false, ""}, {2, false, ""}, {1, true, ""}, {0, false, "指标任务牵头部门完成情况"}};
  if (!test::sanitized()) cases.push_back({2, true, "控制台"});
  const std::string text = kSmallText + "生态文明建设示范区知晓率";
  for (const Case& c : cases) {
    CAPTURE(c.text_size);
    CAPTURE(c.input);
    CAPTURE(c.console);
    Baked fresh = bake("", file, text, c.text_size, c.input, c.console);  // no cache at all
    Baked first = bake(cache, file, text, c.text_size, c.input, c.console);
    Baked second = bake(cache, file, text, c.text_size, c.input, c.console);
    CHECK(fresh.found);
    CHECK_FALSE(fresh.from_cache);
    CHECK_FALSE(first.from_cache);  // nothing kept yet: baked, then kept
    CHECK(second.from_cache);
    CHECK(second.found);
    CHECK(second.sets_point_into_atlas);
    CHECK(second.fonts == fresh.fonts);
    CHECK(first.sig == fresh.sig);
    CHECK(second.sig.size() == fresh.sig.size());
    CHECK(second.sig == fresh.sig);
  }
  CHECK(atlas_files(cache).size() == cases.size());
}

TEST_CASE("atlas cache: any change to what an atlas is baked from bakes afresh") {
  test::TempDir dir;
  FontFile system_font = find_cjk_font();
  REQUIRE(!system_font.path.empty());
  // A copy of the font, so its time can be changed as an update would.
  FontFile file{dir.file("font.ttc"), system_font.index};
  std::filesystem::copy_file(system_font.path, file.path);
  const std::string cache = dir.file("fonts");
  Baked base = bake(cache, file, kSmallText);
  REQUIRE(bake(cache, file, kSmallText).from_cache);
  // Another character, size, text size, input font, console text: each a miss that
  // bakes exactly what a bake without the cache makes.
  struct Change {
    std::string what;
    std::string text;
    int text_size;
    bool input;
    std::string console;
    float scale;
  };
  for (const Change& c : {Change{"one more character", kSmallText + "鹅", 0, false, "", 1.0f},
                          Change{"one character fewer", kSmallText.substr(3), 0, false, "", 1.0f},
                          Change{"another scale", kSmallText, 0, false, "", 1.0001f},
                          Change{"another text size", kSmallText, 1, false, "", 1.0f},
                          Change{"the input font", kSmallText, 0, true, "", 1.0f},
                          Change{"console text", kSmallText, 0, false, "部门", 1.0f}}) {
    CAPTURE(c.what);
    Baked changed = bake(cache, file, c.text, c.text_size, c.input, c.console, c.scale);
    CHECK_FALSE(changed.from_cache);
    CHECK(changed.sig == bake("", file, c.text, c.text_size, c.input, c.console, c.scale).sig);
    CHECK(changed.sig != base.sig);
    CHECK(bake(cache, file, c.text, c.text_size, c.input, c.console, c.scale).from_cache);  // kept in its turn
  }
  // The font file updated in place (its time changes): baked from the new file.
  timespec times[2] = {{0, UTIME_OMIT}, {1'700'000'000, 0}};
  REQUIRE(utimensat(AT_FDCWD, file.path.c_str(), times, 0) == 0);
  CHECK_FALSE(bake(cache, file, kSmallText).from_cache);
  CHECK(bake(cache, file, kSmallText).from_cache);
  // Rewritten in place with its modification time put back (as `cp -p` or a restore
  // from a backup does): its change time still differs.
  struct stat before {};
  REQUIRE(::stat(file.path.c_str(), &before) == 0);
  {
    std::fstream rewrite(file.path, std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    rewrite.seekg(100);
    rewrite.get(c);
    rewrite.seekp(100);
    rewrite.put(c);  // the same byte: the font still bakes, but the file was written
  }
  timespec same_time[2] = {{0, UTIME_OMIT}, before.st_mtim};
  REQUIRE(utimensat(AT_FDCWD, file.path.c_str(), same_time, 0) == 0);
  CHECK_FALSE(bake(cache, file, kSmallText).from_cache);
  // Another face of the same collection file.
  FontFile other{file.path, file.index == 0 ? 1 : 0};
  CHECK_FALSE(bake(cache, other, kSmallText).from_cache);
}

TEST_CASE("atlas cache: a damaged, truncated or planted file is never used, and is replaced by a good one") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  Baked fresh = bake("", file, kSmallText);
  REQUIRE_FALSE(bake(cache, file, kSmallText).from_cache);
  auto files = atlas_files(cache);
  REQUIRE(files.size() == 1);
  const std::string path = files[0];
  const std::string good = read_file(path);
  REQUIRE(good.size() > 1000);
  REQUIRE(bake(cache, file, kSmallText).from_cache);

  auto check_refused = [&](const std::string& content, const std::string& what) {
    CAPTURE(what);
    CAPTURE(content.size());
    write_file(path, content);
    Baked b = bake(cache, file, kSmallText);
    CHECK_FALSE(b.from_cache);
    CHECK(b.found);
    CHECK(b.sig == fresh.sig);
    CHECK(read_file(path) == good);  // baked and kept again, whole
  };
  check_refused("", "empty");
  // Cut short anywhere: in the header, in the glyphs, in the pixels, one byte short.
  int cuts = test::sanitized() ? 12 : 40;
  for (int i = 0; i < cuts; ++i) check_refused(good.substr(0, good.size() * i / cuts), "truncated");
  check_refused(good.substr(0, good.size() - 1), "one byte short");
  check_refused(good + "x", "one byte more");
  // One byte changed: the magic, the key, the length, the checksum, the payload's start
  // and the texture's last pixel.
  for (std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{47}, std::size_t{48},
                         std::size_t{56}, std::size_t{87}, std::size_t{88}, std::size_t{100}, good.size() / 2,
                         good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    check_refused(bad, "one bit flipped");
  }
  // Another atlas's file under this one's name (its key differs).
  ImFontAtlas other_atlas;
  Fonts other;
  other.atlas = &other_atlas;
  REQUIRE(build_fonts(other, file, 1.0f, "另一个"));
  std::string other_dir = dir.file("other");
  REQUIRE(store_atlas(other_dir, atlas_key("another key"), other_atlas));
  check_refused(read_file(atlas_files(other_dir).at(0)), "another atlas's file");

  // A symbolic link planted under the kept file's name, to a good copy elsewhere: not
  // followed; the link (not its target) is replaced by the new file.
  std::string target = dir.file("planted.atlas");
  write_file(target, good);
  std::filesystem::remove(path);
  std::filesystem::create_symlink(target, path);
  Baked via_link = bake(cache, file, kSmallText);
  CHECK_FALSE(via_link.from_cache);
  CHECK(via_link.sig == fresh.sig);
  CHECK_FALSE(std::filesystem::is_symlink(path));
  CHECK(read_file(target) == good);
  // A FIFO under the file's name: opening it must not wait for a writer that never comes.
  std::filesystem::remove(path);
  REQUIRE(mkfifo(path.c_str(), 0600) == 0);
  Baked via_fifo = bake(cache, file, kSmallText);
  CHECK_FALSE(via_fifo.from_cache);
  CHECK(via_fifo.sig == fresh.sig);
  CHECK(read_file(path) == good);  // replaced by the new file
  // A folder under the file's name: baked, nothing kept, nothing removed.
  std::filesystem::remove(path);
  std::filesystem::create_directories(path + "/inside");
  CHECK_FALSE(bake(cache, file, kSmallText).from_cache);
  CHECK(std::filesystem::is_directory(path + "/inside"));
  CHECK(bake(cache, file, kSmallText).sig == fresh.sig);
}

TEST_CASE("atlas cache: a cache folder that is a link, a file or missing its parent is baked around") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  test::TempDir dir;
  Baked fresh = bake("", file, kSmallText);
  // The folder a symbolic link (to a folder holding a good atlas): not followed either way.
  std::string real = dir.file("real");
  REQUIRE_FALSE(bake(real, file, kSmallText).from_cache);
  std::string link = dir.file("link");
  std::filesystem::create_directory_symlink(real, link);
  auto before = atlas_files(real);
  Baked b = bake(link, file, kSmallText);
  CHECK_FALSE(b.from_cache);
  CHECK(b.sig == fresh.sig);
  CHECK(atlas_files(real) == before);
  // A regular file where the folder should be.
  std::string plain = dir.write("plain", "not a folder");
  b = bake(plain, file, kSmallText);
  CHECK_FALSE(b.from_cache);
  CHECK(b.sig == fresh.sig);
  CHECK(read_file(plain) == "not a folder");
  // Missing parents are made; the folder itself is private.
  std::string deep = dir.file("a/b/c/fonts");
  CHECK_FALSE(bake(deep, file, kSmallText).from_cache);
  CHECK(bake(deep, file, kSmallText).from_cache);
  struct stat st {};
  REQUIRE(::stat(deep.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("atlas cache: restore_atlas refuses every damaged payload without touching the atlas") {
  SmallAtlas small;
  const FontFile& file = small.file;
  const ImFontAtlas& source = small.atlas;
  const std::string payload = atlas_payload(source);
  REQUIRE(!payload.empty());
  ImFontAtlas target;
  REQUIRE(restore_atlas(payload, target));
  CHECK(signature(target) == signature(source));
  const std::string good_sig = signature(target);

  // Fields at fixed offsets (atlas_cache.cpp writes them in this order).
  constexpr std::size_t kWidth = 8, kHeight = 12, kWhite = 16, kRectCount = 24 + 64 * 16 + 8;
  auto put32 = [](std::string s, std::size_t at, std::uint32_t v) {
    std::memcpy(s.data() + at, &v, 4);
    return s;
  };
  auto putf = [](std::string s, std::size_t at, float v) {
    std::memcpy(s.data() + at, &v, 4);
    return s;
  };
  std::uint32_t n_rects = 0;
  std::memcpy(&n_rects, payload.data() + kRectCount, 4);
  const std::size_t fonts_at = kRectCount + 4 + n_rects * 28;
  const std::size_t glyphs_at = fonts_at + 4 + 4 * 4 + 4 + 3 * 2 + 4;
  struct Bad {
    std::string what;
    std::string payload;
  };
  std::vector<Bad> bad = {
      {"empty", ""},
      {"width 0", put32(payload, kWidth, 0)},
      {"a 16384x16384 texture without its pixels", put32(put32(payload, kWidth, 16384), kHeight, 16384)},
      {"height one row short", put32(payload, kHeight, static_cast<std::uint32_t>(source.TexHeight - 1))},
      {"white pixel outside the texture", putf(payload, kWhite, 1.5f)},
      {"white pixel NaN", putf(payload, kWhite, std::nanf(""))},
      {"a billion custom rectangles", put32(payload, kRectCount, 1'000'000'000)},
      {"no fonts", put32(payload, fonts_at, 0)},
      {"a billion fonts", put32(payload, fonts_at, 1'000'000'000)},
      {"a font size of infinity", putf(payload, fonts_at + 4, INFINITY)},
      {"a font with no glyphs", put32(payload, fonts_at + 4 + 16 + 4 + 6, 0)},
      {"a font with 4 billion glyphs", put32(payload, fonts_at + 4 + 16 + 4 + 6, 0xFFFFFFFF)},
      {"a codepoint past U+FFFF", put32(payload, glyphs_at, 0x10000)},
      {"a glyph's texture coordinate past the edge", putf(payload, glyphs_at + 4 + 5 * 4, 1.01f)},
      {"a glyph's corner NaN", putf(payload, glyphs_at + 4 + 4, std::nanf(""))},
      {"the last pixel missing", payload.substr(0, payload.size() - 1)},
      {"a byte more", payload + "x"},
  };
  if (n_rects > 0) {
    bad.push_back({"a rectangle past the texture's edge", put32(payload, kRectCount + 4 + 4, 0xFFFE)});  // X
    bad.push_back({"a rectangle of a font that is not there", put32(payload, kRectCount + 4 + 24, 7)});
  }
  for (const Bad& b : bad) {
    CAPTURE(b.what);
    CHECK_FALSE(restore_atlas(b.payload, target));
    CHECK(signature(target) == good_sig);  // untouched
  }

  // Random damage (seeded, so a failure repeats): each result is either refused with the
  // atlas untouched, or an atlas whose every glyph and index stays inside its tables and
  // texture, and which measures and looks up text without reading out of bounds
  // (AddressSanitizer watches in the sanitizer run).
  std::mt19937 rng(20261201);
  int rounds = test::sanitized() ? 600 : 6000, accepted = 0;
  ImFontAtlas a;
  REQUIRE(restore_atlas(payload, a));
  for (int i = 0; i < rounds; ++i) {
    std::string p = payload;
    int kind = static_cast<int>(rng() % 3);
    if (kind == 0) {
      p.resize(rng() % p.size());
    } else {
      int n = 1 + static_cast<int>(rng() % 4);
      // Most damage in the structured part before the pixels, where it matters.
      std::size_t span = kind == 1 ? std::min<std::size_t>(p.size(), glyphs_at + 2000) : p.size();
      for (int k = 0; k < n; ++k) p[rng() % span] = static_cast<char>(rng());
    }
    const ImFont* font0 = a.Fonts[0];
    const unsigned char* pixels = a.TexPixelsAlpha8;
    if (!restore_atlas(p, a)) {
      // A restore replaces the fonts and the texture, so the same objects mean untouched;
      // now and then the whole atlas is compared too.
      CHECK((a.Fonts.Size == 3 && a.Fonts[0] == font0 && a.TexPixelsAlpha8 == pixels));
      if (i % 100 == 0) CHECK(signature(a) == good_sig);
      continue;
    }
    ++accepted;
    REQUIRE(a.Fonts.Size >= 1);
    for (const ImFont* font : a.Fonts) {
      bool inside = font->FallbackGlyph != nullptr;
      for (const ImFontGlyph& g : font->Glyphs)
        inside = inside && g.Codepoint <= IM_UNICODE_CODEPOINT_MAX && g.U0 >= 0 && g.U1 <= 1 && g.V0 >= 0 && g.V1 <= 1;
      for (ImWchar idx : font->IndexLookup) inside = inside && (idx == static_cast<ImWchar>(-1) || idx < font->Glyphs.Size);
      CHECK(inside);
      font->CalcTextSizeA(font->FontSize, 1e9f, 200.f, (kSmallText + "\t Az").c_str());
      font->FindGlyph(0x7EFF);
    }
    REQUIRE(restore_atlas(payload, a));  // back to the good atlas for the next round
  }
  MESSAGE(accepted << " of " << rounds << " damaged payloads were accepted (damage inside pixels or values still in range)");
}

TEST_CASE("atlas cache: a planted file with a valid checksum cannot abort the kiosk, blow glyphs up or swap in other sizes") {
  SmallAtlas small;
  const FontFile& file = small.file;
  const ImFontAtlas& source = small.atlas;
  // 0xFFFE glyphs in one font: ImFont::BuildLookupTable asserts (and Debian's libimgui
  // aborts) at 0xFFFF once it adds the tab's glyph; 0xFFFD is the most a file may hold.
  for (int n : {0xFFFD, 0xFFFE, 0xFFFF, 0x10000}) {
    CAPTURE(n);
    ImFontAtlas big;
    REQUIRE(restore_atlas(atlas_payload(source), big));
    ImVector<ImFontGlyph>& g = big.Fonts[0]->Glyphs;
    ImFontGlyph a = *big.Fonts[0]->FindGlyph('A');
    g.clear();  // the tab's glyph last, as a bake leaves it
    while (g.Size < n - 1) g.push_back(a);
    g.push_back(*source.Fonts[0]->FindGlyph('\t'));
    ImFontAtlas target;
    CHECK(restore_atlas(atlas_payload(big), target) == (n <= 0xFFFD));
  }
  // A glyph's quad far larger than its place in the texture (it would cover the screen),
  // or far from the pen.
  for (int what = 0; what < 3; ++what) {
    CAPTURE(what);
    ImFontAtlas bad;
    REQUIRE(restore_atlas(atlas_payload(source), bad));
    ImFontGlyph& g = bad.Fonts[1]->Glyphs[10];
    if (what == 0) g.X1 = g.X0 + 2000;
    if (what == 1) g.Y1 = g.Y0 + 30;
    if (what == 2) g.X0 = g.X1 = -10000;
    ImFontAtlas target;
    CHECK_FALSE(restore_atlas(atlas_payload(bad), target));
  }
  // A whole atlas of other sizes (another window size's) stored under this one's key:
  // checksum and key are right, the fonts' pixel sizes are not.
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  Baked fresh = bake("", file, kSmallText);
  REQUIRE_FALSE(bake(cache, file, kSmallText).from_cache);
  const std::string path = atlas_files(cache).at(0);
  const std::string kept = read_file(path);
  AtlasKey key{};
  std::memcpy(key.data(), kept.data() + 16, key.size());  // after the 16-byte magic
  ImFontAtlas other;
  Fonts o;
  o.atlas = &other;
  REQUIRE(build_fonts(o, file, 1.25f, kSmallText));
  REQUIRE(store_atlas(cache, key, other));
  REQUIRE(read_file(path) != kept);
  ImFontAtlas probe;
  REQUIRE(load_atlas(cache, key, probe));  // a valid file as such
  Baked b = bake(cache, file, kSmallText);
  CHECK_FALSE(b.from_cache);
  CHECK(b.sig == fresh.sig);
  CHECK(read_file(path) == kept);  // replaced by this key's own atlas
}

TEST_CASE("atlas cache: a folder others may write to, or another user's, is not used") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  REQUIRE_FALSE(bake(cache, file, kSmallText).from_cache);
  REQUIRE(bake(cache, file, kSmallText).from_cache);
  for (mode_t mode : {0777, 0770, 0722, 01777}) {
    CAPTURE(mode);
    REQUIRE(::chmod(cache.c_str(), mode) == 0);
    CHECK_FALSE(bake(cache, file, kSmallText).from_cache);
  }
  REQUIRE(::chmod(cache.c_str(), 0700) == 0);
  CHECK(bake(cache, file, kSmallText).from_cache);
  // A folder made by someone else where ours would be (only root can set that up here).
  if (::geteuid() == 0) {
    REQUIRE(::chown(cache.c_str(), 65534, 65534) == 0);
    auto before = atlas_files(cache);
    CHECK_FALSE(bake(cache, file, kSmallText).from_cache);
    CHECK(atlas_files(cache) == before);
    REQUIRE(::chown(cache.c_str(), 0, 0) == 0);
  } else {
    MESSAGE("not root: another user's folder not tried");
  }
}

TEST_CASE("atlas cache: the default folder is an absolute CACHE_DIRECTORY, XDG_CACHE_HOME or HOME, never a relative one") {
  struct Env {
    const char* cache;
    const char* xdg;
    const char* home;
    std::string want;
  };
  auto set = [](const char* name, const char* v) {
    if (v) ::setenv(name, v, 1);
    else ::unsetenv(name);
  };
  std::string saved[3];
  bool had[3];
  const char* names[3] = {"CACHE_DIRECTORY", "XDG_CACHE_HOME", "HOME"};
  for (int i = 0; i < 3; ++i) {
    const char* v = std::getenv(names[i]);
    had[i] = v != nullptr;
    if (v) saved[i] = v;
  }
  for (const Env& e : {Env{"/var/cache/ecokiosk", "/x", "/h", "/var/cache/ecokiosk"},
                       Env{"/a:/b", nullptr, "/h", "/a"},
                       Env{"rel:/b", nullptr, "/h", "/b"},
                       Env{":/b", nullptr, "/h", "/b"},
                       Env{"rel", "/x", "/h", "/x/ecokiosk"},
                       Env{"", "/x", "/h", "/x/ecokiosk"},
                       Env{nullptr, "relative", "/h", "/h/.cache/ecokiosk"},
                       Env{nullptr, nullptr, "/h", "/h/.cache/ecokiosk"},
                       Env{nullptr, nullptr, "relative", ""},
                       Env{nullptr, nullptr, nullptr, ""}}) {
    set("CACHE_DIRECTORY", e.cache);
    set("XDG_CACHE_HOME", e.xdg);
    set("HOME", e.home);
    CAPTURE(e.want);
    CHECK(default_font_cache_dir() == e.want);
  }
  for (int i = 0; i < 3; ++i) set(names[i], had[i] ? saved[i].c_str() : nullptr);
}

TEST_CASE("atlas cache: the folder keeps the 16 most recently used atlases, and a writer's fresh temporary file") {
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  SmallAtlas small;
  const ImFontAtlas& atlas = small.atlas;
  // Stored one a second apart in the past, oldest first.
  auto age = [&](int key, int seconds_ago) {
    std::string p = cache + "/" + atlas_file_name(atlas_key("key " + std::to_string(key)));
    timespec t[2] = {{0, UTIME_OMIT}, {time(nullptr) - seconds_ago, 0}};
    REQUIRE(utimensat(AT_FDCWD, p.c_str(), t, 0) == 0);
  };
  for (int k = 0; k < kAtlasCacheKeep; ++k) {
    REQUIRE(store_atlas(cache, atlas_key("key " + std::to_string(k)), atlas));
    age(k, 1000 - k);
  }
  // Someone else's temporary file being written now, and one a killed writer left an hour ago.
  const std::string hex = "0123456789abcdef0123456789abcdef";
  std::string writing = dir.write("fonts/" + hex + ".atlas.tmp.99999.0", "half");
  std::string left = dir.write("fonts/" + hex + ".atlas.tmp.99998.0", "half");
  timespec hour_ago[2] = {{0, UTIME_OMIT}, {time(nullptr) - 3600, 0}};
  REQUIRE(utimensat(AT_FDCWD, left.c_str(), hour_ago, 0) == 0);
  // Files that are not the cache's, old or not, whatever their names look like.
  std::vector<std::string> unrelated = {dir.write("fonts/notes.txt", "not ours"),
                                        dir.write("fonts/sprite.atlas", "a game's"),
                                        dir.write("fonts/notes.atlas.tmpl", "a template"),
                                        dir.write("fonts/my.atlas.tmp.bak", "a backup"),
                                        dir.write("fonts/" + hex + ".atlas.tmp.x.1", "not a writer's"),
                                        dir.write("fonts/" + hex.substr(1) + ".atlas", "31 digits")};
  for (const std::string& u : unrelated) REQUIRE(utimensat(AT_FDCWD, u.c_str(), hour_ago, 0) == 0);
  // The oldest is used again: it becomes the newest.
  ImFontAtlas loaded;
  REQUIRE(load_atlas(cache, atlas_key("key 0"), loaded));
  CHECK(signature(loaded) == signature(atlas));
  for (int k = kAtlasCacheKeep; k < kAtlasCacheKeep + 3; ++k) REQUIRE(store_atlas(cache, atlas_key("key " + std::to_string(k)), atlas));
  CHECK(atlas_files(cache).size() == static_cast<std::size_t>(kAtlasCacheKeep) + 2);  // with sprite.atlas and the 31 digits
  ImFontAtlas probe;
  CHECK(load_atlas(cache, atlas_key("key 0"), probe));  // used recently: kept
  for (int k : {1, 2, 3}) CHECK_FALSE(load_atlas(cache, atlas_key("key " + std::to_string(k)), probe));
  for (int k = 4; k < kAtlasCacheKeep + 3; ++k) CHECK(load_atlas(cache, atlas_key("key " + std::to_string(k)), probe));
  CHECK(std::filesystem::exists(writing));
  CHECK_FALSE(std::filesystem::exists(left));
  for (const std::string& u : unrelated) CHECK_MESSAGE(std::filesystem::exists(u), u);
}

TEST_CASE("atlas cache: the folder stays within its byte limit, keeping the newest atlas even when it alone is over") {
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  SmallAtlas small;
  const ImFontAtlas& atlas = small.atlas;
  auto name = [&](int k) { return cache + "/" + atlas_file_name(atlas_key("key " + std::to_string(k))); };
  REQUIRE(store_atlas(cache, atlas_key("key 0"), atlas));
  const auto one = std::filesystem::file_size(name(0));
  AtlasCacheLimits three{16, 3 * one + one / 2};  // room for three and a half
  for (int k = 0; k < 6; ++k) {
    if (k > 0) REQUIRE(store_atlas(cache, atlas_key("key " + std::to_string(k)), atlas, three));
    timespec t[2] = {{0, UTIME_OMIT}, {time(nullptr) - 100 + k, 0}};  // stored in order, a second apart
    REQUIRE(utimensat(AT_FDCWD, name(k).c_str(), t, 0) == 0);
  }
  REQUIRE(store_atlas(cache, atlas_key("key 6"), atlas, three));
  CHECK(atlas_files(cache).size() == 3);
  for (int k : {4, 5, 6}) CHECK(std::filesystem::exists(name(k)));
  // A limit smaller than one atlas: the newest stays (it is the one in use), nothing else.
  REQUIRE(store_atlas(cache, atlas_key("key 7"), atlas, {16, one / 2}));
  CHECK(atlas_files(cache) == std::vector<std::string>{name(7)});
}

TEST_CASE("atlas cache: four processes baking and loading the same atlas at once all draw the baked one") {
  FontFile file = find_cjk_font();
  REQUIRE(!file.path.empty());
  test::TempDir dir;
  const std::string cache = dir.file("fonts");
  const std::string expected = bake("", file, kSmallText).sig;
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // never back into doctest: the child always leaves by _exit
      int wrong = 0;
      try {
        for (int i = 0; i < 15; ++i) {
          // Some rounds start from nothing, so stores and loads of one file overlap.
          std::error_code ec;
          if (i % 5 == k) std::filesystem::remove_all(cache, ec);  // may race another's store: fine
          Baked b = bake(cache, file, kSmallText);
          if (b.sig != expected || !b.found) ++wrong;
        }
      } catch (...) {
        _exit(100);
      }
      _exit(wrong);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(bake(cache, file, kSmallText).from_cache);
}
