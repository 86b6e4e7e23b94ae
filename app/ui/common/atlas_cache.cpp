#include "ui/common/atlas_cache.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <imgui.h>
#include <sodium.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace eco::ui {

namespace {

// Bumped whenever the payload's layout or the way fonts.cpp bakes changes.
constexpr char kMagic[16] = {'E', 'C', 'O', 'K', 'I', 'O', 'S', 'K', '-', 'A', 'T', 'L', 'A', 'S', '\0', '1'};
constexpr std::size_t kHeader = sizeof kMagic + 32 + 8 + 32;  // magic, key, payload length, checksum
constexpr std::size_t kMaxFile = std::size_t{64} << 20;  // the largest atlas (input font, text size 2) is ~12 MB
constexpr int kMaxSide = 16384;  // no GL driver takes a larger texture

// This program (ImGui is linked in statically, and the bake's settings live in its code)
// and the FreeType library loaded with it: a new build or a FreeType update bakes afresh.
const std::string& program_identity() {
  static const std::string id = [] {
    std::string s = std::string(kMagic, sizeof kMagic) + "|imgui " + IMGUI_VERSION + "|exe " + file_identity("/proc/self/exe");
    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib) == 0) {
      FT_Int a = 0, b = 0, c = 0;
      FT_Library_Version(lib, &a, &b, &c);
      s += "|freetype " + std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
      FT_Done_FreeType(lib);
    }
    return s;
  }();
  return id;
}

struct Writer {
  std::string s;
  template <class T>
  void put(T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class... T>
  void put_all(T... v) {
    (put(v), ...);  // a comma fold: in order, left to right
  }
};

struct Reader {
  std::string_view s;
  std::size_t at = 0;
  bool ok = true;
  template <class T>
  T get() {
    T v{};
    if (!ok || s.size() - at < sizeof v) {
      ok = false;
      return v;
    }
    std::memcpy(&v, s.data() + at, sizeof v);
    at += sizeof v;
    return v;
  }
  // A float that is finite and within [lo, hi]; anything else fails the whole read.
  float num(float lo, float hi) {
    float v = get<float>();
    if (!std::isfinite(v) || v < lo || v > hi) ok = false;
    return v;
  }
};

struct GlyphOut {
  std::uint32_t code_flags;  // codepoint | visible << 30 | colored << 31
  float f[9];                // AdvanceX, X0, Y0, X1, Y1, U0, V0, U1, V1
};

struct FontOut {
  float size = 0, scale = 1, ascent = 0, descent = 0;
  int metrics = 0;
  ImWchar fallback = 0, ellipsis = 0, dot = 0;
  std::vector<ImFontGlyph> glyphs;
};

struct RectOut {
  ImFontAtlasCustomRect r;
  int font = -1;
};

int font_index(const ImFontAtlas& atlas, const ImFont* f) {
  for (int i = 0; i < atlas.Fonts.Size; ++i)
    if (atlas.Fonts[i] == f) return i;
  return -1;
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The cache folder, never through a symbolic link at its last component, and only one
// this user owns and nobody else may write to: anyone who can write there can plant an
// atlas with a valid checksum. Made 0700 when `create` and missing (its parents as the
// umask allows, like any XDG cache).
int open_dir(const std::string& dir, bool create) {
  if (dir.empty()) return -1;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && create && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::path p(dir);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return -1;
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  struct stat st {};
  if (fd >= 0 && (::fstat(fd, &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Only the names this code makes: 32 hex digits, ".atlas", and for a file being written
// ".tmp.<pid>.<n>" after it. Anything else in the folder is not ours to delete.
bool is_cache_entry(std::string_view name, bool* tmp) {
  constexpr std::size_t kHex = 32;
  if (name.size() < kHex + 6 || name.find_first_not_of("0123456789abcdef") != kHex) return false;
  std::string_view rest = name.substr(kHex);
  if (rest == ".atlas") {
    *tmp = false;
    return true;
  }
  if (!rest.starts_with(".atlas.tmp.")) return false;
  rest.remove_prefix(11);
  std::size_t dot = rest.find('.');
  auto digits = [](std::string_view d) { return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos; };
  *tmp = true;
  return dot != std::string_view::npos && digits(rest.substr(0, dot)) && digits(rest.substr(dot + 1));
}

// Keeps the most recently used atlases within the limits. A temporary file is left
// alone for a minute, in case another kiosk process is still writing it; an older one
// was left by a writer that was killed, and goes.
void prune(int dfd, AtlasCacheLimits limits) {
  int dup = ::dup(dfd);
  if (dup < 0) return;
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return;
  }
  struct Entry {
    std::int64_t used;
    std::uint64_t bytes;
    std::string name;
  };
  std::vector<Entry> kept;
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  while (dirent* e = ::readdir(d)) {
    bool tmp = false;
    if (!is_cache_entry(e->d_name, &tmp)) continue;
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (tmp) {
      if (now - st.st_mtim.tv_sec >= 60) ::unlinkat(dfd, e->d_name, 0);
      continue;
    }
    kept.push_back({st.st_mtim.tv_sec * 1'000'000'000 + st.st_mtim.tv_nsec, static_cast<std::uint64_t>(st.st_size), e->d_name});
  }
  ::closedir(d);
  std::sort(kept.begin(), kept.end(), [](const Entry& a, const Entry& b) { return a.used > b.used; });
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    total += kept[i].bytes;
    if (i > 0 && (i >= static_cast<std::size_t>(std::max(limits.files, 1)) || total > limits.bytes))
      ::unlinkat(dfd, kept[i].name.c_str(), 0);
  }
}

}  // namespace

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
}

AtlasKey atlas_key(std::string_view inputs) {
  AtlasKey k{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, k.size());
  const std::string& id = program_identity();
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(id.data()), id.size() + 1);  // and its '\0'
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(inputs.data()), inputs.size());
  crypto_generichash_final(&st, k.data(), k.size());
  return k;
}

std::string default_font_cache_dir() {
  if (const char* c = std::getenv("CACHE_DIRECTORY"); c && *c) {
    std::string_view s = c;  // several folders are separated by colons: the first absolute one
    while (!s.empty()) {
      std::string_view one = s.substr(0, s.find(':'));
      if (one.starts_with('/')) return std::string(one);
      s.remove_prefix(std::min(s.size(), one.size() + 1));
    }
  }
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') return std::string(x) + "/ecokiosk";
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.cache/ecokiosk";
  return {};
}

std::string atlas_file_name(const AtlasKey& key) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    s += hex[key[static_cast<std::size_t>(i)] >> 4];
    s += hex[key[static_cast<std::size_t>(i)] & 15];
  }
  return s + ".atlas";
}

std::string atlas_payload(const ImFontAtlas& atlas) {
  if (!atlas.TexReady || !atlas.TexPixelsAlpha8 || atlas.TexPixelsUseColors || atlas.Fonts.Size == 0 ||
      atlas.TexWidth <= 0 || atlas.TexHeight <= 0)
    return {};
  Writer w;
  w.put_all<std::int32_t, std::int32_t, std::int32_t, std::int32_t>(atlas.Flags, atlas.TexGlyphPadding, atlas.TexWidth,
                                                                    atlas.TexHeight);
  w.put_all(atlas.TexUvWhitePixel.x, atlas.TexUvWhitePixel.y);
  for (const ImVec4& l : atlas.TexUvLines) w.put_all(l.x, l.y, l.z, l.w);
  w.put_all<std::int32_t, std::int32_t>(atlas.PackIdMouseCursors, atlas.PackIdLines);
  w.put<std::uint32_t>(static_cast<std::uint32_t>(atlas.CustomRects.Size));
  for (const ImFontAtlasCustomRect& r : atlas.CustomRects)
    w.put_all<unsigned short, unsigned short, unsigned short, unsigned short, std::uint32_t, float, float, float,
              std::int32_t>(r.Width, r.Height, r.X, r.Y, r.GlyphID, r.GlyphAdvanceX, r.GlyphOffset.x, r.GlyphOffset.y,
                            r.Font ? font_index(atlas, r.Font) : -1);
  w.put<std::uint32_t>(static_cast<std::uint32_t>(atlas.Fonts.Size));
  for (const ImFont* f : atlas.Fonts) {
    w.put_all(f->FontSize, f->Scale, f->Ascent, f->Descent);
    w.put_all<std::int32_t, std::uint16_t, std::uint16_t, std::uint16_t, std::uint32_t>(
        f->MetricsTotalSurface, f->FallbackChar, f->EllipsisChar, f->DotChar, static_cast<std::uint32_t>(f->Glyphs.Size));
    for (const ImFontGlyph& g : f->Glyphs) {
      std::uint32_t visible = g.Visible, colored = g.Colored;  // unsigned before shifting into bit 31
      w.put<std::uint32_t>(g.Codepoint | (visible << 30) | (colored << 31));
      for (float v : {g.AdvanceX, g.X0, g.Y0, g.X1, g.Y1, g.U0, g.V0, g.U1, g.V1}) w.put(v);
    }
  }
  w.s.append(reinterpret_cast<const char*>(atlas.TexPixelsAlpha8),
             static_cast<std::size_t>(atlas.TexWidth) * static_cast<std::size_t>(atlas.TexHeight));
  return std::move(w.s);
}

bool restore_atlas(std::string_view payload, ImFontAtlas& atlas) {
  Reader in{payload};
  int flags = in.get<std::int32_t>();
  int padding = in.get<std::int32_t>();
  int tw = in.get<std::int32_t>();
  int th = in.get<std::int32_t>();
  if (!in.ok || (flags & ~(ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors |
                           ImFontAtlasFlags_NoBakedLines)) != 0 ||
      padding < 0 || padding > 64 || tw < 1 || th < 1 || tw > kMaxSide || th > kMaxSide)
    return false;
  ImVec2 white;
  white.x = in.num(0, 1);
  white.y = in.num(0, 1);
  ImVec4 lines[IM_ARRAYSIZE(atlas.TexUvLines)];
  for (ImVec4& l : lines) {  // one by one: the arguments of a call are read in no set order
    l.x = in.num(0, 1);
    l.y = in.num(0, 1);
    l.z = in.num(0, 1);
    l.w = in.num(0, 1);
  }
  int pack_cursors = in.get<std::int32_t>();
  int pack_lines = in.get<std::int32_t>();
  std::uint32_t n_rects = in.get<std::uint32_t>();
  if (!in.ok || n_rects > 1024) return false;
  std::vector<RectOut> rects(n_rects);
  for (RectOut& r : rects) {
    r.r.Width = in.get<unsigned short>();
    r.r.Height = in.get<unsigned short>();
    r.r.X = in.get<unsigned short>();
    r.r.Y = in.get<unsigned short>();
    r.r.GlyphID = in.get<std::uint32_t>();
    r.r.GlyphAdvanceX = in.num(-kMaxSide, kMaxSide);
    r.r.GlyphOffset.x = in.num(-kMaxSide, kMaxSide);
    r.r.GlyphOffset.y = in.num(-kMaxSide, kMaxSide);
    r.font = in.get<std::int32_t>();
    bool placed = r.r.X != 0xFFFF;
    if (r.r.GlyphID > 0x10FFFF || (placed && (r.r.X + r.r.Width > tw || r.r.Y + r.r.Height > th))) in.ok = false;
  }
  auto valid_id = [&](int id) { return id >= -1 && id < static_cast<int>(n_rects); };
  if (!in.ok || !valid_id(pack_cursors) || !valid_id(pack_lines)) return false;
  std::uint32_t n_fonts = in.get<std::uint32_t>();
  if (!in.ok || n_fonts < 1 || n_fonts > 64) return false;
  std::vector<FontOut> fonts(n_fonts);
  for (FontOut& f : fonts) {
    f.size = in.num(0.5f, kMaxSide);
    f.scale = in.num(1e-3f, 1e3f);
    f.ascent = in.num(-kMaxSide, kMaxSide);
    f.descent = in.num(-kMaxSide, kMaxSide);
    f.metrics = in.get<std::int32_t>();
    f.fallback = in.get<std::uint16_t>();
    f.ellipsis = in.get<std::uint16_t>();
    f.dot = in.get<std::uint16_t>();
    std::uint32_t n = in.get<std::uint32_t>();
    // At least one glyph: ImFont::BuildLookupTable falls back to the last glyph. At most
    // 0xFFFD: it asserts fewer than 0xFFFF (an index of -1 means none) after adding the
    // tab's glyph, and Debian's libimgui is built with its asserts on.
    if (!in.ok || f.metrics < 0 || n < 1 || n > 0xFFFD ||
        payload.size() - in.at < std::size_t{n} * sizeof(GlyphOut))
      return false;
    f.glyphs.resize(n);
    for (ImFontGlyph& g : f.glyphs) {
      std::uint32_t cf = in.get<std::uint32_t>();
      std::uint32_t code = cf & 0x3FFFFFFFu;
      if (code > IM_UNICODE_CODEPOINT_MAX) in.ok = false;
      g.Codepoint = code;
      g.Visible = (cf >> 30) & 1u;
      g.Colored = (cf >> 31) & 1u;
      // Within a few ems of the pen, and each quad as large as its place in the texture
      // (no scaling at bake time): a planted file cannot make a glyph cover the screen.
      const float reach = 4 * f.size + 64;
      g.AdvanceX = in.num(-reach, reach);
      g.X0 = in.num(-reach, reach);
      g.Y0 = in.num(-reach, reach);
      g.X1 = in.num(g.X0, reach);
      g.Y1 = in.num(g.Y0, reach);
      g.U0 = in.num(0, 1);
      g.V0 = in.num(0, 1);
      g.U1 = in.num(g.U0, 1);
      g.V1 = in.num(g.V0, 1);
      if (std::fabs((g.X1 - g.X0) - (g.U1 - g.U0) * static_cast<float>(tw)) > 1.0f ||
          std::fabs((g.Y1 - g.Y0) - (g.V1 - g.V0) * static_cast<float>(th)) > 1.0f)
        in.ok = false;
    }
    if (!in.ok) return false;
  }
  for (const RectOut& r : rects)
    if (r.font < -1 || r.font >= static_cast<int>(n_fonts)) return false;
  std::size_t pixels = static_cast<std::size_t>(tw) * static_cast<std::size_t>(th);
  if (!in.ok || payload.size() - in.at != pixels) return false;

  // Everything checked: only now is the atlas replaced.
  atlas.Clear();
  atlas.Flags = flags;
  atlas.TexGlyphPadding = padding;
  atlas.TexWidth = tw;
  atlas.TexHeight = th;
  atlas.TexUvScale = ImVec2(1.0f / static_cast<float>(tw), 1.0f / static_cast<float>(th));
  atlas.TexUvWhitePixel = white;
  std::copy(std::begin(lines), std::end(lines), std::begin(atlas.TexUvLines));
  atlas.TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(pixels));
  std::memcpy(atlas.TexPixelsAlpha8, payload.data() + in.at, pixels);
  for (FontOut& f : fonts) {
    ImFont* font = IM_NEW(ImFont);
    font->FontSize = f.size;
    font->Scale = f.scale;
    font->Ascent = f.ascent;
    font->Descent = f.descent;
    font->MetricsTotalSurface = f.metrics;
    font->FallbackChar = f.fallback;
    font->EllipsisChar = f.ellipsis;
    font->DotChar = f.dot;
    font->ContainerAtlas = &atlas;
    font->Glyphs.resize(static_cast<int>(f.glyphs.size()));
    std::copy(f.glyphs.begin(), f.glyphs.end(), font->Glyphs.begin());
    font->BuildLookupTable();  // the index tables, from the glyphs as the bake left them
    atlas.Fonts.push_back(font);
  }
  for (RectOut& r : rects) {
    r.r.Font = r.font >= 0 ? atlas.Fonts[r.font] : nullptr;
    atlas.CustomRects.push_back(r.r);
  }
  atlas.PackIdMouseCursors = pack_cursors;
  atlas.PackIdLines = pack_lines;
  atlas.TexReady = true;
  return true;
}

bool load_atlas(const std::string& dir, const AtlasKey& key, ImFontAtlas& atlas) {
  Fd d(open_dir(dir, false));
  if (d.fd < 0) return false;
  // O_NONBLOCK: a FIFO planted under the name would otherwise hold the start-up forever.
  Fd f(::openat(d.fd, atlas_file_name(key).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < static_cast<off_t>(kHeader) ||
      static_cast<std::size_t>(st.st_size) > kMaxFile)
    return false;
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(f.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // shorter than it said: being replaced, or damaged
    got += static_cast<std::size_t>(n);
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint64_t len = 0;
  std::memcpy(&len, p + sizeof kMagic + 32, sizeof len);
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0 || std::memcmp(p + sizeof kMagic, key.data(), key.size()) != 0 ||
      len != bytes.size() - kHeader)
    return false;
  unsigned char sum[32];
  crypto_generichash(sum, sizeof sum, p + kHeader, len, nullptr, 0);
  if (std::memcmp(sum, p + sizeof kMagic + 32 + 8, sizeof sum) != 0) return false;
  if (!restore_atlas(std::string_view(bytes).substr(kHeader), atlas)) return false;
  ::futimens(f.fd, nullptr);  // recently used: kept by prune()
  return true;
}

bool store_atlas(const std::string& dir, const AtlasKey& key, const ImFontAtlas& atlas, AtlasCacheLimits limits) {
  std::string payload = atlas_payload(atlas);
  if (payload.empty()) return false;
  Fd d(open_dir(dir, true));
  if (d.fd < 0) return false;
  unsigned char head[kHeader];
  std::memcpy(head, kMagic, sizeof kMagic);
  std::memcpy(head + sizeof kMagic, key.data(), key.size());
  std::uint64_t len = payload.size();
  std::memcpy(head + sizeof kMagic + 32, &len, sizeof len);
  crypto_generichash(head + sizeof kMagic + 32 + 8, 32, reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size(), nullptr, 0);
  static std::atomic<unsigned> serial{0};
  std::string name = atlas_file_name(key);
  std::string tmp = name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  bool ok = false;
  {
    Fd t(::openat(d.fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (t.fd < 0) return false;
    ok = write_all(t.fd, std::string_view(reinterpret_cast<const char*>(head), sizeof head)) && write_all(t.fd, payload);
  }
  // No fsync: a file a power cut leaves empty or torn fails its checksum and is baked again.
  if (ok) ok = ::renameat(d.fd, tmp.c_str(), d.fd, name.c_str()) == 0;
  if (!ok) ::unlinkat(d.fd, tmp.c_str(), 0);
  prune(d.fd, limits);
  return ok;
}

}  // namespace eco::ui
