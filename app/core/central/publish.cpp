#include "core/central/publish.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "core/support/ids.hpp"
#include "core/support/json_guard.hpp"
#include "core/support/read_file.hpp"
#include "core/support/safe_file.hpp"
#include "core/support/time.hpp"

namespace eco::central {

using json = nlohmann::json;

namespace {

// The bundle kiosks keep: at most this many bytes (a few questionnaires of 2 MiB).
constexpr std::size_t kMaxBundleBytes = 64u << 20;

std::string short_hash(const std::string& h) { return h.substr(0, 12); }

TimeMs ms_of(const Result& r, int row, int col) { return r.null(row, col) ? 0 : r.i64(row, col); }

}  // namespace

PublishCheck check_for_publish(const std::string& path) {
  PublishCheck c;
  c.file = path;
  struct stat st {};
  // lstat: a link is refused as such (it could point anywhere, and change before the
  // read); a folder, a pipe or a device is not a questionnaire file.
  if (lstat(path.c_str(), &st) != 0) {
    c.errors.push_back(path + ": no such file");
    return c;
  }
  if (S_ISLNK(st.st_mode)) {
    c.errors.push_back(path + ": is a symbolic link; give the questionnaire file itself");
    return c;
  }
  if (S_ISDIR(st.st_mode)) {
    c.errors.push_back(path + ": is a folder, not a questionnaire file");
    return c;
  }
  if (!S_ISREG(st.st_mode)) {
    c.errors.push_back(path + ": is not a regular file (a pipe or a device?)");
    return c;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxQuestionnaireBytes) {
    c.errors.push_back(path + ": is " + std::to_string(st.st_size) + " bytes; a questionnaire file is at most " +
                       std::to_string(kMaxQuestionnaireBytes) + " bytes");
    return c;
  }
  // Read through one descriptor opened without following a link, so what was checked
  // above is what is read (a file swapped for a link or a pipe in between is refused).
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat fst {};
  if (fd < 0 || fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev) {
    if (fd >= 0) close(fd);
    c.errors.push_back(path + ": changed while it was being read, or cannot be opened; nothing was read");
    return c;
  }
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      c.errors.push_back(path + ": cannot be read");
      return c;
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxQuestionnaireBytes) {
      close(fd);
      c.errors.push_back(path + ": grew past " + std::to_string(kMaxQuestionnaireBytes) + " bytes while it was read");
      return c;
    }
  }
  close(fd);
  // Includes come from blocks/ beside the file, as for the kiosk's installed files.
  LoadResult r = load_questionnaire_text(text, path, (std::filesystem::path(path).parent_path() / "blocks").string());
  for (const auto& e : r.errors) c.errors.push_back(e.to_string());
  if (!r.questionnaire) {
    if (c.errors.empty()) c.errors.push_back(path + ": refused by the questionnaire loader");
    return c;
  }
  c.questionnaire = r.questionnaire->id;
  c.version = r.questionnaire->version;
  c.content_hash = r.questionnaire->content_hash;
  c.definition = std::move(r.expanded_json);
  return c;
}

std::string publish(Conn& c, const PublishCheck& checked) {
  if (!checked.ok()) throw PgError(Status::refused_by_center, "the file was refused by the loader");
  return c.scalar("SELECT ecokiosk_publish($1, $2, $3, $4)",
                  {checked.questionnaire, std::to_string(checked.version), checked.content_hash, checked.definition});
}

std::string withdraw(Conn& c, const std::string& questionnaire, int version) {
  return c.scalar("SELECT ecokiosk_withdraw($1, $2)", {questionnaire, std::to_string(version)});
}

const std::vector<std::string>& central_setting_keys() {
  static const std::vector<std::string> keys = {"hall_name",      "idle_seconds",   "first_question_idle_seconds",
                                                "countdown_seconds", "finish_seconds", "questionnaires",
                                                "default_lang"};
  return keys;
}

SettingsParse parse_settings(const std::vector<std::string>& assignments) {
  SettingsParse out;
  std::map<std::string, std::string> raw;  // key as typed -> value as typed
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      out.errors.push_back("\"" + a + "\": write key=value (an empty value clears the key)");
      continue;
    }
    std::string key = a.substr(0, eq);
    if (raw.count(key)) out.errors.push_back(key + ": given twice");
    raw[key] = a.substr(eq + 1);
  }
  const auto& keys = central_setting_keys();
  json obj = json::object();
  std::vector<std::string> cleared;
  // The hall's name is one setting in two languages.
  if (raw.count("hall_zh") || raw.count("hall_en")) {
    std::string zh = raw.count("hall_zh") ? raw["hall_zh"] : "", en = raw.count("hall_en") ? raw["hall_en"] : "";
    if (zh.empty() && en.empty()) cleared.push_back("hall_name");
    else if (zh.empty()) out.errors.push_back("hall_en: give hall_zh too (the Chinese name is the one always shown)");
    else obj["hall_name"] = en.empty() ? json{{"zh", zh}} : json{{"zh", zh}, {"en", en}};
    raw.erase("hall_zh");
    raw.erase("hall_en");
  }
  for (const auto& [key, value] : raw) {
    if (key == "hall_name") {
      out.errors.push_back("hall_name: write hall_zh=… and hall_en=…");
      continue;
    }
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      out.errors.push_back(key + ": not a setting the center gives kiosks (hall_zh, hall_en, idle_seconds, "
                                 "first_question_idle_seconds, countdown_seconds, finish_seconds, questionnaires, "
                                 "default_lang)");
      continue;
    }
    if (value.empty()) {
      cleared.push_back(key);
    } else if (key == "questionnaires") {
      json list = json::array();
      std::size_t at = 0;
      while (at <= value.size()) {
        std::size_t comma = value.find(',', at);
        std::string id = value.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (!id.empty()) list.push_back(id);
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
      obj[key] = list;
    } else if (key == "default_lang") {
      obj[key] = value;
    } else {
      // A number, checked as the kiosk checks config.json; anything else is kept as text
      // so the same rule says "must be a number".
      try {
        json v = json::parse(value);
        obj[key] = v.is_number() ? v : json(value);
      } catch (const json::exception&) {
        obj[key] = value;
      }
    }
  }
  // The kiosk's own rules, on a copy: every message names the key and its range.
  Config probe;
  for (auto& e : apply_config_json(probe, obj.dump(), "settings")) out.errors.push_back(std::move(e));
  if (!out.errors.empty()) return out;
  for (const auto& [k, v] : obj.items()) out.changes.push_back({k, v.dump()});
  for (const auto& k : cleared) out.changes.push_back({k, ""});
  return out;
}

void set_settings(Conn& c, const std::string& scope, const std::string& name, const std::vector<SettingChange>& changes) {
  Txn t(c);
  for (const auto& ch : changes)
    c.run("SELECT ecokiosk_set_setting($1, $2, $3, $4::jsonb)",
          {scope, name, ch.key, ch.value.empty() ? std::nullopt : std::optional<std::string>(ch.value)});
  t.commit();
}

std::vector<PublishedRow> list_published(Conn& c) {
  Result r = c.exec(
      "SELECT questionnaire, version, content_hash, published_by, "
      "(extract(epoch FROM published_at) * 1000)::bigint, coalesce(withdrawn_by, ''), "
      "(extract(epoch FROM withdrawn_at) * 1000)::bigint FROM published_questionnaires ORDER BY 1, 2");
  std::vector<PublishedRow> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), static_cast<int>(r.i64(i, 1)), r.text(i, 2), r.text(i, 3), r.text(i, 5),
                   ms_of(r, i, 4), ms_of(r, i, 6)});
  return out;
}

std::string Published::fingerprint() const {
  std::string f;
  for (const auto& d : definitions)
    f += (f.empty() ? "" : ", ") + d.questionnaire + " " + std::to_string(d.version) + " " + short_hash(d.content_hash);
  return f + "; settings " + short_hash(sha256_hex(settings));
}

Published pull_published(Conn& pg, const Published* have) {
  Published p;
  p.pulled_at = now_ms();
  // A normalised text (jsonb's key order) so an unchanged setting compares equal.
  p.settings = pg.scalar("SELECT coalesce(ecokiosk_my_settings(), '{}'::jsonb)::text");
  if (p.settings.empty()) p.settings = "{}";
  Result list = pg.exec("SELECT questionnaire, version, content_hash FROM published_questionnaires ORDER BY 1, 2");
  std::vector<std::string> missing;
  for (int i = 0; i < list.rows(); ++i) {
    PublishedDefinition d{list.text(i, 0), static_cast<int>(list.i64(i, 1)), list.text(i, 2), ""};
    if (have)
      for (const auto& h : have->definitions)
        if (h.questionnaire == d.questionnaire && h.version == d.version && h.content_hash == d.content_hash)
          d.definition = h.definition;
    if (d.definition.empty()) missing.push_back(d.content_hash);
    p.definitions.push_back(std::move(d));
  }
  if (!missing.empty()) {
    Result defs = pg.exec(
        "SELECT questionnaire, version, content_hash, definition FROM published_questionnaires "
        "WHERE content_hash IN (SELECT jsonb_array_elements_text($1::jsonb))",
        {json(missing).dump()});
    for (int i = 0; i < defs.rows(); ++i)
      for (auto& d : p.definitions)
        if (d.questionnaire == defs.text(i, 0) && d.version == defs.i64(i, 1) && d.content_hash == defs.text(i, 2))
          d.definition = defs.text(i, 3);
  }
  // Withdrawn between the two reads: not offered.
  p.definitions.erase(std::remove_if(p.definitions.begin(), p.definitions.end(),
                                     [](const PublishedDefinition& d) { return d.definition.empty(); }),
                      p.definitions.end());
  return p;
}

std::string published_path(const std::string& config_path) {
  return (std::filesystem::path(config_path).parent_path() / "central-published.json").string();
}

std::string save_published(const std::string& path, const Published& p) {
  json defs = json::array();
  for (const auto& d : p.definitions)
    defs.push_back({{"questionnaire", d.questionnaire}, {"version", d.version}, {"content_hash", d.content_hash},
                    {"definition", d.definition}});
  json j = {{"pulled_at", p.pulled_at}, {"settings", p.settings}, {"questionnaires", defs}};
  return write_file_safely(path, j.dump());
}

std::optional<Published> load_published(const std::string& path, std::string* why) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (why) why->clear();
    return std::nullopt;
  }
  std::string err;
  auto text = read_file(path, &err, kMaxBundleBytes);
  if (!text) {
    if (why) *why = err;
    return std::nullopt;
  }
  try {
    json j = json::parse(*text);
    Published p;
    p.pulled_at = j.at("pulled_at").get<TimeMs>();
    p.settings = j.at("settings").get<std::string>();
    for (const auto& d : j.at("questionnaires"))
      p.definitions.push_back({d.at("questionnaire").get<std::string>(), d.at("version").get<int>(),
                               d.at("content_hash").get<std::string>(), d.at("definition").get<std::string>()});
    return p;
  } catch (const json::exception& e) {
    if (why) *why = path + ": not a set of published questionnaires (" + e.what() + ")";
    return std::nullopt;
  }
}

namespace {
// The loader's verdict on one published definition: the questionnaire, or why not.
std::optional<LoadResult> load_published_definition(const PublishedDefinition& d, std::string& why) {
  const std::string name = "published " + d.questionnaire + " version " + std::to_string(d.version);
  // The same loader as for installed files; the definition has its includes expanded.
  LoadResult r = load_questionnaire_text(d.definition, name, "");
  if (!r.questionnaire) {
    why = name + ": refused by the loader: " + (r.errors.empty() ? std::string("refused") : r.errors.front().to_string());
    return std::nullopt;
  }
  const Questionnaire& q = *r.questionnaire;
  if (q.id != d.questionnaire || q.version != d.version || q.content_hash != d.content_hash) {
    why = name + ": its content is not what the center listed (id, version or hash differ); refused";
    return std::nullopt;
  }
  return r;
}
}  // namespace

std::vector<std::string> check_published(Published& p) {
  std::vector<std::string> problems;
  std::vector<PublishedDefinition> kept;
  for (auto& d : p.definitions) {
    std::string why;
    if (load_published_definition(d, why)) kept.push_back(std::move(d));
    else problems.push_back(why);
  }
  p.definitions = std::move(kept);
  return problems;
}

KioskOffer build_offer(const QuestionnaireSet& installed, const Config& base, const Published& p) {
  KioskOffer o;
  auto set = std::make_shared<QuestionnaireSet>();
  for (std::size_t i = 0; i < installed.list.size(); ++i) set->add(installed.list[i], installed.expanded[i]);
  for (const auto& d : p.definitions) {
    const std::string name = "published " + d.questionnaire + " version " + std::to_string(d.version);
    std::string why;
    std::optional<LoadResult> r = load_published_definition(d, why);
    if (!r) {
      o.problems.push_back(why);
      continue;
    }
    const Questionnaire& q = *r->questionnaire;
    if (const Questionnaire* there = set->find(q.id, q.version)) {
      if (there->content_hash != q.content_hash)
        o.problems.push_back(name + ": this kiosk has an installed file of that version with other content; "
                                    "the installed one stays");
      continue;  // the same content installed already
    }
    set->add(*r->questionnaire, std::move(r->expanded_json));
  }
  o.config = base;
  // Only the keys the center may set: a file changed on disk cannot move the kiosk's
  // identity, its folders or its center.
  json settings = json::object();
  try {
    json all = json::parse(p.settings);
    if (!all.is_object()) all = json::object({{"(not an object)", all}});
    const auto& keys = central_setting_keys();
    for (const auto& [k, v] : all.items()) {
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) settings[k] = v;
      else o.problems.push_back("the center's settings: " + k + ": not a setting the center gives (ignored)");
    }
  } catch (const json::exception& e) {
    o.problems.push_back(std::string("the center's settings could not be read: ") + e.what());
  }
  for (auto& e : apply_config_json(o.config, settings.dump(), "the center's settings")) o.problems.push_back(std::move(e));
  // Identity and where things are stay the kiosk's own, whatever arrives.
  o.config.kiosk_id = base.kiosk_id;
  o.config.central_url = base.central_url;
  o.config.central_credentials = base.central_credentials;
  std::vector<std::string> ids;
  for (const auto& q : set->list) ids.push_back(q.id);
  for (auto& e : unknown_questionnaires(o.config, ids)) o.problems.push_back(std::move(e));
  o.set = std::move(set);
  o.fingerprint = p.fingerprint();
  return o;
}

std::string offered_versions(const QuestionnaireSet& set, const Config& config) {
  std::string out;
  for (const auto& id : config.questionnaires)
    if (const Questionnaire* q = set.find(id)) out += (out.empty() ? "" : ", ") + id + " " + std::to_string(q->version);
  return out;
}

}  // namespace eco::central
