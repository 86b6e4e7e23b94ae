#include "core/analysis/alert_rule.hpp"

#include <nlohmann/json.hpp>

namespace eco {

std::optional<AlertFinding> below_with_confidence(const IndicatorResult& r, std::int64_t min_n) {
  if (!r.est.value || !r.est.ci || r.est.n < 1 || r.est.n < min_n) return std::nullopt;
  if (!(r.est.ci->hi < r.target)) return std::nullopt;
  AlertFinding f;
  f.no = r.no;
  f.questionnaire = r.questionnaire;
  f.target = r.target;
  f.n = r.est.n;
  f.value = *r.est.value;
  f.lo = r.est.ci->lo;
  f.hi = r.est.ci->hi;
  f.items = r.items;
  return f;
}

std::vector<AlertFinding> findings(const IndicatorReport& r, std::int64_t min_n) {
  std::vector<AlertFinding> out;
  for (const auto& i : r.indicators)
    if (auto f = below_with_confidence(i, min_n)) out.push_back(std::move(*f));
  return out;
}

std::string items_json(const std::vector<ItemRow>& items, const Questionnaire* q) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& i : items) {
    nlohmann::json j = {{"item", i.item}, {"n", i.n}, {"pct", i.pct}};
    if (const Question* qq = q ? q->find(i.item) : nullptr) {
      j["zh"] = qq->text.get("zh");
      j["en"] = qq->text.get("en");
    }
    a.push_back(std::move(j));
  }
  return a.dump();
}

}  // namespace eco
