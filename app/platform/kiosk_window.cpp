#include "platform/kiosk_window.hpp"
#include "core/support/time.hpp"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <stb_image_write.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "console/console_model.hpp"
#include "core/catalog/catalog.hpp"
#include "core/input/ink.hpp"
#include "core/input/pinyin_engine.hpp"
#include "core/input/recognizer.hpp"
#include "core/storage/db_maintenance.hpp"
#include "core/support/safe_file.hpp"
#include "core/storage/demo_data.hpp"
#include "core/output/export.hpp"
#include "core/support/opening_hours.hpp"
#include "core/storage/store.hpp"
#include "platform/service.hpp"
#include "ui/console/console_view.hpp"
#include "ui/resident/frame.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"

namespace eco::ui {

namespace {

std::atomic<unsigned> g_input{0};  // bumped by every input callback; the loop compares

// The finger's path since the last frame: one entry per state of the button (pressed,
// released), with where the state began and where the pointer is now. ImGui 1.86 reads
// the pointer once per frame, so a busy kiosk would see a quick swipe as one press and
// release at its end point (a tap where the finger was lifted); the loop gives each
// point of the path a frame of its own instead. Fixed size: an idle frame allocates nothing.
struct PointerState {
  float x0, y0;  // where this state began (the press, the release)
  float x, y;    // the latest position in it
  bool down;
};
constexpr int kPath = 16;
PointerState g_path[kPath];
int g_path_len = 0;
bool g_path_carried = false;  // g_path[0] is the state the last frame already showed
bool g_button_down = false;
void note_pointer(float x, float y, bool transition) {
  if (!transition && g_path_len > 0) {
    g_path[g_path_len - 1].x = x;  // a move: the latest position of this state
    g_path[g_path_len - 1].y = y;
    return;
  }
  if (g_path_len == kPath) {  // a storm of clicks within one frame: keep the newest
    std::copy(g_path + 1, g_path + kPath, g_path);
    --g_path_len;
    g_path_carried = false;
  }
  g_path[g_path_len++] = {x, y, x, y, g_button_down};
}

void on_close(GLFWwindow* w) { glfwSetWindowShouldClose(w, GLFW_FALSE); }  // residents cannot close it
// The pointer as of the last motion event handled. Not glfwGetCursorPos: on X11 that
// asks the server where the pointer is now, which under load is already further along
// the swipe than the press being handled.
double g_cursor_x = -1, g_cursor_y = -1;
bool g_cursor_known = false;
void on_cursor(GLFWwindow*, double x, double y) {
  ++g_input;
  g_cursor_x = x;
  g_cursor_y = y;
  g_cursor_known = true;
  note_pointer(static_cast<float>(x), static_cast<float>(y), false);
}
void on_button(GLFWwindow* w, int button, int action, int) {
  ++g_input;
  if (button != GLFW_MOUSE_BUTTON_LEFT) return;
  if (!g_cursor_known) glfwGetCursorPos(w, &g_cursor_x, &g_cursor_y);
  g_button_down = action == GLFW_PRESS;
  note_pointer(static_cast<float>(g_cursor_x), static_cast<float>(g_cursor_y), true);
}
void on_scroll(GLFWwindow*, double, double) { ++g_input; }
void on_key(GLFWwindow*, int, int, int, int) { ++g_input; }

// Every string the app can show, so the atlas holds exactly those glyphs.
std::string glyph_text(const QuestionnaireSet& set, const Strings& strings, const Config& cfg) {
  std::string all;
  auto add = [&](const LocalizedText& t) {
    for (const auto& [l, s] : t.by_lang) all += s;
  };
  for (const auto& q : set.list) {
    add(q.title);
    add(q.intro);
    auto add_q = [&](const Question& qq) {
      add(qq.text); add(qq.hint); add(qq.unit); add(qq.explanation);
      for (const auto& o : qq.options) add(o.text);
      for (const auto& o : qq.rows) add(o.text);
    };
    for (const auto& qq : q.questions) add_q(qq);
    if (q.bank)
      for (const auto& qq : q.bank->items) add_q(qq);
  }
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang)) all += strings.get(lang, k);
  for (const auto& [l, s] : cfg.district_title) all += s;
  for (const auto& [l, s] : cfg.hall_name) all += s;
  all += "0123456789";
  return all;
}

// The first frame's glyphs: the welcome screen in every language. The rest of the
// atlas is baked right after that frame is on screen, so start-up stays short.
std::string welcome_glyphs(const QuestionnaireSet& set, const Strings& strings, const Config& cfg) {
  std::string all = "0123456789";
  for (const auto& q : set.list) {
    for (const auto& [l, t] : q.title.by_lang) all += t;
    for (const auto& [l, t] : q.intro.by_lang) all += t;
  }
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang))
      if (k.rfind("welcome.", 0) == 0 || k.rfind("lang.", 0) == 0) all += strings.get(lang, k);
  for (const auto& [l, t] : cfg.district_title) all += t;
  for (const auto& [l, t] : cfg.hall_name) all += t;
  return all;
}

// The console's own text: the catalog (names, targets, tasks, departments).
std::string console_glyphs(const Catalog& c) {
  std::string all;
  for (const auto& d : c.domains) all += d;
  auto add = [&](const IndicatorDef& i) {
    all += i.name + i.target + i.binding + i.unit;
    for (const auto& l : i.lead) all += l;
    for (const auto& s : i.rule.states) all += s;
    for (const auto& t : i.tasks) all += t.key_task + t.task + t.responsible + t.cooperating;
  };
  for (const auto& i : c.indicators) {
    add(i);
    for (const auto& s : i.sub) add(s);
  }
  return all;
}

// Resident memory now, for --timing.
long rss_mb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096 / (1024 * 1024);
}
long peak_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// Uploads the atlas as a one-channel texture read as (1, 1, 1, a): a quarter of the
// memory of the backend's RGBA upload, on the CPU side and in the GL driver.
GLuint g_font_texture = 0;
void upload_font_texture() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
  ImGui_ImplOpenGL3_DestroyFontsTexture();  // the backend's RGBA texture, if any
  if (g_font_texture) glDeleteTextures(1, &g_font_texture);
  glGenTextures(1, &g_font_texture);
  glBindTexture(GL_TEXTURE_2D, g_font_texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  const GLint swizzle[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
  glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(g_font_texture)));
  io.Fonts->ClearTexData();  // the GPU has it now
}

bool save_png(const std::string& path, int w, int h) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

// A first valid answer for whatever question is on screen, for the tour.
Answer filler(const Question& q) {
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::rating: return Choice{q.options.front().id};
    case QuestionType::multiple: return ChoiceSet{{q.options.front().id}};
    case QuestionType::count_matrix: return Counts{};
    case QuestionType::integer: return q.min;
    case QuestionType::text: return std::monostate{};
  }
  return std::monostate{};
}

}  // namespace

int run_kiosk(const WindowOptions& o) {
  auto t_start = std::chrono::steady_clock::now();
  // Console exports run on its worker thread; this builds the options from what the
  // app knows (strings, configuration) and names the file by questionnaire and time.
  // ---- data ----
  ConfigLoad cl = load_config(o.config.empty() ? Config::default_path() : o.config);
  for (const auto& e : cl.errors) std::cerr << "config: " << e << "\n";
  Config cfg = cl.config;
  if (!o.lang.empty()) cfg.default_lang = o.lang;
  QuestionnaireSet set = load_questionnaire_dir(o.data_dir + "/questionnaires");
  for (const auto& e : set.errors) std::cerr << "questionnaire refused: " << e.to_string() << "\n";
  // A kiosk whose id cannot be trusted would store responses under the wrong kiosk: it
  // shows staff why on screen instead of serving residents.
  std::string refusal = o.screenshot_dir.empty() ? cl.kiosk_refused : std::string();
  if (!refusal.empty()) {
    std::cerr << "error: the kiosk does not start: " << refusal << "\n";
    for (const auto& e : cl.errors) refusal += "\n" + e;
  }
  std::vector<std::string> known_ids;
  for (const auto& q : set.list) known_ids.push_back(q.id);
  std::vector<std::string> unknown_ids = unknown_questionnaires(cfg, known_ids);
  for (const auto& e : unknown_ids) std::cerr << "config: " << e << "\n";
  Strings strings;
  std::vector<std::string> serr;
  strings.load_dir(o.data_dir + "/assets/i18n", serr);
  for (const auto& e : serr) std::cerr << "strings: " << e << "\n";

  bool tour = !o.screenshot_dir.empty();
  std::unique_ptr<Store> store;
  std::string startup_warning;  // shown to staff in the console
  std::string store_problem;    // no database: shown to staff after the corner gesture
  bool reopen_later = false;    // a lock, a full disk...: tried again while the kiosk runs
  // Opens (or, while the kiosk runs without one, reopens) the database.
  auto open_db = [&]() -> bool {
    try {
      OpenedStore opened = open_store_checked(tour ? std::string(":memory:") : (o.db.empty() ? Store::default_path() : o.db), now_ms());
      store = std::move(opened.store);
      if (!opened.moved_aside.empty()) {
        startup_warning = strings.get(cfg.default_lang, "console.db_moved_aside") + " " + opened.moved_aside;
        std::cerr << "database was damaged (" << opened.problem << "); kept as " << opened.moved_aside
                  << ", a fresh one started\n";
      }
      for (const auto& q : set.list)
        if (const std::string* e = set.expanded_json(q)) store->remember_definition(q, *e);
      // A session on screen when the power went or the process died counts as abandoned.
      if (std::int64_t n = store->recover_interrupted(now_ms()))
        std::cerr << n << " interrupted session(s) recorded as abandoned\n";
    } catch (const std::exception& e) {
      // The kiosk still runs: answers stay in memory and saving is retried (KioskModel).
      // The file itself was left where it is (only real damage is ever moved aside).
      store_problem = e.what();
      // A newer program's database stays unreadable until the program is updated.
      auto* db_error = dynamic_cast<const DbError*>(&e);
      reopen_later = !(db_error && db_error->code == Store::kNewerSchemaCode);
      std::cerr << "database unavailable (the file was left as it is; responses are kept in memory): " << e.what()
                << "\n";
    }
    return store != nullptr;
  };
  open_db();

  for (const auto& e : unknown_ids) startup_warning += (startup_warning.empty() ? "" : "  ·  ") + e;
  TimeMs fake_now = 1'561'000'000'000;
  std::function<TimeMs()> clock = tour ? std::function<TimeMs()>([&] { return fake_now; }) : std::function<TimeMs()>(now_ms);
  KioskModel model(cfg, set, store.get(), clock, tour ? 7 : 0);
  if (!store) model.set_store_problem(store_problem.empty() ? std::string("no database") : store_problem);

  CatalogLoad cat = load_catalog(o.data_dir + "/assets/indicators.json");
  for (const auto& e : cat.errors) std::cerr << "catalog: " << e << "\n";
  Catalog catalog = cat.catalog ? std::move(*cat.catalog) : Catalog{};
  std::string db_path = tour ? std::string(":memory:") : (o.db.empty() ? Store::default_path() : o.db);
  std::string config_path = o.config.empty() ? Config::default_path() : o.config;
  // The atlas and the on-screen input's engines (set up with the window, below).
  static ImFontAtlas atlas;
  Fonts fonts;
  input::Recognizer recognizer;
  input::PinyinEngine pinyin;
  std::unique_ptr<ConsoleModel> console;
  auto make_console = [&] {
    if (store)
      console = std::make_unique<ConsoleModel>(catalog, *store, db_path, set, cfg, config_path, clock,
                                               [] { glfwPostEmptyEvent(); });  // the worker wakes the loop
    if (console)  // staff write notes with the kiosk's input; the console's font has the common characters
      console->set_text_input(&recognizer, &pinyin, [&fonts](std::string_view s) { return font_has_glyphs(fonts.console, s); });
    if (console)
      console->exporter = [&strings, &set, &cfg, clock](Store& s, const std::string& format, const std::string& q,
                                                       const ResponseFilter& dates, const std::string& folder,
                                                       const std::atomic<bool>* cancel, std::string& path,
                                                       std::int64_t& rows) {
        ExportOptions eo;
        eo.format = format;
        eo.questionnaire = q;
        eo.filter = dates;
        std::string stamp = to_iso_utc(clock() + cfg.utc_offset_minutes * 60000LL);
        stamp = stamp.substr(0, 10) + "-" + stamp.substr(11, 2) + stamp.substr(14, 2);
        eo.out = folder + "/ecokiosk-" + (q.empty() ? std::string("all") : q) + "-" + stamp + "." + format;
        eo.min_seconds_per_question = cfg.min_seconds_per_question;
        eo.utc_offset_minutes = cfg.utc_offset_minutes;
        eo.strings = &strings;
        eo.lang = cfg.default_lang;
        eo.cancel = cancel;
        eo.replace = true;  // the name is ours (questionnaire and minute), not typed by staff
        eo.district = cfg.district_title;
        if (auto h = cfg.hall_name.find(eo.lang); h != cfg.hall_name.end()) eo.hall_names[cfg.kiosk_id] = h->second;
        ExportResult r = export_data(s, set, eo);
        path = r.files.empty() ? eo.out : r.files.front();
        rows = r.rows;
        return r.error;
      };
  };
  make_console();

  double data_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_start).count();
  // ---- window ----
  glfwSetErrorCallback([](int code, const char* msg) { std::cerr << "GLFW error " << code << ": " << msg << "\n"; });
  if (!glfwInit()) {
    std::cerr << "error: cannot start the window system (is DISPLAY set? try xvfb-run)\n";
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWmonitor* monitor = nullptr;
  int w = o.width, h = o.height;
  if (w <= 0 || h <= 0) {
    monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    w = mode ? mode->width : 1920;
    h = mode ? mode->height : 1080;
  }
  // The first atlas is baked on another thread while the window and its GL context are
  // made (the two take about as long). No ImGui context exists yet, so the build
  // touches nothing the main thread uses; the context is created with this atlas after.
  fonts.atlas = &atlas;
  FontFile ff;
  bool full_atlas = tour;  // the tour shoots every screen at once: bake everything now
  float scale = scale_for(ImVec2(static_cast<float>(w), static_cast<float>(h)));
  bool font_found = true;
  // The on-screen input's engines: the handwriting model is opened with the first atlas
  // (it overlaps the window too); librime deploys its dictionaries on a thread of its
  // own, into a private folder beside the database, and is ready seconds later.
  std::string rime_dir = tour ? (std::filesystem::temp_directory_path() / ("ecokiosk-tour-rime-" + std::to_string(getpid()))).string()
                              : (std::filesystem::path(db_path).parent_path() / "rime").string();
  std::thread pinyin_thread([&pinyin, rime_dir] {
    if (!pinyin.start({rime_dir})) std::cerr << "pinyin input unavailable: " << pinyin.error() << "\n";
  });
  std::thread font_thread([&] {
    ff = find_cjk_font(o.font);  // fontconfig's first call reads its caches: worth overlapping too
    font_found = build_fonts(fonts, ff, scale, full_atlas ? glyph_text(set, strings, cfg) : welcome_glyphs(set, strings, cfg));
    if (!recognizer.open()) std::cerr << "handwriting input unavailable: " << recognizer.error() << "\n";
  });
  GLFWwindow* win = glfwCreateWindow(w, h, "EcoKiosk", monitor, nullptr);
  font_thread.join();
  fonts.atlas = nullptr;  // from here on, the context's atlas (the same object)
  if (!win) {
    std::cerr << "error: cannot open a " << w << "x" << h << " OpenGL 3 window\n";
    pinyin_thread.join();
    glfwTerminate();
    return 1;
  }
  // Candidates are offered only when the input font can draw every character of them.
  model.set_text_input(&recognizer, &pinyin, [&fonts](std::string_view s) {
    return font_has_glyphs(fonts.normal.input ? fonts.normal.input : fonts.large.input, s);
  });
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);
  glfwSetWindowCloseCallback(win, on_close);
  glfwSetCursorPosCallback(win, on_cursor);
  glfwSetMouseButtonCallback(win, on_button);
  glfwSetScrollCallback(win, on_scroll);
  glfwSetKeyCallback(win, on_key);
  if (o.hide_cursor) glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext(&atlas);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing of a session is written to disk by ImGui
  ImGui_ImplGlfw_InitForOpenGL(win, true);  // chains the callbacks installed above
  ImGui_ImplOpenGL3_Init("#version 130");
  ImGui_ImplOpenGL3_CreateDeviceObjects();  // shaders now; the font texture is ours (below)

  int fbw, fbh;
  glfwGetFramebufferSize(win, &fbw, &fbh);
  ImVec2 size(static_cast<float>(fbw), static_cast<float>(fbh));
  if (scale != scale_for(size)) {  // a window manager gave another size than asked
    scale = scale_for(size);
    build_fonts(fonts, ff, scale, full_atlas ? glyph_text(set, strings, cfg) : welcome_glyphs(set, strings, cfg));
  }
  double window_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_start).count();
  if (!font_found)
    std::cerr << "warning: no Chinese font found (install fonts-noto-cjk); Chinese will not display\n";
  apply_theme(scale);
  upload_font_texture();
  if (o.print_timing)
    std::cerr << "data, window and first atlas ready after " << window_ms << " ms (data " << data_ms << " ms); first atlas "
              << fonts.atlas_w << "x" << fonts.atlas_h << " built in " << fonts.build_ms << " ms; resident "
              << rss_mb() << " MB, peak " << peak_mb() << " MB\n";
  // Every later bake goes through here: the resident screens' glyphs (gathered once),
  // the text size in use, and the console's fonts when staff are in it.
  std::string resident_glyphs, staff_glyphs;
  auto bake = [&](bool for_console) {
    if (resident_glyphs.empty()) resident_glyphs = glyph_text(set, strings, cfg);
    if (for_console && staff_glyphs.empty()) staff_glyphs = console_glyphs(catalog);
    // The input's font only while a text question is on screen (it is a large atlas page).
    fonts.with_input = !for_console && model.text_entry();
    build_fonts(fonts, ff, scale, resident_glyphs, for_console ? staff_glyphs : std::string(),
                !for_console && model.large_text());
    upload_font_texture();
    full_atlas = true;
    if (o.print_timing)
      std::cerr << (for_console ? "console atlas " : "font atlas ") << fonts.atlas_w << "x" << fonts.atlas_h
                << " built in " << fonts.build_ms << " ms; resident " << rss_mb() << " MB, peak " << peak_mb()
                << " MB\n";
  };
  const PointerState* replay = nullptr;
  auto render = [&](bool screenshot, const std::string& png) {
    if (model.screen() == Screen::admin && console) {
      if (!fonts.console) bake(true);  // first entry: the console's fonts, baked only now
    } else if (fonts.console || model.large_text() != fonts.large_built ||
               (model.text_entry() != nullptr) != (fonts.normal.input != nullptr)) {
      bake(false);  // back from the console, the text size changed, or a text question came or went
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (replay) {  // one point of the finger's path (see PointerState), not the backend's summary
      io.MousePos = ImVec2(replay->x, replay->y);
      io.MouseDown[0] = replay->down;
    }
    ImGui::NewFrame();
    Intent in;
    if (!refusal.empty()) {
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(size);
      ImGui::Begin("##refused", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
      ImGui::PushFont(fonts.pick(false).body);
      ImGui::PushTextWrapPos(size.x - 40 * scale);
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color::error), "%s",
                         strings.get(cfg.default_lang, "kiosk.config_refused").c_str());
      ImGui::TextUnformatted(refusal.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopFont();
      ImGui::End();
    } else if (model.screen() == Screen::admin && console) {
      // Both warnings when both hold: a damaged database set aside, and unsaved responses.
      std::string banner = startup_warning;
      if (model.unsaved())
        banner += (banner.empty() ? "" : "  ·  ") + strings.get(cfg.default_lang, "console.unsaved") + " " +
                  std::to_string(model.unsaved()) + " — " + model.save_error();
      ConsoleView cv{strings, *console, fonts.console, fonts.console_heading, scale, size, cfg.default_lang, banner};
      ConsoleIntent ci = draw_console(cv);
      console->apply(ci);
      console->tick();
      if (console->take_exit()) model.leave_admin();
    } else {
      View v{strings, model, fonts.pick(model.large_text()), scale * model.text_scale(), size,
             size.y > size.x};
      in = draw_frame(v);
    }
    ImGui::Render();
    glViewport(0, 0, fbw, fbh);
    ImVec4 bg = ImGui::ColorConvertU32ToFloat4(color::background);
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (screenshot && !save_png(png, fbw, fbh)) std::cerr << "cannot write " << png << "\n";
    glfwSwapBuffers(win);
    return in;
  };

  int rc = 0;
  if (tour) {
    std::filesystem::create_directories(o.screenshot_dir);
    auto shot = [&](const std::string& name) {
      for (int i = 0; i < 3; ++i) render(false, "");  // layout settles over a couple of frames
      std::string path = o.screenshot_dir + "/" + name + ".png";
      render(true, path);
      std::cout << path << "\n";
    };
    auto apply = [&](Intent::Kind k, std::string id = {}, Answer a = {}) {
      Intent in;
      in.kind = k;
      in.id = std::move(id);
      in.answer = std::move(a);
      model.apply(in);
    };
    auto advance_to = [&](const std::string& qid) {
      for (int guard = 0; guard < 200 && model.session() && model.session()->current() &&
                          model.session()->current()->id != qid; ++guard) {
        apply(Intent::Kind::answer, {}, filler(*model.session()->current()));
        apply(Intent::Kind::next);
      }
    };
    shot("01-welcome");
    apply(Intent::Kind::start, "satisfaction");
    apply(Intent::Kind::answer, {}, Choice{"satisfied"});
    shot("02-rating");
    advance_to("improve_first");
    apply(Intent::Kind::answer, {}, ChoiceSet{{"air", "waste"}});
    shot("03-multiple");
    advance_to("township");
    apply(Intent::Kind::answer, {}, Choice{"zhengyang"});
    shot("04-single-many-options");
    advance_to("occupation");
    apply(Intent::Kind::answer, {}, Choice{"retired"});
    shot("05-occupation");
    // The comment: 生态 written on the pad (the stroke files of the tests), then pinyin.
    advance_to("comment");
    auto write = [&](input::InputIntent ii) {
      Intent in;
      in.kind = Intent::Kind::input;
      in.input = std::move(ii);
      model.apply(in);
    };
    auto ink_intent = [](input::InputIntent::Kind k, input::Point at = {}) {
      input::InputIntent ii;
      ii.kind = k;
      ii.at = at;
      return ii;
    };
    shot("05a-comment-empty");  // bakes the input's font: candidates are checked against it
    using IK = input::InputIntent::Kind;
    for (const char* name : {"sheng", "tai"}) {
      auto f = input::load_ink(o.data_dir + "/tests/data/strokes/" + name + ".json");
      if (!f) break;
      for (const auto& st : f->ink.strokes) {
        write(ink_intent(IK::pen_down, st.front()));
        for (const auto& pt : st) write(ink_intent(IK::pen_move, pt));
        write(ink_intent(IK::pen_up));
      }
      if (std::string(name) == "tai") break;  // 态 stays on the pad, its candidates showing
      input::InputIntent pick;
      pick.kind = IK::pick;
      write(pick);
    }
    shot("05b-comment-handwriting");
    pinyin_thread.join();
    pinyin_thread = std::thread([] {});
    input::InputIntent m;
    m.kind = IK::mode;
    m.mode = input::InputMode::pinyin;
    write(m);
    for (char c : std::string("henhao")) {
      input::InputIntent k;
      k.kind = IK::key;
      k.key = c;
      write(k);
    }
    shot("05c-comment-pinyin");
    m.mode = input::InputMode::symbols;
    write(m);
    shot("05d-comment-symbols");
    m.mode = input::InputMode::letters;
    write(m);
    shot("05e-last-question");
    apply(Intent::Kind::quit);
    shot("05f-leave-dialog");
    apply(Intent::Kind::confirm_leave);
    apply(Intent::Kind::start, "green-travel");
    apply(Intent::Kind::answer, {}, Counts{{{"walk", 2}, {"bus", 1}, {"car", 1}}});
    shot("06-count-matrix");
    apply(Intent::Kind::next);
    apply(Intent::Kind::answer, {}, Choice{"car"});
    apply(Intent::Kind::next);
    apply(Intent::Kind::next);  // refused: the number pad's question needs a number
    shot("07-required-refusal");
    apply(Intent::Kind::answer, {}, std::int64_t{25});
    shot("08-integer-numpad");
    fake_now += (cfg.idle_seconds + 4) * 1000LL;
    model.tick();
    shot("09-idle-overlay");
    apply(Intent::Kind::continue_session);
    apply(Intent::Kind::quit);
    apply(Intent::Kind::confirm_leave);
    apply(Intent::Kind::start, "knowledge");
    advance_to("sources");
    advance_to("");
    shot("10-finish-quiz");
    // Larger text: the welcome cards reflow, and a long list question.
    apply(Intent::Kind::home);
    apply(Intent::Kind::toggle_large_text);
    shot("20-large-welcome");
    apply(Intent::Kind::start, "satisfaction");
    apply(Intent::Kind::answer, {}, Choice{"satisfied"});
    shot("21-large-rating");
    advance_to("township");
    shot("22-large-township");
    apply(Intent::Kind::quit);
    apply(Intent::Kind::confirm_leave);
    if (console) {
      // The console on demo data: some records and task updates as staff would make them.
      DemoOptions d;
      d.responses = 3000;
      d.end = fake_now;
      fill_demo_data(*store, set, d);
      AdminStore admin(*store, catalog, clock);
      admin.set_pin("135790", "tour");
      auto rec = [&](const char* id, const char* as_of, std::optional<double> v, const char* state, int judged,
                     const char* evidence) {
        IndicatorRecord r;
        r.indicator = id;
        r.as_of = as_of;
        r.value = v;
        r.state = state;
        if (judged >= 0) r.judged = judged == 1;
        r.source = "区统计局";
        r.evidence = evidence;
        r.recorded_by = "王芳";
        admin.record(r);
      };
      rec("12", "2017-12-31", 74.6, "", -1, "2017年生态环境状况公报");
      rec("12", "2018-12-31", 75.1, "", -1, "2018年生态环境状况公报");
      rec("12", "2019-06-30", 75.4, "", -1, "市生态环境局半年通报");
      rec("13", "2019-06-30", 66.2, "", -1, "森林资源二类调查");
      rec("1", "2019-05-20", std::nullopt, "实施", -1, "区政府常务会议审议通过");
      rec("17", "2019-06-30", std::nullopt, "不发生", -1, "");
      rec("22", "2019-06-30", std::nullopt, "", 1, "市发展改革委考核通报:排名第3");
      rec("14.1", "2019-06-30", std::nullopt, "严格保护", -1, "");
      admin.update_task("12.1", TaskStatus::in_progress, "监测点位已布设", "王芳");
      admin.update_task("1.1", TaskStatus::done, "规划已颁布", "王芳");
      admin.update_task("10.2", TaskStatus::blocked, "施工单位未落实", "王芳");
      apply(Intent::Kind::home);
      apply(Intent::Kind::corner_press);
      fake_now += KioskModel::kAdminHoldMs + 100;
      model.tick();
      console->open();
      for (char c : std::string("1357")) console->apply({ConsoleIntent::Kind::pin_key, std::string(1, c)});
      shot("11-console-pin");
      for (char c : std::string("90")) console->apply({ConsoleIntent::Kind::pin_key, std::string(1, c)});
      console->apply({ConsoleIntent::Kind::pin_submit});
      console->user_name = "王芳";
      shot("12-console-overview");
      console->apply({ConsoleIntent::Kind::open, "12"});
      shot("13-console-detail");
      console->apply({ConsoleIntent::Kind::page, "departments"});
      shot("14-console-departments");
      console->apply({ConsoleIntent::Kind::page, "survey"});
      console->apply({ConsoleIntent::Kind::select_questionnaire, "satisfaction"});
      shot("15-console-survey");
      console->apply({ConsoleIntent::Kind::page, "audit"});
      shot("16-console-audit");
      console->apply({ConsoleIntent::Kind::page, "settings"});
      shot("17-console-settings");
    }
  } else {
    // ECOKIOSK_HIT_LOG=FILE: after every frame, write where each tappable item is, so the
    // end-to-end test (tests/e2e_xvfb.sh) can click labels with real X events.
    const char* hit_log = std::getenv("ECOKIOSK_HIT_LOG");
    std::vector<HitItem> hits;
    if (hit_log && *hit_log) g_hit_items = &hits;
    // Event-driven: sleep until input or the model's next deadline; after input draw a
    // few more frames so presses, releases and layout changes all show.
    int extra = 3;
    int settling = 0;  // frames drawn in a row only because the layout still moved
    unsigned seen = g_input.load();
    bool first = true;
    // Online backups on a timer, on their own thread and connection.
    std::thread backup_thread;
    std::atomic<bool> backup_running{false};
    TimeMs next_backup = cfg.backup_interval_minutes > 0 ? clock() + cfg.backup_interval_minutes * 60000LL : INT64_MAX;
    std::string backup_dir = cfg.backup_dir.empty()
                                 ? (std::filesystem::path(db_path).parent_path() / "backups").string()
                                 : cfg.backup_dir;
    // Temporaries of a backup killed part-way (power cut, crash) go at the start.
    if (store)
      if (int n = clean_stale_parts(backup_dir, "ecokiosk-")) std::cerr << n << " unfinished backup file(s) removed from " << backup_dir << "\n";
    // Without a database the kiosk tries again every minute (unless it is a newer
    // program's); once open, the responses kept in memory are saved and staff get the console.
    TimeMs next_reopen = !store && reopen_later ? clock() + 60'000 : INT64_MAX;
    // systemd: READY after the first frame, a watchdog ping every pass (the wait below is
    // capped at half of WatchdogSec, so only a hung loop misses it); dark outside opening hours.
    platform::ServiceNotifier service;
    ScreenSchedule screen_schedule(parse_opening_hours(cfg.opening_hours).value_or(OpeningHours{}),
                                   cfg.utc_offset_minutes, cfg.idle_seconds * 1000LL, clock());
    while (!glfwWindowShouldClose(win)) {
      if (!store && clock() >= next_reopen) {
        if (open_db()) {
          std::cerr << "database opened; saving the " << model.unsaved() << " response(s) kept in memory\n";
          model.set_store(store.get());
          model.leave_admin();  // off the "cannot open" notice; the gesture now opens the console
          make_console();
          next_reopen = INT64_MAX;
        } else {
          model.set_store_problem(store_problem);
          next_reopen = reopen_later ? clock() + 60'000 : INT64_MAX;
        }
      }
      if (store && clock() >= next_backup && !backup_running) {
        if (backup_thread.joinable()) backup_thread.join();
        backup_running = true;
        next_backup = clock() + cfg.backup_interval_minutes * 60000LL;
        backup_thread = std::thread([&, keep = cfg.backup_keep, dir = backup_dir, path = db_path] {
          try {
            Store own(path);
            std::string written, err = backup_rotate(own, dir, keep, now_ms(), &written);
            if (!err.empty()) std::cerr << "backup failed: " << err << "\n";
          } catch (const std::exception& e) {
            std::cerr << "backup failed: " << e.what() << "\n";
          }
          backup_running = false;
        });
      }
      TimeMs deadline = std::min({model.next_deadline(), next_backup, next_reopen});
      if (console) deadline = std::min(deadline, console->next_deadline());
      deadline = std::min(deadline, screen_schedule.next_deadline(clock()));
      double wait = extra > 0 ? 0.0 : std::max(0.0, static_cast<double>(deadline - clock()) / 1000.0);
      glfwWaitEventsTimeout(std::min(wait, service.max_wait(60.0)));
      unsigned now_input = g_input.load();
      if (now_input != seen) {
        seen = now_input;
        model.touch();
        screen_schedule.touch(clock());
        if (console) console->touch();
        extra = 3;
      }
      Screen before = model.screen();
      model.tick();
      if (model.screen() == Screen::admin && before != Screen::admin) {
        if (console) console->open();
        else if (model.store_problem().empty()) model.leave_admin();  // else staff see why there is no database
        extra = 3;
      }
      if (console) console->tick();
      // Every point of the finger's path gets a frame of its own (where each press and
      // release happened, then where the pointer went), so a press is tested where it
      // went down and a swipe is seen moving (touch_scroll.hpp). The last is the frame below.
      PointerState steps[2 * kPath];
      int n_steps = 0;
      for (int i = 0; i < g_path_len; ++i) {
        const PointerState& p = g_path[i];
        if (i > 0 || !g_path_carried) steps[n_steps++] = {p.x0, p.y0, p.x0, p.y0, p.down};
        if (p.x != p.x0 || p.y != p.y0) steps[n_steps++] = {p.x, p.y, p.x, p.y, p.down};
      }
      if (g_path_len > 0) {  // the next batch continues from the current state, already shown
        PointerState last = g_path[g_path_len - 1];
        g_path[0] = {last.x, last.y, last.x, last.y, last.down};
        g_path_len = 1;
        g_path_carried = true;
      }
      for (int i = 0; i + 1 < n_steps; ++i) {
        replay = &steps[i];
        Intent step = render(false, "");
        if (step.kind != Intent::Kind::none) model.apply(step);
      }
      replay = n_steps > 0 ? &steps[n_steps - 1] : nullptr;
      hits.clear();
      Intent in;
      if (screen_schedule.dark(clock())) {
        glClearColor(0, 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        glfwSwapBuffers(win);
      } else {
        in = render(false, "");
      }
      replay = nullptr;
      service.alive();
      if (g_hit_items) {
        std::string tmp = std::string(hit_log) + ".tmp";
        if (FILE* f = std::fopen(tmp.c_str(), "w")) {
          // label, centre x, y, then the item's top and bottom and the visible band of
          // its window (top, bottom): the drag test checks an item is in full view.
          for (const auto& h : hits)
            std::fprintf(f, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", h.label.c_str(), static_cast<int>((h.min.x + h.max.x) / 2),
                         static_cast<int>((h.min.y + h.max.y) / 2), static_cast<int>(h.min.y), static_cast<int>(h.max.y),
                         static_cast<int>(std::max(h.clip_min.y, -1.f)), static_cast<int>(std::min(h.clip_max.y, 1e6f)));
          std::fclose(f);
          std::rename(tmp.c_str(), hit_log);
        }
      }
      if (first && o.print_timing) {
        glFinish();
        std::cerr << "first frame after "
                  << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_start).count()
                  << " ms; resident " << rss_mb() << " MB, peak " << peak_mb() << " MB\n";
      }
      // The backend uploaded the atlas during the first frame: the CPU copies (RGBA32
      // and alpha) are no longer needed. Then the full atlas, while nobody has touched yet.
      if (first) {
        service.ready("kiosk on screen");
        ImGui::GetIO().Fonts->ClearTexData();
        if (!full_atlas) bake(false);  // every glyph the resident screens can show
        extra = std::max(extra, 1);  // redraw with it
      }
      first = false;
      if (in.kind != Intent::Kind::none) {
        model.apply(in);
        extra = 3;
      } else if (extra > 0) {
        --extra;
      }
      // Never stop on a frame whose layout differs from the one before (a new page,
      // a scrollbar that appeared, a scroll applied): the resident must see the layout
      // the next press is tested against. Bounded, in case a layout never settles.
      if (layout_changed() && settling < 8) {
        ++settling;
        extra = std::max(extra, 1);
      } else if (!layout_changed()) {
        settling = 0;
      }
    }
    if (backup_thread.joinable()) backup_thread.join();
  }
  pinyin_thread.join();  // a deployment still running finishes first (seconds at most)
  if (tour) {
    std::error_code ec;
    std::filesystem::remove_all(rime_dir, ec);
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();
  return rc;
}

}  // namespace eco::ui
