// ResponseQueries::each_metrics_cell's default: the metrics rows counted into cells
// in memory (cell_tally.hpp, as the kiosk counts its stored cells), one pass over
// each_metrics. The kiosk's SQLite store uses it where its counted cells
// (store_cells.hpp) do not answer (another clock, a date or kiosk filter): counting the
// file's rows here beats SQL's GROUP BY, which sorts. The center overrides it with a
// GROUP BY in PostgreSQL.
#include "core/storage/cell_tally.hpp"
#include "core/storage/response_queries.hpp"

namespace eco {

void ResponseQueries::each_metrics_cell(const ResponseFilter& f, const CellQuery& q,
                                        const std::function<void(const MetricsCell&)>& fn) {
  CellTally tally(q, false);
  each_metrics(f, [&](const MetricsRow& m) { tally.add(m); });
  tally.each([&](const MetricsCell& c, int) { fn(c); });
}

}  // namespace eco
