#include "ui/common/kept_text.hpp"

#include <imgui.h>

#include <cstdint>
#include <unordered_map>

namespace eco::ui {

namespace {
// FNV-1a over the pattern and each name and value, with a separator none of them holds.
std::uint64_t text_hash(std::string_view pattern, TextArgs args) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xFFu) * 1099511628211ULL;  // 0xFF never occurs in UTF-8
  };
  mix(pattern);
  for (const auto& [name, value] : args) {
    mix(name);
    mix(value);
  }
  return h;
}
}  // namespace

const std::string& kept_format(std::string_view pattern, TextArgs args) {
  // Two generations: when a new frame starts with the store full, what was kept moves to
  // `previous` (its nodes, and so every reference handed out, stay put) and what the
  // frame before it kept is dropped. A text used again moves back into `current`.
  using Kept = std::unordered_map<std::uint64_t, std::string>;
  static Kept current, previous;
  static int frame = -1;
  int now = ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0;
  if (now != frame) {
    frame = now;
    if (current.size() >= kKeptTexts) {
      previous = std::move(current);
      current.clear();
    }
  }
  std::uint64_t h = text_hash(pattern, args);
  if (auto it = current.find(h); it != current.end()) return it->second;
  if (auto node = previous.extract(h)) return current.insert(std::move(node)).position->second;
  std::string text(pattern);
  for (const auto& [name, value] : args) {
    std::string tag = "{" + std::string(name) + "}";
    for (std::size_t p = text.find(tag); p != std::string::npos; p = text.find(tag, p + value.size()))
      text.replace(p, tag.size(), value);
  }
  return current.emplace(h, std::move(text)).first->second;
}

}  // namespace eco::ui
