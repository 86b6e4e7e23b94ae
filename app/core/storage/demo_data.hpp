// Plausible synthetic responses (kiosk id "demo") for trying the admin views and for
// benchmarks. Every response is produced by driving a real Session, so it is valid.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/survey/questionnaire_loader.hpp"
#include "core/support/time.hpp"
#include "core/survey/response.hpp"

namespace eco {

class Store;

struct DemoOptions {
  std::int64_t responses = 1000;
  std::uint64_t seed = 1;
  TimeMs end = 0;        // responses fall in the `days` before this (0 = now)
  int days = 180;
  std::string kiosk = "demo";
};

// A first valid answer to q: its first option, its smallest number, no trips (a text
// question gets none). The screenshot tour and the UI tests answer with it to move on.
Answer first_valid_answer(const Question& q);

// Generates one response of q; rng state advances.
Response demo_response(const Questionnaire& q, std::uint64_t seed, TimeMs start, const std::string& kiosk);

// Generates and saves opts.responses responses spread over the questionnaires that
// have scoring, in batches. Returns how many were saved.
std::int64_t fill_demo_data(Store& store, const QuestionnaireSet& set, const DemoOptions& opts,
                            const std::function<void(std::int64_t done)>& progress = {});

}  // namespace eco
