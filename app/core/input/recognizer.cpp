#include "core/input/recognizer.hpp"

#include <zinnia.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

namespace eco::input {

namespace {
// zinnia reads integer points in a box; the ink is scaled into this square, keeping
// its proportions (a wide pad would otherwise squash every character).
constexpr int kBox = 1000;
}  // namespace

Recognizer::~Recognizer() {
  if (r_) zinnia_recognizer_destroy(r_);
}

bool Recognizer::open(const std::string& model_path) {
  if (r_) {
    zinnia_recognizer_destroy(r_);
    r_ = nullptr;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model_path, ec)) {
    error_ = "no handwriting model at " + model_path + " (install tegaki-zinnia-simplified-chinese)";
    return false;
  }
  zinnia_recognizer_t* r = zinnia_recognizer_new();
  if (!zinnia_recognizer_open(r, model_path.c_str())) {
    error_ = model_path + ": " + zinnia_recognizer_strerror(r);
    zinnia_recognizer_destroy(r);
    return false;
  }
  r_ = r;
  error_.clear();
  return true;
}

std::size_t Recognizer::characters() const { return r_ ? zinnia_recognizer_size(r_) : 0; }

std::vector<Candidate> Recognizer::classify(const Ink& ink, std::size_t n) const {
  std::vector<Candidate> out;
  if (!r_ || ink.empty() || n == 0 || ink.width <= 0 || ink.height <= 0) return out;
  std::unique_ptr<zinnia_character_t, void (*)(zinnia_character_t*)> c(zinnia_character_new(),
                                                                         zinnia_character_destroy);
  zinnia_character_set_width(c.get(), kBox);
  zinnia_character_set_height(c.get(), kBox);
  float scale = static_cast<float>(kBox) / std::max(ink.width, ink.height);
  float ox = (kBox - ink.width * scale) / 2, oy = (kBox - ink.height * scale) / 2;
  std::size_t id = 0;
  for (const Stroke& s : ink.strokes) {
    if (s.empty()) continue;
    for (const Point& p : s) {
      int x = static_cast<int>(std::lround(std::clamp(ox + p.x * scale, 0.f, static_cast<float>(kBox))));
      int y = static_cast<int>(std::lround(std::clamp(oy + p.y * scale, 0.f, static_cast<float>(kBox))));
      zinnia_character_add(c.get(), id, x, y);
    }
    ++id;
  }
  if (id == 0) return out;
  zinnia_result_t* res = zinnia_recognizer_classify(r_, c.get(), n);
  if (!res) return out;
  for (std::size_t i = 0; i < zinnia_result_size(res); ++i)
    out.push_back({zinnia_result_value(res, i), zinnia_result_score(res, i)});
  zinnia_result_destroy(res);
  return out;
}

}  // namespace eco::input
