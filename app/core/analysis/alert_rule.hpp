// When a survey indicator calls for an alert (issue 17): its figure is below the target
// with confidence, i.e. the upper end of the 95% interval compute_indicators reports
// (est.ci, unweighted: README "Indicators" gives each indicator's interval) is under the
// target, from at least min_n respondents. A figure below target whose interval still
// reaches it is no alert: too few responses to say. min_n (default 30, the size below
// which a breakdown cell is called unreliable) keeps one or two unhappy residents from
// raising one: Wilson's interval for 0 of 1 already ends at 79.3%, under the 80% target.
// n = 0 has no interval, so never alerts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/indicators.hpp"

namespace eco {

struct AlertFinding {
  int no = 0;  // 35, 39, 40
  std::string questionnaire;
  double target = 0;
  std::int64_t n = 0;
  double value = 0, lo = 0, hi = 0;  // percent; [lo, hi] the 95% interval
  std::vector<ItemRow> items;        // worst first, as the report orders them
};

std::optional<AlertFinding> below_with_confidence(const IndicatorResult& r, std::int64_t min_n = 30);
// Every indicator of the report that calls for an alert.
std::vector<AlertFinding> findings(const IndicatorReport& r, std::int64_t min_n = 30);
// The evidence's items as the center stores them: [{"item", "n", "pct", "zh", "en"}],
// worst first; zh and en are the item's question text from q (when it has the item), so
// a department without the questionnaire reads what was asked.
std::string items_json(const std::vector<ItemRow>& items, const Questionnaire* q = nullptr);

}  // namespace eco
