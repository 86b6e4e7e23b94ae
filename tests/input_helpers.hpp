// The on-screen input's engines for tests: zinnia's model opened once, and librime,
// which runs once per process, deployed into one private folder for every test.
#pragma once
#include <doctest/doctest.h>

#include "core/input/pinyin_engine.hpp"
#include "core/input/recognizer.hpp"
#include "helpers.hpp"

namespace test {

inline const eco::input::Recognizer& recognizer() {
  static eco::input::Recognizer r;
  static bool opened = r.open();
  REQUIRE_MESSAGE(opened, r.error());
  return r;
}

inline const TempDir& rime_home() {
  static TempDir dir;
  return dir;
}

inline eco::input::PinyinEngine& pinyin() {
  static eco::input::PinyinEngine e;
  static bool started = e.start({rime_home().file("rime")});
  REQUIRE_MESSAGE(started, e.error());
  return e;
}

}  // namespace test
