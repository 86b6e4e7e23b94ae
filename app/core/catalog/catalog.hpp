// The indicator catalog (assets/indicators.json): the seed's 40 indicators with their
// targets as rules the app can evaluate, and every task of the work plan.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace eco {

// A 2019 target as something to check. Words for people come from rule_text.
struct Rule {
  enum class Kind { at_least, state, judged, all_sub };
  Kind kind = Kind::judged;
  double value = 0;                      // at_least
  bool not_lower_than_previous = false;  // "不降低" / "不下降": needs last year's value
  std::string required;                  // state: the state that meets the target
  std::vector<std::string> states;       // state: what may be recorded
  std::string survey;                    // questionnaire id: value comes from the store
};

struct Task {
  std::string id;  // "10.3"
  std::string key_task, task, responsible, cooperating;
};

struct IndicatorDef {
  std::string id;        // "14" or, for a sub-indicator, "14.1"
  int no = 0;
  std::string domain, name, unit;
  std::vector<std::string> lead;
  std::string target;    // exactly as written in the seed
  Rule rule;
  std::string binding;   // 约束性, 参考性, 国家参考性、市级约束性, or "" when the seed is silent
  bool hardest = false;  // ★
  std::vector<IndicatorDef> sub;
  std::vector<Task> tasks;
  int tasks_shared_with = 0;  // 39 shares 40's tasks
};

struct Catalog {
  std::string source, note;
  std::vector<std::string> domains;
  std::vector<IndicatorDef> indicators;

  const IndicatorDef* find(const std::string& id) const;  // "14" or "14.1"
  const Task* find_task(const std::string& id) const;
  // Every department named as lead, responsible or cooperating, sorted.
  std::vector<std::string> departments() const;
};

// The departments a lead, responsible or cooperating text names, as departments()
// spells them: "区林业局、区农业农村委" -> both; "区城市管理局(城市)" -> 区城市管理局.
std::vector<std::string> units_of(const std::string& text);

struct CatalogLoad {
  std::optional<Catalog> catalog;
  std::vector<std::string> errors;
};
CatalogLoad load_catalog(const std::string& path);

// Status of an indicator against its rule.
enum class Status { met, not_met, to_judge, no_data };
const char* status_code(Status s);  // "met", "not_met", "to_judge", "no_data"
inline constexpr Status kLastStatus = Status::no_data;  // tests walk every code (keep it last)

// What was recorded last (and before) for a rule to be judged against.
struct Observation {
  std::optional<double> value;
  std::string state;
  std::optional<bool> judged;  // a person's verdict for relative targets
};
// `previous` is the latest record before `latest`'s date, for "not lower" rules.
Status evaluate(const Rule& r, const Observation* latest, const Observation* previous);

// The rule in words, e.g. "at least 74.32, and not lower than the previous value".
std::string rule_text(const Rule& r, const std::string& unit, const std::string& lang);

}  // namespace eco
