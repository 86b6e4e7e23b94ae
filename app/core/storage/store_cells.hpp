// The kiosk's counted cells (schema 11, metrics_cells): respondents the indicators
// cannot tell apart (MetricsCell, response_queries.hpp), counted as their metrics are
// saved, so the indicators over a million responses read tens of thousands of rows
// instead of a million (issue 20). Counted in C++ beside the writes rather than by
// SQLite triggers: a metrics row's item outcomes are a packed blob no trigger can take
// apart, and a batch sums its cells in memory and writes each once. Every write of
// response_metrics (Store::save, batches, fill_missing_metrics, migration_fill) goes
// through a CellCounter in the transaction that writes the row.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/storage/response_queries.hpp"
#include "core/storage/sqlite.hpp"

namespace eco {

class CellCounter {
 public:
  // Reads the clock and threshold the file's cells are counted on (metrics_cell_clock)
  // and prepares the upsert. The tables must exist (schema 11, or its fill under way).
  explicit CellCounter(Db& db);
  const CellQuery& clock() const { return clock_; }
  // Whether cells counted on this counter's clock answer a query on q's.
  bool same_clock(const CellQuery& q) const;

  // One metrics row's cells (label ids as stored), summed in memory until write().
  // response and correct are not used.
  void add(const MetricsRow& m);
  // Adds the summed cells to metrics_cells (in the caller's transaction) and forgets them.
  void write();
  // Forgets the summed cells unwritten (their transaction was rolled back).
  void clear();

 private:
  struct Key {
    int grouping, questionnaire, flags, drawn, value;
    bool fast, satisfied;
    std::int64_t township, age, gender, kiosk, day, trips, green, item;
    double score;
    bool operator==(const Key& o) const;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Version {  // a key is counted per version, so a version filter can be answered
    Key key;
    int version;
    bool operator==(const Version& o) const { return version == o.version && key == o.key; }
  };
  struct VersionHash {
    std::size_t operator()(const Version& v) const { return KeyHash{}(v.key) * 31 + static_cast<std::size_t>(v.version); }
  };
  int questionnaire_index(std::string_view q);

  Db& db_;
  CellQuery clock_;
  Stmt upsert_;
  std::vector<std::string> questionnaires_;
  std::unordered_map<Version, std::int64_t, VersionHash> pending_;
};

// response_metrics.outcomes (per item: label id as 4 bytes little-endian, a value byte).
void decode_outcomes(std::string_view blob, std::vector<ItemOutcome>& out);

// The columns of a metrics row as metrics_row reads them, for "SELECT <these> FROM
// response_metrics ...".
extern const char* const kMetricsRowColumns;
// The current row of a statement selecting kMetricsRowColumns, into m (its outcomes
// decoded into `outcomes`, which m then views).
void metrics_row(const Stmt& s, std::vector<ItemOutcome>& outcomes, MetricsRow& m);

// Counts the stored metrics rows of one questionnaire completed in [from_ms, to_ms]
// into `counter` (an older file's fill, migration_fill.cpp).
void count_stored_cells(Db& db, CellCounter& counter, const std::string& questionnaire, std::int64_t from_ms,
                        std::int64_t to_ms);

// The cells stored in metrics_cells, of one questionnaire (and version) or all, added up
// over versions unless one is asked; the filter's other fields are not applied.
void read_counted_cells(Db& db, const ResponseFilter& f, const std::function<void(const MetricsCell&)>& fn);

}  // namespace eco
