#include "core/storage/store.hpp"

#include "core/storage/answer_atoms.hpp"
#include "core/storage/migration_fill.hpp"
#include "core/storage/store_cells.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/survey/metrics.hpp"
#include "core/survey/questionnaire.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/support/safe_file.hpp"

namespace eco {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Each entry moves the schema up one version. Never edit a shipped entry: add one.
const char* const kMigrations[] = {
    // 1: the first schema
    R"sql(
CREATE TABLE questionnaire_definitions(
  questionnaire TEXT NOT NULL,
  version INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  definition TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY(questionnaire, version, content_hash)
);
CREATE TABLE responses(
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  questionnaire TEXT NOT NULL,
  version INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  kiosk TEXT NOT NULL,
  lang TEXT NOT NULL,
  started_at INTEGER NOT NULL,     -- ms since epoch, UTC
  completed_at INTEGER NOT NULL,
  duration_s REAL NOT NULL,
  visible_questions INTEGER NOT NULL,
  drawn TEXT NOT NULL DEFAULT '[]', -- JSON array of knowledge item ids
  saved_at INTEGER NOT NULL
);
CREATE INDEX responses_by_questionnaire ON responses(questionnaire, completed_at);
CREATE TABLE answers(
  response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,            -- order asked (and selection order)
  question TEXT NOT NULL,
  kind INTEGER NOT NULL,           -- 1 choice, 2 one option of a multiple choice, 3 integer, 4 count row, 5 text
  item TEXT NOT NULL DEFAULT '',   -- option id or count-matrix row
  value INTEGER,                   -- integer answer or row count
  text TEXT,
  PRIMARY KEY(response, ord)
) WITHOUT ROWID;
CREATE INDEX answers_by_question ON answers(question, item);
CREATE TABLE abandoned(
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  questionnaire TEXT NOT NULL,
  version INTEGER NOT NULL,
  kiosk TEXT NOT NULL,
  lang TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  abandoned_at INTEGER NOT NULL,
  last_question TEXT NOT NULL,
  position INTEGER NOT NULL,
  answered INTEGER NOT NULL
);
)sql",
    // 2: per-response metrics for the indicators (see core/metrics.hpp). Existing
    // responses get theirs from Store::fill_missing_metrics.
    R"sql(
CREATE TABLE labels(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,              -- kiosk, age, gender, township, item
  value TEXT NOT NULL,
  UNIQUE(kind, value)
);
CREATE TABLE response_metrics(
  response INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,
  method INTEGER NOT NULL,         -- 0 none, 1 knowledge, 2 satisfaction, 3 green travel
  questionnaire TEXT NOT NULL,
  version INTEGER NOT NULL,
  kiosk INTEGER NOT NULL,          -- labels.id
  completed_at INTEGER NOT NULL,   -- ms since epoch, UTC
  duration_s REAL NOT NULL,
  visible INTEGER NOT NULL,
  age INTEGER, gender INTEGER, township INTEGER,  -- labels.id, NULL when not answered
  score REAL NOT NULL,
  correct INTEGER NOT NULL, drawn INTEGER NOT NULL,
  satisfied INTEGER NOT NULL,
  trips INTEGER NOT NULL, green INTEGER NOT NULL,
  flags INTEGER NOT NULL,          -- 1 straight-lining, 2 duplicate
  fingerprint INTEGER NOT NULL,
  outcomes BLOB NOT NULL           -- per item: labels.id as 4 bytes little-endian, then 1 value byte
);
CREATE INDEX response_metrics_by_questionnaire ON response_metrics(questionnaire, completed_at);
CREATE INDEX response_metrics_by_fingerprint ON response_metrics(fingerprint);
)sql",
    // 3: the admin console's records. All append-only: triggers refuse UPDATE and
    // DELETE, so history cannot be rewritten through the app or a careless query.
    R"sql(
CREATE TABLE indicator_records(
  id INTEGER PRIMARY KEY,
  indicator TEXT NOT NULL,         -- catalog id: "2", "14.1"
  as_of TEXT NOT NULL,             -- YYYY-MM-DD the value describes
  value REAL, state TEXT, judged INTEGER,
  source TEXT NOT NULL, evidence TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX indicator_records_by_indicator ON indicator_records(indicator, as_of, id);
CREATE TABLE task_updates(
  id INTEGER PRIMARY KEY,
  task TEXT NOT NULL,              -- catalog task id: "10.3"
  status TEXT NOT NULL CHECK(status IN ('not_started','in_progress','done','blocked')),
  note TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX task_updates_by_task ON task_updates(task, id);
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL               -- SHA-256 of prev_hash and this entry: tampering breaks the chain
);
CREATE TABLE admin_auth(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  pin_hash TEXT,                   -- Argon2id (libsodium crypto_pwhash_str); NULL until set
  failed INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
);
INSERT INTO admin_auth(id) VALUES(1);
CREATE TRIGGER indicator_records_append_only_u BEFORE UPDATE ON indicator_records BEGIN SELECT RAISE(ABORT, 'indicator records are append-only'); END;
CREATE TRIGGER indicator_records_append_only_d BEFORE DELETE ON indicator_records BEGIN SELECT RAISE(ABORT, 'indicator records are append-only'); END;
CREATE TRIGGER task_updates_append_only_u BEFORE UPDATE ON task_updates BEGIN SELECT RAISE(ABORT, 'task updates are append-only'); END;
CREATE TRIGGER task_updates_append_only_d BEFORE DELETE ON task_updates BEGIN SELECT RAISE(ABORT, 'task updates are append-only'); END;
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 4: the session on screen, so a crash or power cut mid-survey is found at start-up
    // and counted as abandoned instead of vanishing.
    R"sql(
CREATE TABLE in_progress(
  uuid TEXT PRIMARY KEY,
  questionnaire TEXT NOT NULL,
  version INTEGER NOT NULL,
  kiosk TEXT NOT NULL,
  lang TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  last_question TEXT NOT NULL,
  position INTEGER NOT NULL,
  answered INTEGER NOT NULL
);
)sql",
    // 5: answer counts by hour and kiosk, kept as responses are saved, so the console's
    // survey results read a few thousand rows instead of every answer. kind 0 rows
    // count the respondents who answered the question. Filled from the stored answers
    // by migration_fill.cpp in short transactions that survive being interrupted; this
    // entry once did it in one INSERT ... SELECT, which held a million-response
    // database closed for minutes with no way to stop it.
    R"sql(
DROP TABLE IF EXISTS answer_counts;
CREATE TABLE answer_counts(
  questionnaire TEXT NOT NULL,
  question TEXT NOT NULL,
  kind INTEGER NOT NULL,
  item TEXT NOT NULL,
  hour INTEGER NOT NULL,           -- completed_at / 3600000 (UTC hours)
  kiosk TEXT NOT NULL,
  n INTEGER NOT NULL,              -- answer rows (for kind 0: respondents)
  total INTEGER NOT NULL,          -- sum of values: trips, or an integer answer
  PRIMARY KEY(hour, kiosk, questionnaire, question, kind, item)  -- hour first since 10 (see there)
) WITHOUT ROWID;
)sql",
    // 6: residents' calls for hall staff (呼叫工作人员), shown in the console with their time.
    R"sql(
CREATE TABLE IF NOT EXISTS staff_calls(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kiosk TEXT NOT NULL,
  lang TEXT NOT NULL,
  questionnaire TEXT NOT NULL,     -- '' on the welcome screen
  question TEXT NOT NULL
);
)sql",
    // 7: central sync's bookkeeping (core/central/sync.cpp). Rows are only ever appended
    // with rising ids, so "the center has everything up to id N" is one number per table,
    // moved on in the same SQLite transaction that follows the center's COMMIT. The rest
    // is what the console shows: last contact, last status in words, running totals.
    R"sql(
CREATE TABLE IF NOT EXISTS central_sync(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  response_mark INTEGER NOT NULL DEFAULT 0,   -- responses.id up to which the center has every one
  abandoned_mark INTEGER NOT NULL DEFAULT 0,  -- abandoned.id likewise
  sent INTEGER NOT NULL DEFAULT 0,            -- inserted at the center by this kiosk
  already INTEGER NOT NULL DEFAULT 0,         -- found there with the same content
  conflicts INTEGER NOT NULL DEFAULT 0,       -- found there with other content (recorded there)
  last_contact INTEGER NOT NULL DEFAULT 0,    -- ms since epoch of the last successful exchange; 0 never
  last_attempt INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT '',            -- core/central/pg.hpp status_name
  detail TEXT NOT NULL DEFAULT ''             -- the last error in words
);
INSERT OR IGNORE INTO central_sync(id) VALUES(1);
)sql",
    // 8: responses (and flagged ones) by hour and kiosk, kept as responses and their
    // metrics are saved, so the console's responses per day and flagged counts read the
    // hours instead of every response. Filled by migration_fill.cpp.
    R"sql(
DROP TABLE IF EXISTS response_counts;
CREATE TABLE response_counts(
  questionnaire TEXT NOT NULL,
  hour INTEGER NOT NULL,           -- completed_at / 3600000 (UTC hours)
  kiosk TEXT NOT NULL,
  n INTEGER NOT NULL,              -- responses
  flagged INTEGER NOT NULL,        -- of them with stored metrics flags (straight-lining, duplicate)
  PRIMARY KEY(questionnaire, hour, kiosk)
) WITHOUT ROWID;
)sql",
    // 9: the answers' index by question and item goes: since the hourly counts (5) no
    // query reads it, and keeping it up cost a fifth of every save, import and demo fill.
    R"sql(
DROP INDEX IF EXISTS answers_by_question;
)sql",
    // 10: the hourly answer counts keyed by hour first. Keyed by question first, every
    // save, import batch and fill of an older file added its counts all over the table
    // (a third of an import's time went on those upserts); by hour first they land at its
    // end, where the last pages already are in the cache. Same rows, another order. (5
    // was changed to make the new key too, so an older file's fill is fast; this copy
    // is then a sorted append.)
    R"sql(
CREATE TABLE answer_counts_by_hour(
  questionnaire TEXT NOT NULL,
  question TEXT NOT NULL,
  kind INTEGER NOT NULL,
  item TEXT NOT NULL,
  hour INTEGER NOT NULL,           -- completed_at / 3600000 (UTC hours)
  kiosk TEXT NOT NULL,
  n INTEGER NOT NULL,              -- answer rows (for kind 0: respondents)
  total INTEGER NOT NULL,          -- sum of values: trips, or an integer answer
  PRIMARY KEY(hour, kiosk, questionnaire, question, kind, item)
) WITHOUT ROWID;
INSERT INTO answer_counts_by_hour SELECT questionnaire, question, kind, item, hour, kiosk, n, total
  FROM answer_counts ORDER BY hour, kiosk, questionnaire, question, kind, item;
DROP TABLE answer_counts;
ALTER TABLE answer_counts_by_hour RENAME TO answer_counts;
)sql",
    // 11: counted cells (issue 20: indicators over a million responses from tens of
    // thousands of rows). What the indicators tell respondents apart by, counted as
    // metrics are saved (store_cells.hpp; the groupings are MetricsCell's). "fast" and
    // "day" are counted on the threshold and clock in metrics_cell_clock (the settings'
    // defaults); a query on another one, or with a date or kiosk filter, reads the rows.
    // Label columns hold -1 (kNoLabel) where a grouping has none. Filled from the stored
    // metrics by migration_fill.cpp.
    R"sql(
CREATE TABLE IF NOT EXISTS metrics_cell_clock(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  min_seconds REAL NOT NULL,         -- fast: duration_s < visible * min_seconds
  utc_offset_minutes INTEGER NOT NULL  -- day: days since 1970-01-01 on this clock
);
INSERT OR IGNORE INTO metrics_cell_clock VALUES(1, 2.0, 480);
DROP TABLE IF EXISTS metrics_cells;
CREATE TABLE metrics_cells(
  grouping INTEGER NOT NULL,         -- CellGrouping: 0 demographic, 1 kiosk, 2 day, 3 item
  questionnaire TEXT NOT NULL,
  township INTEGER NOT NULL, age INTEGER NOT NULL, gender INTEGER NOT NULL, kiosk INTEGER NOT NULL,  -- labels.id
  day INTEGER NOT NULL,
  fast INTEGER NOT NULL, flags INTEGER NOT NULL,
  score REAL NOT NULL, drawn INTEGER NOT NULL, satisfied INTEGER NOT NULL, trips INTEGER NOT NULL,
  green INTEGER NOT NULL,
  item INTEGER NOT NULL, value INTEGER NOT NULL,
  version INTEGER NOT NULL,          -- last: a cell's versions lie side by side
  n INTEGER NOT NULL,                -- respondents (item cells: outcomes)
  PRIMARY KEY(grouping, questionnaire, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied,
              trips, green, item, value, version)
) WITHOUT ROWID;
)sql",
};
constexpr int kMigrationCount = sizeof kMigrations / sizeof kMigrations[0];
static_assert(kMigrationCount == Store::kSchemaVersion);

}  // namespace

std::string Store::default_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = (xdg && *xdg) ? fs::path(xdg) : fs::path(home && *home ? home : ".") / ".local" / "share";
  fs::path dir = base / "ecokiosk";
  make_private_dirs(dir.string());
  return (dir / "ecokiosk.db").string();
}

Store::Store(const std::string& path, const MigrationProgress& progress) {
  if (auto parent = fs::path(path).parent_path(); !parent.empty() && path != ":memory:")
    make_private_dirs(parent.string());  // a failure shows as the open's own error
  db_ = std::make_unique<Db>(path);
  // WAL keeps readers (admin views) off the writer's back; FULL syncs the WAL on every
  // commit, so an acknowledged save survives power loss.
  db_->exec("PRAGMA journal_mode=WAL");
  db_->exec("PRAGMA synchronous=FULL");
  // Statement journals of the per-response savepoints stay in memory instead of
  // costing a temp-file write per page touched.
  db_->exec("PRAGMA temp_store=MEMORY");
  db_->exec("PRAGMA foreign_keys=ON");
  // Responses and the PIN hash are nobody else's business: a database an older version
  // made 0644 becomes 0600 (with its WAL and SHM) when opened.
  if (path != ":memory:")
    for (const char* ext : {"", "-wal", "-shm"}) make_private(path + ext);
  migrate(progress);
  restore_guards();
  cells_ = std::make_unique<CellCounter>(*db_);
  insert_response_ = std::make_unique<Stmt>(*db_,
      "INSERT INTO responses(uuid, questionnaire, version, content_hash, kiosk, lang, started_at, "
      "completed_at, duration_s, visible_questions, drawn, saved_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(uuid) DO NOTHING");
  for (int k = 1; k <= kAnswerRows; ++k) {
    insert_answers_[static_cast<std::size_t>(k)] = std::make_unique<Stmt>(*db_,
        "INSERT INTO answers(response, ord, question, kind, item, value, text) VALUES" + values_rows(7, k));
  }
  find_uuid_ = std::make_unique<Stmt>(*db_, "SELECT 1 FROM responses WHERE uuid=?");
  insert_metrics_ = std::make_unique<Stmt>(*db_,
      "INSERT INTO response_metrics(response, method, questionnaire, version, kiosk, completed_at, duration_s, "
      "visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  find_duplicate_ = std::make_unique<Stmt>(*db_,
      "SELECT 1 FROM response_metrics WHERE fingerprint=? AND kiosk=? AND completed_at BETWEEN ? AND ? LIMIT 1");
  insert_label_ = std::make_unique<Stmt>(*db_, "INSERT INTO labels(kind, value) VALUES(?,?) ON CONFLICT DO NOTHING");
  find_label_ = std::make_unique<Stmt>(*db_, "SELECT id FROM labels WHERE kind=? AND value=?");
  label_text_ = std::make_unique<Stmt>(*db_, "SELECT kind, value FROM labels WHERE id=?");
  {
    // One count row, or (SQLite's upsert takes several rows in one statement, a row
    // under a key already there adding to it) a batch's counts kCountRows at a time.
    auto upsert_counts = [&](int rows) {
      return std::make_unique<Stmt>(*db_,
          "INSERT INTO answer_counts(questionnaire, question, kind, item, hour, kiosk, n, total) VALUES" +
              values_rows(8, rows) + " ON CONFLICT DO UPDATE SET n = n + excluded.n, total = total + excluded.total");
    };
    count_answer_ = upsert_counts(1);
    count_answers_ = upsert_counts(kCountRows);
  }
  count_response_ = std::make_unique<Stmt>(*db_,
      "INSERT INTO response_counts(questionnaire, hour, kiosk, n, flagged) VALUES(?,?,?,?,?) "
      "ON CONFLICT DO UPDATE SET n = n + excluded.n, flagged = flagged + excluded.flagged");
  clear_in_progress_ = std::make_unique<Stmt>(*db_, "DELETE FROM in_progress WHERE uuid=?");
  savepoint_ = std::make_unique<Stmt>(*db_, "SAVEPOINT one");
  release_ = std::make_unique<Stmt>(*db_, "RELEASE one");
  rollback_to_ = std::make_unique<Stmt>(*db_, "ROLLBACK TO one");
  load_labels();
}

Store::~Store() = default;

Store::Store(const std::string& path, ReadOnly) {
  db_ = std::make_unique<Db>(path, false, true);
  std::string why = ecokiosk_schema_problem(*db_);
  if (!why.empty()) throw DbError(path + ": " + why, 0);
  find_uuid_ = std::make_unique<Stmt>(*db_, "SELECT 1 FROM responses WHERE uuid=?");
}

std::string ecokiosk_schema_problem(Db& db) {
  std::int64_t v = db.scalar("PRAGMA user_version");
  if (v > Store::kSchemaVersion)
    return "has schema version " + std::to_string(v) + ", newer than this program understands (" +
           std::to_string(Store::kSchemaVersion) + "); use a newer EcoKiosk";
  std::int64_t tables = db.scalar(
      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
      "('responses','answers','abandoned','questionnaire_definitions')");
  if (v < 1 || tables != 4) return "is a SQLite file but not an EcoKiosk database";
  return "";
}

namespace {
std::string label_key(std::string_view kind, std::string_view value) {
  std::string key(kind);
  key += '\x1f';
  key += value;
  return key;
}
}  // namespace

void Store::load_labels() {
  label_ids_.clear();
  label_texts_.clear();
  Stmt s(*db_, "SELECT id, kind, value FROM labels");
  while (s.step()) {
    label_ids_[label_key(s.text(1), s.text(2))] = s.i64(0);
    label_texts_[s.i64(0)] = std::string(s.text(2));
  }
}

// The cache is only a copy: another process (an import beside the kiosk) adds labels
// too, so a miss asks the table, and a new label is inserted-or-ignored and read back
// rather than assumed to be missing.
std::int64_t Store::label_id(std::string_view kind, std::string_view value) {
  std::string key = label_key(kind, value);
  if (auto it = label_ids_.find(key); it != label_ids_.end()) return it->second;
  insert_label_->bind(1, kind).bind(2, value);
  insert_label_->run();
  std::int64_t id = 0;
  if (db_->changes() == 1) {
    id = db_->last_insert_rowid();
  } else {
    auto& f = *find_label_;
    f.bind(1, kind).bind(2, value);
    bool found = f.step();
    if (found) id = f.i64(0);
    f.reset();
    if (!found) db_->fail("label " + std::string(kind) + "/" + std::string(value) + " neither inserted nor found");
  }
  label_ids_[key] = id;
  label_texts_[id] = std::string(value);
  return id;
}

void Store::forget_labels() {
  // Labels made in a transaction that was rolled back are gone (and their ids may be
  // given to other labels): drop the copy; the next lookups read the table again.
  label_ids_.clear();
  label_texts_.clear();
}

std::optional<std::int64_t> Store::find_label(std::string_view kind, std::string_view value) {
  std::string key = label_key(kind, value);
  if (auto it = label_ids_.find(key); it != label_ids_.end()) return it->second;
  if (!find_label_) return std::nullopt;
  auto& f = *find_label_;
  f.bind(1, kind).bind(2, value);
  std::optional<std::int64_t> id;
  if (f.step()) id = f.i64(0);
  f.reset();
  if (id) {
    label_ids_[key] = *id;
    label_texts_[*id] = std::string(value);
  }
  return id;
}

const std::string& Store::label_text(std::int64_t id) {
  static const std::string none;
  if (auto it = label_texts_.find(id); it != label_texts_.end()) return it->second;
  if (!label_text_) return none;
  auto& f = *label_text_;
  f.bind(1, id);
  bool found = f.step();
  std::string text = found ? std::string(f.text(1)) : std::string();
  std::string kind = found ? std::string(f.text(0)) : std::string();
  f.reset();
  if (!found) return none;
  label_ids_[label_key(kind, text)] = id;
  std::string& slot = label_texts_[id];
  slot = std::move(text);
  return slot;
}

void Store::save_metrics(std::int64_t rid, const Response& r, const ResponseMetrics& m) {
  std::int64_t kiosk = label_id("kiosk", r.kiosk);
  int flags = m.flags;
  auto& d = *find_duplicate_;
  d.bind(1, static_cast<std::int64_t>(m.fingerprint)).bind(2, kiosk)
      .bind(3, r.completed_at - kDuplicateWindowMs).bind(4, r.completed_at + kDuplicateWindowMs);
  if (d.step()) flags |= kFlagDuplicate;
  d.reset();
  std::string blob;
  blob.reserve(m.outcomes.size() * 5);
  cell_outcomes_.clear();
  for (const auto& [item, v] : m.outcomes) {
    auto id = static_cast<std::uint32_t>(label_id("item", item));
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
    blob.push_back(static_cast<char>(static_cast<unsigned char>(v)));
    cell_outcomes_.push_back({static_cast<std::int64_t>(id), static_cast<unsigned char>(v)});
  }
  MetricsRow row;  // as each_metrics would read it back, for the counted cells
  auto opt_label = [&](Stmt& s, int col, const char* kind, const std::string& v) {
    std::int64_t id = v.empty() ? kNoLabel : label_id(kind, v);
    v.empty() ? s.bind_null(col) : s.bind(col, id);
    return id;
  };
  const double duration_s = static_cast<double>(r.completed_at - r.started_at) / 1000.0;
  auto& s = *insert_metrics_;
  s.bind(1, rid).bind(2, static_cast<int>(m.method)).bind(3, r.questionnaire).bind(4, r.version).bind(5, kiosk)
      .bind(6, r.completed_at).bind(7, duration_s).bind(8, r.visible_questions);
  row.age = opt_label(s, 9, "age", m.age);
  row.gender = opt_label(s, 10, "gender", m.gender);
  row.township = opt_label(s, 11, "township", m.township);
  s.bind(12, m.score).bind(13, m.correct).bind(14, m.drawn).bind(15, m.satisfied ? 1 : 0).bind(16, m.trips)
      .bind(17, m.green).bind(18, flags).bind(19, static_cast<std::int64_t>(m.fingerprint));
  s.bind_blob(20, blob);
  s.run();
  if (flags != 0) count_response(r, 0, 1);
  row.questionnaire = r.questionnaire;
  row.version = r.version;
  row.kiosk = kiosk;
  row.completed_at = r.completed_at;
  row.duration_s = duration_s;
  row.visible = r.visible_questions;
  row.score = m.score;
  row.drawn = m.drawn;
  row.satisfied = m.satisfied;
  row.trips = m.trips;
  row.green = m.green;
  row.flags = flags;
  row.outcomes = cell_outcomes_;
  cells_->add(row);  // last: nothing after it in a save can fail and leave it counted
}

void Store::count_response(const Response& r, std::int64_t n, std::int64_t flagged) {
  if (in_batch_) {
    auto& [sum_n, sum_flagged] = pending_responses_[{r.questionnaire, r.completed_at / 3600000, r.kiosk}];
    sum_n += n;
    sum_flagged += flagged;
    return;
  }
  auto& c = *count_response_;
  c.bind(1, r.questionnaire).bind(2, r.completed_at / 3600000).bind(3, r.kiosk).bind(4, n).bind(5, flagged);
  c.run();
}

std::int64_t Store::fill_missing_metrics(const MetricsFn& score) {
  if (reading_) return 0;  // inside read_consistently nothing is written; its caller filled them
  // First the cheap question: as many respondents in the counted cells as responses in
  // the hourly counts? Every metrics row is in one demographic cell and responses are
  // never deleted, so then none lacks its metrics. The search below is an anti-join of
  // every id: at a million responses it took half a second of each indicators run.
  if (cells_ && db_->scalar("SELECT (SELECT coalesce(sum(n), 0) FROM response_counts) = "
                            "(SELECT coalesce(sum(n), 0) FROM metrics_cells WHERE grouping = 0)") == 1)
    return 0;
  std::vector<std::int64_t> ids;
  {
    Stmt s(*db_, "SELECT id FROM responses WHERE id NOT IN (SELECT response FROM response_metrics) ORDER BY id");
    while (s.step()) ids.push_back(s.i64(0));
  }
  if (ids.empty()) return 0;
  std::int64_t done = 0;
  batch([&] {
    std::size_t next = 0;
    each_with_id({}, [&](std::int64_t rid, const Response& r) {
      while (next < ids.size() && ids[next] < rid) ++next;
      if (next == ids.size()) return false;
      if (ids[next] != rid) return true;
      if (std::optional<ResponseMetrics> m = score(r)) {
        save_metrics(rid, r, *m);
        ++done;
      }
      return true;
    });
  });
  return done;
}

namespace {
// The append-only guards of schema 3 (see kMigrations), recreated at every open: anyone
// who can write the file can drop them, and a missing one must not stay missing.
struct Guard { const char* name; const char* sql; bool report; };
const Guard kGuards[] = {
    {"indicator_records_append_only_u", "BEFORE UPDATE ON indicator_records BEGIN SELECT RAISE(ABORT, 'indicator records are append-only'); END", true},
    {"indicator_records_append_only_d", "BEFORE DELETE ON indicator_records BEGIN SELECT RAISE(ABORT, 'indicator records are append-only'); END", true},
    {"task_updates_append_only_u", "BEFORE UPDATE ON task_updates BEGIN SELECT RAISE(ABORT, 'task updates are append-only'); END", true},
    {"task_updates_append_only_d", "BEFORE DELETE ON task_updates BEGIN SELECT RAISE(ABORT, 'task updates are append-only'); END", true},
    {"audit_log_append_only_u", "BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END", true},
    {"audit_log_append_only_d", "BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END", true},
    // Added later, so older files lack it without having been tampered with.
    {"admin_auth_keep_d", "BEFORE DELETE ON admin_auth BEGIN SELECT RAISE(ABORT, 'the admin row cannot be deleted'); END", false},
};
}  // namespace

// Whitespace runs become one space, a trailing ';' goes: how the same trigger may be
// written, not what it does.
static std::string normalised_sql(std::string_view sql) {
  std::string out;
  for (char c : sql) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

void Store::restore_guards() {
  restored_guards_.clear();
  for (const Guard& g : kGuards) {
    // Checked by its text, not its name: a no-op trigger under the guard's name guards nothing.
    std::string expected = std::string("CREATE TRIGGER ") + g.name + " " + g.sql;
    std::optional<std::string> have;
    {
      Stmt s(*db_, "SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?");
      s.bind(1, g.name);
      if (s.step()) have = s.is_null(0) ? std::string() : std::string(s.text(0));
    }
    if (have && normalised_sql(*have) == normalised_sql(expected)) continue;
    try {
      Transaction t(*db_);
      if (have) db_->exec(std::string("DROP TRIGGER IF EXISTS ") + g.name);
      db_->exec(std::string("CREATE TRIGGER IF NOT EXISTS ") + g.name + " " + g.sql);
      t.commit();
    } catch (const DbError&) {
      // A read-only file cannot be repaired here; the audit check still reports it.
    }
    // A replaced guard is always reported; a missing one only where its absence means tampering.
    if (g.report || have) restored_guards_.push_back(g.name + std::string(have ? " (replaced)" : ""));
  }
}

void Store::checkpoint() { db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

int Store::schema_version() { return static_cast<int>(db_->scalar("PRAGMA user_version")); }

void Store::migrate(const MigrationProgress& progress) {
  int have = schema_version();
  if (have > kSchemaVersion)
    throw DbError("database " + db_->path() + " has schema version " + std::to_string(have) +
                      ", newer than this program understands (" + std::to_string(kSchemaVersion) +
                      "); use a newer EcoKiosk",
                  kNewerSchemaCode);
  // The fills still to run count every response once each: one bar from 0 to the sum
  // of them, not one per table starting again at 0.
  int fills = 0, fills_run = 0;
  for (int v = have + 1; v <= kSchemaVersion; ++v) fills += migration_fill::fills(v);
  // Debian's SQLite overwrites every page it frees with zeros (secure_delete on). What
  // the migrations free the file still holds elsewhere: 9 drops the answers' index (a
  // copy of the answers' columns), 10 the hourly counts it has just copied. Zeroing it
  // wrote the whole index (440 MB for a million responses) into the log and back: 4.5 s
  // of such a file's update. FAST zeroes only what is written anyway; the setting is
  // this connection's, and the kiosk's own deletes get it back after the update.
  struct SecureDelete {
    Db& db;
    std::int64_t was;
    ~SecureDelete() {
      // 2 is read back for FAST, but set as 2 it means on: it is named.
      try {
        db.exec(was == 2 ? "PRAGMA secure_delete=FAST" : "PRAGMA secure_delete=" + std::to_string(was));
      } catch (...) {
      }
    }
  };
  std::optional<SecureDelete> zeroing;
  if (have < kSchemaVersion) {
    zeroing.emplace(SecureDelete{*db_, db_->scalar("PRAGMA secure_delete")});
    db_->exec("PRAGMA secure_delete=FAST");
  }
  Store::MigrationProgress overall;
  if (progress)
    overall = [&](std::int64_t done, std::int64_t total) { progress(fills_run * total + done, fills * total); };
  while (have < kSchemaVersion) {
    int v = 0;
    {
      Transaction t(*db_);
      // Another process may have migrated while this one waited for the write lock.
      v = schema_version();
      if (v >= kSchemaVersion) break;
      if (!migration_fill::fills(v + 1)) {
        db_->exec(kMigrations[v]);
        db_->exec("PRAGMA user_version=" + std::to_string(v + 1));
        t.commit();
        have = v + 1;
        continue;
      }
      migration_fill::begin(*db_, v + 1, kMigrations[v]);
      t.commit();
    }
    migration_fill::run(*db_, v + 1, migration_chunk, overall);
    ++fills_run;
    have = schema_version();
  }
}


bool Store::recount_cells(const CellQuery& clock, const MigrationProgress& progress) {
  if (!cells_ || cells_answer(*db_, clock)) return false;  // read-only, or nothing to do
  {
    Transaction t(*db_);
    if (cells_answer(*db_, clock)) return false;  // another process recounted them meanwhile
    // An upsert: a clock row deleted by hand would otherwise leave the fill counting on
    // the defaults, and every open recounting again.
    Stmt set(*db_, "INSERT INTO metrics_cell_clock VALUES(1, ?1, ?2) ON CONFLICT(id) DO UPDATE SET "
                   "min_seconds = excluded.min_seconds, utc_offset_minutes = excluded.utc_offset_minutes");
    set.bind(1, clock.min_seconds_per_question).bind(2, clock.utc_offset_minutes);
    set.run();
    // Back to schema 10 with the clock stored: migration 11 empties the cells and its
    // fill counts them again. Another process's counter sees the step back (or the new
    // clock) and stops counting (CellCounter::write). The fill ends by setting schema
    // 11: a later migration would have to run again after it.
    static_assert(kSchemaVersion == 11, "recount_cells steps back to 10 and migrates to 11 only");
    db_->exec("PRAGMA user_version=10");
    migration_fill::begin(*db_, 11, kMigrations[10]);
    t.commit();
  }
  // This connection's counter counts on the new clock, whatever happens below: if the
  // fill stops part-way, its saves mark the cells stale until the next open finishes it.
  struct Renew {
    Store& s;
    ~Renew() {
      try { s.cells_ = std::make_unique<CellCounter>(*s.db_); } catch (...) {}
    }
  } renew{*this};
  migration_fill::run(*db_, 11, migration_chunk, progress);
  return true;
}

bool Store::contains(const std::string& uuid) {
  find_uuid_->bind(1, lower_ascii(uuid));  // ids are stored in lower case
  bool found = find_uuid_->step();
  find_uuid_->reset();
  return found;
}

// The response's answers as rows, one per answer atom, and its answer counts (in
// answer_counts_, written by the caller: at once, or summed over a batch).
void Store::insert_answers(std::int64_t rid, const Response& r) {
  const std::int64_t hour = r.completed_at / 3600000;
  auto& counts = answer_counts_;
  auto& rows = answer_rows_;
  counts.clear();
  rows.clear();
  masked_.clear();
  auto count = [&](const std::string& qid, int kind, std::string_view item, std::int64_t value) {
    counts.push_back({CountRef{r.questionnaire, qid, kind, item, hour, r.kiosk}, value});
  };
  // Rows go kAnswerRows to a statement (a response has a dozen or more): the statement's
  // own overhead per row was a fifth of storing an answer. The strings (the response's
  // own, or masked_, reserved so they never move) outlive the run: bound without a copy.
  masked_.reserve(r.answers.size());
  auto atom = [&](const std::string& qid, int kind, std::string_view item, const std::int64_t* value,
                  const std::string* text) {
    count(qid, kind, item, value ? *value : 0);
    rows.push_back({qid, kind, item, value ? std::optional<std::int64_t>(*value) : std::nullopt, text});
  };
  for (const auto& [qid, ans] : r.answers) {
    count(qid, 0, "", 0);  // one more respondent answered this question
    if (auto* c = std::get_if<Choice>(&ans)) atom(qid, kChoice, c->option, nullptr, nullptr);
    else if (auto* s = std::get_if<ChoiceSet>(&ans))
      for (const auto& o : s->options) atom(qid, kChoiceSet, o, nullptr, nullptr);
    else if (auto* i = std::get_if<std::int64_t>(&ans)) atom(qid, kInteger, "", i, nullptr);
    else if (auto* cnt = std::get_if<Counts>(&ans))
      for (const auto& [row, n] : cnt->rows) {
        std::int64_t v = n;
        atom(qid, kCounts, row, &v, nullptr);
      }
    else if (auto* t = std::get_if<Text>(&ans)) {
      masked_.push_back(t->value);
      mask_personal(masked_.back());  // what is stored never identifies a person
      atom(qid, kText, "", nullptr, &masked_.back());
    }
  }
  std::size_t i = 0;
  auto bind_row = [&](Stmt& st, int base, const AnswerRow& w) {
    st.bind(base + 1, rid).bind(base + 2, static_cast<std::int64_t>(i)).bind_static(base + 3, w.qid)
        .bind(base + 4, w.kind).bind_static(base + 5, w.item);
    w.value ? st.bind(base + 6, *w.value) : st.bind_null(base + 6);
    w.text ? st.bind_static(base + 7, *w.text) : st.bind_null(base + 7);
  };
  while (i < rows.size()) {
    const std::size_t k = std::min(rows.size() - i, static_cast<std::size_t>(kAnswerRows));
    auto& st = *insert_answers_[k];
    for (std::size_t j = 0; j < k; ++j, ++i) bind_row(st, 7 * static_cast<int>(j), rows[i]);
    st.run();
  }
}

// After a failed save: statements half-way through are reset, and labels made in the
// rolled-back work are forgotten.
void Store::reset_after_failure() {
  for (auto* s : {&insert_response_, &insert_metrics_, &find_duplicate_, &insert_label_,
                  &count_answer_, &count_answers_, &count_response_, &clear_in_progress_, &find_label_})
    (*s)->reset();
  for (std::size_t k = 1; k < insert_answers_.size(); ++k) insert_answers_[k]->reset();
  forget_labels();
}

namespace {
// A response's drawn knowledge items as the JSON array stored in responses.drawn, as
// nlohmann's dump() writes it: ["k3","k17"]. Plain ids (printable ASCII without quotes or
// backslashes, every shipped one) are joined by hand into a kept buffer; anything else
// goes through the JSON library, which escapes it.
std::string_view drawn_text(const std::vector<std::string>& drawn, std::string& out) {
  out.assign("[");
  for (const auto& id : drawn) {
    for (char c : id)
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return out = json(drawn).dump();
    if (out.size() > 1) out += ',';
    out += '"';
    out += id;
    out += '"';
  }
  out += ']';
  return out;
}
}  // namespace

Store::Saved Store::save(const Response& r, const std::optional<ResponseMetrics>& m) {
  std::optional<Transaction> txn;
  if (!in_batch_) txn.emplace(*db_);
  // Stored in lower case whoever calls: the same UUID in upper case is the same response.
  const std::string id = lower_ascii(r.id);
  // In a batch a savepoint keeps one failed response from undoing the others.
  const bool savepoint = in_batch_ && batch_savepoints_;
  if (savepoint) savepoint_->run();
  try {
    auto& ins = *insert_response_;
    ins.bind(1, id).bind(2, r.questionnaire).bind(3, r.version).bind(4, r.content_hash).bind(5, r.kiosk)
        .bind(6, r.lang).bind(7, r.started_at).bind(8, r.completed_at)
        .bind(9, static_cast<double>(r.completed_at - r.started_at) / 1000.0).bind(10, r.visible_questions)
        .bind_static(11, drawn_text(r.drawn, drawn_json_)).bind(12, now_ms());
    ins.run();
    // The id already stored: the insert's own uniqueness check said so (ON CONFLICT DO
    // NOTHING), where a search before it cost a second walk of the uuid index.
    if (db_->changes() == 0) {
      if (savepoint) release_->run();
      return Saved::duplicate;
    }
    std::int64_t rid = db_->last_insert_rowid();
    // Counts of this response; written with it, or (in a batch) summed in memory and
    // written once at the end, which keeps imports and demo data fast.
    insert_answers(rid, r);
    auto& counts = answer_counts_;
    // No longer in progress: in the same transaction as the save.
    if (!(in_batch_ && batch_no_in_progress_)) clear_in_progress(r.id);
    if (m) save_metrics(rid, r, *m);
    // After everything that can fail: in a batch it is only summed in memory, which a
    // savepoint's rollback would not undo (save_metrics' flagged count likewise comes
    // after its own insert).
    count_response(r, 1, 0);
    if (!in_batch_) cells_->write();  // a batch writes its cells once, at its end
    if (in_batch_) {
      for (auto& [k, v] : counts) pending_counts_.add(k, v);
    } else {
      for (auto& [k, v] : counts) write_count(k, 1, v);
    }
  } catch (...) {
    reset_after_failure();
    if (!in_batch_) cells_->clear();
    if (savepoint) {
      rollback_to_->run();
      release_->run();
    }
    throw;
  }
  if (savepoint) release_->run();
  if (txn) {
    try {
      txn->commit();
    } catch (...) {
      forget_labels();  // the commit failed (a full disk): this save's labels are gone
      throw;
    }
  }
  return Saved::inserted;
}

void Store::save_abandoned(const Abandoned& a) {
  Stmt s(*db_,
         "INSERT OR IGNORE INTO abandoned(uuid, questionnaire, version, kiosk, lang, started_at, abandoned_at, "
         "last_question, position, answered) VALUES(?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, a.id).bind(2, a.questionnaire).bind(3, a.version).bind(4, a.kiosk).bind(5, a.lang)
      .bind(6, a.started_at).bind(7, a.abandoned_at).bind(8, a.last_question).bind(9, a.position).bind(10, a.answered);
  s.run();
}

void Store::log_staff_call(const StaffCall& c) {
  Stmt s(*db_, "INSERT INTO staff_calls(at, kiosk, lang, questionnaire, question) VALUES(?,?,?,?,?)");
  s.bind(1, c.at).bind(2, c.kiosk).bind(3, c.lang).bind(4, c.questionnaire).bind(5, c.question);
  s.run();
}

std::vector<StaffCall> Store::staff_calls(int limit) {
  Stmt s(*db_, "SELECT at, kiosk, lang, questionnaire, question FROM staff_calls ORDER BY id DESC LIMIT ?");
  s.bind(1, limit);
  std::vector<StaffCall> out;
  while (s.step())
    out.push_back({s.i64(0), std::string(s.text(1)), std::string(s.text(2)), std::string(s.text(3)), std::string(s.text(4))});
  return out;
}

void Store::write_pending_counts() {
  struct Row {
    CountRef k;
    std::int64_t n, total;
  };
  std::array<Row, kCountRows> rows;
  int held = 0;
  auto& many = *count_answers_;
  pending_counts_.each_in_key_order([&](const CountRef& k, std::int64_t n, std::int64_t total) {
    rows[held++] = {k, n, total};
    if (held < kCountRows) return;
    for (int i = 0; i < kCountRows; ++i) bind_count(many, 8 * i, rows[i].k, rows[i].n, rows[i].total);
    many.run();
    held = 0;
  });
  for (int i = 0; i < held; ++i) write_count(rows[i].k, rows[i].n, rows[i].total);  // the last few, in order
  auto& c = *count_response_;
  for (const auto& [key, sums] : pending_responses_) {
    c.bind(1, std::get<0>(key)).bind(2, std::get<1>(key)).bind(3, std::get<2>(key)).bind(4, sums.first)
        .bind(5, sums.second);
    c.run();
  }
}

// One count row's eight parameters, from `base` on (a statement may hold several rows).
void Store::bind_count(Stmt& s, int base, const CountRef& k, std::int64_t n, std::int64_t total) {
  s.bind_static(base + 1, k.questionnaire).bind_static(base + 2, k.question).bind(base + 3, k.kind)
      .bind_static(base + 4, k.item).bind(base + 5, k.hour).bind_static(base + 6, k.kiosk).bind(base + 7, n)
      .bind(base + 8, total);
}

void Store::write_count(const CountRef& k, std::int64_t n, std::int64_t total) {
  bind_count(*count_answer_, 0, k, n, total);
  count_answer_->run();
}

void Store::mark_in_progress(const Abandoned& a) {
  Stmt s(*db_,
         "INSERT OR REPLACE INTO in_progress(uuid, questionnaire, version, kiosk, lang, started_at, last_question, "
         "position, answered) VALUES(?,?,?,?,?,?,?,?,?)");
  s.bind(1, a.id).bind(2, a.questionnaire).bind(3, a.version).bind(4, a.kiosk).bind(5, a.lang)
      .bind(6, a.started_at).bind(7, a.last_question).bind(8, a.position).bind(9, a.answered);
  s.run();
  batch_no_in_progress_ = false;  // a batch under way: its saves must delete from in_progress again
}

void Store::clear_in_progress(const std::string& uuid) {
  clear_in_progress_->bind(1, uuid);
  clear_in_progress_->run();
}

std::int64_t Store::recover_interrupted(TimeMs now) {
  Transaction t(*db_);
  db_->exec(
      "INSERT OR IGNORE INTO abandoned(uuid, questionnaire, version, kiosk, lang, started_at, abandoned_at, "
      "last_question, position, answered) SELECT uuid, questionnaire, version, kiosk, lang, started_at, " +
      std::to_string(now) + ", last_question, position, answered FROM in_progress");
  std::int64_t n = db_->changes();
  db_->exec("DELETE FROM in_progress");
  t.commit();
  return n;
}

void Store::batch(const std::function<void()>& fn, BatchFailure failure) {
  if (in_batch_) { fn(); return; }
  // A page cache big enough that a batch (import, demo data) does not spill dirty pages
  // into the WAL again and again; back to SQLite's 2 MB afterwards so a kiosk running
  // for months keeps a small, flat footprint.
  db_->exec("PRAGMA cache_size=-32768");
  // No foreign key checks inside a batch: its only writer is save() (and metrics filled
  // in later for stored responses), which inserts each answer and metrics row under the
  // response it has just inserted, and responses are never deleted. Checking cost a
  // search of the responses table for each of ~18 answer rows a response (a quarter of
  // storing them). The pragma is this connection's alone and cannot change inside a
  // transaction, so it is set around it.
  db_->exec("PRAGMA foreign_keys=OFF");
  struct Restore {
    Db& db;
    Store& store;
    ~Restore() {
      store.batch_savepoints_ = true;
      try { db.exec("PRAGMA foreign_keys=ON"); } catch (...) {}
      try { db.exec("PRAGMA cache_size=-2000"); } catch (...) {}
    }
  } restore{*db_, *this};
  batch_savepoints_ = failure == BatchFailure::per_save;
  Transaction t(*db_);
  batch_no_in_progress_ = db_->scalar("SELECT NOT EXISTS(SELECT 1 FROM in_progress)") == 1;
  in_batch_ = true;
  pending_counts_.clear();
  pending_responses_.clear();
  try {
    fn();
    write_pending_counts();
    cells_->write();
  } catch (...) {
    in_batch_ = false;
    pending_counts_.clear();
    pending_responses_.clear();
    cells_->clear();
    forget_labels();  // the batch is rolled back, its new labels with it
    throw;
  }
  pending_counts_.clear();
  pending_responses_.clear();
  in_batch_ = false;
  try {
    t.commit();
  } catch (...) {
    forget_labels();
    throw;
  }
}

void Store::remember_definition(const Questionnaire& q, const std::string& expanded_json) {
  Stmt s(*db_,
         "INSERT OR IGNORE INTO questionnaire_definitions(questionnaire, version, content_hash, definition, "
         "first_seen) VALUES(?,?,?,?,?)");
  s.bind(1, q.id).bind(2, q.version).bind(3, q.content_hash).bind(4, expanded_json).bind(5, now_ms());
  s.run();
}

std::vector<StoredDefinition> Store::definitions() {
  std::vector<StoredDefinition> out;
  Stmt s(*db_, "SELECT questionnaire, version, content_hash, definition FROM questionnaire_definitions ORDER BY 1, 2");
  while (s.step())
    out.push_back({std::string(s.text(0)), static_cast<int>(s.i64(1)), std::string(s.text(2)), std::string(s.text(3))});
  return out;
}

namespace {
// A response's drawn knowledge items, stored as a JSON array of ids: ["k3","k17"] is
// split by hand (the common case, 35% of responses), anything else (escapes, spaces)
// goes through the JSON parser as before.
void read_drawn(std::string_view d, std::vector<std::string>& out) {
  if (d == "[]") return;
  // Plain: [ "id" (, "id")* ] with printable ASCII ids, no backslash, no spaces.
  bool plain = d.size() >= 4 && d.front() == '[' && d.back() == ']';
  for (std::size_t at = 1; plain;) {
    std::size_t end = d[at] == '"' ? d.find('"', at + 1) : std::string_view::npos;
    if (end == std::string_view::npos || end + 1 >= d.size()) {
      plain = false;
      break;
    }
    std::string_view id = d.substr(at + 1, end - at - 1);
    for (char c : id) plain = plain && c >= 0x20 && c < 0x7f && c != '\\';
    out.emplace_back(id);
    if (end + 1 == d.size() - 1) break;  // the closing bracket
    if (d[end + 1] != ',' || end + 2 >= d.size() - 1) plain = false;
    at = end + 2;
  }
  if (plain) return;
  out.clear();
  json drawn = json::parse(d, nullptr, false);
  if (drawn.is_array())
    for (const auto& item : drawn)
      if (item.is_string()) out.push_back(item.get<std::string>());
}

// WHERE clause and binder shared by count() and each(). For each() (`scan`), the
// unary + keeps SQLite from using an index for the filter: rows then stream in id
// order straight off the table, with no sort of millions of joined rows in memory.
std::string where_of(const ResponseFilter& f, bool scan = false) {
  const char* p = scan ? "+" : "";
  std::string w = " WHERE 1";
  if (!f.questionnaire.empty()) w += std::string(" AND ") + p + "r.questionnaire = :q";
  if (f.version) w += std::string(" AND ") + p + "r.version = :v";
  if (f.from) w += std::string(" AND ") + p + "r.completed_at >= :from";
  if (f.to) w += std::string(" AND ") + p + "r.completed_at < :to";
  if (!f.kiosk.empty()) w += std::string(" AND ") + p + "r.kiosk = :k";
  if (!f.uuid.empty()) w += " AND r.uuid = :u";  // by its unique index, even in a scan
  return w;
}
void bind_filter(Stmt& s, const ResponseFilter& f) {
  int i = 1;  // parameters are numbered in the order where_of adds them
  if (!f.questionnaire.empty()) s.bind(i++, f.questionnaire);
  if (f.version) s.bind(i++, *f.version);
  if (f.from) s.bind(i++, *f.from);
  if (f.to) s.bind(i++, *f.to);
  if (!f.kiosk.empty()) s.bind(i++, f.kiosk);
  if (!f.uuid.empty()) s.bind(i++, lower_ascii(f.uuid));
}
}  // namespace

std::int64_t Store::count(const ResponseFilter& f) {
  Stmt s(*db_, "SELECT count(*) FROM responses r" + where_of(f));
  bind_filter(s, f);
  return s.step() ? s.i64(0) : 0;
}

std::int64_t Store::abandoned_count(const std::string& questionnaire) {
  Stmt s(*db_, questionnaire.empty() ? "SELECT count(*) FROM abandoned"
                                     : "SELECT count(*) FROM abandoned WHERE questionnaire=?");
  if (!questionnaire.empty()) s.bind(1, questionnaire);
  return s.step() ? s.i64(0) : 0;
}

void Store::each_with_id(const ResponseFilter& f, const ResponseRowFn& fn) {
  // Two statements stepped side by side, both in the order of the primary keys (no
  // sort): the responses' own columns once a response, and the answer atoms with only
  // their columns. One join gave every atom row the response's eleven columns again,
  // which SQLite copied out for each of the 17 million atoms of a million responses
  // (issue 20: 45% of the reading). Both run in the connection's one read transaction.
  std::string where = where_of(f, true);
  Stmt head(*db_,
            "SELECT r.id, r.uuid, r.questionnaire, r.version, r.content_hash, r.kiosk, r.lang, r.started_at, "
            "r.completed_at, r.visible_questions, r.drawn FROM responses r" +
                where + " ORDER BY r.id");
  // With no filter, the answers table alone in its key's order: the join looked each
  // response up in it again (a tenth of stepping the atoms). Every answer row has its
  // response (responses are never deleted); a stray one is skipped below all the same.
  const bool all = where == where_of({}, true);
  Stmt atoms(*db_, all ? std::string("SELECT response, question, kind, item, value, text FROM answers "
                                               "ORDER BY response, ord")
                                 : "SELECT a.response, a.question, a.kind, a.item, a.value, a.text "
                                   "FROM responses r JOIN answers a ON a.response = r.id" +
                                       where + " ORDER BY r.id, a.ord");
  bind_filter(head, f);
  bind_filter(atoms, f);
  // One Response is refilled for every row: its strings and answer list keep their
  // buffers (exports read every response; a fresh one cost an allocation per field).
  Response cur;
  bool atom = atoms.step();
  while (head.step()) {
    std::int64_t id = head.i64(0);
    cur.id = head.text(1);
    cur.questionnaire = head.text(2);
    cur.version = static_cast<int>(head.i64(3));
    cur.content_hash = head.text(4);
    cur.kiosk = head.text(5);
    cur.lang = head.text(6);
    cur.started_at = head.i64(7);
    cur.completed_at = head.i64(8);
    cur.visible_questions = static_cast<int>(head.i64(9));
    cur.drawn.clear();
    cur.answers.clear();
    read_drawn(head.text(10), cur.drawn);
    // Columns 1-5: question, kind, item, value, text (a value or text may be null); a
    // column is read only for the kinds that use it (17 million atoms in a million).
    for (std::int64_t of = 0; atom && (of = atoms.i64(0)) <= id; atom = atoms.step()) {
      if (of != id) continue;
      const int kind = static_cast<int>(atoms.i64(2));
      add_answer_atom(cur.answers, atoms.text(1), kind, atoms.text(3),
                      kind == kInteger || kind == kCounts ? atoms.i64(4) : 0,
                      kind == kText ? atoms.text(5) : std::string_view());
    }
    if (!fn(id, cur)) return;
  }
}

}  // namespace eco
