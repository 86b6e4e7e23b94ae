// The district console's screens (issue 17): functions of the DistrictModel that return
// a DistrictIntent, drawn with the kiosk console's widgets (cbutton, chip, fmt_time).
// A desktop tool: mouse and keyboard first, Enter signs in.
#pragma once
#include <imgui.h>

#include <string>

#include "console/district_model.hpp"
#include "core/support/i18n.hpp"

namespace eco::ui {

struct DistrictView {
  const Strings& strings;
  DistrictModel& model;  // forms are edited in place; everything else goes through intents
  ImFont* font;
  ImFont* heading;
  float scale = 1;
  ImVec2 size;
  std::string lang = "zh";

  const std::string& t(std::string_view key) const { return strings.get(lang, key); }
  float px(float v) const { return v * scale; }
  std::string message() const;  // the model's message in words
};

DistrictIntent draw_district(DistrictView& v);
DistrictIntent draw_district_sign_in(DistrictView& v);
DistrictIntent draw_district_mine(DistrictView& v);
DistrictIntent draw_district_fleet(DistrictView& v);
DistrictIntent draw_district_audit(DistrictView& v);
DistrictIntent draw_district_alerts(DistrictView& v);
DistrictIntent draw_district_results(DistrictView& v);
DistrictIntent draw_district_exports(DistrictView& v);
DistrictIntent draw_district_accounts(DistrictView& v);
DistrictIntent draw_district_publish(DistrictView& v);  // district_publish.cpp

}  // namespace eco::ui
