#include "core/speech/script.hpp"

#include <algorithm>

#include "core/speech/normalize.hpp"
#include "core/survey/scoring.hpp"

namespace eco::speech {

namespace {

struct Builder {
  const std::string& lang;
  const Strings& strings;
  Script out;

  void say(const std::string& text) {
    std::string n = normalize_for_speech(text, lang);
    if (!n.empty()) out.push_back({std::move(n), lang});
  }
  std::string t(const char* key) const { return strings.get(lang, key); }
  std::string tf(const char* key, const std::map<std::string, std::string>& args) const {
    return Strings::format(t(key), args);
  }
};

std::string options_text(const Question& q, const std::vector<std::string>& ids, const std::string& lang) {
  std::string out;
  for (const auto& id : ids)
    if (const Option* o = q.find_option(id)) out += (out.empty() ? "" : "、") + o->text.get(lang);
  return out;
}

}  // namespace

Script question_script(const Question& q, const std::vector<const Option*>& options, const std::string& lang,
                       const Strings& strings) {
  Builder b{lang, strings, {}};
  b.say(q.text.get(lang));
  std::string sub = q.hint.get(lang);
  if (q.type == QuestionType::multiple)
    sub += (sub.empty() ? "" : " ") + b.tf(T("question.choose_up_to"), {{"min", std::to_string(std::max<std::int64_t>(q.min, 1))},
                                                                    {"max", std::to_string(q.max)}});
  if (!q.required && q.type != QuestionType::text) sub += (sub.empty() ? "" : " ") + b.t(T("question.optional"));
  b.say(sub);
  int n = 0;
  if (q.type == QuestionType::count_matrix) {
    for (const auto& row : q.rows) b.say(b.tf(T("speech.option"), {{"n", std::to_string(++n)}, {"text", row.text.get(lang)}}));
  } else if (q.type == QuestionType::text) {
    b.say(b.t(T("question.text_skip")));
  } else {
    for (const Option* o : options)
      b.say(b.tf(T("speech.option"), {{"n", std::to_string(++n)}, {"text", o->text.get(lang)}}));
  }
  return b.out;
}

Script question_script(const Question& q, const std::string& lang, const Strings& strings) {
  std::vector<const Option*> options;
  for (const auto& o : q.options) options.push_back(&o);
  return question_script(q, options, lang, strings);
}

Script finish_script(const Questionnaire* q, const Response* r, bool saved, const std::string& lang,
                     const Strings& strings) {
  Builder b{lang, strings, {}};
  b.say(b.t(T("finish.thanks")));
  b.say(b.t(saved ? T("finish.saved") : T("finish.save_pending")));
  if (!q || !r || q->scoring.method != ScoringMethod::knowledge) return b.out;
  QuizScore score = quiz_score(*q, *r);
  b.say(b.tf(T("finish.score"), {{"c", std::to_string(score.correct)}, {"n", std::to_string(score.drawn)}}));
  int n = 0;
  for (const auto& id : r->drawn) {
    const Question* item = q->find(id);
    if (!item) continue;
    const Answer* a = r->find(id);
    b.say(b.tf(T("speech.item"), {{"n", std::to_string(++n)}, {"text", item->text.get(lang)}}));
    if (a && knowledge_correct(*item, *a)) {
      b.say(b.t(T("finish.correct")) + " " + options_text(*item, item->correct, lang));
    } else {
      std::vector<std::string> chosen;
      if (a) {
        if (auto* c = std::get_if<Choice>(a)) chosen = {c->option};
        else if (auto* s = std::get_if<ChoiceSet>(a)) chosen = s->options;
      }
      b.say(b.tf(T("finish.wrong"), {{"answer", options_text(*item, item->correct, lang)}}));
      b.say(b.tf(T("finish.your_answer"), {{"answer", chosen.empty() ? b.t(T("finish.no_answer")) : options_text(*item, chosen, lang)}}));
    }
    b.say(item->explanation.get(lang));
  }
  return b.out;
}

Script welcome_script(const std::vector<const Questionnaire*>& offered, const std::string& lang,
                      const Strings& strings) {
  Builder b{lang, strings, {}};
  b.say(b.t(T("speech.auto_started")));
  b.say(b.t(T("welcome.choose")));
  int n = 0;
  for (const Questionnaire* q : offered)
    b.say(b.tf(T("speech.option"), {{"n", std::to_string(++n)}, {"text", q->title.get(lang)}}));
  return b.out;
}

std::string script_text(const Script& s) {
  std::string out;
  for (const auto& u : s) out += u.text + "\n";
  return out;
}

}  // namespace eco::speech
