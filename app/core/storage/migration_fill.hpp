// Filling the counted tables of migrations 5 (answer_counts), 8 (response_counts) and
// 11 (metrics_cells) from the responses already stored, when an older file is opened.
#pragma once
#include <cstdint>
#include <functional>

#include "core/storage/sqlite.hpp"

namespace eco::migration_fill {

using Progress = std::function<void(std::int64_t done, std::int64_t total)>;

// Whether migration `version` (1-based) fills its table from the stored responses.
bool fills(int version);

// Inside the caller's write transaction: starts the fill of `version` unless one is
// already under way (an earlier open was stopped), running `create_sql` (the
// migration's own text) to make the table. A fill an older EcoKiosk left half done
// (counted by response ids) is emptied and started again.
void begin(Db& db, int version, const char* create_sql);

// Fills in steps of about `chunk` responses, each step its own transaction with the
// mark of how far it got; the schema version moves on with the last step. `progress` is
// told after each step's commit, outside the write lock; a kill loses at most the step
// under way, a throw from `progress` nothing. The counted cells' fill (11) takes steps
// of kCellStepChunks * chunk: each step rewrites most of the cells, so in steps of
// 20,000 of a million responses the writes were most of it (5.5 s of CPU against 3.1 s
// in steps of 100,000); a kill still loses one step, a few tenths of a second.
void run(Db& db, int version, std::int64_t chunk, const Progress& progress);
inline constexpr std::int64_t kCellStepChunks = 5;

}  // namespace eco::migration_fill
