// Handwritten Chinese characters recognised offline by zinnia (Debian libzinnia-dev)
// with the Tegaki simplified-Chinese model (tegaki-zinnia-simplified-chinese).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/input/ink.hpp"

struct zinnia_recognizer_t;

namespace eco::input {

struct Candidate {
  std::string text;  // one character, UTF-8
  float score = 0;   // zinnia's: higher is better, not a probability
};

class Recognizer {
 public:
  // Where Debian's tegaki-zinnia-simplified-chinese puts its model.
  static constexpr const char* kDefaultModel = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";

  Recognizer() = default;
  ~Recognizer();
  Recognizer(const Recognizer&) = delete;
  Recognizer& operator=(const Recognizer&) = delete;

  // Opens (memory-maps) a model. False with error() when it is missing or not a model.
  bool open(const std::string& model_path = kDefaultModel);
  bool ready() const { return r_ != nullptr; }
  const std::string& error() const { return error_; }
  std::size_t characters() const;  // how many characters the model knows

  // The n likeliest characters for the ink, best first. Stroke order and direction
  // matter to zinnia, so callers show several. Empty ink (or no model): empty.
  std::vector<Candidate> classify(const Ink& ink, std::size_t n) const;

 private:
  zinnia_recognizer_t* r_ = nullptr;
  std::string error_;
};

}  // namespace eco::input
