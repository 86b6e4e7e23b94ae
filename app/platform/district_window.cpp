// The district console's window: GLFW + OpenGL 3 + Dear ImGui through the kiosk's
// backend, resizable, event-driven (it sleeps until input or the worker's result wakes
// it), and a screenshot mode that signs in and draws each page.
#include "platform/district_window.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "console/district_model.hpp"
#include "core/catalog/catalog.hpp"
#include "core/support/i18n.hpp"
#include "platform/glfw_backend.hpp"
#include "ui/common/fonts.hpp"
#include "ui/common/theme.hpp"
#include "ui/console/district_view.hpp"
#include "ui/resident/frame.hpp"

namespace eco::ui {

namespace {
// Every glyph the console can show: its strings in both languages and the catalog
// (names, targets, units, states, departments, tasks); typed notes draw on the common
// Chinese set build_fonts adds for the console.
std::string console_glyphs(const Strings& s, const Catalog& c) {
  std::string text;
  for (const char* lang : {"zh", "en"})
    for (const auto& k : s.keys(lang)) text += s.get(lang, k);
  for (const auto& i : c.indicators) {
    text += i.name + i.target + i.unit;
    for (const auto& l : i.lead) text += l;
    for (const auto& st : i.rule.states) text += st;
    for (const auto& sub : i.sub) text += sub.name + sub.target;
    for (const auto& t : i.tasks) text += t.key_task + t.responsible + t.cooperating;
  }
  return text;
}

bool draw_frames(platform::GlfwBackend& backend, DistrictView& view, int frames, const std::string& png) {
  bool ok = true;
  for (int i = 0; i < frames; ++i) {
    backend.begin_frame(nullptr);
    view.size = backend.framebuffer_size();
    draw_district(view);
    ok = backend.end_frame(color::background, i + 1 == frames ? png : std::string()) && ok;
  }
  return ok;
}
// The screenshot tour (`--screenshots DIR --user NAME`, password on stdin): the pages in
// the order a person meets them, each drawn a few frames (tables settle).
int district_screenshots(const DistrictWindowOptions& o, const Catalog& catalog, platform::GlfwBackend& backend,
                         DistrictModel& model, DistrictView& view) {
  std::string prefix = o.screenshot_dir + "/district-" + o.lang + "-" + std::to_string(o.width) + "x" +
                       std::to_string(o.height) + "-";
  std::string password;
  std::getline(std::cin, password);
  // The name before the first frame: the field has the keyboard focus from then on,
  // and ImGui keeps an active field's own text over one changed behind its back.
  model.user = o.user;
  bool ok = draw_frames(backend, view, 3, prefix + "sign-in.png");
  model.password = "wrong-password-here";
  model.apply(district_intent::SignIn{});
  model.settle(std::chrono::seconds(30));
  ok = draw_frames(backend, view, 3, prefix + "sign-in-refused.png") && ok;
  model.password = password;
  model.apply(district_intent::SignIn{});
  if (!model.settle(std::chrono::seconds(30)) || !model.signed_in()) {
    std::cerr << "error: could not sign in as " << o.user << ": " << model.message() << "\n";
    return 1;
  }
  for (DistrictPage p : {DistrictPage::mine, DistrictPage::fleet, DistrictPage::audit, DistrictPage::alerts,
                         DistrictPage::results, DistrictPage::exports, DistrictPage::accounts, DistrictPage::publish}) {
    if (p == DistrictPage::fleet && !model.may_see_fleet()) continue;
    if ((p == DistrictPage::results || p == DistrictPage::exports) && !model.may_see_results()) continue;
    if (p == DistrictPage::accounts && !model.may_manage_accounts()) continue;
    if (p == DistrictPage::publish && !model.may_publish()) continue;
    model.apply(district_intent::ShowPage{p});
    if (p == DistrictPage::mine && !model.my_indicators().empty()) {
      // The first indicator that takes a typed value, its form open.
      for (const auto& id : model.my_indicators()) {
        const IndicatorDef* d = catalog.find(id);
        if (d && d->sub.empty() && d->rule.survey.empty()) {
          model.apply(district_intent::OpenIndicator{id});
          break;
        }
      }
    }
    model.settle(std::chrono::seconds(30));
    static const char* const names[] = {"sign-in", "mine",   "fleet",    "audit",  "alerts",
                                        "results", "export", "accounts", "publish"};
    const char* name = names[static_cast<int>(p)];
    ok = draw_frames(backend, view, 3, prefix + name + ".png") && ok;
  }
  model.apply(district_intent::SignOut{});
  model.settle(std::chrono::seconds(30));
  return ok ? 0 : 1;
}

// ECOKIOSK_HIT_LOG=FILE, as the kiosk's: after every frame, each clickable item's label
// and centre (label, x, y, tab-separated), for the Xvfb + xdotool test.
void write_hits(const std::string& path, const std::vector<HitItem>& hits) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return;
  for (const auto& h : hits)
    std::fprintf(f, "%s\t%d\t%d\n", h.label.c_str(), static_cast<int>((h.min.x + h.max.x) / 2),
                 static_cast<int>((h.min.y + h.max.y) / 2));
  std::fclose(f);
  std::rename(tmp.c_str(), path.c_str());
}

// Asleep until input or the worker's result (post_empty_event); a few frames after
// either so presses and releases both show.
void district_loop(platform::GlfwBackend& backend, DistrictModel& model, DistrictView& view) {
  unsigned seen = backend.input_count();
  int extra = 3;
  std::vector<HitItem> hits;
  const char* log = std::getenv("ECOKIOSK_HIT_LOG");
  std::string hit_log = log ? log : "";
  if (!hit_log.empty()) g_hit_items = &hits;
  while (!backend.should_close()) {
    backend.wait(extra > 0 ? 0.0 : 60.0);
    if (backend.input_count() != seen) {
      seen = backend.input_count();
      extra = 3;
    }
    model.tick();
    backend.begin_frame(nullptr);
    view.size = backend.framebuffer_size();
    hits.clear();
    DistrictIntent in = draw_district(view);
    backend.end_frame(color::background, "");
    if (!hit_log.empty()) write_hits(hit_log, hits);
    if (!std::holds_alternative<std::monostate>(in)) {
      model.apply(in);
      extra = 3;
    } else if (extra > 0) {
      --extra;
    }
  }
  g_hit_items = nullptr;
}

}  // namespace

int run_district_console(const DistrictWindowOptions& o) {
  Strings strings;
  std::vector<std::string> errors;
  strings.load_dir(o.data_dir + "/assets/i18n", errors);
  CatalogLoad cat = load_catalog(o.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) errors.push_back(e);
  for (const auto& e : errors) std::cerr << "error: " << e << "\n";
  if (!cat.catalog || !errors.empty()) return 1;

  platform::GlfwBackend backend;
  if (!backend.init()) return 1;
  if (!backend.open(o.width, o.height, nullptr, false)) {
    std::cerr << "error: cannot open a " << o.width << "x" << o.height << " OpenGL 3 window\n";
    return 1;
  }
  static ImFontAtlas atlas;
  Fonts fonts;
  fonts.atlas = &atlas;
  fonts.cache_dir = o.font_cache;
  float scale = scale_for(ImVec2(static_cast<float>(o.width), static_cast<float>(o.height)));
  if (!build_fonts(fonts, find_cjk_font(o.font), scale, "", console_glyphs(strings, *cat.catalog)))
    std::cerr << "warning: no Chinese font found (install fonts-noto-cjk); Chinese will not display\n";
  backend.init_imgui(&atlas);
  apply_theme(scale);
  backend.upload_font_texture();

  DistrictModel model(*cat.catalog, o.url, [] { platform::GlfwBackend::post_empty_event(); });
  model.set_analysis(o.analysis);
  DistrictView view{strings, model, fonts.console, fonts.console_heading, scale, backend.framebuffer_size(), o.lang};

  if (!o.screenshot_dir.empty()) return district_screenshots(o, *cat.catalog, backend, model, view);
  district_loop(backend, model, view);
  return 0;
}

}  // namespace eco::ui
