// The xlsx workbook (export_xlsx.cpp), called by export_data.
#pragma once
#include <string>
#include <vector>

#include "core/output/export.hpp"

namespace eco {

// Writes o.out (under o.out + ".part" until complete); `flagged` as flagged_rows().
// Returns "" or why it failed; adds the file and the rows written to `res`.
std::string write_xlsx(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o,
                       const std::vector<char>& flagged, ExportResult& res);

}  // namespace eco
