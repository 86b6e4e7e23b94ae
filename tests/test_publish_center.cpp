// A simulated kiosk against a real center (issue 17): its sync worker pulls what is
// published, hands it through a run queue to the kiosk model, which uses it from the
// next resident on; a version published while the worker runs arrives by itself; a
// withdrawn one stops being offered; a restart with the center unreachable runs the
// last good set. tests/central/central_publish.sh makes the center, the kiosk (its
// config.json) and publishes the satisfaction survey's next version first; skipped elsewhere.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/central/district.hpp"
#include "core/central/publish.hpp"
#include "core/central/sync.hpp"
#include "core/central/credentials.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store_access.hpp"
#include "core/support/run_queue.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;

namespace {

int offered_version(const KioskModel& m, const std::string& id) {
  for (const Questionnaire* q : m.offered())
    if (q->id == id) return q->version;
  return 0;
}

}  // namespace

TEST_CASE("publish center: a published version reaches a simulated kiosk and is used from the next resident on" *
          doctest::skip(std::getenv("ECOKIOSK_PUBLISH_CONFIG") == nullptr)) {
  const std::string config_path = std::getenv("ECOKIOSK_PUBLISH_CONFIG");
  const char* admin_url = std::getenv("ECOKIOSK_PUBLISH_ADMIN");
  REQUIRE(admin_url);
  ConfigLoad cl = load_config(config_path);
  REQUIRE(cl.kiosk_refused.empty());
  const Config cfg = cl.config;
  REQUIRE_FALSE(cfg.central_url.empty());
  test::TempDir dir;
  const std::string db = dir.file("kiosk.db");
  Store store(db);
  TimeMs now = 1'561'000'000'000;
  KioskModel model(cfg, test::shipped(), &store, [&] { return now; }, 5);
  RunQueue queue;

  central::SyncSettings ss;
  ss.url = cfg.central_url;
  ss.credentials_path = central::credentials_path(config_path, cfg.central_credentials);
  ss.kiosk_id = cfg.kiosk_id;
  ss.published_path = central::published_path(config_path);
  ss.pull_every_ms = 200;
  ss.idle_poll_ms = 100;
  ss.backoff_min_ms = 100;
  ss.on_published = [&](const central::Published& p) {  // the worker's thread
    auto offer = std::make_shared<central::KioskOffer>(central::build_offer(test::shipped(), cfg, p));
    queue.post([&model, offer] { model.offer_update(offer->set, offer->config); });
  };
  central::SyncWorker worker(db, ss);
  model.set_on_updated([&] { worker.set_running(central::offered_versions(model.questionnaires(), model.config())); });
  const int v1 = test::shipped().find("satisfaction")->version;

  // A resident has begun the installed version when the first pull brings the next.
  model.apply(intent::Start{"satisfaction"});
  now += KioskModel::kAnswerAbsorbMs;  // the first question is read before it is touched
  REQUIRE(model.session());
  central::SyncReport r = worker.run_once();
  REQUIRE_MESSAGE(r.status == central::Status::ok, r.detail);
  CHECK(r.published_changed);
  CHECK(r.pull_problems.empty());
  CHECK(queue.drain() == 1);
  CHECK(model.update_pending());
  CHECK(model.session()->questionnaire().version == v1);
  test::fill_to_end(model);
  REQUIRE(model.screen() == Screen::finish);
  CHECK(model.finished_questionnaire()->version == v1);
  now += cfg.finish_seconds * 1000LL;
  model.tick();
  REQUIRE(model.screen() == Screen::welcome);
  CHECK_FALSE(model.update_pending());
  CHECK(offered_version(model, "satisfaction") == v1 + 1);
  model.apply(intent::Start{"satisfaction"});
  now += KioskModel::kAnswerAbsorbMs;  // the first question is read before it is touched
  CHECK(model.session()->questionnaire().version == v1 + 1);
  test::fill_to_end(model);
  REQUIRE(model.screen() == Screen::finish);
  now += cfg.finish_seconds * 1000LL;
  model.tick();

  // The version after that, published while the worker runs on its thread: it arrives by itself.
  test::TempDir files;
  nlohmann::json j = nlohmann::json::parse(*model.questionnaires().expanded_json(*model.questionnaires().find("satisfaction")));
  j["version"] = v1 + 2;
  j["title"]["zh"] = "满意度调查（第三版）";
  central::PublishCheck v3 = central::check_for_publish(files.write("sat3.json", j.dump()));
  REQUIRE(v3.ok());
  {
    central::Conn admin(admin_url);
    CHECK(central::publish(admin, v3) == "published");
  }
  worker.start();
  REQUIRE(queue.wait(std::chrono::seconds(20)));
  queue.drain();
  model.tick();
  CHECK(offered_version(model, "satisfaction") == v1 + 2);
  // The heartbeat names what the kiosk now offers (the worker reports at its next pass).
  auto fleet_says = [&](const std::string& want) {
    for (int i = 0; i < 100; ++i) {
      central::Conn admin(admin_url);
      for (const auto& row : central::read_fleet(admin))
        if (row.kiosk == cfg.kiosk_id && row.questionnaires.find(want) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  worker.wake();
  CHECK(fleet_says("satisfaction " + std::to_string(v1 + 2)));

  // Withdrawn while a resident is on it: they finish it, the next one gets the one before.
  model.apply(intent::Start{"satisfaction"});
  now += KioskModel::kAnswerAbsorbMs;  // the first question is read before it is touched
  REQUIRE(model.session()->questionnaire().version == v1 + 2);
  {
    central::Conn admin(admin_url);
    CHECK(central::withdraw(admin, "satisfaction", v1 + 2) == "withdrawn");
  }
  REQUIRE(queue.wait(std::chrono::seconds(20)));
  queue.drain();
  model.tick();
  CHECK(model.update_pending());
  CHECK(model.session()->questionnaire().version == v1 + 2);
  test::fill_to_end(model);
  REQUIRE(model.screen() == Screen::finish);
  CHECK(store.count({.questionnaire = "satisfaction"}) == 3);
  now += cfg.finish_seconds * 1000LL;
  model.tick();
  CHECK(offered_version(model, "satisfaction") == v1 + 1);
  worker.stop();

  // Each response carries the version it was answered on.
  std::map<int, int> by_version;
  {
    Stmt s(StoreAccess::db(store), "SELECT version, count(*) FROM responses WHERE questionnaire = 'satisfaction' GROUP BY 1");
    while (s.step()) by_version[static_cast<int>(s.i64(0))] = static_cast<int>(s.i64(1));
  }
  CHECK(by_version == std::map<int, int>{{v1, 1}, {v1 + 1, 1}, {v1 + 2, 1}});

  // A restart with the center unreachable: the kept set runs (v1 + 1), the failed
  // contact changes nothing in it.
  std::string why;
  auto kept = central::load_published(ss.published_path, &why);
  REQUIRE_MESSAGE(kept, why);
  const std::string before = kept->fingerprint();
  central::SyncSettings down = ss;
  down.url = "postgresql://127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2";
  down.on_published = [](const central::Published&) { FAIL("nothing can arrive from nowhere"); };
  central::SyncWorker offline(db, down);
  CHECK(offline.run_once().status == central::Status::refused);
  central::KioskOffer restarted = central::build_offer(test::shipped(), cfg, *central::load_published(ss.published_path, &why));
  CHECK(restarted.problems.empty());
  CHECK(restarted.fingerprint == before);
  KioskModel after(restarted.config, *restarted.set, &store, [&] { return now; }, 9);
  CHECK(offered_version(after, "satisfaction") == v1 + 1);
}
