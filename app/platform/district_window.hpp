// `ecokiosk console --central URL`: the district console as a desktop window (issue 17).
#pragma once
#include <string>

#include "console/district_model.hpp"

namespace eco::ui {

struct DistrictWindowOptions {
  std::string url;             // the center, without a login
  int width = 1366, height = 768;
  std::string lang = "zh";
  std::string font, data_dir;
  std::string font_cache;  // baked atlases kept here between starts; empty: baked each time
  // Screenshots: sign in as `user` (password from standard input), draw every page the
  // account has to DIR/district-<lang>-<W>x<H>-<page>.png, and exit.
  std::string screenshot_dir, user;
  // The propaganda department's survey pages, export and alert checks (the command line
  // sets the opener: the center's ResponseQueries); without it those pages are hidden.
  DistrictAnalysis analysis;
};

int run_district_console(const DistrictWindowOptions& o);

}  // namespace eco::ui
