// libFuzzer target: any bytes as a JSON Lines import into an in-memory database.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "core/storage/interchange.hpp"
#include "core/storage/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static eco::QuestionnaireSet set = eco::load_questionnaire_dir(FUZZ_QUESTIONNAIRES_DIR);
  static eco::Store store(":memory:");
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  eco::ImportReport rep;
  eco::import_jsonl(in, "fuzz.jsonl", store, set, rep);
  if (rep.refused() > 0 && rep.problems.empty()) __builtin_trap();  // every refusal has a reason
  return 0;
}
