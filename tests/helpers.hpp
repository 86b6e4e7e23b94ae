// Shared test helpers: a temporary folder that cleans up, and the shipped data.
#pragma once
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/questionnaire_loader.hpp"

namespace test {

inline std::string source_dir() { return ECOKIOSK_TEST_DIR "/.."; }

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("ecokiosk-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

inline const eco::QuestionnaireSet& shipped() {
  static eco::QuestionnaireSet set = eco::load_questionnaire_dir(source_dir() + "/questionnaires");
  return set;
}

}  // namespace test
