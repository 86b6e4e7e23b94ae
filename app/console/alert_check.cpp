#include "console/alert_check.hpp"

#include "core/analysis/alert_rule.hpp"
#include "core/survey/questionnaire.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace eco {

AlertCheckReport check_alerts(ResponseQueries& q, central::Conn& c, const QuestionnaireSet& set,
                              const AlertCheckOptions& o, TimeMs now) {
  AlertCheckReport rep;
  IndicatorOptions io = o.indicators;
  io.filter = ResponseFilter{};
  io.filter.from = now - static_cast<TimeMs>(o.window_days) * 24 * 3600 * 1000;
  io.filter.to = now + 1;
  auto scope = [&](const std::string& kiosk, const std::string& hall_zh, const std::string& hall_en) {
    io.filter.kiosk = kiosk;
    ++rep.scopes;
    for (const auto& f : findings(compute_indicators(q, set, io), o.min_n)) {
      central::AlertRaise a;
      a.indicator = std::to_string(f.no);
      a.scope = kiosk;
      a.hall_zh = hall_zh;
      a.hall_en = hall_en;
      a.window_days = o.window_days;
      a.target = f.target;
      a.value = f.value;
      a.lo = f.lo;
      a.hi = f.hi;
      a.n = f.n;
      a.items_json = items_json(f.items, set.find(f.questionnaire));
      rep.below.push_back(a);
    }
  };
  scope("", "", "");
  for (const auto& [k, hall] : o.kiosks) scope(k, hall.first, hall.second);
  // Raised after every figure is computed: a check that fails half-way raises nothing twice.
  for (const auto& a : rep.below) {
    central::RaiseResult r = central::raise_alert(c, a);
    if (r.raised) ++rep.raised;
    else ++rep.still_open;
  }
  return rep;
}

}  // namespace eco
