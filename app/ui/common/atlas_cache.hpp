// Baked font atlases kept on disk between starts: the kiosk's first atlas costs 60-100 ms
// of CPU that competes with the window's own start-up on a two-core hall PC, and its
// full atlas a transient 14 MB; a kept one loads in a few milliseconds (issue 20).
// A cache only: any file that is missing, stale, damaged or odd is ignored and the atlas
// baked as before, so nothing the kiosk shows depends on it being there.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct ImFontAtlas;

namespace eco::ui {

// A digest of everything an atlas is baked from: the caller's inputs (font file and its
// stat, sizes, glyph text) plus this program's identity and the FreeType in use.
using AtlasKey = std::array<unsigned char, 32>;
AtlasKey atlas_key(std::string_view inputs);

// A file as it is now, for a key: device, inode, size, modification and change time (no
// copy that keeps the modification time can set the change time back). Empty when the
// file cannot be read.
std::string file_identity(const std::string& path);

// $CACHE_DIRECTORY (systemd's CacheDirectory=), else $XDG_CACHE_HOME/ecokiosk, else
// ~/.cache/ecokiosk; empty when none can be named.
std::string default_font_cache_dir();

// The atlas's output (texture, custom rectangles, fonts and glyphs) as bytes, and back.
// restore_atlas checks every count, coordinate and index before it touches `atlas`; on
// false the atlas is as it was. Fonts come back in the order they were added.
std::string atlas_payload(const ImFontAtlas& atlas);
bool restore_atlas(std::string_view payload, ImFontAtlas& atlas);

// The file for `key` in `dir`: loaded only when its header, key and checksum match and
// restore_atlas accepts it; stored by a write to a new file renamed over the old, so a
// reader never sees half a file. Neither follows a symbolic link at the last component
// of dir or of the file. After a store the folder keeps the most recently used atlases
// within both limits (the newest always): a kiosk uses about ten (the first atlas, three
// text sizes with and without the input's font, the console), 1-12 MB each.
struct AtlasCacheLimits {
  int files = 16;
  std::uint64_t bytes = std::uint64_t{128} << 20;
};
bool load_atlas(const std::string& dir, const AtlasKey& key, ImFontAtlas& atlas);
bool store_atlas(const std::string& dir, const AtlasKey& key, const ImFontAtlas& atlas, AtlasCacheLimits limits = {});
std::string atlas_file_name(const AtlasKey& key);
inline constexpr int kAtlasCacheKeep = AtlasCacheLimits{}.files;

}  // namespace eco::ui
