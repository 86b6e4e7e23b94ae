#pragma once
#include "ui/resident/view.hpp"

namespace eco::ui {
Intent draw_frame(const View& v);
// 1.0 at 1920x1080 and 1080x1920; the larger side and the shorter side both count.
float scale_for(ImVec2 size);
}  // namespace eco::ui
