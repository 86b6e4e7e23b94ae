// Survey indicators 35 (green travel), 39 (knowledge awareness) and 40 (satisfaction)
// computed from the stored per-response metrics, with 95% intervals, exclusions,
// breakdowns and optional raking to population margins. README "Indicators" gives
// every formula.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/survey/questionnaire.hpp"
#include "core/support/time.hpp"
#include "core/analysis/stats.hpp"
#include "core/storage/response_queries.hpp"

namespace eco {

class Strings;
struct QuestionnaireSet;

// Population margins for weighting (assets/population.json).
struct Population {
  struct Margin {
    std::vector<std::string> dims;        // e.g. {"age", "gender"} or {"township"}
    std::map<std::string, double> cells;  // "18_29|male" -> people
  };
  std::string source;
  std::vector<Margin> margins;
};
// nullopt with `error` set when the file is unreadable or malformed.
std::optional<Population> load_population(const std::string& path, std::string& error);

struct IndicatorOptions {
  ResponseFilter filter;            // questionnaire ignored; version, dates, kiosk apply
  bool include_flagged = false;
  // Leave out respondents who answered 18岁以下 (the indicators describe adult residents);
  // they are counted in `minors_left_out`, and kept in the database and exports.
  bool exclude_minors = false;
  double min_seconds_per_question = 2.0;
  int min_cell_n = 30;              // smaller breakdown cells are marked unreliable
  int utc_offset_minutes = 480;     // for months (China Standard Time)
  const Population* population = nullptr;
  std::map<int, double> targets = {{35, 50}, {39, 80}, {40, 80}};
  // Kiosk id -> hall name: the kiosk breakdown's cells name their hall (the center
  // knows every kiosk's; a kiosk's own configuration its own).
  std::map<std::string, std::string> hall_names;
};

struct Estimate {
  std::int64_t n = 0;                  // respondents
  std::optional<double> value;         // percent; nullopt = no data
  std::optional<stats::Interval> ci;   // 95%
  double moe = 0;                      // larger distance from value to an end of the (clipped) interval
  std::int64_t needed_for_3pt = 0;     // respondents for a ±3-point interval
};

struct Cell {
  std::string code;   // option id, kiosk id or YYYY-MM; "" = not answered
  Estimate est;
  bool unreliable = false;
};
struct Breakdown {
  std::string by;     // township, age, gender, kiosk, month
  std::vector<Cell> cells;
};
struct ItemRow {
  std::string item;
  std::int64_t n = 0;
  double pct = 0;         // knowledge: share correct; satisfaction: share satisfied
  double mean_score = 0;  // satisfaction: 0..100
  std::int64_t dont_know = 0;  // satisfaction: 不了解/说不清 answers, not in n, pct or mean
};
struct ModeRow {
  std::string mode;
  std::int64_t trips = 0;
  double pct = 0;
};
struct Weighted {
  Estimate est;
  double deff = 1, n_eff = 0;
  int iterations = 0;
  bool converged = false;
  std::int64_t unweighted_cells = 0;  // population cells with no respondents, left out
  std::int64_t pooled_cells = 0;      // cells with 0-2 respondents pooled before raking
};
// Left out of the figure. straight_lining counts straight-lined responses left out for
// another reason (too fast, duplicate): straight-lining alone excludes nobody.
struct Excluded {
  std::int64_t too_fast = 0, straight_lining = 0, duplicate = 0;
  std::int64_t total = 0;  // responses with any reason (a response may have several)
};

struct IndicatorResult {
  int no = 0;
  std::string questionnaire;
  ScoringMethod method = ScoringMethod::none;
  double target = 0;
  Estimate est;
  std::optional<bool> met, met_with_confidence;
  std::int64_t considered = 0;  // responses matching the filters, before exclusions
  Excluded excluded;            // counted even when --include-flagged keeps them
  bool flagged_included = false;
  std::int64_t minors_left_out = 0;  // with exclude_minors: respondents under 18 not counted
  std::int64_t straight_lining_flagged = 0;  // kept in the figure unless excluded otherwise
  Estimate without_straight_lining;         // sensitivity: the figure without them
  std::optional<double> share_at_least_60;  // 39
  std::optional<double> mean_score;         // 40: 0..100
  std::int64_t no_overall_opinion = 0;      // 40: overall rating 说不清, not in n (kept, not excluded)
  std::int64_t trips = 0, green_trips = 0;  // 35
  std::vector<ItemRow> items;               // worst first
  std::vector<ModeRow> modes;               // largest first
  std::vector<Breakdown> breakdowns;
  std::optional<Weighted> weighted;
  std::string status() const;  // met_with_confidence, met, not_met, no_data
};

struct IndicatorReport {
  IndicatorOptions options;
  std::vector<IndicatorResult> indicators;  // 35, 39, 40 (those with a questionnaire)
  TimeMs generated_at = 0;
  std::string population_source;
};

// Works out and stores the metrics of responses saved without them (older databases,
// saves without a questionnaire); those whose questionnaire is unknown are left.
std::int64_t backfill_metrics(ResponseQueries& store, const QuestionnaireSet& set);

// From the store's counted cells when it keeps them for this filter and clock
// (ResponseQueries::counts_cells: the center, and the kiosk's store since its schema 11),
// else from its metrics rows.
IndicatorReport compute_indicators(ResponseQueries& store, const QuestionnaireSet& set, const IndicatorOptions& opt);
// One respondent at a time over each_metrics.
IndicatorReport compute_indicators_from_rows(ResponseQueries& store, const QuestionnaireSet& set,
                                             const IndicatorOptions& opt);
// The same figures from the store's MetricsCells (respondents who cannot be told apart,
// counted by the engine). Slower than the rows where the cells must be counted at query
// time (an idle machine, 1,000,000 responses: SQLite 1.8 s against 1.2 s, PostgreSQL
// grouping at query time 10.3 s against 8.2 s); the center counts them as batches
// arrive (schema 6, metrics_cells), the kiosk's store as it saves (schema 11,
// store_cells.hpp). test_indicator_cells.cpp, test_store_cells.cpp and central_cells
// hold it to the rows' JSON.
IndicatorReport compute_indicators_from_cells(ResponseQueries& store, const QuestionnaireSet& set,
                                              const IndicatorOptions& opt);

// Raking weights (mean 1) of the responses of one questionnaire that the options let
// through, by response row id; empty without population margins. The same weights the
// weighted estimates use, for the .sav/.dta exports' weight column.
std::map<std::int64_t, double> raking_weights(ResponseQueries& store, const QuestionnaireSet& set, const std::string& questionnaire,
                                              const IndicatorOptions& opt);

// The stable JSON contract (README "indicators --format json").
nlohmann::json indicators_json(const IndicatorReport& r);
// A readable table in the given language.
std::string indicators_text(const IndicatorReport& r, const QuestionnaireSet& set, const Strings& s,
                            const std::string& lang);

// "YYYY-MM" of a UTC time shifted by the offset.
std::string month_of(TimeMs t, int utc_offset_minutes);

}  // namespace eco
