// Questionnaires and settings from the center (issue 17). The district publishes a
// questionnaire version (`central publish FILE`) after the kiosk's own loader has
// accepted it, withdraws one, and sets per-hall or per-kiosk settings. Each kiosk pulls
// what is published at start and every few minutes (the sync worker), checks every
// definition again with the loader, keeps the last good set in a file beside its
// configuration (so a restart with the center down still runs it), and its model takes
// it between residents. Rights are the engine's (schema_publish.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/central/pg.hpp"
#include "core/support/config.hpp"
#include "core/support/time.hpp"
#include "core/survey/questionnaire_loader.hpp"

namespace eco::central {

// ---- the center's side ----

// A questionnaire file as `central publish` checks it: not a link, a folder or a
// device, at most kMaxQuestionnaireBytes, and accepted by load_questionnaire_file
// (includes expanded). errors: the loader's words (or why the file was not read).
struct PublishCheck {
  std::string file;
  std::string questionnaire;
  int version = 0;
  std::string content_hash, definition;  // the expanded JSON, as kiosks load and hash it
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};
PublishCheck check_for_publish(const std::string& path);

// "published", "already" (the same content was there: nothing changed) or "reinstated"
// (the same content had been withdrawn). Throws PgError: the same version with other
// content, a role that may not publish.
std::string publish(Conn& c, const PublishCheck& checked);
// "withdrawn" or "already". Throws PgError when that version was never published.
std::string withdraw(Conn& c, const std::string& questionnaire, int version);

// The keys the center may set, as the kiosk's configuration names them.
const std::vector<std::string>& central_setting_keys();
// One `key=value` of `central settings`: hall_zh=…, hall_en=…, questionnaires=a,b,
// idle_seconds=90… An empty value clears the key. The value is checked by the kiosk's
// own configuration rules (apply_config_json) against `base`'s hall name, so a bad
// value never reaches the center. errors name the key and the range.
struct SettingChange {
  std::string key;       // a central_setting_keys() entry
  std::string value;     // JSON text; "" = clear
};
struct SettingsParse {
  std::vector<SettingChange> changes;
  std::vector<std::string> errors;
};
SettingsParse parse_settings(const std::vector<std::string>& assignments);
// scope "hall" (the hall's Chinese name as given to add-kiosk) or "kiosk" (its id).
void set_settings(Conn& c, const std::string& scope, const std::string& name, const std::vector<SettingChange>& changes);

struct PublishedRow {
  std::string questionnaire;
  int version = 0;
  std::string content_hash, published_by, withdrawn_by;
  TimeMs published_at = 0, withdrawn_at = 0;  // 0: not withdrawn
};
std::vector<PublishedRow> list_published(Conn& c);

// ---- the kiosk's side ----

struct PublishedDefinition {
  std::string questionnaire;
  int version = 0;
  std::string content_hash, definition;
};
// What the center offers this kiosk: the versions not withdrawn, and its settings
// (a JSON object's text, hall then kiosk applied).
struct Published {
  std::vector<PublishedDefinition> definitions;
  std::string settings = "{}";
  TimeMs pulled_at = 0;
  // "knowledge 2 <hash12>, …; settings <hash12>": equal when nothing changed.
  std::string fingerprint() const;
};
// As the kiosk's own role. `have`: what the kiosk has already (definitions it holds are
// not fetched again).
Published pull_published(Conn& kiosk_conn, const Published* have);

// Checks every definition with the kiosk's loader (and that it is the id, version and
// hash the center listed); the refused ones are taken out, one message each.
std::vector<std::string> check_published(Published& p);
// The last good set, beside config.json (written atomically, read with a size cap).
std::string published_path(const std::string& config_path);
std::string save_published(const std::string& path, const Published& p);  // "" on success
// nullopt and `why` when there is none or it cannot be read ("" why: there is none).
std::optional<Published> load_published(const std::string& path, std::string* why);

// What a kiosk runs: its installed questionnaires plus each published version the
// loader accepts (a definition whose id, version or hash differ from the row's, or that
// clashes with an installed version of other content, is refused and listed), and its
// configuration with the center's settings laid over it (checked like config.json).
struct KioskOffer {
  std::shared_ptr<const QuestionnaireSet> set;
  Config config;
  std::vector<std::string> problems;
  std::string fingerprint;  // Published::fingerprint() of what it was built from
};
KioskOffer build_offer(const QuestionnaireSet& installed, const Config& base, const Published& p);
// "knowledge 2, satisfaction 1": the version of each questionnaire a kiosk offers (the
// newest of each id in its configuration), for the heartbeat.
std::string offered_versions(const QuestionnaireSet& set, const Config& config);

}  // namespace eco::central
