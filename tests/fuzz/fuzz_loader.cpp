// libFuzzer target: any bytes as a questionnaire file. The loader must refuse bad
// input with messages, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/survey/questionnaire_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  eco::LoadResult r = eco::load_questionnaire_text(text, "fuzz.json", FUZZ_BLOCKS_DIR);
  if (!r.questionnaire && r.errors.empty()) __builtin_trap();  // a refusal always says why
  return 0;
}
