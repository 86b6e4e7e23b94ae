// Exports for the propaganda department: xlsx (libxlsxwriter), CSV (UTF-8 with BOM or
// GB18030) with a codebook, JSON Lines, and the report as self-contained HTML or an A4 PDF (cairo and Pango, no
// browser). Every file
// is written through SafeFile (core/safe_file.hpp): exclusive 0600 temporary, fsync,
// rename; the files of one CSV export appear together or not at all.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/analysis/indicators.hpp"
#include "core/survey/questionnaire_loader.hpp"
#include "core/storage/response_queries.hpp"

namespace eco {

class Strings;

struct ExportOptions {
  std::string format = "xlsx";      // xlsx, csv, jsonl, html, pdf, sav, dta
  bool labels = false;              // csv: option labels instead of codes
  std::string out;                  // file path (csv without --questionnaire: one file per questionnaire)
  std::string questionnaire;        // "" = all
  ResponseFilter filter;
  bool include_flagged = false;
  double min_seconds_per_question = 2.0;
  std::string encoding = "utf-8";   // csv: utf-8 (with BOM) or gb18030
  std::string lang = "zh";          // report (html, pdf) and the workbook's labels
  int utc_offset_minutes = 480;
  const Strings* strings = nullptr; // html report and xlsx headers
  const Population* population = nullptr;
  std::map<int, double> targets = {{35, 50}, {39, 80}, {40, 80}};
  const std::atomic<bool>* cancel = nullptr;
  bool replace = false;             // an existing file at `out` is refused unless set (--force)
  // xlsx: a responses sheet's last row, headers included (Excel's limit; tests lower it
  // to reach it with a few responses).
  std::uint32_t xlsx_rows = 1048576;
  // For the report's first page and the hall breakdown (config district_title,
  // kiosk_id -> hall_name): lang -> district title, kiosk id -> hall name.
  std::map<std::string, std::string> district;
  std::map<std::string, std::string> hall_names;
};

struct ExportResult {
  std::vector<std::string> files;
  std::int64_t rows = 0;  // responses written
  // What the person who asked must know of a file written: a responses sheet full at
  // Excel's row limit, so later responses are not in it.
  std::vector<std::string> notes;
  std::string error;      // "" on success
};

// CSV cells starting with = + - @ tab or CR would be run by Excel/WPS as formulas;
// they are written with a leading apostrophe. Plain decimal numbers ("-3", "2.5") are
// values, not formulas, and stay as they are.
bool csv_formula_risk(std::string_view cell);

ExportResult export_data(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o);

// The indicator options an export's summary uses: the same filters and flags.
IndicatorOptions indicator_options(const ExportOptions& o);

// One column of the wide table (CSV and the xlsx responses sheet): stable ASCII code.
struct ExportColumn {
  enum class Kind { meta, choice, option_flag, count_row, integer, text, score };
  Kind kind = Kind::meta;
  std::string code;      // e.g. "sat_air", "improve_first__air", "trips__walk"
  std::string question;  // question id ("" for meta)
  std::string item;      // option or row id for flag and count columns; meta name
  std::string zh, en;    // header text
};
std::vector<ExportColumn> export_columns(const Questionnaire& q);
// Fills one row of cells (same order as the columns) for a response.
void export_row(const Questionnaire& q, const std::vector<ExportColumn>& cols, const Response& r, bool flagged,
                int utc_offset_minutes, std::vector<std::string>& cells);

// Response row ids flagged for the indicators (stored flags, or too fast).
std::vector<char> flagged_rows(ResponseQueries& store, double min_seconds_per_question);

// SPSS .sav / Stata .dta through ReadStat (export_readstat.cpp): one file per
// questionnaire; `weights` (response row id -> raking weight) adds a weight column.
std::string export_readstat(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o,
                            const std::vector<char>& flagged, const std::vector<const Questionnaire*>& qs,
                            const std::map<std::int64_t, double>* weights, ExportResult& res);
// Option labels (in `lang`) in place of option ids and 0/1 flags, for `csv --labels`.
void label_cells(const Questionnaire& q, const std::vector<ExportColumn>& cols, std::vector<std::string>& cells,
                 const std::string& lang);
// An option that means "don't know" (不了解, 说不清 …): declared missing in .sav/.dta.
bool is_dont_know(const Option& o);

// The HTML report as a string (used by export_data and the tests).
std::string html_report(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o);

}  // namespace eco
