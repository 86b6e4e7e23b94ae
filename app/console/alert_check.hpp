// One alert check over the center (issue 17), shared by `ecokiosk --central URL alerts
// check` (a systemd timer) and the district console's refresh: the survey indicators
// computed by compute_indicators over the last `window_days` days, district-wide and per
// kiosk (each kiosk stands for its hall), and each figure below target with confidence
// (core/analysis/alert_rule.hpp) raised at the center. Raising is idempotent there: an
// open alert of the same indicator and scope only gets the newer evidence.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/analysis/indicators.hpp"
#include "core/central/alerts.hpp"
#include "core/storage/response_queries.hpp"
#include "core/support/time.hpp"

namespace eco {

struct QuestionnaireSet;

struct AlertCheckOptions {
  int window_days = 30;               // 1..366
  std::int64_t min_n = 30;            // fewer respondents in a scope: no alert (alert_rule.hpp)
  IndicatorOptions indicators;        // targets, exclusions; filter.from/to/kiosk are set here
  // Kiosk id -> {hall_zh, hall_en}: the scopes besides the district.
  std::map<std::string, std::pair<std::string, std::string>> kiosks;
};
struct AlertCheckReport {
  int scopes = 0;                     // the district and each kiosk
  std::vector<central::AlertRaise> below;  // every finding, raised or already open
  int raised = 0, still_open = 0;
};
// now: the end of the window (ms since epoch).
AlertCheckReport check_alerts(ResponseQueries& q, central::Conn& c, const QuestionnaireSet& set,
                              const AlertCheckOptions& o, TimeMs now);

}  // namespace eco
