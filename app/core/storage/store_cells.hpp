// The kiosk's counted cells (schema 11, metrics_cells): respondents the indicators
// cannot tell apart (MetricsCell, response_queries.hpp), counted as their metrics are
// saved, so the indicators over a million responses read tens of thousands of rows
// instead of a million (issue 20). Counted in C++ beside the writes rather than by
// SQLite triggers: a metrics row's item outcomes are a packed blob no trigger can take
// apart, and a batch sums its cells in memory and writes each once. Every write of
// response_metrics (Store::save, batches, fill_missing_metrics, migration_fill) goes
// through a CellCounter in the transaction that writes the row.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/storage/cell_tally.hpp"
#include "core/storage/response_queries.hpp"
#include "core/storage/sqlite.hpp"

namespace eco {

// Whether cells counted on clock `counted` answer a query on q's ("fast" counts nobody
// at any threshold <= 0, so those thresholds are all one).
bool same_cell_clock(const CellQuery& counted, const CellQuery& q);

// metrics_cell_clock's utc_offset_minutes once the cells are no longer right for any
// clock (a writer found the file recounted under it, see CellCounter::write): no query
// matches it (the setting's range is -720..840), so they read the rows until the next
// recount (Store::recount_cells).
inline constexpr int kStaleCellClock = 100000;

// Whether the file's cells answer a query on q's clock now: counted on that clock,
// and complete (schema 11 reached: no fill or recount under way). Read in the caller's
// transaction, so it holds for what that transaction reads next.
bool cells_answer(Db& db, const CellQuery& q);

class CellCounter {
 public:
  // Reads the clock and threshold the file's cells are counted on (metrics_cell_clock)
  // and prepares the upsert. The tables must exist (schema 11, or its fill under way).
  // `filling`: the counter of migration 11's fill (or a recount's), which writes while
  // the schema is still short of 11.
  explicit CellCounter(Db& db, bool filling = false);
  const CellQuery& clock() const { return clock_; }
  // Whether cells counted on this counter's clock answer a query on q's.
  bool same_clock(const CellQuery& q) const { return same_cell_clock(clock_, q); }

  // One metrics row's cells (label ids as stored), summed in memory until write().
  // response and correct are not used.
  void add(const MetricsRow& m) { tally_.add(m); }
  // Adds the summed cells to metrics_cells (in the caller's transaction) and forgets them.
  // If the file's cells are no longer counted on this counter's clock (another process
  // recounted them on a new one since this counter was made), or a recount is under
  // way, they are not added: they would be counted on the wrong clock, or twice. The
  // file's clock is then marked stale (kStaleCellClock) instead, since its cells now
  // lack these rows.
  void write() { write(tally_); }
  // The same for cells summed elsewhere (an older file's fill, on a reader thread), on
  // this counter's clock and by version.
  void write(CellTally& summed);
  // Forgets the summed cells unwritten (their transaction was rolled back).
  void clear() { tally_.clear(); }
  // A batch's cells go this many to a statement (the rest one each): one at a time,
  // SQLite's own work per statement was a third of writing them (issue 20).
  static constexpr int kRows = 64;

 private:
  CellQuery clock_;
  bool filling_;
  Stmt upsert_, upsert_many_, check_, stale_;
  CellTally tally_;
};

// Reads the stored metrics rows of one questionnaire completed in [from_ms, to_ms] into
// a tally: an older file's fill, on the writer's connection or a reader thread's.
class StoredMetricsReader {
 public:
  explicit StoredMetricsReader(Db& db);
  // Stops early (the tally then incomplete, to be dropped) once `stop` is set.
  void read(CellTally& into, const std::string& questionnaire, std::int64_t from_ms, std::int64_t to_ms,
            const std::atomic<bool>* stop = nullptr);

 private:
  Stmt rows_;
  std::vector<ItemOutcome> outcomes_;
};

// response_metrics.outcomes (per item: label id as 4 bytes little-endian, a value byte).
void decode_outcomes(std::string_view blob, std::vector<ItemOutcome>& out);

// The columns of a metrics row as metrics_row reads them, for "SELECT <these> FROM
// response_metrics ...".
extern const char* const kMetricsRowColumns;
// The current row of a statement selecting kMetricsRowColumns, into m (its outcomes
// decoded into `outcomes`, which m then views).
void metrics_row(const Stmt& s, std::vector<ItemOutcome>& outcomes, MetricsRow& m);

// The cells stored in metrics_cells, of one questionnaire (and version) or all, added up
// over versions unless one is asked; the filter's other fields are not applied.
void read_counted_cells(Db& db, const ResponseFilter& f, const std::function<void(const MetricsCell&)>& fn);

}  // namespace eco
