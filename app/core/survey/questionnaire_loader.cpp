#include "core/survey/questionnaire_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "core/support/json_guard.hpp"
#include "core/support/ids.hpp"
#include "core/support/text.hpp"
#include "core/support/read_file.hpp"

namespace eco {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string LoadError::to_string() const {
  std::string s = file + ": ";
  if (!path.empty()) s += path + ": ";
  return s + message;
}

namespace {

constexpr int kMaxNesting = 64;  // bounds recursion on hostile files

// Collects errors while walking the document; every check names its JSON path.
struct Ctx {
  std::string file;
  std::vector<LoadError> errors;
  void err(const std::string& path, const std::string& msg) { errors.push_back({file, path, msg}); }
};

std::string join(const std::string& path, const std::string& key) { return path + "/" + key; }
std::string join(const std::string& path, std::size_t i) { return path + "/" + std::to_string(i); }

bool valid_id(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

int depth(const json& j, int d = 0) {
  if (d > kMaxNesting) return d;
  int best = d;
  if (j.is_structured())
    for (const auto& v : j) best = std::max(best, depth(v, d + 1));
  return best;
}

LocalizedText text_of(Ctx& c, const json& obj, const std::string& path, const char* key, bool required) {
  LocalizedText t;
  auto it = obj.find(key);
  std::string p = join(path, key);
  if (it == obj.end()) {
    if (required) c.err(p, "missing Chinese text (an object like {\"zh\": \"...\", \"en\": \"...\"})");
    return t;
  }
  if (!it->is_object()) {
    c.err(p, "must be an object of language -> text, e.g. {\"zh\": \"...\", \"en\": \"...\"}");
    return t;
  }
  for (const auto& [lang, v] : it->items()) {
    if (!v.is_string()) { c.err(join(p, lang), "must be a string"); continue; }
    const auto& s = v.get_ref<const std::string&>();
    if (!valid_utf8(s)) { c.err(join(p, lang), "is not valid UTF-8"); continue; }
    t.by_lang[lang] = s;
  }
  auto zh = t.by_lang.find("zh");
  if (zh == t.by_lang.end() || zh->second.empty()) c.err(join(p, "zh"), "missing Chinese text");
  return t;
}

std::string string_of(Ctx& c, const json& obj, const std::string& path, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) { c.err(join(path, key), "missing"); return {}; }
  if (!it->is_string()) { c.err(join(path, key), "must be a string"); return {}; }
  return it->get<std::string>();
}

std::string id_of(Ctx& c, const json& obj, const std::string& path) {
  std::string id = string_of(c, obj, path, "id");
  if (!id.empty() && !valid_id(id))
    c.err(join(path, "id"), "\"" + id + "\" is not a valid id (letters, digits, _ - . ; at most 64)");
  return id;
}

std::optional<std::int64_t> int_of(Ctx& c, const json& obj, const std::string& path, const char* key,
                                   std::int64_t lo, std::int64_t hi, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) c.err(join(path, key), "missing");
    return std::nullopt;
  }
  if (!it->is_number_integer()) { c.err(join(path, key), "must be a whole number"); return std::nullopt; }
  auto v = it->get<std::int64_t>();
  if (v < lo || v > hi) {
    c.err(join(path, key), std::to_string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return std::nullopt;
  }
  return v;
}

bool bool_of(Ctx& c, const json& obj, const std::string& path, const char* key, bool dflt) {
  auto it = obj.find(key);
  if (it == obj.end()) return dflt;
  if (!it->is_boolean()) { c.err(join(path, key), "must be true or false"); return dflt; }
  return it->get<bool>();
}

std::vector<Option> options_of(Ctx& c, const json& arr, const std::string& path, bool rating) {
  std::vector<Option> out;
  if (!arr.is_array() || arr.empty()) { c.err(path, "must be a non-empty array"); return out; }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string p = join(path, i);
    if (!arr[i].is_object()) { c.err(p, "must be an object"); continue; }
    Option o;
    o.id = id_of(c, arr[i], p);
    if (!o.id.empty() && !seen.insert(o.id).second) c.err(join(p, "id"), "duplicate option id \"" + o.id + "\"");
    o.text = text_of(c, arr[i], p, "text", true);
    o.exclusive = bool_of(c, arr[i], p, "exclusive", false);
    o.dont_know = bool_of(c, arr[i], p, "dont_know", false);
    // A rating's don't-know answer is off the scale: it has no value.
    if (rating && o.dont_know && arr[i].contains("value"))
      c.err(join(p, "value"), "a \"dont_know\" option is off the scale and has no value");
    if (rating && !o.dont_know) o.value = static_cast<int>(int_of(c, arr[i], p, "value", 1, 5, true).value_or(0));
    out.push_back(std::move(o));
  }
  return out;
}

const std::map<std::string, QuestionType> kTypes = {
    {"single", QuestionType::single},         {"multiple", QuestionType::multiple},
    {"rating", QuestionType::rating},         {"count_matrix", QuestionType::count_matrix},
    {"integer", QuestionType::integer},       {"text", QuestionType::text}};

// Parses a show_if tree; checks that it reads only questions in `earlier`.
struct Earlier {
  const std::vector<const Question*>& list;
  const Question* find(const std::string& id) const {
    for (auto* q : list)
      if (q->id == id) return q;
    return nullptr;
  }
};

std::optional<Condition> condition_of(Ctx& c, const json& j, const std::string& path, const Earlier& earlier,
                                      const std::set<std::string>& all_ids, int level = 0) {
  if (level > 16) { c.err(path, "condition nested too deeply"); return std::nullopt; }
  if (!j.is_object()) { c.err(path, "must be an object"); return std::nullopt; }
  Condition cond;
  for (const char* group : {"all", "any"}) {
    if (auto it = j.find(group); it != j.end()) {
      cond.kind = std::string(group) == "all" ? Condition::Kind::all : Condition::Kind::any;
      if (!it->is_array() || it->empty()) { c.err(join(path, group), "must be a non-empty array of conditions"); return std::nullopt; }
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto child = condition_of(c, (*it)[i], join(join(path, group), i), earlier, all_ids, level + 1);
        if (!child) return std::nullopt;
        cond.children.push_back(std::move(*child));
      }
      return cond;
    }
  }
  if (auto it = j.find("not"); it != j.end()) {
    cond.kind = Condition::Kind::not_;
    auto child = condition_of(c, *it, join(path, "not"), earlier, all_ids, level + 1);
    if (!child) return std::nullopt;
    cond.children.push_back(std::move(*child));
    return cond;
  }
  cond.question = string_of(c, j, path, "question");
  if (cond.question.empty()) return std::nullopt;
  const Question* target = earlier.find(cond.question);
  if (!target) {
    if (all_ids.count(cond.question))
      c.err(join(path, "question"), "\"" + cond.question +
                                        "\" is not an earlier question (a condition may only read answers "
                                        "given before it; this also refuses cycles)");
    else
      c.err(join(path, "question"), "unknown question \"" + cond.question + "\"");
    return std::nullopt;
  }
  if (auto it = j.find("row"); it != j.end()) {
    if (!it->is_string() || !target->find_row(it->get<std::string>())) {
      c.err(join(path, "row"), "not a row of count matrix \"" + target->id + "\"");
      return std::nullopt;
    }
    cond.row = it->get<std::string>();
  }
  auto check_option = [&](const json& v, const std::string& p) {
    if (!v.is_string()) { c.err(p, "must be an option id (string)"); return false; }
    if (!target->find_option(v.get<std::string>())) {
      c.err(p, "\"" + v.get<std::string>() + "\" is not an option of \"" + target->id + "\"");
      return false;
    }
    cond.values.push_back(v.get<std::string>());
    return true;
  };
  bool numeric_target = target->type == QuestionType::integer || target->type == QuestionType::count_matrix;
  static const std::map<std::string, Condition::Op> ops = {
      {"lt", Condition::Op::lt}, {"le", Condition::Op::le}, {"gt", Condition::Op::gt},
      {"ge", Condition::Op::ge}, {"ne", Condition::Op::ne}};
  if (auto it = j.find("equals"); it != j.end()) {
    cond.kind = Condition::Kind::equals;
    if (it->is_number_integer()) {
      if (!numeric_target) { c.err(join(path, "equals"), "a number can only be compared with an integer or count question"); return std::nullopt; }
      cond.number = it->get<std::int64_t>();
      cond.number_given = true;
    } else if (!check_option(*it, join(path, "equals"))) {
      return std::nullopt;
    }
    return cond;
  }
  if (auto it = j.find("any_of"); it != j.end()) {
    cond.kind = Condition::Kind::any_of;
    if (!it->is_array() || it->empty()) { c.err(join(path, "any_of"), "must be a non-empty array of option ids"); return std::nullopt; }
    for (std::size_t i = 0; i < it->size(); ++i)
      if (!check_option((*it)[i], join(join(path, "any_of"), i))) return std::nullopt;
    return cond;
  }
  for (const auto& [name, op] : ops) {
    if (auto it = j.find(name); it != j.end()) {
      if (!numeric_target) { c.err(join(path, name), "numeric comparison needs an integer or count-matrix question"); return std::nullopt; }
      if (!it->is_number_integer()) { c.err(join(path, name), "must be a whole number"); return std::nullopt; }
      cond.kind = Condition::Kind::compare;
      cond.op = op;
      cond.number = it->get<std::int64_t>();
      return cond;
    }
  }
  if (j.contains("answered")) { cond.kind = Condition::Kind::answered; return cond; }
  c.err(path, "needs one of equals, any_of, lt, le, gt, ge, ne, answered, all, any, not");
  return std::nullopt;
}

// A rating's five faces: its own options or a named scale, values 1..5 each once.
void rating_of(Ctx& c, const json& j, const std::string& path, const json& scales, Question& q) {
  if (j.contains("options")) {
    q.options = options_of(c, j["options"], join(path, "options"), true);
  } else if (auto s = j.find("scale"); s != j.end() && s->is_string()) {
    auto sc = scales.find(s->get<std::string>());
    if (sc == scales.end()) c.err(join(path, "scale"), "unknown scale \"" + s->get<std::string>() + "\"");
    else q.options = options_of(c, *sc, "/scales/" + s->get<std::string>(), true);
  } else {
    c.err(path, "a rating needs \"scale\" (a name from /scales) or its own \"options\"");
  }
  std::size_t scored = 0;
  std::set<int> values;
  for (const auto& o : q.options)
    if (!o.dont_know) { ++scored; values.insert(o.value); }
  if (!q.options.empty() && scored != 5)
    c.err(join(path, "options"), "a rating scale has exactly 5 options (plus at most one \"dont_know\")");
  if (scored == 5 && values.size() != 5) c.err(join(path, "options"), "rating values must be 1..5, each once");
}

// What the question's type asks for: options, a scale, rows, a range or a length.
void body_of(Ctx& c, const json& j, const std::string& path, const json& scales, Question& q) {
  switch (q.type) {
    case QuestionType::single:
    case QuestionType::multiple:
      if (j.contains("options")) q.options = options_of(c, j["options"], join(path, "options"), false);
      else c.err(join(path, "options"), "missing");
      break;
    case QuestionType::rating: rating_of(c, j, path, scales, q); break;
    case QuestionType::count_matrix:
      if (j.contains("rows")) q.rows = options_of(c, j["rows"], join(path, "rows"), false);
      else c.err(join(path, "rows"), "missing");
      q.max = int_of(c, j, path, "max", 1, 1000, true).value_or(1);
      q.unit = text_of(c, j, path, "unit", false);
      break;
    case QuestionType::integer:
      q.min = int_of(c, j, path, "min", -1000000000, 1000000000, true).value_or(0);
      q.max = int_of(c, j, path, "max", -1000000000, 1000000000, true).value_or(0);
      if (q.min > q.max) c.err(join(path, "max"), "max is below min");
      q.unit = text_of(c, j, path, "unit", false);
      break;
    case QuestionType::text:
      q.max_length = static_cast<int>(int_of(c, j, path, "max_length", 1, 500, false).value_or(200));
      if (q.required) c.err(join(path, "required"), "a text question cannot be required: residents have no keyboard");
      break;
  }
}

// Don't-know options, count rows and a multiple choice's min/max, checked together.
void option_rules(Ctx& c, const json& j, const std::string& path, Question& q) {
  // At most one don't-know option; in a multiple choice it cannot be combined with a
  // real answer, so it must be exclusive too.
  if (std::count_if(q.options.begin(), q.options.end(), [](const Option& o) { return o.dont_know; }) > 1)
    c.err(join(path, "options"), "at most one option can be \"dont_know\"");
  for (std::size_t i = 0; i < q.options.size(); ++i)
    if (q.options[i].dont_know && q.type == QuestionType::multiple && !q.options[i].exclusive)
      c.err(join(join(path, "options"), i), "a \"dont_know\" option of a multiple choice must also be \"exclusive\"");
  for (std::size_t i = 0; i < q.rows.size(); ++i)
    if (q.rows[i].dont_know) c.err(join(join(path, "rows"), i), "a count-matrix row cannot be \"dont_know\"");
  if (q.type == QuestionType::multiple) {
    q.min = int_of(c, j, path, "min", 0, 100, false).value_or(q.required ? 1 : 0);
    q.max = int_of(c, j, path, "max", 1, 100, false).value_or(static_cast<std::int64_t>(q.options.size()));
    if (q.max < q.min) c.err(join(path, "max"), "max is below min");
    if (!q.options.empty() && q.max > static_cast<std::int64_t>(q.options.size()))
      c.err(join(path, "max"), "max is more than the number of options");
  }
}

// A knowledge item of the bank: its topic, explanation and correct options.
void bank_item_of(Ctx& c, const json& j, const std::string& path, Question& q) {
  q.from_bank = true;
  if (q.type != QuestionType::single && q.type != QuestionType::multiple)
    c.err(join(path, "type"), "a knowledge item is single or multiple choice");
  q.topic = string_of(c, j, path, "topic");
  q.explanation = text_of(c, j, path, "explanation", true);
  auto it = j.find("correct");
  if (it == j.end() || !it->is_array() || it->empty()) {
    c.err(join(path, "correct"), "must be a non-empty array of option ids");
  } else {
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& v = (*it)[i];
      if (!v.is_string() || !q.find_option(v.get<std::string>()))
        c.err(join(join(path, "correct"), i), "not an option of this item");
      else if (q.find_option(v.get<std::string>())->dont_know)
        c.err(join(join(path, "correct"), i), "a \"dont_know\" option is never the correct answer");
      else
        q.correct.push_back(v.get<std::string>());
    }
    if (q.type == QuestionType::single && q.correct.size() != 1)
      c.err(join(path, "correct"), "a single-choice item has exactly one correct option");
  }
}

Question question_of(Ctx& c, const json& j, const std::string& path, const json& scales, bool bank_item) {
  Question q;
  q.id = id_of(c, j, path);
  std::string type = string_of(c, j, path, "type");
  auto t = kTypes.find(type);
  if (t == kTypes.end()) {
    if (!type.empty()) c.err(join(path, "type"), "unknown type \"" + type + "\" (single, multiple, rating, count_matrix, integer, text)");
  } else {
    q.type = t->second;
  }
  q.text = text_of(c, j, path, "text", true);
  q.hint = text_of(c, j, path, "hint", false);
  q.required = bool_of(c, j, path, "required", q.type != QuestionType::text);
  if (auto it = j.find("order"); it != j.end()) {
    if (*it == "shuffle") q.shuffle = true;
    else if (*it != "fixed") c.err(join(path, "order"), "must be \"fixed\" or \"shuffle\"");
  }
  body_of(c, j, path, scales, q);
  option_rules(c, j, path, q);
  if (bank_item) bank_item_of(c, j, path, q);
  return q;
}

// Replaces {"include": NAME} entries with the questions of blocks_dir/NAME.json.
json expand(Ctx& c, const json& doc, const std::string& blocks_dir) {
  json out = doc;
  if (!doc.contains("questions") || !doc["questions"].is_array()) return out;
  json list = json::array();
  const auto& qs = doc["questions"];
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const auto& e = qs[i];
    if (!e.is_object() || !e.contains("include")) { list.push_back(e); continue; }
    std::string p = join("/questions", i) + "/include";
    if (!e["include"].is_string() || !valid_id(e["include"].get<std::string>())) { c.err(p, "must be a block name"); continue; }
    std::string name = e["include"].get<std::string>();
    std::string bpath = (fs::path(blocks_dir) / (name + ".json")).string();
    std::string why;
    auto text = read_file(bpath, &why, kMaxQuestionnaireBytes);
    if (!text) { c.err(p, "block \"" + name + "\" not found (" + why + ")"); continue; }
    if (std::string lim = check_json_limits(*text, questionnaire_limits()); !lim.empty()) {
      c.err(p, "block file " + bpath + " refused before parsing: " + lim);
      continue;
    }
    json block = json::parse(*text, nullptr, false);
    if (block.is_discarded() || !block.is_object() || !block.contains("questions") || !block["questions"].is_array()) {
      c.err(p, "block file " + bpath + " is not an object with a \"questions\" array (run validate on it)");
      continue;
    }
    for (const auto& bq : block["questions"]) list.push_back(bq);
  }
  out["questions"] = std::move(list);
  return out;
}

std::vector<std::string> string_list(Ctx& c, const json& obj, const std::string& path, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (!it->is_array()) { c.err(join(path, key), "must be an array of strings"); return out; }
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) c.err(join(join(path, key), i), "must be a string");
    else out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

void scoring_of(Ctx& c, const json& doc, Questionnaire& q) {
  auto it = doc.find("scoring");
  if (it == doc.end()) return;
  const std::string p = "/scoring";
  if (!it->is_object()) { c.err(p, "must be an object"); return; }
  auto& s = q.scoring;
  std::string method = string_of(c, *it, p, "method");
  s.indicator = static_cast<int>(int_of(c, *it, p, "indicator", 1, 40, true).value_or(0));
  auto question = [&](const std::string& id, const std::string& where, QuestionType want) -> const Question* {
    const Question* f = q.find(id);
    if (!f) { c.err(where, "unknown question \"" + id + "\""); return nullptr; }
    if (f->type != want) { c.err(where, "\"" + id + "\" must be a " + type_name(want) + " question"); return nullptr; }
    return f;
  };
  if (method == "knowledge") {
    s.method = ScoringMethod::knowledge;
    if (!q.bank) c.err(p, "knowledge scoring needs a \"bank\" of items");
  } else if (method == "satisfaction") {
    s.method = ScoringMethod::satisfaction;
    s.overall = string_of(c, *it, p, "overall");
    const Question* overall = s.overall.empty() ? nullptr : question(s.overall, p + "/overall", QuestionType::rating);
    s.satisfied = string_list(c, *it, p, "satisfied");
    if (overall) {
      if (s.satisfied.empty())  // default: the two best points of the scale
        for (const auto& o : overall->options)
          if (o.value >= 4) s.satisfied.push_back(o.id);
      for (std::size_t i = 0; i < s.satisfied.size(); ++i) {
        const Option* o = overall->find_option(s.satisfied[i]);
        if (!o)
          c.err(join(p + "/satisfied", i), "\"" + s.satisfied[i] + "\" is not an option of \"" + s.overall + "\"");
        else if (o->dont_know)
          c.err(join(p + "/satisfied", i), "\"" + s.satisfied[i] + "\" is a don't-know answer, not a satisfied one");
      }
      for (const auto& o : overall->options)
        if (!o.dont_know) s.option_score[o.id] = (o.value - 1) * 25.0;
    }
    s.items = string_list(c, *it, p, "items");
    for (std::size_t i = 0; i < s.items.size(); ++i) question(s.items[i], join(p + "/items", i), QuestionType::rating);
  } else if (method == "green_travel") {
    s.method = ScoringMethod::green_travel;
    s.matrix = string_of(c, *it, p, "matrix");
    const Question* m = s.matrix.empty() ? nullptr : question(s.matrix, p + "/matrix", QuestionType::count_matrix);
    s.green = string_list(c, *it, p, "green");
    if (s.green.empty()) c.err(p + "/green", "name at least one green row");
    for (std::size_t i = 0; i < s.green.size(); ++i)
      if (m && !m->find_row(s.green[i]))
        c.err(join(p + "/green", i), "\"" + s.green[i] + "\" is not a row of \"" + s.matrix + "\"");
  } else if (!method.empty()) {
    c.err(p + "/method", "unknown method \"" + method + "\" (knowledge, satisfaction, green_travel)");
  }
}

}  // namespace

JsonLimits questionnaire_limits() {
  JsonLimits l;
  l.max_bytes = kMaxQuestionnaireBytes;
  l.max_depth = kMaxNesting;
  l.max_string = 64 * 1024;
  return l;
}

LoadResult load_questionnaire_text(const std::string& text, const std::string& file_name,
                                   const std::string& blocks_dir) {
  LoadResult r;
  Ctx c{file_name, {}};
  json doc;
  // Sizes are checked on the text first: parsing a hostile file costs far more memory
  // than its size (5 MB of "[" took 384 MB).
  if (std::string why = check_json_limits(text, questionnaire_limits()); !why.empty()) {
    c.err("", "refused before parsing: " + why);
    r.errors = std::move(c.errors);
    return r;
  }
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    auto lc = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    if (auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    c.err("", "invalid JSON at line " + std::to_string(lc.line) + ", column " + std::to_string(lc.column) + ": " + what);
    r.errors = std::move(c.errors);
    return r;
  } catch (const json::exception& e) {
    // Found by fuzzing: a number too large for a double (88e8888888) is out_of_range,
    // not a parse_error, and must be refused the same way.
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    c.err("", "invalid JSON: " + what);
    r.errors = std::move(c.errors);
    return r;
  }
  if (depth(doc) > kMaxNesting) {
    c.err("", "JSON nested deeper than " + std::to_string(kMaxNesting) + " levels");
    r.errors = std::move(c.errors);
    return r;
  }
  if (!doc.is_object()) {
    c.err("", "must be a JSON object");
    r.errors = std::move(c.errors);
    return r;
  }
  doc = expand(c, doc, blocks_dir);
  Questionnaire q;
  q.source_file = file_name;
  q.id = id_of(c, doc, "");
  q.version = static_cast<int>(int_of(c, doc, "", "version", 1, 1000000, true).value_or(0));
  q.title = text_of(c, doc, "", "title", true);
  q.intro = text_of(c, doc, "", "intro", false);
  q.minutes = static_cast<int>(int_of(c, doc, "", "minutes", 1, 120, true).value_or(0));
  json scales = doc.value("scales", json::object());
  if (!scales.is_object()) { c.err("/scales", "must be an object of name -> options"); scales = json::object(); }

  // Ids across fixed questions and bank items, for "unknown" vs "later" in conditions.
  std::set<std::string> all_ids;
  auto collect = [&](const json& arr) {
    if (arr.is_array())
      for (const auto& e : arr)
        if (e.is_object() && e.contains("id") && e["id"].is_string()) all_ids.insert(e["id"].get<std::string>());
  };
  collect(doc.value("questions", json::array()));
  if (doc.contains("bank") && doc["bank"].is_object()) collect(doc["bank"].value("items", json::array()));

  std::set<std::string> seen;
  std::vector<const Question*> earlier;
  std::vector<std::pair<std::string, const json*>> pending_conditions;
  auto it = doc.find("questions");
  bool bank_placed = false;
  std::size_t bank_position = 0;
  if (it == doc.end() || !it->is_array() || it->empty()) {
    c.err("/questions", "must be a non-empty array");
  } else {
    q.questions.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i) {
      std::string p = join("/questions", i);
      const json& e = (*it)[i];
      if (!e.is_object()) { c.err(p, "must be an object"); continue; }
      if (e.contains("bank")) {  // {"bank": true} marks where drawn items are asked
        if (bank_placed) c.err(p, "the bank may be placed only once");
        bank_placed = true;
        bank_position = q.questions.size();
        continue;
      }
      Question qq = question_of(c, e, p, scales, false);
      if (!qq.id.empty() && !seen.insert(qq.id).second) c.err(join(p, "id"), "duplicate question id \"" + qq.id + "\"");
      q.questions.push_back(std::move(qq));
      pending_conditions.push_back({p, &e});
    }
  }
  // Conditions are parsed once every question exists, against only those before it.
  std::vector<const Question*> before;
  for (std::size_t i = 0; i < q.questions.size(); ++i) {
    const auto& [p, e] = pending_conditions[i];
    if (auto s = e->find("show_if"); s != e->end()) {
      Earlier ear{before};
      q.questions[i].show_if = condition_of(c, *s, join(p, "show_if"), ear, all_ids);
    }
    before.push_back(&q.questions[i]);
  }

  if (auto b = doc.find("bank"); b != doc.end()) {
    Bank bank;
    if (!b->is_object()) {
      c.err("/bank", "must be an object");
    } else {
      bank.balance_by = b->value("balance_by", std::string("topic"));
      auto items = b->find("items");
      if (items == b->end() || !items->is_array() || items->empty()) {
        c.err("/bank/items", "must be a non-empty array");
      } else {
        for (std::size_t i = 0; i < items->size(); ++i) {
          std::string p = join("/bank/items", i);
          if (!(*items)[i].is_object()) { c.err(p, "must be an object"); continue; }
          Question qq = question_of(c, (*items)[i], p, scales, true);
          if (!qq.id.empty() && !seen.insert(qq.id).second) c.err(join(p, "id"), "duplicate question id \"" + qq.id + "\"");
          if ((*items)[i].contains("show_if")) c.err(join(p, "show_if"), "knowledge items are drawn at random and cannot have show_if");
          bank.items.push_back(std::move(qq));
        }
      }
      bank.draw = static_cast<int>(int_of(c, *b, "/bank", "draw", 1, 1000, true).value_or(0));
      if (bank.draw > static_cast<int>(bank.items.size()))
        c.err("/bank/draw", "draws more items than the bank holds");
    }
    bank.position = bank_placed ? bank_position : 0;
    q.bank = std::move(bank);
  } else if (bank_placed) {
    c.err("/questions", "{\"bank\": true} is used but there is no /bank");
  }
  scoring_of(c, doc, q);

  r.expanded_json = doc.dump();
  q.content_hash = sha256_hex(r.expanded_json);
  r.errors = std::move(c.errors);
  if (r.errors.empty()) r.questionnaire = std::move(q);
  return r;
}

LoadResult load_questionnaire_file(const std::string& path) {
  std::string why;
  auto text = read_file(path, &why, kMaxQuestionnaireBytes);
  if (!text) {
    LoadResult r;
    r.errors.push_back({path, "", why});
    return r;
  }
  return load_questionnaire_text(*text, path, (fs::path(path).parent_path() / "blocks").string());
}

const Questionnaire* QuestionnaireSet::find(const std::string& id) const {
  const Questionnaire* best = nullptr;
  for (const auto& q : list)
    if (q.id == id && (!best || q.version > best->version)) best = &q;
  return best;
}

const Questionnaire* QuestionnaireSet::find(const std::string& id, int version) const {
  for (const auto& q : list)
    if (q.id == id && q.version == version) return &q;
  return nullptr;
}

const std::string* QuestionnaireSet::expanded_json(const Questionnaire& q) const {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (&list[i] == &q) return &expanded[i];
  return nullptr;
}

void QuestionnaireSet::add(Questionnaire q, std::string expanded_json) {
  list.push_back(std::move(q));
  expanded.push_back(std::move(expanded_json));
}

QuestionnaireSet load_questionnaire_dir(const std::string& dir) {
  QuestionnaireSet set;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  if (ec) set.errors.push_back({dir, "", "cannot read folder: " + ec.message()});
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    LoadResult r = load_questionnaire_file(f);
    if (r.questionnaire) {
      if (set.find(r.questionnaire->id, r.questionnaire->version)) {
        set.errors.push_back({f, "/id", "questionnaire \"" + r.questionnaire->id + "\" version " +
                                            std::to_string(r.questionnaire->version) + " is defined twice"});
        continue;
      }
      set.add(std::move(*r.questionnaire), std::move(r.expanded_json));
    } else {
      set.errors.insert(set.errors.end(), r.errors.begin(), r.errors.end());
    }
  }
  return set;
}

}  // namespace eco
