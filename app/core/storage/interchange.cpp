#include "core/storage/interchange.hpp"
#include "core/survey/metrics.hpp"
#include "core/support/time.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"

#include <climits>

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/survey/condition.hpp"
#include "core/support/json_guard.hpp"
#include "core/support/handoff.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "core/storage/wal_copier.hpp"

namespace eco {

using json = nlohmann::json;

namespace {
// Templated so export writes ordered_json (documented key order) without a copy.
template <class J>
J answer_to_json(const Answer& a) {
  if (auto* c = std::get_if<Choice>(&a)) return c->option;
  if (auto* s = std::get_if<ChoiceSet>(&a)) return s->options;
  if (auto* i = std::get_if<std::int64_t>(&a)) return *i;
  if (auto* c = std::get_if<Counts>(&a)) {
    J o = J::object();
    for (const auto& [row, n] : c->rows) o[row] = n;
    return o;
  }
  if (auto* t = std::get_if<Text>(&a)) return t->value;
  return nullptr;
}

// The JSON value's shape must match the question's type.
std::optional<Answer> answer_from_json(const Question& q, const json& v, std::string& why) {
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::rating:
      if (v.is_string()) return Answer{Choice{v.get<std::string>()}};
      why = "expects an option id (string)";
      return std::nullopt;
    case QuestionType::multiple: {
      if (!v.is_array()) { why = "expects an array of option ids"; return std::nullopt; }
      ChoiceSet s;
      for (const auto& e : v) {
        if (!e.is_string()) { why = "expects an array of option ids"; return std::nullopt; }
        s.options.push_back(e.get<std::string>());
      }
      return Answer{std::move(s)};
    }
    case QuestionType::integer:
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        why = v.dump() + " is too large";  // would wrap round to a negative number
        return std::nullopt;
      }
      if (v.is_number_integer()) return Answer{v.get<std::int64_t>()};
      why = "expects a whole number";
      return std::nullopt;
    case QuestionType::count_matrix: {
      if (!v.is_object()) { why = "expects an object {row: count}"; return std::nullopt; }
      Counts c;
      for (const auto& [row, n] : v.items()) {
        if (!n.is_number_integer()) {
          why = "row \"" + row + "\" expects a whole number";
          return std::nullopt;
        }
        if (n.is_number_unsigned() ? n.get<std::uint64_t>() > 1000000 : n.get<std::int64_t>() > 1000000) {
          why = "row \"" + row + "\": " + n.dump() + " is more than 1000000";
          return std::nullopt;
        }
        if (n.get<std::int64_t>() < 0) {
          why = "row \"" + row + "\": " + n.dump() + " is negative; a count is 0 or more";
          return std::nullopt;
        }
        c.rows.emplace_back(row, static_cast<int>(n.get<std::int64_t>()));
      }
      return Answer{std::move(c)};
    }
    case QuestionType::text:
      if (v.is_string()) return Answer{Text{v.get<std::string>()}};
      why = "expects a string";
      return std::nullopt;
  }
  why = "unknown question type";
  return std::nullopt;
}

// The kiosk draws one item per topic in turn (session.cpp draw_items), so no topic is
// asked k+1 times while another topic that has k items left was asked fewer than k
// times. A draw that breaks this did not come from a kiosk, and would tilt 39 towards
// the topics it over-asks.
std::string topic_balance_fault(const Bank& bank, const std::vector<const Question*>& drawn) {
  if (bank.balance_by != "topic" || drawn.empty()) return "";
  std::map<std::string, int> size, asked;
  for (const auto& item : bank.items) size[item.topic]++;
  for (const Question* d : drawn) asked[d->topic]++;
  int most = 0;
  std::string over;
  for (const auto& [t, k] : asked)
    if (k > most) { most = k; over = t; }
  for (const auto& [t, n] : size)
    if (int got = asked.count(t) ? asked[t] : 0; got < std::min(n, most - 1))
      return "drawn items break the topic balance: topic \"" + over + "\" asked " + std::to_string(most) +
             " times while topic \"" + t + "\" was asked " + std::to_string(got) + " times";
  return "";
}

std::string check_words(const AnswerCheck& c) {
  std::string s = status_code(c.status);
  if (!c.detail.empty()) s += " (" + c.detail + ")";
  if (c.status == AnswerStatus::out_of_range || c.status == AnswerStatus::too_few ||
      c.status == AnswerStatus::too_many || c.status == AnswerStatus::too_long)
    s += ", allowed " + std::to_string(c.min) + ".." + std::to_string(c.max);
  return s;
}
}  // namespace

std::string response_to_line(const Response& r) {
  // ordered_json keeps the documented key order, which makes files easy to read and diff.
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["questionnaire"] = r.questionnaire;
  j["version"] = r.version;
  j["hash"] = r.content_hash;
  j["kiosk"] = r.kiosk;
  j["started_at"] = to_iso_utc(r.started_at);
  j["completed_at"] = to_iso_utc(r.completed_at);
  j["lang"] = r.lang;
  j["drawn"] = r.drawn;
  nlohmann::ordered_json ans = nlohmann::ordered_json::object();
  for (const auto& [q, a] : r.answers) ans[q] = answer_to_json<nlohmann::ordered_json>(a);
  j["answers"] = std::move(ans);
  return j.dump();
}

std::vector<std::string> validate_response(const Questionnaire& q, Response& r, TimeMs now) {
  std::vector<std::string> faults;
  // One spelling per id, or the same response in upper case would be stored twice.
  r.id = lower_ascii(r.id);
  if (!is_uuid(r.id)) faults.push_back("id \"" + printable(r.id.substr(0, 64)) + "\" is not a UUID");
  if (r.completed_at < r.started_at) faults.push_back("completed_at is before started_at");
  // No kiosk answered before the program existed, nor (allowing a day of clock
  // drift) in the future: such a time is a broken clock or a forged line.
  if (r.started_at < kEarliestResponse)
    faults.push_back("started_at " + to_iso_utc(r.started_at) + " is before 2019-01-01, when no kiosk ran");
  if (r.completed_at > now + kClockSlackMs)
    faults.push_back("completed_at " + to_iso_utc(r.completed_at) + " is in the future (now " + to_iso_utc(now) + ")");
  if (std::string why = kiosk_id_fault(r.kiosk); !why.empty()) faults.push_back("kiosk id " + why);
  if (r.lang.empty() || r.lang.size() > 16) faults.push_back("lang is empty or too long");
  else if (!q.title.by_lang.count(r.lang))
    faults.push_back("lang \"" + printable(r.lang) + "\" is not a language of \"" + q.id + "\"");

  // The asking order: fixed questions with the drawn items at the bank's place.
  std::vector<const Question*> seq;
  std::set<std::string> drawn_set;
  std::vector<const Question*> drawn;
  if (q.bank) {
    for (const auto& d : r.drawn) {
      const Question* item = q.find(d);
      if (!item || !item->from_bank) faults.push_back("drawn item \"" + d + "\" is not in the bank");
      else if (!drawn_set.insert(d).second) faults.push_back("drawn item \"" + d + "\" listed twice");
      else drawn.push_back(item);
    }
    if (static_cast<int>(r.drawn.size()) != q.bank->draw)
      faults.push_back("drew " + std::to_string(r.drawn.size()) + " items, the questionnaire draws " +
                       std::to_string(q.bank->draw));
    if (std::string why = topic_balance_fault(*q.bank, drawn); !why.empty()) faults.push_back(why);
  } else if (!r.drawn.empty()) {
    faults.push_back("drawn items given but the questionnaire has no bank");
  }
  for (std::size_t i = 0; i <= q.questions.size(); ++i) {
    if (q.bank && i == q.bank->position) seq.insert(seq.end(), drawn.begin(), drawn.end());
    if (i < q.questions.size()) seq.push_back(&q.questions[i]);
  }
  std::set<std::string> answered_ids;
  for (auto& [qid, a] : r.answers) {
    if (!answered_ids.insert(qid).second) { faults.push_back("question \"" + qid + "\" answered twice"); continue; }
    const Question* qq = q.find(qid);
    if (!qq) { faults.push_back("unknown question \"" + qid + "\""); continue; }
    if (qq->from_bank && !drawn_set.count(qid)) { faults.push_back("item \"" + qid + "\" answered but not drawn"); continue; }
    normalize_answer(*qq, a);
    AnswerCheck c = check_answer(*qq, a);
    if (!c.ok()) faults.push_back("question \"" + qid + "\": " + check_words(c));
  }
  if (!faults.empty()) return faults;

  std::set<std::string> visible;
  AnswerLookup lookup = [&](const std::string& id) -> const Answer* {
    return visible.count(id) ? r.find(id) : nullptr;
  };
  int shown = 0;
  for (const Question* qq : seq) {
    bool vis = !qq->show_if || evaluate(*qq->show_if, lookup);
    const Answer* a = r.find(qq->id);
    bool has = a && answered(*a);
    if (!vis) {
      if (has) faults.push_back("question \"" + qq->id + "\" is answered but its show_if hides it");
      continue;
    }
    visible.insert(qq->id);
    ++shown;
    if (qq->required && !has) faults.push_back("required question \"" + qq->id + "\" has no answer");
  }
  // Keep the asking order, whatever order the file listed answers in.
  std::vector<std::pair<std::string, Answer>> ordered;
  for (const Question* qq : seq)
    for (auto& e : r.answers)
      if (e.first == qq->id && answered(e.second)) ordered.push_back(std::move(e));
  r.answers = std::move(ordered);
  r.visible_questions = shown;
  return faults;
}

ParsedLine parse_response_line(std::string_view line, const QuestionnaireSet& set) {
  ParsedLine out;
  // A line of 1 MiB of "[" would still cost ~80 MB to parse: refuse it unparsed.
  JsonLimits limits;
  limits.max_bytes = kMaxImportLine;
  limits.max_depth = 16;
  limits.max_string = 64 * 1024;
  if (std::string why = check_json_limits(line, limits); !why.empty()) {
    out.error = "refused before parsing: " + why;
    return out;
  }
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) { out.error = "not valid JSON"; return out; }
  if (!j.is_object()) { out.error = "not a JSON object"; return out; }
  auto str = [&](const char* k, std::string& dst) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) { out.error = std::string("\"") + k + "\" missing or not a string"; return false; }
    dst = it->get<std::string>();
    return true;
  };
  Response r;
  std::string started, completed;
  if (!str("id", r.id) || !str("questionnaire", r.questionnaire) || !str("kiosk", r.kiosk) ||
      !str("started_at", started) || !str("completed_at", completed) || !str("lang", r.lang))
    return out;
  auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer()) { out.error = "\"version\" missing or not a whole number"; return out; }
  // Checked before narrowing: 4294967297 must not become version 1.
  if (v->is_number_unsigned() ? v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT_MAX)
                              : (v->get<std::int64_t>() < 1 || v->get<std::int64_t>() > INT_MAX)) {
    out.error = "\"version\" " + v->dump() + " is outside 1.." + std::to_string(INT_MAX);
    return out;
  }
  r.version = static_cast<int>(v->get<std::int64_t>());
  auto s = parse_iso_utc(started), c = parse_iso_utc(completed);
  if (!s || !c) { out.error = "started_at/completed_at are not ISO 8601 UTC times"; return out; }
  r.started_at = *s;
  r.completed_at = *c;
  const Questionnaire* q = set.find(r.questionnaire, r.version);
  if (!q) {
    out.error = "unknown questionnaire \"" + r.questionnaire + "\" version " + std::to_string(r.version);
    return out;
  }
  r.content_hash = q->content_hash;
  if (auto h = j.find("hash"); h != j.end() && h->is_string() && h->get<std::string>() != q->content_hash) {
    out.error = "answers were given to a different definition of \"" + r.questionnaire + "\" version " +
                std::to_string(r.version) + " (content hash differs)";
    return out;
  }
  if (auto d = j.find("drawn"); d != j.end()) {
    if (!d->is_array()) { out.error = "\"drawn\" is not an array"; return out; }
    for (const auto& e : *d) {
      if (!e.is_string()) { out.error = "\"drawn\" holds a non-string"; return out; }
      r.drawn.push_back(e.get<std::string>());
    }
  }
  auto a = j.find("answers");
  if (a == j.end() || !a->is_object()) { out.error = "\"answers\" missing or not an object"; return out; }
  for (const auto& [qid, val] : a->items()) {
    const Question* qq = q->find(qid);
    if (!qq) { out.error = "unknown question \"" + qid + "\""; return out; }
    std::string why;
    auto ans = answer_from_json(*qq, val, why);
    if (!ans) { out.error = "question \"" + qid + "\" " + why; return out; }
    r.answers.emplace_back(qid, std::move(*ans));
  }
  auto faults = validate_response(*q, r);
  if (!faults.empty()) {
    out.error = faults.front();
    for (std::size_t i = 1; i < faults.size() && i < 4; ++i) out.error += "; " + faults[i];
    return out;
  }
  out.response = std::move(r);
  return out;
}

bool same_as_stored(Store& store, const Response& incoming) {
  // What was stored had its free text masked: compare like with like.
  Response in = incoming;
  for (auto& [qid, a] : in.answers)
    if (auto* t = std::get_if<Text>(&a)) mask_personal(t->value);
  std::string want = response_to_line(in), have;
  ResponseFilter f;
  f.uuid = incoming.id;
  store.each(f, [&](const Response& r) {
    have = response_to_line(r);
    return false;
  });
  return have == want;
}

bool bounded_getline(std::istream& in, std::string& line, std::size_t max, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* sb = in.rdbuf();
  bool any = false;
  for (;;) {
    int ch = sb->sbumpc();
    if (ch == std::char_traits<char>::eof()) {
      if (!any) in.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    if (ch == '\n') return true;
    if (line.size() < max) line.push_back(static_cast<char>(ch));
    else too_long = true;
  }
}

std::int64_t ImportReport::added() const {
  std::int64_t n = 0;
  for (const auto& [k, v] : kiosks) n += v.added;
  return n;
}
std::int64_t ImportReport::already() const {
  std::int64_t n = 0;
  for (const auto& [k, v] : kiosks) n += v.already;
  return n;
}
std::int64_t ImportReport::conflicts() const {
  std::int64_t n = 0;
  for (const auto& [k, v] : kiosks) n += v.conflicts;
  return n;
}

std::int64_t ImportReport::refused() const {
  std::int64_t n = 0;
  for (const auto& [k, v] : kiosks) n += v.refused;
  return n;
}

void ImportReport::problem(std::string p) {
  if (problems.size() < kMaxProblems) problems.push_back(std::move(p));
  else ++problems_more;
}

namespace {
// How long one import transaction may hold the database's write lock, and how long it
// then leaves the lock free: a kiosk saving into the same database polls every 0.5 to
// 2 ms (Db::on_busy) and gets in during the gap, however long the import. 5 ms is two
// of its slowest polls; 15 ms cost the import 0.3 s of sleep over 100,000 lines.
constexpr auto kBatchHold = std::chrono::milliseconds(250);
constexpr auto kBatchGap = std::chrono::milliseconds(5);

// The kiosk a refused entry is counted under: its own id only when that id is one we
// would accept, so a hostile id is neither printed nor kept as a key.
std::string kiosk_key(const std::string& id) { return kiosk_id_fault(id).empty() ? id : "?"; }
}  // namespace

namespace {
// One line of an import file as the reading thread leaves it for the writing one.
struct ReadLine {
  enum class Kind { blank, too_long, refused, good };
  Kind kind = Kind::blank;
  std::int64_t lineno = 0;
  std::string error, kiosk;  // refused: why, and under which kiosk it is counted
  std::optional<Response> response;
  std::optional<ResponseMetrics> metrics;
};
using ReadChunk = std::vector<ReadLine>;
constexpr std::size_t kReadChunk = 256;
constexpr std::size_t kReadAhead = 16;  // chunks: a whole batch's lines are ready when it starts

void read_line(const std::string& line, bool too_long, const QuestionnaireSet& set, ReadLine& out) {
  if (!too_long && line.find_first_not_of(" \t") == std::string::npos) return;  // blank
  if (too_long) {
    out.kind = ReadLine::Kind::too_long;
    return;
  }
  ParsedLine p = parse_response_line(line, set);
  if (!p.response) {
    out.kind = ReadLine::Kind::refused;
    out.kiosk = "?";
    json j = p.error.rfind("refused before parsing", 0) == 0 ? json() : json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("kiosk") && j["kiosk"].is_string()) out.kiosk = kiosk_key(j["kiosk"].get<std::string>());
    out.error = std::move(p.error);
    return;
  }
  out.kind = ReadLine::Kind::good;
  out.metrics = metrics_of(set.find(p.response->questionnaire, p.response->version), *p.response);
  out.response = std::move(p.response);
}
}  // namespace

void import_jsonl(std::istream& in, const std::string& name, Store& store, const QuestionnaireSet& set,
                  ImportReport& report) {
  for (const auto& q : set.list)
    if (const std::string* e = set.expanded_json(q)) store.remember_definition(q, *e);
  // Lines are read, parsed, checked and scored on a second thread while this one saves
  // (issue 20): the write lock is then held only for SQLite's own work, so a batch of
  // at most kBatchHold holds more responses, and a randomly ordered file's hourly
  // counts (upserted all over the table once a batch) are written in fewer passes.
  // Batches stay runs of consecutive lines committed in file order, as before.
  Handoff<ReadChunk> queue(kReadAhead);
  Spent<ReadChunk> spent;  // saved chunks, freed on the reading thread
  std::exception_ptr read_failure;
  std::thread reader([&] {
    try {
      std::string line;
      bool too_long = false;
      std::int64_t lineno = 0;
      ReadChunk chunk;
      while (bounded_getline(in, line, kMaxImportLine, too_long)) {
        if (!too_long && !line.empty() && line.back() == '\r') line.pop_back();
        ReadLine& l = chunk.emplace_back();
        l.lineno = ++lineno;
        read_line(line, too_long, set, l);
        if (chunk.size() >= kReadChunk) {
          if (!queue.put(std::move(chunk))) return;
          spent.drop();
        }
      }
      if (!chunk.empty()) queue.put(std::move(chunk));
    } catch (...) {
      read_failure = std::current_exception();
    }
    queue.close();
  });
  StopAndJoin<ReadChunk> join{queue, reader};  // also when a save throws (a full disk)
  // The log is copied into the database file on another thread while the next batch
  // is saved (wal_copier.hpp): in the gap this thread would wait for it, 30-45 ms a
  // batch. The copy takes no write lock, so a kiosk still gets in during the gap.
  WalCopier copier(StoreAccess::db(store));
  auto take_line = [&](ReadLine& l) {
    if (l.kind == ReadLine::Kind::blank) return;
    ++report.lines;
    auto where = [&] { return name + ":" + std::to_string(l.lineno) + ": "; };  // only for a problem
    if (l.kind == ReadLine::Kind::too_long) {
      report.kiosks["?"].refused++;
      report.problem(where() + "line longer than " + std::to_string(kMaxImportLine) + " bytes");
      return;
    }
    if (l.kind == ReadLine::Kind::refused) {
      report.kiosks[l.kiosk].refused++;
      report.problem(where() + l.error);
      return;
    }
    const Response& r = *l.response;
    auto& k = report.kiosks[r.kiosk];
    if (store.save(r, l.metrics) == Store::Saved::inserted) k.added++;
    else if (same_as_stored(store, r)) k.already++;
    else {
      k.conflicts++;
      report.problem(where() + "conflict: response " + r.id +
                     " is already stored with different content; the stored one is kept");
    }
  };
  ReadChunk chunk;
  std::size_t at = 0;
  for (;;) {
    // The next lines are waited for outside the write lock.
    if (at == chunk.size()) {
      spent.give(std::move(chunk));
      at = 0;
      if (!queue.take(chunk)) break;
    }
    // Batches of up to a few thousand lines, and at most kBatchHold of work each: fast,
    // a crash loses at most an uncommitted batch, and a kiosk saving into the same
    // database meanwhile waits a moment, never its busy timeout.
    bool ended = false;
    store.batch([&] {
      const auto deadline = std::chrono::steady_clock::now() + kBatchHold;
      for (int n = 0; n < 5000 && std::chrono::steady_clock::now() < deadline; ++n) {
        if (at == chunk.size()) {
          spent.give(std::move(chunk));
          at = 0;
          bool timed_out = false;
          if (!queue.take_until(chunk, deadline, timed_out)) {
            ended = !timed_out;
            return;
          }
        }
        take_line(chunk[at++]);
      }
    }, Store::BatchFailure::whole_only);  // a failed save ends the import: no savepoint each
    copier.committed();
    if (ended) break;
    std::this_thread::sleep_for(kBatchGap);
    copier.settle();  // after the gap: a kiosk's save in it is copied too
  }
  if (read_failure) std::rethrow_exception(read_failure);
}

bool is_sqlite_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  return in.gcount() == 16 && std::string(head, 16) == std::string("SQLite format 3\0", 16);
}

void import_database(const std::string& path, Store& store, const QuestionnaireSet& set, ImportReport& report,
                     std::int64_t max_log_frames) {
  try {
    // Read in place through SQLite, read-only: responses still in the source's -wal
    // (saved before a power cut, never checkpointed) are read too, nothing is copied,
    // and the source is not changed.
    Store other(path, Store::ReadOnly{});
    std::int64_t n = 0;
    // Written in short batches (like import_jsonl), so a kiosk saving into the same
    // database is never kept waiting past its busy timeout by a long import.
    std::vector<Response> pending;
    std::size_t done = 0;  // pending[0, done) are written
    WalCopier copier(StoreAccess::db(store), max_log_frames);  // as in import_jsonl
    auto flush = [&] {
      // Before every batch, also the first of each 500 read (they had no gap, only the
      // reading): never settled there, the log grew by the whole import.
      copier.settle();
      store.batch([&] {
        auto t0 = std::chrono::steady_clock::now();
        for (; done < pending.size() && std::chrono::steady_clock::now() - t0 < kBatchHold; ++done) {
          Response& r = pending[done];
          ++n;
          ++report.lines;
          const Questionnaire* q = set.find(r.questionnaire, r.version);
          auto& k = report.kiosks[kiosk_key(r.kiosk)];
          std::vector<std::string> faults;
          if (!q) faults.push_back("unknown questionnaire " + r.questionnaire + " v" + std::to_string(r.version));
          else faults = validate_response(*q, r);
          if (!faults.empty()) {
            k.refused++;
            report.problem(path + ": response " + std::to_string(n) + " (" + printable(r.id.substr(0, 64)) + "): " + faults.front());
            continue;
          }
          if (store.save(r, metrics_of(q, r)) == Store::Saved::inserted) k.added++;
          else if (same_as_stored(store, r)) k.already++;
          else {
            k.conflicts++;
            report.problem(path + ": response " + std::to_string(n) + " (" + r.id +
                                      "): conflict: already stored with different content; the stored one is kept");
          }
        }
      }, Store::BatchFailure::whole_only);
      copier.committed();
    };
    // Up to 500 read ahead; each transaction holds the lock at most kBatchHold, then a gap.
    auto drain = [&] {
      while (done < pending.size()) {
        flush();
        if (done < pending.size()) std::this_thread::sleep_for(kBatchGap);
      }
      pending.clear();
      done = 0;
    };
    other.each({}, [&](const Response& in) {
      pending.push_back(in);
      if (pending.size() >= 500) drain();
      return true;
    });
    drain();
  } catch (const DbError& e) {
    report.problem(path + ": " + e.what());
  }
}

}  // namespace eco
