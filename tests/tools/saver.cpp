// ecokiosk_saver DB: saves responses in a loop and prints each id after its save
// returned (the acknowledgement), for tests/power_loss.sh to SIGKILL at random.
#include <cstdio>
#include <cstdlib>

#include "core/demo_data.hpp"
#include "core/store.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ecokiosk_saver DB QUESTIONNAIRE_DIR [SEED]\n");
    return 2;
  }
  eco::QuestionnaireSet set = eco::load_questionnaire_dir(argv[2]);
  if (set.list.empty()) return 1;
  eco::Store store(argv[1]);
  std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  for (std::uint64_t i = 0;; ++i) {
    const eco::Questionnaire& q = set.list[i % set.list.size()];
    eco::Response r = eco::demo_response(q, seed * 1'000'003 + i, eco::now_ms() - 300'000, "power");
    store.save(r, &q);
    // Printed only after save() returned: the response is acknowledged.
    std::printf("%s\n", r.id.c_str());
    std::fflush(stdout);
  }
}
