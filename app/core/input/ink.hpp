// Handwriting as the pad records it: strokes of points in a box of its own size, and
// the stroke files the tests (and staff checking the recognizer) read and write.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace eco::input {

struct Point {
  float x = 0, y = 0;
};
using Stroke = std::vector<Point>;

// Points are in a width x height box, y downwards (the pad's own units, so a pad that
// reflows to another size keeps what was written).
struct Ink {
  float width = 1000, height = 1000;
  std::vector<Stroke> strokes;
  bool empty() const { return strokes.empty(); }
};

// A stroke file: {"character": "生", "width": 1000, "height": 1000,
//                 "strokes": [[[x, y], [x, y], ...], ...]}  (strokes in writing order).
struct InkFile {
  std::string character;  // what was written ("" when unknown)
  Ink ink;
};
// nullopt with why when the file is missing, not JSON, or holds no usable stroke
// (a point outside the box, a stroke of no points, more than kMaxStrokes strokes).
std::optional<InkFile> load_ink(const std::string& path, std::string* error = nullptr);
std::string ink_json(const InkFile& f);

constexpr std::size_t kMaxStrokes = 64;          // no Chinese character needs more
constexpr std::size_t kMaxPointsPerStroke = 2000;

}  // namespace eco::input
