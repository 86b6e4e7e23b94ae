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
// under way, a throw from `progress` nothing.
void run(Db& db, int version, std::int64_t chunk, const Progress& progress);

}  // namespace eco::migration_fill
