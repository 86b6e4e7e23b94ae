#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

namespace test {
std::string source_dir() { return ECOKIOSK_TEST_DIR "/.."; }
}  // namespace test
