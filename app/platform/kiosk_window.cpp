// The kiosk's start-up order and its event loop. What starts, in order, on which thread:
//   1. KioskApp (UI thread): configuration, questionnaires, strings, database, models
//      (an older database is opened only after step 2, on a worker, with its progress
//      on screen: database_update.hpp).
//   2. The window and GL context (UI thread) while the first font atlas is baked on a
//      short-lived thread; then the ImGui context on that atlas.
//   3. The screenshot tour, or the event loop (UI thread), with the console's worker
//      thread (results come back through its run queue) and the backup thread
//      (BackupScheduler) started from it as needed.
#include "platform/kiosk_window.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "core/storage/db_maintenance.hpp"
#include "core/support/opening_hours.hpp"
#include "core/support/safe_file.hpp"
#include "kiosk/backup_scheduler.hpp"
#include "core/central/credentials.hpp"
#include "core/central/publish.hpp"
#include "core/central/sync.hpp"
#include "core/support/run_queue.hpp"
#include "kiosk/read_aloud.hpp"
#include "platform/audio_alsa.hpp"
#include "platform/database_update.hpp"
#include "platform/glfw_backend.hpp"
#include "platform/kiosk_app.hpp"
#include "platform/kiosk_frame.hpp"
#include "platform/screenshot_tour.hpp"
#include "platform/service.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/touch_scroll.hpp"
#include "ui/resident/frame.hpp"

namespace eco::ui {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// ECOKIOSK_HIT_LOG=FILE: after every frame, where each tappable item is, so the
// end-to-end test (tests/e2e_xvfb.sh) can click labels with real X events: label,
// centre x, y, then the item's top and bottom and the visible band of its window (top,
// bottom): the drag test checks an item is in full view.
void write_hit_log(const char* hit_log, const std::vector<HitItem>& hits) {
  std::string tmp = std::string(hit_log) + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return;
  for (const auto& h : hits)
    std::fprintf(f, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", h.label.c_str(), static_cast<int>((h.min.x + h.max.x) / 2),
                 static_cast<int>((h.min.y + h.max.y) / 2), static_cast<int>(h.min.y), static_cast<int>(h.max.y),
                 static_cast<int>(std::max(h.clip_min.y, -1.f)), static_cast<int>(std::min(h.clip_max.y, 1e6f)));
  std::fclose(f);
  std::rename(tmp.c_str(), hit_log);
}

// Event-driven: sleeps until input, a worker's result or the next deadline (the model's,
// the console's, a backup, a database retry, the screen schedule); after input it draws
// a few more frames so presses, releases and layout changes all show.
class EventLoop {
 public:
  EventLoop(KioskApp& app, platform::GlfwBackend& backend, KioskFrame& frame, Clock::time_point started,
            speech::Speaker* speaker)
      : app_(app), backend_(backend), frame_(frame), started_(started), read_aloud_(speaker),
        backup_dir_(app.cfg.backup_dir.empty()
                        ? (std::filesystem::path(app.db_path).parent_path() / "backups").string()
                        : app.cfg.backup_dir),
        backups_(app.cfg.backup_interval_minutes, app.clock(),
                 database_backup_job(app.db_path, backup_dir_, app.cfg.backup_keep)),
        screen_schedule_(parse_opening_hours(app.cfg.opening_hours).value_or(OpeningHours{}),
                         app.cfg.utc_offset_minutes, app.cfg.idle_seconds * 1000LL, app.clock()) {
    const char* log = std::getenv("ECOKIOSK_HIT_LOG");
    if (log && *log) {
      hit_log_ = log;
      g_hit_items = &hits_;
    }
    // Temporaries of a backup killed part-way (power cut, crash) go at the start.
    if (app_.store)
      if (int n = clean_stale_parts(backup_dir_, "ecokiosk-"))
        std::cerr << n << " unfinished backup file(s) removed from " << backup_dir_ << "\n";
    // Without a database the kiosk tries again every minute (unless it is a newer
    // program's); once open, the responses kept in memory are saved and staff get the console.
    next_reopen_ = !app_.store && app_.reopen_later ? app_.clock() + 60'000 : INT64_MAX;
    seen_input_ = backend_.input_count();
    start_sync();
  }
  ~EventLoop() {
    g_hit_items = nullptr;
    if (sync_) {
      app_.model->set_on_saved(nullptr);  // the worker goes; a later save must not reach it
      app_.model->set_on_updated(nullptr);
      sync_->stop();  // a batch in flight is rolled back at the center, not marked
    }
  }

  void run() {
    while (!backend_.should_close()) pass();
  }

 private:
  void pass();
  void reopen_if_due();
  void wait_for_events();
  void tick_models();
  Intent draw_path();
  void after_first_frame();
  void settle(const Intent& in);
  void start_sync();

  KioskApp& app_;
  platform::GlfwBackend& backend_;
  KioskFrame& frame_;
  Clock::time_point started_;
  ReadAloud read_aloud_;  // the speaker follows the model: reads the page, stops at a tap
  std::string backup_dir_;
  BackupScheduler backups_;  // online backups on a timer, on their own thread and connection
  // systemd: READY after the first frame, a watchdog ping every pass (the wait is capped
  // at half of WatchdogSec, so only a hung loop misses it); dark outside opening hours.
  platform::ServiceNotifier service_;
  ScreenSchedule screen_schedule_;
  TimeMs next_reopen_ = INT64_MAX;
  const char* hit_log_ = nullptr;
  std::vector<HitItem> hits_;
  int extra_ = 3;     // frames still to draw after input
  int settling_ = 0;  // frames drawn in a row only because the layout still moved
  unsigned seen_input_ = 0;
  bool first_ = true;
  // Central sync (issue 16): its own thread and SQLite connection; a frame never waits
  // for it. Off without central_url, and in the screenshot tour.
  std::unique_ptr<central::SyncWorker> sync_;
  // What the center publishes, built and checked on the sync's thread, handed to the
  // model here (it takes it between residents).
  RunQueue published_{[this] { if (app_.wake) app_.wake(); }};
};

void EventLoop::start_sync() {
  if (app_.tour || !app_.store || app_.cfg.central_url.empty() || sync_) return;
  central::SyncSettings ss;
  ss.url = app_.cfg.central_url;
  ss.credentials_path = central::credentials_path(app_.config_path, app_.cfg.central_credentials);
  ss.kiosk_id = app_.cfg.kiosk_id;
  ss.published_path = central::published_path(app_.config_path);
  ss.pull_every_ms = app_.cfg.central_pull_minutes * 60'000;
  // On the sync's thread: the installed questionnaires and the kiosk's own settings are
  // copies, so nothing here is shared with the frame.
  ss.on_published = [this, installed = app_.installed, base = app_.cfg](const central::Published& p) {
    auto offer = std::make_shared<central::KioskOffer>(central::build_offer(installed, base, p));
    for (const auto& e : offer->problems) std::cerr << "published: " << e << "\n";
    published_.post([this, offer] {
      std::cerr << "published: " << offer->fingerprint << " (taken at the welcome screen)\n";
      app_.model->offer_update(offer->set, offer->config);
    });
  };
  sync_ = std::make_unique<central::SyncWorker>(app_.db_path, ss);
  app_.model->set_on_updated([this] {
    if (sync_) sync_->set_running(central::offered_versions(app_.model->questionnaires(), app_.model->config()));
  });
  sync_->set_running(central::offered_versions(app_.model->questionnaires(), app_.model->config()));
  sync_->start();
  // A saved response is sent at once, not at the next idle poll.
  app_.model->set_on_saved([w = sync_.get()] { w->wake(); });
}

void EventLoop::pass() {
  reopen_if_due();
  if (app_.store) backups_.poll(app_.clock());
  wait_for_events();
  tick_models();
  Intent in = draw_path();
  service_.alive();
  if (hit_log_) write_hit_log(hit_log_, hits_);
  if (first_) after_first_frame();
  first_ = false;
  settle(in);
}

void EventLoop::reopen_if_due() {
  if (app_.store || app_.clock() < next_reopen_) return;
  if (app_.open_db()) {
    std::cerr << "database opened; saving the " << app_.model->unsaved() << " response(s) kept in memory\n";
    app_.model->set_store(app_.store.get());
    app_.model->leave_admin();  // off the "cannot open" notice; the gesture now opens the console
    app_.make_console();
    start_sync();
    next_reopen_ = INT64_MAX;
  } else {
    app_.model->set_store_problem(app_.store_problem);
    next_reopen_ = app_.reopen_later ? app_.clock() + 60'000 : INT64_MAX;
  }
}

void EventLoop::wait_for_events() {
  TimeMs deadline = std::min({app_.model->next_deadline(), backups_.next_due(), next_reopen_});
  if (app_.console) deadline = std::min(deadline, app_.console->next_deadline());
  deadline = std::min(deadline, screen_schedule_.next_deadline(app_.clock()));
  double wait = extra_ > 0 ? 0.0 : std::max(0.0, static_cast<double>(deadline - app_.clock()) / 1000.0);
  backend_.wait(std::min(wait, service_.max_wait(60.0)));
  unsigned now_input = backend_.input_count();
  if (now_input != seen_input_) {
    seen_input_ = now_input;
    app_.model->touch();
    screen_schedule_.touch(app_.clock());
    if (app_.console) app_.console->touch();
    extra_ = 3;
  }
}

// Deadlines, and the console's worker results (its run queue is drained in tick()).
void EventLoop::tick_models() {
  KioskModel& model = *app_.model;
  Screen before = model.screen();
  published_.drain();
  model.tick();
  if (model.screen() == Screen::admin && before != Screen::admin) {
    if (app_.console) app_.console->open();
    else if (model.store_problem().empty()) model.leave_admin();  // else staff see why there is no database
    extra_ = 3;
  }
  if (app_.console) app_.console->tick();
}

// A request to act on. A bare touch is not one here: wait_for_events() already counted
// the input that carried it, and a finger resting on the glass must not keep frames coming.
bool asks(const Intent& in) { return !none(in) && !is<intent::Touch>(in); }
// Still, the model hears when a finger comes down and when it lifts on nothing (a tap
// acts when it lifts, but is judged by when and where it came down), without that
// asking for frames.
bool press_or_lift(const Intent& in) {
  const auto* t = std::get_if<intent::Touch>(&in);
  return t && (t->press || t->lift);
}

// Every point of the finger's path gets a frame of its own (where each press and
// release happened, then where the pointer went), so a press is tested where it went
// down and a swipe is seen moving (touch_scroll.hpp). The last is the frame returned.
Intent EventLoop::draw_path() {
  platform::PointerStep steps[platform::GlfwBackend::kMaxSteps];
  int n_steps = backend_.take_pointer_steps(steps);
  // The model hears when each press happened, not when its frame came round: under load
  // (software GL drawing a new page) that is a frame or two later, and a double tap's
  // second half would seem to come after the hold meant for it.
  const TimeMs now = app_.clock();
  const double glfw_now = platform::GlfwBackend::now();
  auto happened = [&](const platform::PointerStep& s) {
    return now - static_cast<TimeMs>(std::max(0.0, glfw_now - s.t) * 1000.0);
  };
  for (int i = 0; i + 1 < n_steps; ++i) {
    app_.model->set_input_time(happened(steps[i]));
    Intent step = frame_.render(&steps[i]);
    if (asks(step) || press_or_lift(step)) app_.model->apply(step);
  }
  const platform::PointerStep* last = n_steps > 0 ? &steps[n_steps - 1] : nullptr;
  app_.model->set_input_time(last ? happened(*last) : 0);
  hits_.clear();
  if (screen_schedule_.dark(app_.clock())) {
    backend_.dark_frame();
    return Intent{};
  }
  return frame_.render(last);
}

void EventLoop::after_first_frame() {
  if (app_.o.print_timing) {
    backend_.finish_gpu();
    std::cerr << "first frame after " << ms_since(started_) << " ms; resident " << rss_mb() << " MB, peak "
              << peak_mb() << " MB\n";
  }
  // The backend uploaded the atlas during the first frame: the CPU copies (RGBA32 and
  // alpha) are no longer needed. Then the full atlas, while nobody has touched yet.
  service_.ready("kiosk on screen");
  ImGui::GetIO().Fonts->ClearTexData();
  if (!frame_.full_atlas()) frame_.bake(false);  // every glyph the resident screens can show
  extra_ = std::max(extra_, 1);                  // redraw with it
}

void EventLoop::settle(const Intent& in) {
  if (asks(in)) {
    app_.model->apply(in);
    extra_ = 3;
  } else {
    if (press_or_lift(in)) app_.model->apply(in);
    if (extra_ > 0) --extra_;
  }
  if (read_aloud_.sync(*app_.model, app_.strings)) extra_ = std::max(extra_, 1);  // speak or stop now
  // Never stop on a frame whose layout differs from the one before (a new page, a
  // scrollbar that appeared, a scroll applied): the resident must see the layout the
  // next press is tested against. Bounded, in case a layout never settles.
  if (layout_changed() && settling_ < 8) {
    ++settling_;
    extra_ = std::max(extra_, 1);
  } else if (!layout_changed()) {
    settling_ = 0;
  }
}

}  // namespace

int run_kiosk(const WindowOptions& o) {
  Clock::time_point started = o.started == Clock::time_point{} ? Clock::now() : o.started;
  // The configuration, questionnaires and strings are read while GLFW connects to the
  // display (which takes several times longer); nothing of the window needs them.
  // Then the database's start-up check (PRAGMA quick_check reads the whole file), the
  // catalog and the models, while the window opens and the first atlas is baked.
  // jthreads: joined on every way out of this function, before `app` goes.
  std::optional<KioskApp> loaded;
  std::exception_ptr load_failed;
  double data_ms = 0, store_ms = 0;
  std::jthread store_thread;
  std::jthread data_thread([&] {
    try {
      loaded.emplace(o, [] { platform::GlfwBackend::post_empty_event(); });  // a worker's result wakes the loop
      data_ms = ms_since(started);
      store_thread = std::jthread([&] {
        loaded->open_store_and_models();
        store_ms = ms_since(started);
      });
    } catch (...) {
      load_failed = std::current_exception();
    }
  });

  platform::GlfwBackend backend;
  bool glfw_ready = backend.init();
  data_thread.join();
  if (load_failed) std::rethrow_exception(load_failed);
  if (!glfw_ready) return 1;
  KioskApp& app = *loaded;
  int w = 0, h = 0;
  GLFWmonitor* monitor = nullptr;
  backend.choose_size(o.width, o.height, w, h, monitor);
  // The first atlas is baked on another thread while the window and its GL context are
  // made (the two take about as long). No ImGui context exists yet, so the build touches
  // nothing this thread uses; the context is created with this atlas after.
  static ImFontAtlas atlas;
  KioskFrame frame(app, backend);
  bool font_found = true;
  if (app.tour) app.start_text_input();  // the tour shows the input at once; the kiosk at first use
  // Read-aloud: a kiosk without a sound device runs silent and says so here and to staff.
  // Declared after the backend, so the speaker (whose worker wakes the loop) goes first.
  // The sound device opens on the font thread too, off the UI thread's path to the first
  // frame; espeak-ng itself is loaded at the first reading (audio_alsa.cpp).
  platform::SpeechOutput speech;
  // For --timing: which of the paths run side by side the first frame waited for.
  double font_done_ms = 0, speech_done_ms = 0, window_done_ms = 0;
  std::thread font_thread([&] {
    font_found = frame.bake_first(&atlas, scale_for(ImVec2(static_cast<float>(w), static_cast<float>(h))), app.tour);
    font_done_ms = ms_since(started);
    if (!app.tour)
      speech = platform::open_speech(app.cfg.speech_volume, [] { platform::GlfwBackend::post_empty_event(); });
    speech_done_ms = ms_since(started);
  });
  bool opened = backend.open(w, h, monitor, o.hide_cursor);
  window_done_ms = ms_since(started);
  font_thread.join();
  store_thread.join();
  if (!opened) {
    std::cerr << "error: cannot open a " << w << "x" << h << " OpenGL 3 window\n";
    return 1;
  }
  // Candidates are offered only when the font can draw every character of them.
  app.attach_input(
      [&frame](std::string_view s) {
        const Fonts& f = frame.fonts();
        return font_has_glyphs(f.normal.input ? f.normal.input : f.large.input, s);
      },
      [&frame](std::string_view s) { return font_has_glyphs(frame.fonts().console, s); });
  backend.init_imgui(&atlas);
  frame.adopt_size(backend.framebuffer_size());
  if (!font_found) std::cerr << "warning: no Chinese font found (install fonts-noto-cjk); Chinese will not display\n";
  apply_theme(frame.scale());
  backend.upload_font_texture();
  if (!app.tour && !speech.speaker) {
    std::cerr << "read-aloud: off, no sound device (" << speech.problem << "); the kiosk runs silent\n";
    app.startup_warning += (app.startup_warning.empty() ? "" : "  ·  ") +
                           app.strings.get(app.cfg.default_lang, T("speech.no_audio")) + " " + speech.problem;
  }
  app.model->set_speech_available(app.tour || speech.speaker);  // the tour shows the buttons
  if (o.print_timing)
    std::cerr << "data, window and first atlas ready after " << ms_since(started) << " ms (data " << data_ms
              << " ms, database and models " << store_ms << " ms); first atlas " << frame.fonts().atlas_w << "x" << frame.fonts().atlas_h
              << (frame.fonts().from_cache ? " loaded from the cache in " : " built in ")
              << frame.fonts().build_ms << " ms; resident " << rss_mb() << " MB, peak " << peak_mb() << " MB\n"
              << "  ready: window " << window_done_ms << " ms, first atlas " << font_done_ms << " ms, sound device "
              << speech_done_ms << " ms\n";
  // An older database is updated now, with its progress on screen, before anyone is served.
  if (app.update_pending && !update_database(app, backend, frame)) return 0;
  if (app.tour) {
    run_screenshot_tour(app, frame, o.screenshot_dir);
  } else {
    EventLoop loop(app, backend, frame, started, speech.speaker.get());
    loop.run();
  }
  return 0;
}

}  // namespace eco::ui
