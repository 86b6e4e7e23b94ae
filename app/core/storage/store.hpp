// The SQLite store: completed responses (one row per answer atom, so aggregation is
// plain SQL), abandoned sessions, and the questionnaire definitions responses refer to.
#pragma once
#include <functional>
#include <memory>
#include <map>
#include <tuple>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "core/survey/response.hpp"
#include "core/support/time.hpp"
#include "core/storage/sqlite.hpp"

namespace eco {

struct Questionnaire;
struct QuestionnaireSet;
struct ResponseMetrics;

struct ResponseFilter {
  std::string questionnaire;  // "" = all
  std::optional<int> version;
  std::optional<TimeMs> from, to;  // completed_at in [from, to)
  std::string kiosk;               // "" = all
  std::string uuid;                // "" = all; else the one response with this id
};

struct StoredDefinition {
  std::string questionnaire;
  int version = 0;
  std::string content_hash;
  std::string definition;  // expanded JSON
};

class Store;
// "" when db is an EcoKiosk database this program can open (schema 1..current), else
// why not ("newer than this program", "not an EcoKiosk database").
std::string ecokiosk_schema_problem(Db& db);

class Store {
 public:
  static constexpr int kSchemaVersion = 6;
  // DbError::code when the file comes from a newer program (not an SQLite code).
  static constexpr int kNewerSchemaCode = -1;

  // Opens or creates the database and brings its schema up to date.
  // Throws DbError with a message naming the file when that cannot be done.
  explicit Store(const std::string& path);
  // Opens another kiosk's database for reading only: through SQLite, so what its -wal
  // holds is read too; nothing is migrated or written (the file must not change).
  // Throws DbError unless it is an EcoKiosk database of schema 1..kSchemaVersion.
  struct ReadOnly {};
  Store(const std::string& path, ReadOnly);

  // $XDG_DATA_HOME/ecokiosk/ecokiosk.db (~/.local/share when unset); creates the folder.
  static std::string default_path();

  int schema_version();

  enum class Saved { inserted, duplicate };
  // One transaction per response (unless inside a batch); a response whose id is
  // already stored is left as it was and reported as duplicate. With its
  // questionnaire, the response's metrics (core/metrics.hpp) are stored with it.
  Saved save(const Response& r, const Questionnaire* q = nullptr);

  // Computes the metrics of responses saved without them (older databases, saves
  // without a questionnaire). Responses whose questionnaire is unknown are left.
  std::int64_t backfill_metrics(const QuestionnaireSet& set);

  // Small dictionary of repeated strings (kiosk ids, demographic codes, item ids)
  // so the metrics table stays narrow. label_id creates one when missing.
  std::int64_t label_id(std::string_view kind, std::string_view value);
  const std::string& label_text(std::int64_t id);
  std::optional<std::int64_t> find_label(std::string_view kind, std::string_view value);
  void save_abandoned(const Abandoned& a);

  // The session on screen (updated as the resident moves on), cleared when it ends.
  void mark_in_progress(const Abandoned& where);
  void clear_in_progress(const std::string& uuid);
  // At start-up: sessions left on screen by a crash or power cut become abandoned.
  std::int64_t recover_interrupted(TimeMs now);

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
  // The same with each response's row id.
  void each_with_id(const ResponseFilter& f, const std::function<bool(std::int64_t, const Response&)>& fn);

  Db& db() { return *db_; }
  // Append-only triggers found missing at open (dropped outside the program) and
  // recreated; core/admin_store reports them.
  const std::vector<std::string>& restored_guards() const { return restored_guards_; }

 private:
  void migrate();
  void restore_guards();
  std::vector<std::string> restored_guards_;
  void save_metrics(std::int64_t rid, const Response& r, const ResponseMetrics& m);
  struct CountKey {
    std::string questionnaire, question;
    int kind;
    std::string item;
    std::int64_t hour;
    std::string kiosk;
    bool operator<(const CountKey& o) const {
      return std::tie(questionnaire, question, kind, item, hour, kiosk) <
             std::tie(o.questionnaire, o.question, o.kind, o.item, o.hour, o.kiosk);
    }
  };
  void write_count(const CountKey& k, std::int64_t n, std::int64_t total);
  std::map<CountKey, std::pair<std::int64_t, std::int64_t>> pending_counts_;  // a batch's answer counts
  void load_labels();
  void forget_labels();
  std::unique_ptr<Db> db_;
  std::unordered_map<std::string, std::int64_t> label_ids_;  // kind + '\x1f' + value
  std::unordered_map<std::int64_t, std::string> label_texts_;
  std::unique_ptr<Stmt> insert_metrics_, find_duplicate_, insert_label_, find_label_, label_text_, count_answer_,
      clear_in_progress_;
  std::unique_ptr<Stmt> insert_response_, insert_answer_, find_uuid_;
  bool in_batch_ = false;
};

}  // namespace eco
