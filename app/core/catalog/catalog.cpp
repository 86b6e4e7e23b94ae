#include "core/catalog/catalog.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/support/read_file.hpp"

namespace eco {

using json = nlohmann::json;

const IndicatorDef* Catalog::find(const std::string& id) const {
  for (const auto& i : indicators) {
    if (i.id == id) return &i;
    for (const auto& s : i.sub)
      if (s.id == id) return &s;
  }
  return nullptr;
}

const Task* Catalog::find_task(const std::string& id) const {
  for (const auto& i : indicators)
    for (const auto& t : i.tasks)
      if (t.id == id) return &t;
  return nullptr;
}

namespace {
// "区财政局、区商务委等" -> {"区财政局", "区商务委"}
void split_units(const std::string& s, std::set<std::string>& out) {
  std::string cur;
  auto ends = [&](const char* suffix) {
    std::size_t n = std::strlen(suffix);
    return cur.size() >= n && cur.compare(cur.size() - n, n, suffix) == 0;
  };
  auto flush = [&] {
    // "区林业局等部门" -> 区林业局; "区城市管理局(城市)" -> 区城市管理局
    if (auto paren = cur.find("("); paren != std::string::npos && ends(")")) cur.erase(paren);
    for (const char* tail : {"等部门", "等单位", "等"})
      if (ends(tail) && cur.size() > std::strlen(tail)) { cur.erase(cur.size() - std::strlen(tail)); break; }
    if (!cur.empty()) out.insert(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, "、") == 0 || s.compare(i, 3, ",") == 0) { flush(); i += 3; continue; }
    if (s[i] == ',') { flush(); ++i; continue; }
    cur += s[i++];
  }
  flush();
}
}  // namespace

std::vector<std::string> units_of(const std::string& text) {
  std::set<std::string> out;
  split_units(text, out);
  return {out.begin(), out.end()};
}

std::vector<std::string> Catalog::departments() const {
  std::set<std::string> all;
  for (const auto& i : indicators) {
    for (const auto& l : i.lead) split_units(l, all);
    for (const auto& t : i.tasks) {
      split_units(t.responsible, all);
      split_units(t.cooperating, all);
    }
  }
  return {all.begin(), all.end()};
}

namespace {

struct Parser {
  std::vector<std::string>& errors;
  std::string file;

  void fail(const std::string& where, const std::string& what) { errors.push_back(file + ": " + where + ": " + what); }

  std::string str(const json& j, const char* key, const std::string& where, bool required = true) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      if (required) fail(where, std::string("\"") + key + "\" must be a string");
      return "";
    }
    return it->get<std::string>();
  }

  Rule rule(const json& j, const std::string& where) {
    Rule r;
    if (!j.is_object()) { fail(where, "\"rule\" must be an object"); return r; }
    std::string kind = str(j, "kind", where + "/rule");
    if (kind == "at_least") {
      r.kind = Rule::Kind::at_least;
      if (!j.contains("value") || !j["value"].is_number()) fail(where + "/rule", "at_least needs a numeric \"value\"");
      else r.value = j["value"].get<double>();
    } else if (kind == "state") {
      r.kind = Rule::Kind::state;
      r.required = str(j, "required", where + "/rule");
      if (j.contains("states") && j["states"].is_array())
        for (const auto& s : j["states"])
          if (s.is_string()) r.states.push_back(s.get<std::string>());
      if (std::find(r.states.begin(), r.states.end(), r.required) == r.states.end())
        fail(where + "/rule", "\"states\" must include the required state \"" + r.required + "\"");
    } else if (kind == "judged") {
      r.kind = Rule::Kind::judged;
    } else if (!kind.empty()) {
      fail(where + "/rule/kind", "\"" + kind + "\" is not at_least, state or judged");
    }
    r.not_lower_than_previous = j.value("not_lower_than_previous", false);
    if (auto s = j.find("survey"); s != j.end() && s->is_string()) r.survey = s->get<std::string>();
    return r;
  }

  IndicatorDef indicator(const json& j, const std::string& where, int no) {
    IndicatorDef d;
    d.no = no;
    d.name = str(j, "name", where);
    d.unit = str(j, "unit", where, false);
    d.target = str(j, "target", where, false);
    if (auto l = j.find("lead"); l != j.end() && l->is_array())
      for (const auto& x : *l)
        if (x.is_string()) d.lead.push_back(x.get<std::string>());
    if (d.lead.empty()) fail(where, "\"lead\" must name at least one department");
    if (j.contains("sub")) {
      const json& subs = j["sub"];
      for (std::size_t k = 0; k < subs.size(); ++k) {
        IndicatorDef s = indicator(subs[k], where + "/sub/" + std::to_string(k), no);
        s.id = str(subs[k], "id", where + "/sub/" + std::to_string(k));
        s.domain = d.domain;
        d.sub.push_back(std::move(s));
      }
      d.rule.kind = Rule::Kind::all_sub;
    } else {
      if (d.target.empty()) fail(where, "\"target\" is missing");
      d.rule = rule(j.value("rule", json()), where);
    }
    return d;
  }
};

}  // namespace

CatalogLoad load_catalog(const std::string& path) {
  CatalogLoad out;
  std::string why;
  auto text = read_file(path, &why);
  if (!text) {
    out.errors.push_back(path + ": " + why);
    return out;
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("indicators") || !j["indicators"].is_array()) {
    out.errors.push_back(path + ": not a catalog (a JSON object with an \"indicators\" array)");
    return out;
  }
  Parser p{out.errors, path};
  Catalog c;
  c.source = p.str(j, "source", "", false);
  c.note = p.str(j, "note", "", false);
  if (j.contains("domains"))
    for (const auto& d : j["domains"])
      if (d.is_string()) c.domains.push_back(d.get<std::string>());
  std::set<std::string> task_ids;
  for (std::size_t k = 0; k < j["indicators"].size(); ++k) {
    const json& e = j["indicators"][k];
    std::string where = "/indicators/" + std::to_string(k);
    if (!e.is_object() || !e.contains("no") || !e["no"].is_number_integer()) {
      p.fail(where, "needs an integer \"no\"");
      continue;
    }
    int no = e["no"].get<int>();
    IndicatorDef d = p.indicator(e, where, no);
    d.id = std::to_string(no);
    d.domain = p.str(e, "domain", where);
    for (auto& s : d.sub) s.domain = d.domain;
    if (!c.domains.empty() && std::find(c.domains.begin(), c.domains.end(), d.domain) == c.domains.end())
      p.fail(where + "/domain", "\"" + d.domain + "\" is not one of the catalog's domains");
    if (auto b = e.find("binding"); b != e.end() && b->is_string()) d.binding = b->get<std::string>();
    d.hardest = e.value("hardest", false);
    d.tasks_shared_with = e.value("tasks_shared_with", 0);
    if (auto ts = e.find("tasks"); ts != e.end() && ts->is_array())
      for (std::size_t t = 0; t < ts->size(); ++t) {
        const json& tj = (*ts)[t];
        std::string tw = where + "/tasks/" + std::to_string(t);
        Task task{p.str(tj, "id", tw), p.str(tj, "key_task", tw), p.str(tj, "task", tw),
                  p.str(tj, "responsible", tw, false), p.str(tj, "cooperating", tw, false)};
        if (!task_ids.insert(task.id).second) p.fail(tw + "/id", "duplicate task id " + task.id);
        d.tasks.push_back(std::move(task));
      }
    if (c.find(d.id)) p.fail(where + "/no", "duplicate indicator " + d.id);
    c.indicators.push_back(std::move(d));
  }
  if (out.errors.empty()) out.catalog = std::move(c);
  return out;
}

const char* status_code(Status s) {
  switch (s) {
    case Status::met: return "met";
    case Status::not_met: return "not_met";
    case Status::to_judge: return "to_judge";
    case Status::no_data: return "no_data";
  }
  return "no_data";
}

Status evaluate(const Rule& r, const Observation* latest, const Observation* previous) {
  switch (r.kind) {
    case Rule::Kind::at_least: {
      if (!latest || !latest->value) return Status::no_data;
      double v = *latest->value;
      if (v < r.value - 1e-9) return Status::not_met;
      if (r.not_lower_than_previous) {
        if (!previous || !previous->value) return Status::to_judge;  // nothing to compare with
        if (v < *previous->value - 1e-9) return Status::not_met;
      }
      return Status::met;
    }
    case Rule::Kind::state:
      if (!latest || latest->state.empty()) return Status::no_data;
      return latest->state == r.required ? Status::met : Status::not_met;
    case Rule::Kind::judged:
      if (!latest || !latest->judged) return Status::to_judge;
      return *latest->judged ? Status::met : Status::not_met;
    case Rule::Kind::all_sub: return Status::no_data;  // evaluated from the subs by the caller
  }
  return Status::no_data;
}

std::string rule_text(const Rule& r, const std::string& unit, const std::string& lang) {
  bool zh = lang != "en";
  std::ostringstream o;
  auto num = [](double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  };
  switch (r.kind) {
    case Rule::Kind::at_least:
      if (zh) o << "不低于 " << num(r.value) << (unit == "%" ? "%" : unit.empty() ? "" : " " + unit);
      else o << "at least " << num(r.value) << (unit == "%" ? "%" : unit.empty() ? "" : " " + unit);
      if (r.not_lower_than_previous) o << (zh ? ",且不低于上一次的值" : ", and not lower than the previous value");
      if (!r.survey.empty()) o << (zh ? "(由问卷调查实时计算)" : " (computed live from the survey)");
      break;
    case Rule::Kind::state:
      o << (zh ? "状态须为“" + r.required + "”" : "state must be \"" + r.required + "\"");
      break;
    case Rule::Kind::judged:
      o << (zh ? "由人工对照市级要求判定,须附佐证说明" : "judged by a person against the city's requirement, with evidence");
      if (r.not_lower_than_previous) o << (zh ? ";且质量不下降" : "; and quality not lower than before");
      break;
    case Rule::Kind::all_sub: o << (zh ? "各分项指标均须达标" : "every sub-indicator must be met"); break;
  }
  return o.str();
}

}  // namespace eco
