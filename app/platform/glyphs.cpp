#include "platform/glyphs.hpp"

namespace eco::ui {

std::string glyph_text(const QuestionnaireSet& set, const Strings& strings, const Config& cfg) {
  std::string all;
  auto add = [&](const LocalizedText& t) {
    for (const auto& [l, s] : t.by_lang) all += s;
  };
  for (const auto& q : set.list) {
    add(q.title);
    add(q.intro);
    auto add_q = [&](const Question& qq) {
      add(qq.text); add(qq.hint); add(qq.unit); add(qq.explanation);
      for (const auto& o : qq.options) add(o.text);
      for (const auto& o : qq.rows) add(o.text);
    };
    for (const auto& qq : q.questions) add_q(qq);
    if (q.bank)
      for (const auto& qq : q.bank->items) add_q(qq);
  }
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang)) all += strings.get(lang, k);
  for (const auto& [l, s] : cfg.district_title) all += s;
  for (const auto& [l, s] : cfg.hall_name) all += s;
  all += "0123456789";
  return all;
}

std::string welcome_glyphs(const QuestionnaireSet& set, const Strings& strings, const Config& cfg) {
  std::string all = "0123456789";
  for (const auto& q : set.list) {
    for (const auto& [l, t] : q.title.by_lang) all += t;
    for (const auto& [l, t] : q.intro.by_lang) all += t;
  }
  for (const auto& lang : strings.languages())
    for (const auto& k : strings.keys(lang))
      if (k.rfind("welcome.", 0) == 0 || k.rfind("lang.", 0) == 0) all += strings.get(lang, k);
  for (const auto& [l, t] : cfg.district_title) all += t;
  for (const auto& [l, t] : cfg.hall_name) all += t;
  return all;
}

std::string console_glyphs(const Catalog& c) {
  std::string all;
  for (const auto& d : c.domains) all += d;
  auto add = [&](const IndicatorDef& i) {
    all += i.name + i.target + i.binding + i.unit;
    for (const auto& l : i.lead) all += l;
    for (const auto& s : i.rule.states) all += s;
    for (const auto& t : i.tasks) all += t.key_task + t.task + t.responsible + t.cooperating;
  };
  for (const auto& i : c.indicators) {
    add(i);
    for (const auto& s : i.sub) add(s);
  }
  return all;
}

}  // namespace eco::ui
