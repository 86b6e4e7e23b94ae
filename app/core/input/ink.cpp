#include "core/input/ink.hpp"

#include <nlohmann/json.hpp>

#include "core/support/read_file.hpp"

namespace eco::input {

using nlohmann::json;

std::optional<InkFile> load_ink(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<InkFile> {
    if (error) *error = path + ": " + why;
    return std::nullopt;
  };
  std::string read_error;
  auto text = read_file(path, &read_error, 4 << 20);
  if (!text) return fail(read_error);
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
  InkFile f;
  if (j.contains("character") && j["character"].is_string()) f.character = j["character"].get<std::string>();
  for (const char* k : {"width", "height"})
    if (!j.contains(k) || !j[k].is_number() || j[k].get<double>() <= 0 || j[k].get<double>() > 100000)
      return fail(std::string(k) + " must be a positive number");
  f.ink.width = j["width"].get<float>();
  f.ink.height = j["height"].get<float>();
  if (!j.contains("strokes") || !j["strokes"].is_array() || j["strokes"].empty()) return fail("no strokes");
  if (j["strokes"].size() > kMaxStrokes) return fail("more than " + std::to_string(kMaxStrokes) + " strokes");
  for (const auto& s : j["strokes"]) {
    if (!s.is_array() || s.empty() || s.size() > kMaxPointsPerStroke) return fail("a stroke must be a list of 1 to 2000 points");
    Stroke stroke;
    for (const auto& p : s) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) return fail("a point must be [x, y]");
      Point pt{p[0].get<float>(), p[1].get<float>()};
      if (pt.x < 0 || pt.y < 0 || pt.x > f.ink.width || pt.y > f.ink.height) return fail("a point lies outside the box");
      stroke.push_back(pt);
    }
    f.ink.strokes.push_back(std::move(stroke));
  }
  return f;
}

std::string ink_json(const InkFile& f) {
  json strokes = json::array();
  for (const auto& s : f.ink.strokes) {
    json pts = json::array();
    for (const auto& p : s) pts.push_back({static_cast<int>(p.x + 0.5f), static_cast<int>(p.y + 0.5f)});
    strokes.push_back(std::move(pts));
  }
  json j = {{"character", f.character}, {"width", f.ink.width}, {"height", f.ink.height}, {"strokes", strokes}};
  return j.dump();
}

}  // namespace eco::input
