// The console's view of all 40 indicators: each one's status against its target,
// from the admins' records, or live from the survey for 35, 39 and 40.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/storage/record_queries.hpp"
#include "core/support/time.hpp"
#include "core/catalog/catalog.hpp"
#include "core/analysis/indicators.hpp"

namespace eco {

struct DashboardRow {
  const IndicatorDef* def = nullptr;
  Status status = Status::no_data;
  std::optional<IndicatorRecord> latest;  // for recorded indicators
  const IndicatorResult* survey = nullptr;  // for 35, 39, 40
  std::string value_text;                   // what the table shows as the current value
  // The overview's other texts, made once here so that drawing them allocates nothing.
  std::string no_text;      // the number, with ★ for the hardest
  std::string lead_text;    // the lead departments, one a line
  std::string target_text;  // the target, then each sub-indicator's
  std::string updated_text; // updated_at in local time to the minute, or "—" (set by the console)
  TimeMs updated_at = 0;                    // last record (0 = never)
  std::vector<DashboardRow> sub;
  int open_tasks = 0, blocked_tasks = 0, done_tasks = 0;
};

struct Dashboard {
  std::vector<DashboardRow> rows;  // catalog order
  int met = 0, not_met = 0, to_judge = 0, no_data = 0;
  int binding_not_met = 0;
};

// `survey` may be null (then 35, 39, 40 show no data).
Dashboard build_dashboard(const Catalog& c, RecordQueries& admin, const IndicatorReport* survey,
                          const std::string& lang);

// Survey indicator status: met when the estimate reaches the target.
Status survey_status(const IndicatorResult& r);

}  // namespace eco
