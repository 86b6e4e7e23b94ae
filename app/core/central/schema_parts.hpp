// Migrations of the center's schema kept in files of their own (schema.cpp lists them
// in kCentralMigrations, in order).
#pragma once

namespace eco::central {

// Questionnaires and settings published to kiosks (issue 17): schema_publish.cpp.
extern const char* const kPublishMigration;
// A kiosk's batch made cheaper to store (issue 16's sync figure): schema_batches.cpp.
extern const char* const kBatchesMigration;
// Answer atoms keyed by their response's arrival number (issue 16's sync figure): schema_rid.cpp.
extern const char* const kAnswersByRidMigration;
// Cells keyed by one hashed value, counted with less work (issue 16's sync figure): schema_cells.cpp.
extern const char* const kCellsByKeyMigration;
// A response's answer atoms in one row of arrays (issue 16's sync figure): schema_answer_sets.cpp.
extern const char* const kAnswerSetsMigration;

}  // namespace eco::central
