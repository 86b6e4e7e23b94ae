// Text a screen formats every frame ("共 {n} 题", a countdown), kept by what it was made
// from, so drawing the same frame again allocates nothing (an idle frame allocates
// nothing: tests/test_idle_alloc.cpp). UI thread only.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace eco::ui {

using TextArgs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// `pattern` with each {name} replaced by its value, as Strings::format does. The result
// stays valid at least until the next ImGui frame has ended: use it within the frame.
const std::string& kept_format(std::string_view pattern, TextArgs args);
inline constexpr std::size_t kKeptTexts = 512;  // kept before a new frame starts a generation

}  // namespace eco::ui
