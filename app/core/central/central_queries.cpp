#include "core/central/central_queries.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/central/schema.hpp"
#include "core/storage/answer_atoms.hpp"
#include "core/support/ids.hpp"

namespace eco::central {

using json = nlohmann::json;

namespace {

constexpr int kFetchRows = 20000;

std::string num(std::int64_t v) { return std::to_string(v); }
// Shortest text that reads back as the same double (PostgreSQL parses it exactly).
std::string num(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::int64_t to_i64(std::string_view v) {
  std::int64_t x = 0;
  std::from_chars(v.data(), v.data() + v.size(), x);
  return x;
}
double to_f64(std::string_view v) {
  double x = 0;
  std::from_chars(v.data(), v.data() + v.size(), x);
  return x;
}

// A WHERE clause with numbered parameters ($1, $2, ...), in the order added.
struct Where {
  std::string sql = " WHERE true";
  Params args;
  Where& add(const std::string& before, std::string arg, const std::string& after = "") {
    args.emplace_back(std::move(arg));
    sql += " AND " + before + "$" + std::to_string(args.size()) + after;
    return *this;
  }
  Where& period(const std::string& time, std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
    if (from) add(time + " >= ", num(*from));
    if (to) add(time + " < ", num(*to));
    return *this;
  }
};

// All filter fields, on responses r (count, each).
Where response_where(const ResponseFilter& f) {
  Where w;
  if (!f.questionnaire.empty()) w.add("r.questionnaire = ", f.questionnaire);
  if (f.version) w.add("r.version = ", num(std::int64_t{*f.version}));
  w.period("r.completed_at", f.from, f.to);
  if (!f.kiosk.empty()) w.add("r.kiosk = ", f.kiosk);
  if (!f.uuid.empty()) w.add("r.id = ", lower_ascii(f.uuid));  // ids are stored in lower case
  return w;
}

// The metrics filter: questionnaire, version, dates, kiosk on response_metrics m.
Where metrics_where(const ResponseFilter& f) {
  Where w;
  if (!f.questionnaire.empty()) w.add("m.questionnaire = ", f.questionnaire);
  if (f.version) w.add("m.version = ", num(std::int64_t{*f.version}));
  w.period("m.completed_at", f.from, f.to);
  if (!f.kiosk.empty()) w.add("m.kiosk = ", f.kiosk);
  return w;
}

// Survey results: from, to and kiosk on the given columns.
Where period_where(const ResponseFilter& f, const std::string& time, const std::string& kiosk) {
  Where w;
  w.period(time, f.from, f.to);
  if (!f.kiosk.empty()) w.add(kiosk + " = ", f.kiosk);
  return w;
}

// jsonb's text of [["item", value], ...]: read without building JSON objects (a
// million rows of them stream past compute_indicators). A string with an escape in
// it goes through the JSON parser.
template <class OnItem>
void parse_outcomes(std::string_view s, OnItem&& on_item) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    std::size_t q = s.find('"', i);
    if (q == std::string_view::npos) return;
    std::size_t e = q + 1;
    bool escaped = false;
    while (e < n && s[e] != '"') {
      if (s[e] == '\\') {
        escaped = true;
        ++e;
      }
      ++e;
    }
    if (e >= n) return;
    std::string decoded;
    std::string_view item = s.substr(q + 1, e - q - 1);
    if (escaped) {
      decoded = json::parse(s.substr(q, e - q + 1)).get<std::string>();
      item = decoded;
    }
    std::size_t c = s.find(',', e);
    if (c == std::string_view::npos) return;
    ++c;
    while (c < n && s[c] == ' ') ++c;
    std::size_t end = c;
    while (end < n && (s[end] == '-' || (s[end] >= '0' && s[end] <= '9'))) ++end;
    on_item(item, static_cast<int>(to_i64(s.substr(c, end - c))));
    i = s.find(']', end);
    if (i == std::string_view::npos) return;
    ++i;
  }
}

// A response read back from its row and its answer atoms, as the kiosk's store does.
// From central schema 12 a response's atoms are one row of arrays (answer_sets), read
// here as JSON arrays: one row per response, no per-atom rows to join and sort.
struct ResponseReader {
  Response cur;
  std::int64_t cur_id = -1;
  // Columns: rid, id, questionnaire, version, content_hash, kiosk, lang, started_at,
  // completed_at, visible_questions, drawn, then the set's ords, questions, kinds, items,
  // vals, texts (NULL: no atoms). Returns false when fn stopped the stream.
  bool row(const Result& r, int i, const ResponseRowFn& fn) {
    std::int64_t id = to_i64(r.view(i, 0));
    if (id != cur_id) {
      if (!flush(fn)) return false;
      cur = Response{};
      cur_id = id;
      cur.id = r.view(i, 1);
      cur.questionnaire = r.view(i, 2);
      cur.version = static_cast<int>(to_i64(r.view(i, 3)));
      cur.content_hash = r.view(i, 4);
      cur.kiosk = r.view(i, 5);
      cur.lang = r.view(i, 6);
      cur.started_at = to_i64(r.view(i, 7));
      cur.completed_at = to_i64(r.view(i, 8));
      cur.visible_questions = static_cast<int>(to_i64(r.view(i, 9)));
      json drawn = json::parse(r.view(i, 10), nullptr, false);
      if (drawn.is_array())
        for (const auto& d : drawn)
          if (d.is_string()) cur.drawn.push_back(d.get<std::string>());
    }
    if (r.null(i, 11)) return true;  // a response with no answers
    json col[6];
    for (int c = 0; c < 6; ++c) col[c] = json::parse(r.view(i, 11 + c));
    const json &ords = col[0], &questions = col[1], &kinds = col[2], &items = col[3], &vals = col[4], &texts = col[5];
    // The arrays are stored in ord order; should a set not be, its atoms still come in it.
    std::vector<std::size_t> order(ords.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return ords[a].get<std::int64_t>() < ords[b].get<std::int64_t>();
    });
    for (std::size_t k : order) {
      // A NULL value or text reads as the text protocol gave it before: 0 and "".
      add_answer_atom(cur.answers, questions[k].get_ref<const std::string&>(), kinds[k].get<int>(),
                      items[k].get_ref<const std::string&>(), vals[k].is_null() ? 0 : vals[k].get<std::int64_t>(),
                      texts[k].is_null() ? std::string_view() : std::string_view(texts[k].get_ref<const std::string&>()));
    }
    return true;
  }
  bool flush(const ResponseRowFn& fn) {
    if (cur_id < 0) return true;
    bool go_on = fn(cur_id, cur);
    cur_id = -1;
    return go_on;
  }
};

const char* const kResponseColumns =
    "SELECT r.rid, r.id, r.questionnaire, r.version, r.content_hash, r.kiosk, r.lang, r.started_at, r.completed_at, "
    "r.visible_questions, r.drawn, array_to_json(s.ords), array_to_json(s.questions), array_to_json(s.kinds), "
    "array_to_json(s.items), array_to_json(s.vals), array_to_json(s.texts) "
    "FROM responses r LEFT JOIN answer_sets s ON s.rid = r.rid";

}  // namespace

CentralQueries::CentralQueries(const std::string& url) : CentralQueries(url, {}) {}

CentralQueries::CentralQueries(const std::string& url, const std::vector<std::pair<std::string, std::string>>& extra)
    : c_(std::make_unique<Conn>(url, extra)) {
  SchemaState s = check_schema(*c_);
  if (s.status != Status::ok) throw PgError(s.status, "the center has " + s.words());
}

CentralQueries::~CentralQueries() = default;

void CentralQueries::check_cancel() const {
  if (cancel_ && cancel_->load()) throw QueryCancelled();
}

void CentralQueries::in_transaction(const std::function<void()>& body, const char* begin) {
  const bool own = !in_txn_;
  if (own) {
    c_->run(begin);
    in_txn_ = true;
  }
  try {
    body();
    if (own) {
      in_txn_ = false;
      c_->run("COMMIT");
    }
  } catch (...) {
    if (own) {
      in_txn_ = false;
      try {
        c_->run("ROLLBACK");
      } catch (...) {
        // The connection is gone; the server rolled back on its own.
      }
    }
    throw;
  }
}

void CentralQueries::read_consistently(const std::function<void()>& body) {
  if (in_txn_) return body();
  // REPEATABLE READ: every statement of the transaction sees the snapshot its first one
  // took, so kiosks' batches committed meanwhile stay out of all of them alike.
  reading_ = true;
  struct Reading {
    bool& on;
    ~Reading() { on = false; }
  } reading{reading_};
  in_transaction(
      [&] {
        c_->scalar("SELECT 1");  // the snapshot is taken by the first statement, now
        body();
      },
      "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

void CentralQueries::stream(const std::string& sql, const Params& params,
                            const std::function<bool(const Result&, int)>& fn) {
  const std::string name = "eco_cursor_" + std::to_string(++cursors_);
  in_transaction([&] {
    c_->run("DECLARE " + name + " NO SCROLL CURSOR FOR " + sql, params);
    bool more = true;
    while (more) {
      check_cancel();
      Result r = c_->exec("FETCH " + std::to_string(kFetchRows) + " FROM " + name);
      if (r.rows() == 0) break;
      for (int i = 0; i < r.rows() && more; ++i) more = fn(r, i);
    }
    c_->run("CLOSE " + name);
  });
}

// A label column that may be NULL (no answer): kNoLabel then.
std::int64_t CentralQueries::opt_label(const Result& r, int i, int col, std::string_view kind) {
  return r.null(i, col) ? kNoLabel : label(kind, r.view(i, col));
}

std::int64_t CentralQueries::label(std::string_view kind, std::string_view value) {
  auto k = label_ids_.find(kind);
  if (k == label_ids_.end()) k = label_ids_.emplace(std::string(kind), LabelMap{}).first;
  LabelMap& ids = k->second;
  if (auto it = ids.find(value); it != ids.end()) return it->second;
  label_texts_.emplace_back(value);
  auto id = static_cast<std::int64_t>(label_texts_.size());  // ids from 1, as on a kiosk
  ids.emplace(std::string(value), id);
  return id;
}

const std::string& CentralQueries::label_text(std::int64_t id) {
  static const std::string none;
  if (id < 1 || id > static_cast<std::int64_t>(label_texts_.size())) return none;
  return label_texts_[static_cast<std::size_t>(id - 1)];
}

std::int64_t CentralQueries::count(const ResponseFilter& f) {
  Where w = response_where(f);
  return std::stoll("0" + c_->scalar("SELECT count(*) FROM responses r" + w.sql, w.args));
}

std::int64_t CentralQueries::abandoned_count(const std::string& questionnaire) {
  if (questionnaire.empty()) return std::stoll("0" + c_->scalar("SELECT count(*) FROM abandoned"));
  return std::stoll("0" + c_->scalar("SELECT count(*) FROM abandoned WHERE questionnaire = $1", {questionnaire}));
}

bool CentralQueries::contains(const std::string& uuid) {
  return c_->scalar("SELECT 1 FROM responses WHERE id = $1", {lower_ascii(uuid)}) == "1";
}

void CentralQueries::each_with_id(const ResponseFilter& f,
                                  const ResponseRowFn& fn) {
  Where w = response_where(f);
  ResponseReader rd;
  bool stopped = false;
  stream(std::string(kResponseColumns) + w.sql + " ORDER BY r.rid", w.args, [&](const Result& r, int i) {
    if (!rd.row(r, i, fn)) stopped = true;
    return !stopped;
  });
  if (!stopped) rd.flush(fn);
}

std::vector<StoredDefinition> CentralQueries::definitions() {
  std::vector<StoredDefinition> out;
  Result r = c_->exec(
      "SELECT questionnaire, version, content_hash, definition FROM questionnaire_definitions "
      "ORDER BY questionnaire COLLATE \"C\", version, content_hash COLLATE \"C\"");
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), static_cast<int>(r.i64(i, 1)), r.text(i, 2), r.text(i, 3)});
  return out;
}

std::int64_t CentralQueries::fill_missing_metrics(const MetricsFn& score) {
  if (reading_) return 0;  // inside read_consistently nothing is written; its caller filled them
  // Kiosks send each response's metrics with it; a response saved without them (its
  // questionnaire unknown to the kiosk then) gets them here, as the kiosk would.
  // First the cheap question: as many metrics rows (counted in the cells, central schema 8) as
  // responses? Metrics rows go in only for stored responses and responses are never
  // deleted, so then none is missing. The search for the missing ones below is an
  // anti-join of a million ids: at a million responses it took 1.6 s, nearly all of
  // the district figures' time once the cells were read (0.09 s).
  if (c_->scalar("SELECT (SELECT count(*) FROM responses) = "
                 "(SELECT coalesce(sum(n), 0) FROM metrics_cells WHERE grouping = 0)") == "t")
    return 0;
  std::vector<std::string> ids;
  {
    Result r = c_->exec(
        "SELECT r.rid FROM responses r WHERE NOT EXISTS (SELECT 1 FROM response_metrics m WHERE m.response = r.id) "
        "ORDER BY r.rid");
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
  }
  if (ids.empty()) return 0;
  std::vector<std::pair<std::int64_t, Response>> todo;
  std::string list = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + ids[i];
  list += "}";
  ResponseReader rd;
  auto keep = [&](std::int64_t rid, const Response& resp) {
    todo.emplace_back(rid, resp);
    return true;
  };
  stream(std::string(kResponseColumns) + " WHERE r.rid = ANY($1::bigint[]) ORDER BY r.rid", {list},
         [&](const Result& r, int i) { return rd.row(r, i, keep); });
  rd.flush(keep);

  std::int64_t done = 0;
  Txn t(*c_);
  in_txn_ = true;
  try {
    for (const auto& [rid, resp] : todo) {
      std::optional<ResponseMetrics> m = score(resp);
      if (!m) continue;
      std::string outcomes = "[";
      for (const auto& [item, v] : m->outcomes) {
        if (outcomes.size() > 1) outcomes += ',';
        outcomes += json::array({item, static_cast<unsigned char>(v)}).dump();
      }
      outcomes += "]";
      auto opt = [](const std::string& v) { return v.empty() ? std::optional<std::string>() : std::optional(v); };
      // The duplicate flag as the kiosk sets it: the same answers from the same kiosk
      // within the window, among the metrics stored before this one.
      c_->run("INSERT INTO response_metrics(response, rid, method, questionnaire, version, kiosk, completed_at, "
              "duration_s, visible, age, gender, township, score, correct, drawn, satisfied, trips, green, flags, "
              "fingerprint, outcomes) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
              "$17, $18, $19::int | CASE WHEN EXISTS (SELECT 1 FROM response_metrics d WHERE d.fingerprint = $20 "
              "AND d.kiosk = $6 AND d.completed_at BETWEEN $7::bigint - $22 AND $7::bigint + $22) THEN $23 ELSE 0 "
              "END, $20, $21)",
              {resp.id, num(rid), num(std::int64_t{static_cast<int>(m->method)}), resp.questionnaire,
               num(std::int64_t{resp.version}), resp.kiosk, num(resp.completed_at),
               num(static_cast<double>(resp.completed_at - resp.started_at) / 1000.0),
               num(std::int64_t{resp.visible_questions}), opt(m->age), opt(m->gender), opt(m->township),
               num(m->score), num(std::int64_t{m->correct}), num(std::int64_t{m->drawn}),
               num(std::int64_t{m->satisfied ? 1 : 0}), num(std::int64_t{m->trips}), num(std::int64_t{m->green}),
               num(std::int64_t{m->flags}), num(static_cast<std::int64_t>(m->fingerprint)), outcomes,
               num(kDuplicateWindowMs), num(std::int64_t{kFlagDuplicate})});
      ++done;
    }
    t.commit();
  } catch (const PgError& e) {
    in_txn_ = false;
    if (e.status == Status::refused_by_center)
      throw PgError(e.status, std::to_string(todo.size()) +
                                  " responses at the center have no metrics and this login may not add them; run the "
                                  "command once with the district IT's login (" + e.what() + ")",
                    e.sqlstate);
    throw;
  }
  in_txn_ = false;
  return done;
}

void CentralQueries::each_metrics(const ResponseFilter& f, const std::function<void(const MetricsRow&)>& fn) {
  Where w = metrics_where(f);
  // The kiosk's order: arrival order over all questionnaires, by completion time within one.
  std::string order = f.questionnaire.empty() ? " ORDER BY m.rid" : " ORDER BY m.completed_at, m.rid";
  std::vector<ItemOutcome> outcomes;
  std::string questionnaire;
  stream("SELECT m.rid, m.questionnaire, m.version, m.kiosk, m.township, m.age, m.gender, m.completed_at, "
         "m.duration_s, m.visible, m.score, m.correct, m.drawn, m.satisfied, m.trips, m.green, m.flags, "
         "m.outcomes::text FROM response_metrics m" +
             w.sql + order,
         w.args, [&](const Result& r, int i) {
           MetricsRow m;
           m.response = to_i64(r.view(i, 0));
           questionnaire.assign(r.view(i, 1));
           m.questionnaire = questionnaire;
           m.version = static_cast<int>(to_i64(r.view(i, 2)));
           m.kiosk = label("kiosk", r.view(i, 3));
           m.township = opt_label(r, i, 4, "township");
           m.age = opt_label(r, i, 5, "age");
           m.gender = opt_label(r, i, 6, "gender");
           m.completed_at = to_i64(r.view(i, 7));
           m.duration_s = to_f64(r.view(i, 8));
           m.visible = static_cast<int>(to_i64(r.view(i, 9)));
           m.score = to_f64(r.view(i, 10));
           m.correct = static_cast<int>(to_i64(r.view(i, 11)));
           m.drawn = static_cast<int>(to_i64(r.view(i, 12)));
           m.satisfied = to_i64(r.view(i, 13)) != 0;
           m.trips = to_i64(r.view(i, 14));
           m.green = to_i64(r.view(i, 15));
           m.flags = static_cast<int>(to_i64(r.view(i, 16)));
           outcomes.clear();
           parse_outcomes(r.view(i, 17), [&](std::string_view item, int v) {
             outcomes.push_back({label("item", item), static_cast<unsigned char>(v)});
           });
           m.outcomes = outcomes;
           fn(m);
           return true;
         });
}

bool CentralQueries::counts_cells(const ResponseFilter& f, const CellQuery& q) {
  // The cells carry questionnaire and version, not the time or the kiosk of a response.
  if (f.from || f.to || !f.kiosk.empty() || !f.uuid.empty()) return false;
  if (!cell_clock_) {
    Result r = c_->exec("SELECT min_seconds, utc_offset_minutes FROM metrics_cell_clock");
    if (r.rows() != 1) return false;
    cell_clock_ = CellQuery{to_f64(r.view(0, 0)), static_cast<int>(to_i64(r.view(0, 1)))};
  }
  // "fast" counts nobody at a threshold <= 0, whatever its value.
  const bool same_fast = (q.min_seconds_per_question <= 0 && cell_clock_->min_seconds_per_question <= 0) ||
                         q.min_seconds_per_question == cell_clock_->min_seconds_per_question;
  return same_fast && q.utc_offset_minutes == cell_clock_->utc_offset_minutes;
}

void CentralQueries::each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                                       const std::function<void(const MetricsCell&)>& fn) {
  if (counts_cells(f, q)) read_counted_cells(f, fn);
  else group_cells_now(f, q, fn);
}

void CentralQueries::read_counted_cells(const ResponseFilter& f, const std::function<void(const MetricsCell&)>& fn) {
  // Tens of thousands of rows, whatever the number of responses: the versions of a
  // cell are added up here unless one version was asked for.
  Where w;
  if (!f.questionnaire.empty()) w.add("questionnaire = ", f.questionnaire);
  if (f.version) w.add("version = ", num(std::int64_t{*f.version}));
  const char* key = "grouping, questionnaire, township, age, gender, kiosk, day, fast, flags, score, drawn, satisfied, "
                    "trips, green, item, value";
  std::string questionnaire;
  stream(std::string("SELECT ") + key + ", sum(n) FROM metrics_cells" + w.sql + " GROUP BY " + key +
             " HAVING sum(n) > 0",
         w.args, [&](const Result& r, int i) {
           MetricsCell c;
           const std::int64_t g = to_i64(r.view(i, 0));
           c.grouping = g == 0 ? CellGrouping::demographic : g == 1 ? CellGrouping::kiosk
                      : g == 2 ? CellGrouping::day : CellGrouping::item;
           cell_columns(r, i, c, questionnaire);
           if (c.grouping == CellGrouping::item) {
             c.item = label("item", r.view(i, 14));
             c.value = static_cast<int>(to_i64(r.view(i, 15)));
           }
           c.n = to_i64(r.view(i, 16));
           fn(c);
           return true;
         });
}

// The columns both cell queries return from column 1 on: questionnaire, township, age,
// gender, kiosk, day, fast, flags, score, drawn, satisfied, trips, green. c.grouping
// says which of them count; `questionnaire` keeps the text c.questionnaire views.
void CentralQueries::cell_columns(const Result& r, int i, MetricsCell& c, std::string& questionnaire) {
  questionnaire.assign(r.view(i, 1));
  c.questionnaire = questionnaire;
  c.age = opt_label(r, i, 3, "age");
  c.fast = r.view(i, 7) == "t";
  c.flags = static_cast<int>(to_i64(r.view(i, 8)));
  if (c.grouping == CellGrouping::item) return;
  if (c.grouping == CellGrouping::demographic) {
    c.township = opt_label(r, i, 2, "township");
    c.gender = opt_label(r, i, 4, "gender");
  } else if (c.grouping == CellGrouping::kiosk) {
    c.kiosk = label("kiosk", r.view(i, 5));
  } else {
    c.day = to_i64(r.view(i, 6));
  }
  c.score = to_f64(r.view(i, 9));
  c.drawn = static_cast<int>(to_i64(r.view(i, 10)));
  c.satisfied = to_i64(r.view(i, 11)) != 0;
  c.trips = to_i64(r.view(i, 12));
  c.green = to_i64(r.view(i, 13));
}

void CentralQueries::group_cells_now(const ResponseFilter& f, const CellQuery& q,
                                     const std::function<void(const MetricsCell&)>& fn) {
  // Counted by PostgreSQL: a million metrics rows leave the server as a few thousand
  // cells (every row crossing the socket as text made the district's figures take 15 s).
  Where w = metrics_where(f);
  Params args = w.args;
  args.push_back(num(q.min_seconds_per_question));
  const std::string min = "$" + std::to_string(args.size()) + "::float8";
  const Params item_args = args;  // the item cells have no day
  args.push_back(num(static_cast<std::int64_t>(q.utc_offset_minutes) * 60000));
  const std::string off = "$" + std::to_string(args.size()) + "::bigint";
  const std::string fast = "(" + min + " > 0 AND m.duration_s < m.visible * " + min + ")";
  // Whole district days, rounded down as the kiosk's store rounds them.
  const std::string day = "((m.completed_at + " + off + " - CASE WHEN m.completed_at + " + off +
                          " < 0 THEN 86399999 ELSE 0 END) / 86400000)";
  std::string questionnaire;
  // Both groupings in one transaction whose hash tables may take the memory they need:
  // with the default 4 MB work_mem PostgreSQL sorted a million rows on disk (80 s
  // here) instead of hashing them into ~30,000 cells; JIT compiling cost 2 s more.
  in_transaction([&] {
    c_->run("SET LOCAL work_mem = '256MB'");
    c_->run("SET LOCAL jit = off");
    // GROUPING(township, gender, kiosk, day): 3 demographic, 13 kiosk, 14 day.
    stream("SELECT GROUPING(m.township, m.gender, m.kiosk, " + day + "), m.questionnaire, m.township, m.age, m.gender, "
           "m.kiosk, " + day + ", " + fast + ", m.flags, m.score, m.drawn, m.satisfied, m.trips, m.green, count(*) "
           "FROM response_metrics m" + w.sql + " GROUP BY m.questionnaire, m.age, " + fast +
           ", m.flags, m.score, m.drawn, m.satisfied, m.trips, m.green, GROUPING SETS ((m.township, m.gender), (m.kiosk), (" +
           day + "))",
           args, [&](const Result& r, int i) {
             MetricsCell c;
             std::int64_t g = to_i64(r.view(i, 0));
             c.grouping = g == 3 ? CellGrouping::demographic : g == 13 ? CellGrouping::kiosk : CellGrouping::day;
             cell_columns(r, i, c, questionnaire);
             c.n = to_i64(r.view(i, 14));
             fn(c);
             return true;
           });
    stream("SELECT m.questionnaire, m.age, " + fast + ", m.flags, o.e->>0, (o.e->>1)::int, count(*) "
           "FROM response_metrics m CROSS JOIN LATERAL jsonb_array_elements(m.outcomes) o(e)" + w.sql +
           " GROUP BY 1, 2, 3, 4, 5, 6",
           item_args, [&](const Result& r, int i) {
             MetricsCell c;
             c.grouping = CellGrouping::item;
             questionnaire.assign(r.view(i, 0));
             c.questionnaire = questionnaire;
             c.age = opt_label(r, i, 1, "age");
             c.fast = r.view(i, 2) == "t";
             c.flags = static_cast<int>(to_i64(r.view(i, 3)));
             c.item = label("item", r.view(i, 4));
             c.value = static_cast<int>(to_i64(r.view(i, 5)));
             c.n = to_i64(r.view(i, 6));
             fn(c);
             return true;
           });
  });
}

std::vector<std::int64_t> CentralQueries::excluded_responses(double min_seconds_per_question) {
  std::vector<std::int64_t> out;
  stream("SELECT m.rid FROM response_metrics m WHERE (m.flags & 2) != 0 OR m.duration_s < m.visible * $1::float8 "
         "ORDER BY m.rid",
         {num(min_seconds_per_question)}, [&](const Result& r, int i) {
           out.push_back(to_i64(r.view(i, 0)));
           return true;
         });
  return out;
}

std::optional<TimeSpan> CentralQueries::completed_span(const ResponseFilter& f) {
  Where w = metrics_where(f);
  Result r = c_->exec("SELECT min(m.completed_at), max(m.completed_at) FROM response_metrics m" + w.sql, w.args);
  if (r.rows() == 0 || r.null(0, 0)) return std::nullopt;
  return TimeSpan{r.i64(0, 0), r.i64(0, 1)};
}

std::vector<DayCountRow> CentralQueries::responses_per_day(const ResponseFilter& f, int utc_offset_minutes) {
  Where w = period_where(f, "r.completed_at", "r.kiosk");
  // As SQLite's date(completed_at / 1000 + offset, 'unixepoch'): whole seconds, then the day.
  Result r = c_->exec("SELECT r.questionnaire, to_char(to_timestamp(r.completed_at / 1000 + " +
                          std::to_string(utc_offset_minutes * 60) +
                          ") AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) FROM responses r" + w.sql +
                          " GROUP BY 1, 2 ORDER BY r.questionnaire COLLATE \"C\", day",
                      w.args);
  std::vector<DayCountRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.i64(i, 2)});
  return out;
}

std::vector<QuestionnaireCount> CentralQueries::flagged_per_questionnaire(const ResponseFilter& f) {
  Where w = period_where(f, "r.completed_at", "r.kiosk");
  Result r = c_->exec("SELECT r.questionnaire, count(*) FROM response_metrics m JOIN responses r ON r.id = m.response" +
                          w.sql + " AND m.flags != 0 GROUP BY 1 ORDER BY r.questionnaire COLLATE \"C\"",
                      w.args);
  std::vector<QuestionnaireCount> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.i64(i, 1)});
  return out;
}

std::vector<AbandonedAtRow> CentralQueries::abandoned_at(const ResponseFilter& f) {
  Where w = period_where(f, "abandoned_at", "kiosk");
  Result r = c_->exec("SELECT questionnaire, last_question, count(*) FROM abandoned" + w.sql +
                          " GROUP BY 1, 2 ORDER BY questionnaire COLLATE \"C\", last_question COLLATE \"C\"",
                      w.args);
  std::vector<AbandonedAtRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.i64(i, 2)});
  return out;
}

std::vector<AnswerCountRow> CentralQueries::answer_counts(const ResponseFilter& f) {
  // The kiosk keeps these counts by UTC hour: the same rounding of from and to here.
  ResponseFilter hours = f;
  if (f.from) hours.from = *f.from / 3600000;
  if (f.to) hours.to = (*f.to + 3599999) / 3600000;
  Where w = period_where(hours, "r.completed_at / 3600000", "r.kiosk");
  const std::string from = " FROM answers a JOIN responses r ON r.rid = a.rid" + w.sql;
  Result r = c_->exec("SELECT * FROM (SELECT r.questionnaire, a.question, a.kind, a.item, count(*), "
                          "coalesce(sum(a.value), 0)" + from + " GROUP BY 1, 2, 3, 4 "
                          "UNION ALL SELECT r.questionnaire, a.question, 0, '', count(DISTINCT a.rid), 0" + from +
                          " GROUP BY 1, 2) c(questionnaire, question, kind, item, n, total) "
                          "ORDER BY questionnaire COLLATE \"C\", question COLLATE \"C\", kind, item COLLATE \"C\"",
                      w.args);
  std::vector<AnswerCountRow> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), static_cast<AnswerAtom>(r.i64(i, 2)), r.text(i, 3), r.i64(i, 4),
                   r.i64(i, 5)});
  return out;
}

std::map<std::string, std::string> CentralQueries::hall_names(const std::string& lang) {
  std::map<std::string, std::string> out;
  Result r = c_->exec(lang == "en" ? "SELECT kiosk, hall_en FROM kiosks" : "SELECT kiosk, hall_zh FROM kiosks");
  for (int i = 0; i < r.rows(); ++i)
    if (!r.null(i, 1) && !r.text(i, 1).empty()) out[r.text(i, 0)] = r.text(i, 1);
  return out;
}

}  // namespace eco::central
