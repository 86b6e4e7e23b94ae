// --screenshot-tour: drives the kiosk through its main screens on an in-memory database
// and a fake clock, writing one PNG a screen (and its path to stdout), then the staff
// console on demo records with a demo PIN. For the README and for looking at layouts.
#pragma once
#include <string>

#include "platform/kiosk_frame.hpp"

namespace eco::ui {

void run_screenshot_tour(KioskApp& app, KioskFrame& frame, const std::string& dir);

}  // namespace eco::ui
