#include "platform/database_update.hpp"

#include <atomic>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "platform/glfw_backend.hpp"
#include "platform/kiosk_app.hpp"
#include "platform/kiosk_frame.hpp"
#include "platform/service.hpp"

namespace eco::ui {

namespace {
// Thrown from the progress callback when the window closes: the update stops between
// two statements of a step, which rolls back that step only.
struct UpdateStopped : std::runtime_error {
  UpdateStopped() : std::runtime_error("the database update stopped (the window closed); it carries on at the next start") {}
};
}  // namespace

bool update_database(KioskApp& app, platform::GlfwBackend& backend, KioskFrame& frame) {
  std::atomic<std::int64_t> done{0}, total{0};
  std::atomic<bool> finished{false}, stop{false};
  std::cerr << "updating the database " << app.db_path << " (once; safe to interrupt)\n";
  int logged = -1;
  std::thread worker([&] {
    app.open_db([&](std::int64_t d, std::int64_t t) {
      if (stop) throw UpdateStopped();
      done = d;
      total = t;
      platform::GlfwBackend::post_empty_event();
    });
    finished = true;
    platform::GlfwBackend::post_empty_event();
  });
  // The worker alone touches the app's store and its fields until it is joined; this
  // thread draws the model's copy of the progress, woken by each step.
  // systemd sees the kiosk up and alive throughout: the update may outlast the
  // unit's start timeout and its watchdog interval.
  platform::ServiceNotifier service;
  bool first = true;
  while (!finished) {
    backend.wait(first ? 0.0 : service.max_wait(0.5));
    if (backend.should_close()) stop = true;
    KioskModel::DatabaseUpdate u{true, done, total};
    app.model->set_database_update(u);
    if (int pct = u.total > 0 ? static_cast<int>(100 * u.done / u.total) : 0; logged < 0 || pct / 10 != logged / 10) {
      logged = pct;
      std::cerr << "database update: " + std::to_string(pct) + "%\n";  // one write: the worker logs too
    }
    frame.render();
    if (first) service.ready("updating the database");
    first = false;
    service.alive();
  }
  worker.join();
  app.model->set_database_update({});
  app.update_pending = false;
  if (stop) return false;
  if (app.store) {
    std::cerr << "database updated\n";
    app.model->set_store(app.store.get());
    app.make_console();
  } else {
    app.model->set_store_problem(app.store_problem);  // the event loop retries as for any failed open
  }
  return true;
}

}  // namespace eco::ui
