// What the indicators need from one response, worked out once when it is saved:
// the per-respondent score, trips, demographics and quality flags. Aggregating a
// million responses then reads one narrow row each instead of every answer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/survey/questionnaire.hpp"
#include "core/survey/response.hpp"

namespace eco {

// Quality flags kept with a response (never a reason to delete it). "Too fast" is
// not stored: it depends on a configurable threshold and is judged at query time
// from the stored duration and number of visible questions.
enum MetricFlag : int {
  kFlagStraightLining = 1,  // the same rating on kStraightLineRun rating items in a row
  kFlagDuplicate = 2,       // same answers as a response from the same kiosk minutes before
};
constexpr int kStraightLineRun = 8;
constexpr std::int64_t kDuplicateWindowMs = 10 * 60 * 1000;

// The demographic questions every questionnaire shares (questionnaires/blocks/demographics.json).
inline constexpr const char* kAgeQuestion = "age";
inline constexpr const char* kGenderQuestion = "gender";
inline constexpr const char* kTownshipQuestion = "township";

struct ResponseMetrics {
  ScoringMethod method = ScoringMethod::none;
  std::string age, gender, township;  // option ids, "" when not answered
  double score = 0;                   // knowledge: % correct; satisfaction: overall 0..100
  int correct = 0, drawn = 0;         // knowledge
  bool satisfied = false;             // satisfaction: overall rating counts as satisfied
  int trips = 0, green = 0;           // green travel
  int flags = 0;                      // MetricFlag bits decided from the response alone
  std::uint64_t fingerprint = 0;      // hash of the answers, for the duplicate check
  // Item outcomes: knowledge (item, 1 correct / 0 wrong); satisfaction (item,
  // rating value 1..5, +128 when it counts as satisfied); green travel (mode, trips).
  std::vector<std::pair<std::string, int>> outcomes;
};

ResponseMetrics compute_metrics(const Questionnaire& q, const Response& r);
// The metrics to save with a response: nullopt when its questionnaire is not known (q null).
std::optional<ResponseMetrics> metrics_of(const Questionnaire* q, const Response& r);

// Longest run of identical options over the rating questions, in the order asked.
int longest_same_rating_run(const Questionnaire& q, const Response& r);

}  // namespace eco
