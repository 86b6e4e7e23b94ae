#include "core/central/sync.hpp"

#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <type_traits>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/central/credentials.hpp"
#include "core/central/district.hpp"
#include "core/central/schema.hpp"
#include "core/storage/sqlite.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"

namespace eco::central {

using json = nlohmann::json;

namespace {

std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : h) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// A test hook (tests/central/crash_after_commit.sh): the process ends right after the
// Nth central COMMIT, before the local mark moves: the window a power cut could hit.
int crash_after_commit() {
  const char* v = std::getenv("ECOKIOSK_SYNC_CRASH_AFTER_COMMIT");
  return v && *v ? std::atoi(v) : 0;
}

// A bench hook (tests/bench/central_bench.sh): the sync as it was before session 8 (one
// batch after the other, normal priority, synchronous=FULL on its connection), so the
// figures before and after are measured in the same run.
bool as_before() {
  const char* v = std::getenv("ECOKIOSK_SYNC_AS_BEFORE");
  return v && *v == '1';
}

struct Batch {
  std::int64_t last_id = 0;  // the highest local row id read (the mark moves here)
  int rows = 0;              // rows read, this kiosk's or not
  json records = json::array();
  // Per record, its answer atoms as JSON text ("{...},{...}", what the digest covers),
  // its atoms as one COPY row of arrays and its metrics as a COPY row (how they travel):
  // tens of atoms per response, so they are written straight, not built as objects.
  std::vector<std::string> atoms_of, atoms_copy_of, metrics_copy_of;
  std::string responses_copy;  // this kiosk's responses as COPY rows (schema 10's stage)
  std::vector<std::pair<std::string, std::string>> ids;  // (id, digest) of this kiosk's rows
  std::vector<std::string> contents;                       // what the digest covers, for conflicts
};

// A JSON string literal (UTF-8 passes through; the database holds valid UTF-8).
void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

// The batch's responses after local row `after`; `own` gets the row ids of this kiosk's.
void read_response_rows(Db& db, std::int64_t after, int limit, const std::string& kiosk, Batch& b,
                        std::vector<std::int64_t>& own) {
  Stmt s(db,
         "SELECT id, uuid, questionnaire, version, content_hash, kiosk, lang, started_at, completed_at, duration_s, "
         "visible_questions, drawn FROM responses WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, after).bind(2, limit);
  while (s.step()) {
    b.last_id = s.i64(0);
    ++b.rows;
    if (s.text(5) != kiosk) continue;  // imported from another kiosk: that kiosk sends its own
    own.push_back(s.i64(0));
    b.records.push_back({{"id", std::string(s.text(1))}, {"kiosk", std::string(s.text(5))},
                         {"questionnaire", std::string(s.text(2))}, {"version", s.i64(3)},
                         {"content_hash", std::string(s.text(4))}, {"lang", std::string(s.text(6))},
                         {"started_at", s.i64(7)}, {"completed_at", s.i64(8)}, {"duration_s", s.f64(9)},
                         {"visible_questions", s.i64(10)}, {"drawn", std::string(s.text(11))}});
  }
}

// A text as an element of a PostgreSQL array literal: always quoted (so "NULL", "" and
// text with commas or braces stay text), '"' and '\\' escaped. COPY's own escaping is
// added when the literal is written into the row.
void append_element(std::string& arr, std::string_view v) {
  arr += '"';
  for (char ch : v) {
    if (ch == '"' || ch == '\\') arr += '\\';
    arr += ch;
  }
  arr += '"';
}

// One response's answer atoms as one COPY row of ecokiosk_stage_answer_sets (central
// schema 12: response, ords, questions, kinds, items, vals, texts, parallel arrays in
// ord order), and as JSON in the response's digest content.
struct AtomSet {
  std::string ords, questions, kinds, items, vals, texts;
  std::string* all[6] = {&ords, &questions, &kinds, &items, &vals, &texts};
  AtomSet() = default;
  AtomSet(const AtomSet&) = delete;  // `all` points into this object
  AtomSet& operator=(const AtomSet&) = delete;
  void clear() {
    for (std::string* a : all) a->clear();
  }
  void add(Stmt& s) {
    if (!ords.empty())
      for (std::string* a : all) *a += ',';
    ords += std::to_string(s.i64(1));
    append_element(questions, s.text(2));
    kinds += std::to_string(s.i64(3));
    append_element(items, s.text(4));
    vals += s.is_null(5) ? std::string("NULL") : std::to_string(s.i64(5));
    if (s.is_null(6)) texts += "NULL";
    else append_element(texts, s.text(6));
  }
  void write(const std::string& id, std::string& row) const {
    if (ords.empty()) return;  // no atoms: no set
    copy_field(row, id);
    for (const std::string* a : all) {
      row += "\t{";
      copy_field(row, *a);
      row += '}';
    }
    row += '\n';
  }
};

void append_atom_json(Stmt& s, const std::string& id, std::string& out) {
  if (!out.empty()) out += ',';
  out += "{\"response\":";
  append_quoted(out, id);
  out += ",\"ord\":" + std::to_string(s.i64(1)) + ",\"question\":";
  append_quoted(out, s.text(2));
  out += ",\"kind\":" + std::to_string(s.i64(3)) + ",\"item\":";
  append_quoted(out, s.text(4));
  out += ",\"value\":";
  out += s.is_null(5) ? std::string("null") : std::to_string(s.i64(5));
  out += ",\"text\":";
  if (s.is_null(6)) out += "null";
  else append_quoted(out, s.text(6));
  out += '}';
}

using RowIndex = std::map<std::int64_t, std::size_t>;  // local row id -> index in the batch's records

void read_answer_atoms(Db& db, const std::vector<std::int64_t>& own, const RowIndex& at, Batch& b) {
  Stmt s(db, "SELECT response, ord, question, kind, item, value, text FROM answers "
             "WHERE response BETWEEN ? AND ? ORDER BY response, ord");
  s.bind(1, own.front()).bind(2, own.back());
  std::int64_t cur = -1;
  std::string* out = nullptr;
  std::string* row = nullptr;
  std::string id;
  AtomSet set;
  while (s.step()) {
    if (s.i64(0) != cur) {
      if (row) set.write(id, *row);
      set.clear();
      cur = s.i64(0);
      auto it = at.find(cur);
      out = it == at.end() ? nullptr : &b.atoms_of[it->second];
      row = it == at.end() ? nullptr : &b.atoms_copy_of[it->second];
      if (out) id = b.records[it->second]["id"].get<std::string>();
    }
    if (out) {
      set.add(s);
      append_atom_json(s, id, *out);
    }
  }
  if (row) set.write(id, *row);
}

void read_metrics(Store& store, Db& db, const std::vector<std::int64_t>& own, const RowIndex& at, Batch& b) {
  Stmt s(db, "SELECT response, method, questionnaire, version, completed_at, duration_s, visible, age, gender, "
             "township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes "
             "FROM response_metrics WHERE response BETWEEN ? AND ?");
  s.bind(1, own.front()).bind(2, own.back());
  auto label = [&](std::string& row, int col) {
    if (s.is_null(col)) row += "\\N";
    else copy_field(row, store.label_text(s.i64(col)));
    row += '\t';
  };
  auto num = [](std::string& row, auto v) {
    if constexpr (std::is_floating_point_v<decltype(v)>) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back the same
      row.append(buf, r.ptr);
    } else {
      row += std::to_string(v);
    }
    row += '\t';
  };
  while (s.step()) {
    auto it = at.find(s.i64(0));
    if (it == at.end()) continue;
    json outcomes = json::array();
    std::string_view blob = s.blob(18);
    for (std::size_t i = 0; i + 5 <= blob.size(); i += 5) {
      std::uint32_t id = 0;
      for (int k = 3; k >= 0; --k) id = (id << 8) | static_cast<unsigned char>(blob[i + static_cast<std::size_t>(k)]);
      outcomes.push_back({store.label_text(id), static_cast<unsigned char>(blob[i + 4])});
    }
    // response, method, questionnaire, version, completed_at, duration_s, visible, age,
    // gender, township, score, correct, drawn, satisfied, trips, green, flags, fingerprint, outcomes
    std::string& row = b.metrics_copy_of[it->second];
    copy_field(row, b.records[it->second]["id"].get<std::string>());
    row += '\t';
    num(row, s.i64(1));
    copy_field(row, s.text(2));
    row += '\t';
    num(row, s.i64(3));
    num(row, s.i64(4));
    num(row, s.f64(5));
    num(row, s.i64(6));
    label(row, 7);
    label(row, 8);
    label(row, 9);
    num(row, s.f64(10));
    for (int col = 11; col <= 17; ++col) num(row, s.i64(col));
    copy_field(row, outcomes.dump());
    row += '\n';
  }
}

// One response as a COPY row of ecokiosk_stage_responses (the columns of responses the
// kiosk sends, in order): the same values jsonb_to_recordset read from the JSON before.
void append_response_row(std::string& row, const json& r, const std::string& digest) {
  auto text = [&](const char* k) {
    copy_field(row, r[k].get_ref<const std::string&>());
    row += '\t';
  };
  auto num = [&](const char* k) {
    row += std::to_string(r[k].get<std::int64_t>());
    row += '\t';
  };
  text("id");
  text("kiosk");
  text("questionnaire");
  num("version");
  text("content_hash");
  text("lang");
  num("started_at");
  num("completed_at");
  char buf[32];
  auto d = std::to_chars(buf, buf + sizeof buf, r["duration_s"].get<double>());  // reads back the same double
  row.append(buf, d.ptr);
  row += '\t';
  num("visible_questions");
  text("drawn");
  copy_field(row, digest);
  row += '\n';
}

// The digest covers the response and its answers: what a second arrival must match.
void add_digests(Batch& b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    std::string content = b.records[i].dump();
    content.pop_back();  // the closing brace: the answers join the object
    content += ",\"answers\":[" + b.atoms_of[i] + "]}";
    std::string digest = sha256_hex(content);
    append_response_row(b.responses_copy, b.records[i], digest);
    b.records[i]["digest"] = digest;
    b.ids.emplace_back(b.records[i]["id"].get<std::string>(), digest);
    b.contents.push_back(std::move(content));
  }
}

Batch read_responses(Store& store, std::int64_t after, int limit, const std::string& kiosk) {
  Db& db = StoreAccess::db(store);
  Batch b;
  std::vector<std::int64_t> own;  // local row ids of this kiosk's rows, in order
  read_response_rows(db, after, limit, kiosk, b, own);
  if (own.empty()) return b;
  RowIndex at;
  for (std::size_t i = 0; i < own.size(); ++i) at[own[i]] = i;
  b.atoms_of.assign(own.size(), std::string());
  b.atoms_copy_of.assign(own.size(), std::string());
  b.metrics_copy_of.assign(own.size(), std::string());
  read_answer_atoms(db, own, at, b);
  read_metrics(store, db, own, at, b);
  add_digests(b, own.size());
  return b;
}

Batch read_abandoned(Store& store, std::int64_t after, int limit, const std::string& kiosk) {
  Batch b;
  Stmt s(StoreAccess::db(store),
         "SELECT id, uuid, questionnaire, version, kiosk, lang, started_at, abandoned_at, last_question, position, "
         "answered FROM abandoned WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, after).bind(2, limit);
  while (s.step()) {
    b.last_id = s.i64(0);
    ++b.rows;
    if (s.text(4) != kiosk) continue;
    json r = {{"id", std::string(s.text(1))}, {"kiosk", std::string(s.text(4))},
              {"questionnaire", std::string(s.text(2))}, {"version", s.i64(3)}, {"lang", std::string(s.text(5))},
              {"started_at", s.i64(6)}, {"abandoned_at", s.i64(7)}, {"last_question", std::string(s.text(8))},
              {"position", s.i64(9)}, {"answered", s.i64(10)}};
    std::string content = r.dump();
    std::string digest = sha256_hex(content);
    b.contents.push_back(std::move(content));
    r["digest"] = digest;
    b.ids.emplace_back(r["id"].get<std::string>(), digest);
    b.records.push_back(std::move(r));
  }
  return b;
}

struct Outcome {
  std::int64_t sent = 0, already = 0, conflicts = 0;
};

// One batch, one transaction. kind: "response" or "abandoned".
Outcome push(Conn& pg, const Batch& b, const std::string& kind) {
  Outcome o;
  if (b.records.empty()) return o;
  const bool responses = kind == "response";
  Txn t(pg);
  Result ins = [&] {
    if (responses) {
      // By COPY into the session's stage (schema 10), then inserted by this kiosk's role
      // under its row-level security, instead of one JSON document: the center's time
      // for it did not change measurably (the insert's cost is the rows, their indexes
      // and checks), but the kiosk no longer builds the document.
      pg.run("SELECT ecokiosk_stage()");
      pg.copy_in("COPY pg_temp.ecokiosk_stage_responses FROM STDIN", b.responses_copy);
      return pg.exec(
          "INSERT INTO responses(id, kiosk, questionnaire, version, content_hash, lang, started_at, completed_at, "
          "duration_s, visible_questions, drawn, digest) SELECT id, kiosk, questionnaire, version, content_hash, lang, "
          "started_at, completed_at, duration_s, visible_questions, drawn, digest FROM pg_temp.ecokiosk_stage_responses "
          "ON CONFLICT (id) DO NOTHING RETURNING id");
    }
    return pg.exec(
        "INSERT INTO abandoned(id, kiosk, questionnaire, version, lang, started_at, abandoned_at, last_question, "
        "position, answered, digest) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, kiosk text, "
        "questionnaire text, version int, lang text, started_at bigint, abandoned_at bigint, last_question text, "
        "position int, answered int, digest text) ON CONFLICT (id) DO NOTHING RETURNING id",
        {b.records.dump()});
  }();
  std::set<std::string> inserted;
  for (int i = 0; i < ins.rows(); ++i) inserted.insert(ins.text(i, 0));
  o.sent = static_cast<std::int64_t>(inserted.size());

  // The rest were there already: with the same content, or not (a conflict). A row
  // of another kiosk is invisible to this role, and so counts as a conflict too.
  json others = json::array();
  for (const auto& [id, digest] : b.ids)
    if (!inserted.count(id)) others.push_back(id);
  if (!others.empty()) {
    std::map<std::string, std::string> there;
    Result r = pg.exec(std::string("SELECT id, digest FROM ") + (responses ? "responses" : "abandoned") +
                           " WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                       {others.dump()});
    for (int i = 0; i < r.rows(); ++i) there[r.text(i, 0)] = r.text(i, 1);
    json conflicts = json::array();
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
      const auto& [id, digest] = b.ids[i];
      if (inserted.count(id)) continue;
      auto it = there.find(id);
      if (it != there.end() && it->second == digest) {
        ++o.already;
      } else {
        ++o.conflicts;
        conflicts.push_back({{"record_id", id}, {"kiosk", b.records[i]["kiosk"]}, {"digest", digest},
                             {"content", b.contents[i]}});
      }
    }
    if (!conflicts.empty())
      pg.run("INSERT INTO conflicts(kind, record_id, kiosk, digest, content) SELECT $2, * FROM "
             "jsonb_to_recordset($1::jsonb) AS x(record_id text, kiosk text, digest text, content text) "
             "ON CONFLICT DO NOTHING",
             {conflicts.dump(), kind});
  }
  if (responses && !inserted.empty()) {
    // The new responses' atoms and metrics: COPY into the session's staging tables
    // (made above), then one checked move into place (schema 4, keyed by rid in 10; a
    // response's atoms one row of arrays in 12).
    std::string atoms, metrics;
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
      if (!inserted.count(b.ids[i].first)) continue;
      atoms += b.atoms_copy_of[i];
      metrics += b.metrics_copy_of[i];
    }
    pg.copy_in("COPY pg_temp.ecokiosk_stage_answer_sets FROM STDIN", atoms);
    pg.copy_in("COPY pg_temp.ecokiosk_stage_metrics FROM STDIN", metrics);
    pg.run("SELECT ecokiosk_add_staged()");
  }
  t.commit();
  static int commits = 0;
  if (int n = crash_after_commit(); n > 0 && ++commits >= n) _exit(86);
  return o;
}

void push_definitions(Conn& pg, Store& store) {
  json defs = json::array();
  for (const auto& d : store.definitions())
    defs.push_back({{"questionnaire", d.questionnaire}, {"version", d.version}, {"content_hash", d.content_hash},
                    {"definition", d.definition}});
  if (defs.empty()) return;
  pg.run("INSERT INTO questionnaire_definitions(questionnaire, version, content_hash, definition, first_seen) "
         "SELECT questionnaire, version, content_hash, definition, (extract(epoch FROM now()) * 1000)::bigint FROM "
         "jsonb_to_recordset($1::jsonb) AS x(questionnaire text, version int, content_hash text, definition text) "
         "ON CONFLICT DO NOTHING",
         {defs.dump()});
}

std::int64_t waiting(Db& db, const std::string& kiosk) {
  Stmt s(db,
         "SELECT (SELECT count(*) FROM responses WHERE id > c.response_mark AND kiosk = ?1) + "
         "(SELECT count(*) FROM abandoned WHERE id > c.abandoned_mark AND kiosk = ?1) FROM central_sync c WHERE id = 1");
  s.bind(1, kiosk);
  return s.step() ? s.i64(0) : 0;
}

void record_failure(Db& db, const SyncReport& r) {
  try {
    Stmt s(db, "UPDATE central_sync SET last_attempt = ?, status = ?, detail = ? WHERE id = 1");
    s.bind(1, now_ms()).bind(2, status_name(r.status)).bind(3, r.detail);
    s.run();
  } catch (const DbError&) {
    // The status is also in the log and the report; a busy database loses only this line.
  }
}

}  // namespace

bool lower_thread_priority(int nice, bool idle_class) {
  if (nice > 0) {
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && now < nice) setpriority(PRIO_PROCESS, tid, nice);
  }
  if (!idle_class) return true;
  sched_param p{};
  p.sched_priority = 0;
  return pthread_setschedparam(pthread_self(), SCHED_IDLE, &p) == 0;
}

void check_login_kiosk(Conn& pg, const std::string& kiosk_id) {
  const std::string mine = pg.scalar(
      "SELECT CASE WHEN has_function_privilege('ecokiosk_my_kiosk()', 'EXECUTE') THEN ecokiosk_my_kiosk() END");
  if (!mine.empty() && mine != kiosk_id)
    throw PgError(Status::auth,
                  "this kiosk's login belongs to kiosk \"" + mine + "\" at the center, but its settings say \"" + kiosk_id +
                      "\"; nothing is sent until kiosk_id is set back to \"" + mine +
                      "\" (to rename a kiosk, let it send everything first, then change the id and have district IT "
                      "run central add-kiosk for the new one)",
                  kKioskIdMismatch);
  if (mine.empty() &&
      pg.scalar("SELECT CASE WHEN has_table_privilege('kiosks', 'SELECT') THEN "
                "(SELECT count(*) FROM kiosks WHERE kiosk = $1)::text END",
                {kiosk_id}) == "0")
    throw PgError(Status::auth,
                  "the center knows no kiosk \"" + kiosk_id + "\" (this login is not a kiosk's own; district IT runs "
                      "central add-kiosk " + kiosk_id + " and puts that kiosk's credentials here)",
                  kKioskIdUnknown);
}

SyncState read_sync_state(Store& store, const std::string& kiosk_id) {
  Db& db = StoreAccess::db(store);
  SyncState st;
  Stmt s(db, "SELECT status, detail, last_contact, last_attempt, sent, already, conflicts FROM central_sync WHERE id = 1");
  if (s.step()) {
    st.status = s.text(0);
    st.detail = s.text(1);
    st.last_contact = s.i64(2);
    st.last_attempt = s.i64(3);
    st.sent = s.i64(4);
    st.already = s.i64(5);
    st.conflicts = s.i64(6);
  }
  s.reset();
  st.waiting = waiting(db, kiosk_id);
  return st;
}

SyncWorker::SyncWorker(std::string db_path, SyncSettings settings) : db_path_(std::move(db_path)), s_(std::move(settings)) {}

SyncWorker::~SyncWorker() { stop(); }

SyncReport SyncWorker::run_once(const std::atomic<bool>* stop) {
  SyncReport rep;
  if (s_.url.empty()) {
    rep.status = Status::off;
    rep.detail = status_words(Status::off);
    return rep;
  }
  if (sodium_init() < 0) {
    rep.status = Status::server;
    rep.detail = "libsodium could not start";
    return rep;
  }
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(db_path_);
  } catch (const DbError& e) {
    rep.status = Status::server;
    rep.detail = std::string("the kiosk's own database: ") + e.what();
    return rep;
  }
  Db& db = StoreAccess::db(*store);
  if (!as_before()) {
    // This connection only writes the mark and the status. A mark lost to a power cut
    // only sends its batches again (counted "already there", never doubled), so its
    // commits need not wait for an fsync while holding the write lock a save waits for.
    db.exec("PRAGMA synchronous=NORMAL");
  }
  try {
    CredentialsRead cr = read_credentials(s_.credentials_path);
    if (!cr.error.empty()) throw PgError(Status::auth, cr.error);
    Conn pg(s_.url, {{"user", cr.cr.user}, {"password", cr.cr.password}});
    // A batch's statements are short, but PostgreSQL cannot estimate the staging tables
    // or jsonb_to_recordset and JIT-compiled them: LLVM took 60% of the center's CPU
    // per batch (perf, issue 16's sync figure). Nothing a batch runs profits from JIT.
    pg.run("SET jit = off");
    SchemaState ss = check_schema(pg);
    if (ss.status != Status::ok) throw PgError(ss.status, "the center has " + ss.words());
    check_login_kiosk(pg, s_.kiosk_id);
    pull(pg, rep);  // first: a new questionnaire reaches the next resident before a long send
    report_heartbeat(pg, *store, s_.kiosk_id, running());  // the fleet page: versions, the failure before this contact
    push_definitions(pg, *store);
    for (const bool responses : {true, false}) {
      auto read = [&, responses](std::int64_t after) {
        return responses ? read_responses(*store, after, s_.batch, s_.kiosk_id)
                         : read_abandoned(*store, after, s_.batch, s_.kiosk_id);
      };
      Batch b = read(db.scalar(responses ? "SELECT response_mark FROM central_sync WHERE id = 1"
                                         : "SELECT abandoned_mark FROM central_sync WHERE id = 1"));
      // The batch sent last, freed by the next reader rather than here: its records and
      // strings were a third of this thread's CPU in a drain (perf), and the reader is
      // the thread that yields to the resident.
      Batch spent;
      while (b.rows > 0 && !(stop && stop->load())) {
        // A pipeline of two: the next batch is read and encoded on a second thread while
        // the center stores this one. The SQLite connection is the reader's alone until
        // get(); only then does the mark move, and in order, one batch at a time. (An
        // exception in push still waits for the reader: a std::async future joins.)
        std::future<Batch> next = std::async(
            as_before() ? std::launch::deferred : std::launch::async,
            [&, read, freed = std::move(spent)](std::int64_t after) mutable {
              // The reading and encoding, most of the kiosk's CPU in a drain, yields every
              // core to the resident. It holds no lock the UI thread waits for (a read
              // snapshot only), so a starved reader keeps no save or frame waiting.
              if (readers_idle_) lower_thread_priority(0, true);
              freed = Batch{};
              return read(after);
            },
            b.last_id);
        spent = Batch{};
        Outcome o = push(pg, b, responses ? "response" : "abandoned");
        Batch after = next.get();
        // The center has committed: now, and only now, the mark moves on.
        Stmt m(db, responses
                       ? "UPDATE central_sync SET response_mark = max(response_mark, ?1), sent = sent + ?2, "
                         "already = already + ?3, conflicts = conflicts + ?4, last_contact = ?5, last_attempt = ?5, "
                         "status = 'ok', detail = '' WHERE id = 1"
                       : "UPDATE central_sync SET abandoned_mark = max(abandoned_mark, ?1), already = already + ?3, "
                         "conflicts = conflicts + ?4, last_contact = ?5, last_attempt = ?5, status = 'ok', detail = '' "
                         "WHERE id = 1");  // ?2 unused: bound harmlessly
        // "Already there" and conflicts count both kinds: a changed abandoned session is
        // as much news for staff as a changed response.
        m.bind(1, b.last_id).bind(2, o.sent).bind(3, o.already).bind(4, o.conflicts).bind(5, now_ms());
        m.run();
        (responses ? rep.sent : rep.abandoned_sent) += o.sent;
        rep.passed_over += b.rows - static_cast<std::int64_t>(b.records.size());
        rep.already += o.already;
        rep.conflicts += o.conflicts;
        spent = std::move(b);
        b = std::move(after);
      }
    }
    Stmt ok(db, "UPDATE central_sync SET last_contact = ?1, last_attempt = ?1, status = 'ok', detail = '' WHERE id = 1");
    ok.bind(1, now_ms());
    ok.run();
    report_heartbeat(pg, *store, s_.kiosk_id, running());  // what still waits after this run
  } catch (const PgError& e) {
    rep.status = e.status;
    rep.detail = e.what();
    record_failure(db, rep);
  } catch (const DbError& e) {
    rep.status = Status::server;
    rep.detail = std::string("the kiosk's own database: ") + e.what();
    record_failure(db, rep);
  }
  try {
    rep.waiting = waiting(db, s_.kiosk_id);
  } catch (const DbError&) {
    rep.waiting = -1;
  }
  return rep;
}

void SyncWorker::pull(Conn& pg, SyncReport& rep) {
  if (s_.published_path.empty()) return;
  TimeMs now = now_ms();
  if (next_pull_ != 0 && now < next_pull_) return;
  next_pull_ = now + s_.pull_every_ms;
  if (!have_loaded_) {
    have_loaded_ = true;
    std::string why;
    have_ = load_published(s_.published_path, &why);
    if (!have_ && !why.empty()) rep.pull_problems.push_back("the last published set kept here: " + why);
  }
  Published p;
  try {
    p = pull_published(pg, have_ ? &*have_ : nullptr);
  } catch (const PgError& e) {
    // Responses still go: a center that refuses the pull keeps the last good set running.
    rep.pull_problems.push_back(std::string("pulling published questionnaires: ") + e.what());
    return;
  }
  rep.pulled = true;
  // The kiosk's loader, before anything is kept: a refused version never reaches a resident.
  for (auto& e : check_published(p)) rep.pull_problems.push_back(std::move(e));
  rep.published = p.fingerprint();
  // The kiosk started with what the file held: only a change is handed on.
  if (have_ && have_->fingerprint() == p.fingerprint()) return;
  if (std::string err = save_published(s_.published_path, p); !err.empty())
    rep.pull_problems.push_back("keeping the published set: " + err + " (it runs until the kiosk restarts)");
  rep.published_changed = true;
  have_ = std::move(p);
  if (s_.on_published) s_.on_published(*have_);
}

std::string SyncWorker::running() const {
  std::lock_guard<std::mutex> l(mu_);
  return running_;
}

void SyncWorker::set_running(std::string versions) {
  std::lock_guard<std::mutex> l(mu_);
  running_ = std::move(versions);
}

void SyncWorker::start() {
  if (thread_.joinable() || s_.url.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void SyncWorker::stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncWorker::wake() {
  {
    std::lock_guard<std::mutex> l(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

SyncReport SyncWorker::last() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_;
}

std::int64_t SyncWorker::runs() const {
  std::lock_guard<std::mutex> l(mu_);
  return runs_;
}

void SyncWorker::loop() {
  // This thread only nice 10: it holds what the UI thread can wait for (SQLite's write
  // lock while it moves the mark, the worker's mutex that a save's wake() takes), and
  // in the idle class a busy machine could starve it for seconds while holding them.
  // Its readers go to the idle class (run_once).
  if (!as_before()) {
    lower_thread_priority(s_.nice);
    readers_idle_ = s_.idle_class;
  }
  int backoff = s_.backoff_min_ms;
  while (!stopping_) {
    SyncReport r = run_once(&stopping_);
    int delay;
    if (r.status == Status::ok) {
      backoff = s_.backoff_min_ms;
      delay = s_.idle_poll_ms;
    } else {
      delay = backoff;  // refused, DNS, TLS, auth, schema: each retried, less and less often
      backoff = std::min(backoff * 2, s_.backoff_max_ms);
    }
    // The log gets each change of state (not every retry of the same failure).
    bool changed;
    {
      std::lock_guard<std::mutex> g(mu_);
      changed = r.status != last_.status || r.detail != last_.detail;
    }
    if (changed) {
      if (r.status == Status::ok)
        std::cerr << "central sync: ok (sent " << r.sent << ", already there " << r.already << ", conflicts "
                  << r.conflicts << ", waiting " << r.waiting << ", passed over as other kiosks' " << r.passed_over << ")\n";
      else
        std::cerr << "central sync: " << status_name(r.status) << ": " << status_words(r.status) << " — " << r.detail
                  << " (waiting " << r.waiting << ", retry in " << delay / 1000 << " s)\n";
    }
    std::unique_lock<std::mutex> l(mu_);
    last_ = r;
    ++runs_;
    // A new save cuts an idle wait short; a backoff after a failure is waited out (a
    // kiosk saving every minute must not hammer a center that is down).
    const bool failed = r.status != Status::ok;
    cv_.wait_for(l, std::chrono::milliseconds(delay), [&] { return stopping_.load() || (woken_ && !failed); });
    if (!failed) woken_ = false;
  }
}

}  // namespace eco::central
