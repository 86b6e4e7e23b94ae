#include "core/central/alerts.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace eco::central {

namespace {
std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

std::vector<AlertItem> parse_items(const std::string& text) {
  std::vector<AlertItem> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_object())
      out.push_back({e.value("item", std::string()), e.value("zh", std::string()), e.value("en", std::string()),
                     e.value("n", std::int64_t{0}), e.value("pct", 0.0)});
  return out;
}
}  // namespace

RaiseResult raise_alert(Conn& c, const AlertRaise& a) {
  Result r = c.exec("SELECT alert_id, raised FROM ecokiosk_raise_alert($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    {a.indicator, a.scope, a.hall_zh, a.hall_en, std::to_string(a.window_days), num(a.target),
                     std::to_string(a.n), num(a.value), num(a.lo), num(a.hi), a.items_json});
  RaiseResult out;
  if (r.rows() == 1) {
    out.id = r.i64(0, 0);
    out.raised = r.text(0, 1) == "t";
  }
  return out;
}

std::vector<Alert> list_alerts(Conn& c, bool open_only) {
  Result r = c.exec(
      "SELECT id, indicator, scope, hall_zh, hall_en, department, window_days, target, value, ci_lo, ci_hi, n, items, "
      "(extract(epoch FROM raised_at) * 1000)::bigint, (extract(epoch FROM checked_at) * 1000)::bigint, raised_by, "
      "(extract(epoch FROM acked_at) * 1000)::bigint, coalesce(acked_by, ''), coalesce(ack_note, ''), "
      "ecokiosk_acts_for(department) "
      "FROM alerts WHERE NOT $1::boolean OR acked_at IS NULL ORDER BY acked_at IS NOT NULL, id DESC LIMIT 500",
      {open_only ? "true" : "false"});
  std::vector<Alert> out;
  for (int i = 0; i < r.rows(); ++i) {
    Alert a;
    a.id = r.i64(i, 0);
    a.indicator = r.text(i, 1);
    a.scope = r.text(i, 2);
    a.hall_zh = r.text(i, 3);
    a.hall_en = r.text(i, 4);
    a.department = r.text(i, 5);
    a.window_days = static_cast<int>(r.i64(i, 6));
    a.target = r.f64(i, 7);
    a.value = r.f64(i, 8);
    a.lo = r.f64(i, 9);
    a.hi = r.f64(i, 10);
    a.n = r.i64(i, 11);
    a.items = parse_items(r.text(i, 12));
    a.raised_at = r.i64(i, 13);
    a.checked_at = r.i64(i, 14);
    a.raised_by = r.text(i, 15);
    if (!r.null(i, 16)) a.acked_at = r.i64(i, 16);
    a.acked_by = r.text(i, 17);
    a.ack_note = r.text(i, 18);
    a.mine = r.text(i, 19) == "t";
    out.push_back(std::move(a));
  }
  return out;
}

void ack_alert(Conn& c, std::int64_t id, const std::string& note) {
  c.run("SELECT ecokiosk_ack_alert($1, $2)", {std::to_string(id), note});
}

bool acts_for(Conn& c, const std::string& department) {
  return c.scalar("SELECT ecokiosk_acts_for($1)", {department}) == "t";
}

void note_export(Conn& c, const std::string& subject, const std::string& detail) {
  c.run("SELECT ecokiosk_note_export($1, $2)", {subject, detail});
}

}  // namespace eco::central
