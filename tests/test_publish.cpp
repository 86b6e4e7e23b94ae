// Questionnaires and settings from the center (issue 17), the parts that need no
// PostgreSQL: a file checked by the kiosk's loader before it is published (hostile paths
// too), settings checked by the kiosk's own rules, what a kiosk builds from a pulled set
// (a tampered definition or setting refused), the copy it keeps for a restart offline,
// and the kiosk model taking a new version only between residents.
// tests/central/central_publish.sh does the same through a real center.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/central/publish.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store_access.hpp"
#include "core/support/config.hpp"
#include "helpers.hpp"
#include "kiosk/kiosk_model.hpp"

using namespace eco;
using json = nlohmann::json;

namespace {

// A shipped questionnaire's expanded definition with another version (and, to tell them
// apart on screen, another title).
std::string other_version(const std::string& id, int version, const std::string& title_zh = "") {
  const Questionnaire* q = test::shipped().find(id);
  REQUIRE(q);
  json j = json::parse(*test::shipped().expanded_json(*q));
  j["version"] = version;
  if (!title_zh.empty()) j["title"]["zh"] = title_zh;
  return j.dump();
}

central::PublishedDefinition published_def(const std::string& text, const std::string& name) {
  LoadResult r = load_questionnaire_text(text, name, "");
  REQUIRE(r.questionnaire);
  return {r.questionnaire->id, r.questionnaire->version, r.questionnaire->content_hash, r.expanded_json};
}

const Questionnaire* offered(const KioskModel& m, const std::string& id) {
  for (const Questionnaire* q : m.offered())
    if (q->id == id) return q;
  return nullptr;
}

}  // namespace

TEST_CASE("publish: a file is checked by the kiosk's loader first: links, folders, pipes, huge and bad files refused") {
  test::TempDir d;
  // The shipped file, includes and all: what the kiosk itself would load.
  central::PublishCheck good = central::check_for_publish(test::source_dir() + "/questionnaires/satisfaction.json");
  REQUIRE(good.ok());
  const Questionnaire* shipped = test::shipped().find("satisfaction");
  CHECK(good.questionnaire == "satisfaction");
  CHECK(good.version == shipped->version);
  CHECK(good.content_hash == shipped->content_hash);
  // What is stored loads back on a kiosk (no includes left) with the very same hash.
  LoadResult again = load_questionnaire_text(good.definition, "again", "");
  REQUIRE(again.questionnaire);
  CHECK(again.questionnaire->content_hash == good.content_hash);

  // A broken file: the loader's own words, naming the JSON path.
  json bad = json::parse(other_version("satisfaction", 2));
  bad["questions"][0]["type"] = "essay";
  central::PublishCheck refused = central::check_for_publish(d.write("bad.json", bad.dump()));
  CHECK_FALSE(refused.ok());
  REQUIRE_FALSE(refused.errors.empty());
  CHECK(refused.errors.front().find("/questions/0") != std::string::npos);
  CHECK(refused.definition.empty());
  CHECK(central::check_for_publish(d.write("notjson.json", "{\"id\": ")).errors.size() >= 1);
  CHECK_FALSE(central::check_for_publish(d.write("empty.json", "")).ok());

  // Hostile paths: each refused with words that say what it is.
  auto first_error = [](const std::string& path) {
    central::PublishCheck c = central::check_for_publish(path);
    REQUIRE_FALSE(c.ok());
    return c.errors.front();
  };
  std::string good_copy = d.write("good.json", good.definition);
  std::filesystem::create_symlink(good_copy, d.path / "link.json");
  CHECK(first_error(d.file("link.json")).find("symbolic link") != std::string::npos);
  std::filesystem::create_directories(d.path / "folder.json");
  CHECK(first_error(d.file("folder.json")).find("folder") != std::string::npos);
  REQUIRE(mkfifo(d.file("pipe.json").c_str(), 0600) == 0);
  CHECK(first_error(d.file("pipe.json")).find("not a regular file") != std::string::npos);
  CHECK(first_error(d.file("missing.json")).find("no such file") != std::string::npos);
  std::string huge(kMaxQuestionnaireBytes + 1, ' ');
  CHECK(first_error(d.write("huge.json", huge)).find("at most") != std::string::npos);
  // The link's target itself is fine.
  CHECK(central::check_for_publish(good_copy).ok());
}

TEST_CASE("publish: settings are checked by the kiosk's own rules before they reach the center") {
  auto ok = central::parse_settings({"hall_zh=城南便民服务中心", "hall_en=South Hall", "idle_seconds=90",
                                     "questionnaires=satisfaction,knowledge", "default_lang=en"});
  REQUIRE(ok.errors.empty());
  std::map<std::string, std::string> got;
  for (const auto& c : ok.changes) got[c.key] = c.value;
  CHECK(got["hall_name"] == R"({"en":"South Hall","zh":"城南便民服务中心"})");
  CHECK(got["idle_seconds"] == "90");
  CHECK(got["questionnaires"] == R"(["satisfaction","knowledge"])");
  CHECK(got["default_lang"] == R"("en")");

  // Out of the configuration's range, not a number, not a setting the center gives,
  // an English name without a Chinese one, a language the kiosk has not: refused, named.
  auto joined = [](const std::vector<std::string>& args) {
    auto r = central::parse_settings(args);
    CHECK(r.changes.empty());
    std::string all;
    for (const auto& e : r.errors) all += e + "\n";
    return all;
  };
  CHECK(joined({"idle_seconds=5"}).find("idle_seconds: 5 is outside 10..600") != std::string::npos);
  CHECK(joined({"finish_seconds=100000"}).find("finish_seconds") != std::string::npos);
  CHECK(joined({"idle_seconds=soon"}).find("must be a number") != std::string::npos);
  CHECK(joined({"idle_seconds=60.5"}).find("whole number") != std::string::npos);
  CHECK(joined({"kiosk_id=other"}).find("not a setting the center gives") != std::string::npos);
  CHECK(joined({"central_url=postgresql://evil/"}).find("not a setting") != std::string::npos);
  CHECK(joined({"hall_en=Only English"}).find("give hall_zh too") != std::string::npos);
  CHECK(joined({"default_lang=fr"}).find("not zh or en") != std::string::npos);
  CHECK(joined({"idle_seconds"}).find("key=value") != std::string::npos);
  CHECK(joined({"idle_seconds=60", "idle_seconds=70"}).find("given twice") != std::string::npos);
  // One bad value spoils the lot: nothing half-applied.
  CHECK(joined({"idle_seconds=60", "countdown_seconds=1"}).find("countdown_seconds") != std::string::npos);
  // An empty value clears the key (the hall's, or the kiosk's own file, applies again).
  auto clear = central::parse_settings({"idle_seconds=", "hall_zh=", "hall_en="});
  REQUIRE(clear.errors.empty());
  REQUIRE(clear.changes.size() == 2);
  for (const auto& c : clear.changes) CHECK(c.value.empty());
}

TEST_CASE("publish: a kiosk builds its offer from a pulled set: published versions join, tampering is refused") {
  Config base;
  base.kiosk_id = "hall-3";
  base.central_url = "postgresql://center/db";
  const int sv = test::shipped().find("satisfaction")->version, gv = test::shipped().find("green-travel")->version;
  central::Published p;
  p.definitions.push_back(published_def(other_version("satisfaction", sv + 1, "满意度调查（新版）"), "new"));
  p.settings = R"({"idle_seconds": 90, "hall_name": {"zh": "城南", "en": "South"}, "questionnaires": ["satisfaction"]})";
  central::KioskOffer o = central::build_offer(test::shipped(), base, p);
  CHECK(o.problems.empty());
  REQUIRE(o.set);
  REQUIRE(o.set->find("satisfaction"));
  CHECK(o.set->find("satisfaction")->version == sv + 1);       // the newest is offered
  CHECK(o.set->find("satisfaction", sv) != nullptr);           // the installed one stays for its responses
  CHECK(o.config.idle_seconds == 90);
  CHECK(o.config.hall_name.at("zh") == "城南");
  CHECK(o.config.questionnaires == std::vector<std::string>{"satisfaction"});
  CHECK(central::offered_versions(*o.set, o.config) == "satisfaction " + std::to_string(sv + 1));

  // A definition whose content is not what was listed, one the loader refuses, an
  // installed version with other content, settings out of range or beyond the
  // center's keys: each refused and said; the rest still runs.
  central::Published bad = p;
  bad.definitions[0].content_hash = std::string(64, 'a');
  central::PublishedDefinition broken = published_def(other_version("knowledge", 7), "k7");
  broken.definition.replace(broken.definition.find("\"version\":7"), 11, "\"version\":\"7\"");
  bad.definitions.push_back(broken);
  bad.definitions.push_back(published_def(other_version("green-travel", gv, "冒充的同一版"), "gt"));
  bad.settings = R"({"idle_seconds": 3, "kiosk_id": "someone-else", "backup_dir": "/tmp/x", "finish_seconds": 40})";
  central::KioskOffer ob = central::build_offer(test::shipped(), base, bad);
  std::string all;
  for (const auto& e : ob.problems) all += e + "\n";
  CHECK(all.find("published satisfaction version " + std::to_string(sv + 1) +
                 ": its content is not what the center listed") != std::string::npos);
  CHECK(all.find("published knowledge version 7: refused by the loader") != std::string::npos);
  CHECK(all.find("installed file of that version with other content") != std::string::npos);
  CHECK(all.find("idle_seconds: 3 is outside") != std::string::npos);
  CHECK(all.find("kiosk_id: not a setting the center gives") != std::string::npos);
  CHECK(ob.set->find("satisfaction")->version == sv);
  CHECK(ob.set->find("knowledge")->version == test::shipped().find("knowledge")->version);
  CHECK(ob.set->find("green-travel")->content_hash == test::shipped().find("green-travel")->content_hash);
  CHECK(ob.config.kiosk_id == "hall-3");
  CHECK(ob.config.backup_dir.empty());
  CHECK(ob.config.idle_seconds == base.idle_seconds);
  CHECK(ob.config.finish_seconds == 40);
  // check_published (the sync's check before keeping a set) takes out the same ones.
  central::Published checked = bad;
  CHECK(central::check_published(checked).size() == 2);
  REQUIRE(checked.definitions.size() == 1);
  CHECK(checked.definitions[0].questionnaire == "green-travel");
}

TEST_CASE("publish: the last good set is kept atomically and read back, a damaged copy is said, not run") {
  test::TempDir d;
  const std::string path = central::published_path(d.file("config.json"));
  CHECK(path == d.file("central-published.json"));
  std::string why = "x";
  CHECK_FALSE(central::load_published(path, &why));
  CHECK(why.empty());  // none yet: not an error
  central::Published p;
  p.pulled_at = 1'700'000'000'000;
  p.definitions.push_back(published_def(other_version("satisfaction", 2), "v2"));
  p.settings = R"({"idle_seconds":90})";
  REQUIRE(central::save_published(path, p).empty());
  auto back = central::load_published(path, &why);
  REQUIRE(back);
  CHECK(back->fingerprint() == p.fingerprint());
  CHECK(back->pulled_at == p.pulled_at);
  CHECK(back->definitions[0].definition == p.definitions[0].definition);
  // Not readable by others: it is the kiosk's.
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  // A changed setting or version changes the fingerprint (the sync's "anything new?").
  central::Published q = p;
  q.settings = R"({"idle_seconds":91})";
  CHECK(q.fingerprint() != p.fingerprint());
  // Cut short (as by a disk that filled): refused with the reason, nothing half-run.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "{\"pulled_at\": 1, \"settings\": \"{}\", \"questionnai";
  CHECK_FALSE(central::load_published(path, &why));
  CHECK(why.find("not a set of published questionnaires") != std::string::npos);
  std::filesystem::remove(path);
  std::filesystem::create_directories(path);
  CHECK_FALSE(central::load_published(path, &why));
  CHECK(why.find("folder") != std::string::npos);
}

TEST_CASE("publish: a new version is used from the next resident on, a resident mid-survey keeps theirs") {
  test::KioskRig r(7);
  const int v1 = test::shipped().find("satisfaction")->version;
  central::Published p;
  p.definitions.push_back(published_def(other_version("satisfaction", v1 + 1, "满意度调查（第二版）"), "v2"));
  p.settings = R"({"idle_seconds": 120})";
  central::KioskOffer o = central::build_offer(test::shipped(), r.cfg, p);
  REQUIRE(o.problems.empty());
  int told = 0;
  r.model.set_on_updated([&] { ++told; });

  // A resident is on the second question when the update arrives: it waits.
  r.start("satisfaction");
  REQUIRE(r.model.screen() == Screen::question);
  r.model.apply(intent::Answer{Choice{r.model.session()->current()->options.front().id}});
  r.model.apply(intent::Next{});
  r.model.offer_update(o.set, o.config);
  r.model.tick();
  CHECK(r.model.update_pending());
  CHECK(told == 0);
  CHECK(r.model.session()->questionnaire().version == v1);
  CHECK(r.model.config().idle_seconds == r.cfg.idle_seconds);  // the idle time too stays theirs
  test::fill_to_end(r.model);
  REQUIRE(r.model.screen() == Screen::finish);
  // The thanks screen is still theirs.
  r.model.tick();
  CHECK(r.model.update_pending());
  CHECK(r.model.finished_questionnaire()->version == v1);
  r.now += r.cfg.finish_seconds * 1000LL;
  r.model.tick();
  REQUIRE(r.model.screen() == Screen::welcome);
  CHECK_FALSE(r.model.update_pending());
  CHECK(told == 1);
  CHECK(r.model.config().idle_seconds == 120);
  REQUIRE(offered(r.model, "satisfaction"));
  CHECK(offered(r.model, "satisfaction")->version == v1 + 1);

  // The next resident answers version 2; both responses are saved with their version.
  r.start("satisfaction");
  CHECK(r.model.session()->questionnaire().version == v1 + 1);
  test::fill_to_end(r.model);
  REQUIRE(r.model.screen() == Screen::finish);
  CHECK(r.store.count({.questionnaire = "satisfaction"}) == 2);
  std::set<int> versions;
  for (const auto& d : r.store.definitions())
    if (d.questionnaire == "satisfaction") versions.insert(d.version);
  CHECK(versions.count(v1 + 1) == 1);  // the new definition is in the database (the sync sends it on)
  r.now += r.cfg.finish_seconds * 1000LL;
  r.model.tick();

  // Withdrawn: the installed version is offered again from the next resident on, but a
  // resident already on version 2 finishes it.
  r.start("satisfaction");
  REQUIRE(r.model.session()->questionnaire().version == v1 + 1);
  central::Published none;
  central::KioskOffer back = central::build_offer(test::shipped(), r.cfg, none);
  r.model.offer_update(back.set, back.config);
  CHECK(r.model.update_pending());
  CHECK(r.model.session()->questionnaire().version == v1 + 1);
  // Walking away ends it (recorded as abandoned); the update is taken then.
  r.now += 3'600'000;
  r.model.tick();
  CHECK(r.model.screen() == Screen::welcome);
  CHECK_FALSE(r.model.update_pending());
  CHECK(offered(r.model, "satisfaction")->version == v1);
  CHECK(r.model.config().idle_seconds == r.cfg.idle_seconds);
  r.start("satisfaction");
  CHECK(r.model.session()->questionnaire().version == v1);
}

TEST_CASE("publish: an update waits for a resident on the welcome screen holding the staff corner, two offers: the last wins") {
  test::KioskRig r(3);
  const int v1 = test::shipped().find("knowledge")->version;
  central::Published p2, p3;
  p2.definitions.push_back(published_def(other_version("knowledge", v1 + 1), "k2"));
  p3.definitions.push_back(published_def(other_version("knowledge", v1 + 2), "k3"));
  central::KioskOffer o2 = central::build_offer(test::shipped(), r.cfg, p2);
  central::KioskOffer o3 = central::build_offer(test::shipped(), r.cfg, p3);
  r.model.apply(intent::CornerPress{});
  r.model.offer_update(o2.set, o2.config);
  r.model.offer_update(o3.set, o3.config);
  CHECK(r.model.update_pending());
  r.model.apply(intent::CornerRelease{});
  r.model.tick();
  CHECK_FALSE(r.model.update_pending());
  CHECK(r.model.updates_taken() == 1);
  CHECK(offered(r.model, "knowledge")->version == v1 + 2);
  // A null offer is no offer.
  r.model.offer_update(nullptr, r.cfg);
  CHECK_FALSE(r.model.update_pending());
}

TEST_CASE("publish: the center's settings are laid over config.json with its own checks") {
  Config c;
  auto errors = apply_config_json(c, R"({"idle_seconds": 30, "countdown_seconds": 2, "hall_name": {"en": "x"}})", "center");
  CHECK(c.idle_seconds == 30);
  CHECK(c.countdown_seconds == Config{}.countdown_seconds);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].rfind("center: ", 0) == 0);
  CHECK_FALSE(apply_config_json(c, "[1]", "center").empty());
  CHECK_FALSE(apply_config_json(c, "{", "center").empty());
  // central_pull_minutes is a range-checked setting of config.json.
  Config d;
  CHECK_FALSE(apply_config_json(d, R"({"central_pull_minutes": 0})", "f").empty());
  CHECK(apply_config_json(d, R"({"central_pull_minutes": 15})", "f").empty());
  CHECK(d.central_pull_minutes == 15);
  CHECK(check_config(d).empty());
}

TEST_CASE("publish: a response waiting to be saved keeps the version it was answered on when that version is withdrawn") {
  // The kiosk started on a kept published set (as after a restart), or took one later:
  // either way the response answered on it is saved with its metrics after the
  // withdrawal has been taken.
  for (const bool started_on_it : {true, false}) {
    CAPTURE(started_on_it);
    test::TempDir d;
    Store store(d.file("kiosk.db"));
    Config cfg;
    TimeMs now = 1'561'000'000'000;
    const int v1 = test::shipped().find("satisfaction")->version;
    central::Published p;
    p.definitions.push_back(published_def(other_version("satisfaction", v1 + 1), "new"));
    central::KioskOffer with = central::build_offer(test::shipped(), cfg, p);
    central::KioskOffer without = central::build_offer(test::shipped(), cfg, central::Published{});
    KioskModel m(cfg, started_on_it ? *with.set : test::shipped(), &store, [&] { return now; }, 11);
    if (!started_on_it) m.offer_update(with.set, with.config);
    m.set_store(nullptr);  // the database is busy: the response waits in memory
    m.apply(intent::Start{"satisfaction"});
    now += KioskModel::kAnswerAbsorbMs;  // the first question is read before it is touched
    REQUIRE(m.session()->questionnaire().version == v1 + 1);
    test::fill_to_end(m);
    REQUIRE(m.screen() == Screen::finish);
    CHECK(m.unsaved() == 1);
    m.offer_update(without.set, without.config);
    now += cfg.finish_seconds * 1000LL;
    m.tick();
    REQUIRE(m.screen() == Screen::welcome);
    CHECK(offered(m, "satisfaction")->version == v1);
    m.set_store(&store);
    m.tick();
    CHECK(m.unsaved() == 0);
    Stmt s(StoreAccess::db(store),
           "SELECT r.version, (SELECT count(*) FROM response_metrics) FROM responses r WHERE r.questionnaire = 'satisfaction'");
    REQUIRE(s.step());
    CHECK(s.i64(0) == v1 + 1);
    CHECK(s.i64(1) == 1);  // its metrics were worked out on the version it was answered on
  }
}
