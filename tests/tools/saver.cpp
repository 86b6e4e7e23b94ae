// ecokiosk_saver DB QUESTIONNAIRE_DIR [SEED [COUNT [KIOSK]]]: saves responses in a loop
// (COUNT of them, 0 = until killed) and prints each id after its save returned (the
// acknowledgement), for tests/power_loss.sh to SIGKILL at random and
// tests/concurrent_writers.sh to run beside other writers. A save that fails is
// retried, as the kiosk does, and reported on stderr.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/storage/demo_data.hpp"
#include "core/support/time.hpp"
#include "core/storage/store.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ecokiosk_saver DB QUESTIONNAIRE_DIR [SEED [COUNT [KIOSK]]]\n");
    return 2;
  }
  eco::QuestionnaireSet set = eco::load_questionnaire_dir(argv[2]);
  if (set.list.empty()) return 1;
  eco::Store store(argv[1]);
  std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  std::uint64_t count = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 0;
  std::string kiosk = argc > 5 ? argv[5] : "power";
  int failures = 0;
  for (std::uint64_t i = 0; count == 0 || i < count; ++i) {
    const eco::Questionnaire& q = set.list[i % set.list.size()];
    eco::Response r = eco::demo_response(q, seed * 1'000'003 + i, eco::now_ms() - 300'000, kiosk);
    for (;;) {
      try {
        store.save(r, eco::metrics_of(&q, r));
        break;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "save failed (retrying): %s\n", e.what());
        if (++failures > 50) return 1;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    // Printed only after save() returned: the response is acknowledged.
    std::printf("%s\n", r.id.c_str());
    std::fflush(stdout);
  }
  return failures ? 3 : 0;
}
