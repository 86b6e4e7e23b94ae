// The SQLite store: completed responses (one row per answer atom, so aggregation is
// plain SQL), abandoned sessions, and the questionnaire definitions responses refer to.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/response.hpp"
#include "core/sqlite.hpp"

namespace eco {

struct Questionnaire;

struct ResponseFilter {
  std::string questionnaire;  // "" = all
  std::optional<int> version;
  std::optional<TimeMs> from, to;  // completed_at in [from, to)
  std::string kiosk;               // "" = all
};

struct StoredDefinition {
  std::string questionnaire;
  int version = 0;
  std::string content_hash;
  std::string definition;  // expanded JSON
};

class Store {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the database and brings its schema up to date.
  // Throws DbError with a message naming the file when that cannot be done.
  explicit Store(const std::string& path);

  // $XDG_DATA_HOME/ecokiosk/ecokiosk.db (~/.local/share when unset); creates the folder.
  static std::string default_path();

  int schema_version();

  enum class Saved { inserted, duplicate };
  // One transaction per response (unless inside a batch); a response whose id is
  // already stored is left as it was and reported as duplicate.
  Saved save(const Response& r);
  void save_abandoned(const Abandoned& a);

  // Many saves in one transaction, for imports and demo data. fn runs inside it;
  // an exception rolls the whole batch back.
  void batch(const std::function<void()>& fn);

  // Stored once per (questionnaire, version, hash), so a database explains its own data.
  void remember_definition(const Questionnaire& q, const std::string& expanded_json);
  std::vector<StoredDefinition> definitions();

  std::int64_t count(const ResponseFilter& f = {});
  std::int64_t abandoned_count(const std::string& questionnaire = "");
  bool contains(const std::string& uuid);

  // Streams responses in saved order; fn returns false to stop.
  void each(const ResponseFilter& f, const std::function<bool(const Response&)>& fn);

  Db& db() { return *db_; }

 private:
  void migrate();
  std::unique_ptr<Db> db_;
  std::unique_ptr<Stmt> insert_response_, insert_answer_, find_uuid_;
  bool in_batch_ = false;
};

}  // namespace eco
