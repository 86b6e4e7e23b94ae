#include "core/survey/session.hpp"

#include <algorithm>
#include <map>

namespace eco {

bool stays_last(const Option& o) {
  return o.exclusive || o.dont_know || o.id == "other";
}

std::uint64_t Rng::next() {
  std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<const Question*> draw_items(const Bank& bank, Rng& rng) {
  // Group by topic in bank order, shuffle inside each topic and the topic order,
  // then take one per topic in turn: every topic is asked before any is asked twice.
  std::vector<std::string> topics;
  std::map<std::string, std::vector<const Question*>> by_topic;
  for (const auto& item : bank.items) {
    auto& group = by_topic[item.topic];
    if (group.empty()) topics.push_back(item.topic);
    group.push_back(&item);
  }
  rng.shuffle(topics);
  for (auto& t : topics) rng.shuffle(by_topic[t]);
  std::vector<const Question*> out;
  std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(bank.draw), bank.items.size());
  for (std::size_t round = 0; out.size() < want; ++round)
    for (const auto& t : topics)
      if (round < by_topic[t].size() && out.size() < want) out.push_back(by_topic[t][round]);
  rng.shuffle(out);
  return out;
}

Session::Session(const Questionnaire& q, SessionOptions opts)
    : q_(&q), opts_(std::move(opts)), started_(opts_.clock()) {
  Rng rng(opts_.seed);
  std::vector<const Question*> drawn;
  if (q.bank) drawn = draw_items(*q.bank, rng);
  for (std::size_t i = 0; i <= q.questions.size(); ++i) {
    if (q.bank && i == q.bank->position)
      for (auto* d : drawn) {
        seq_.push_back(d);
        drawn_.push_back(d->id);
      }
    if (i < q.questions.size()) seq_.push_back(&q.questions[i]);
  }
  option_order_.resize(seq_.size());
  for (std::size_t i = 0; i < seq_.size(); ++i) {
    const Question& qq = *seq_[i];
    std::vector<int> order, tail;
    for (int k = 0; k < static_cast<int>(qq.options.size()); ++k)
      (stays_last(qq.options[k]) ? tail : order).push_back(k);  // 其他, 不知道, "none of these"
    if (qq.shuffle) rng.shuffle(order);
    order.insert(order.end(), tail.begin(), tail.end());
    option_order_[i] = std::move(order);
  }
  answers_.resize(seq_.size());
  visible_.assign(seq_.size(), 1);
  given_.assign(seq_.size(), 0);
  depends_on_.assign(seq_.size(), -1);
  for (std::size_t i = 0; i < seq_.size(); ++i) {
    if (!seq_[i]->show_if) continue;
    std::vector<std::string> ids;
    seq_[i]->show_if->collect_questions(ids);
    for (const auto& id : ids) {
      std::size_t k = index_of(id);
      if (k < seq_.size()) depends_on_[i] = std::max(depends_on_[i], static_cast<long>(k));
    }
  }
  reevaluate();
  pos_ = 0;
  while (pos_ < seq_.size() && !visible_[pos_]) ++pos_;
}

std::size_t Session::index_of(const std::string& qid) const {
  for (std::size_t i = 0; i < seq_.size(); ++i)
    if (seq_[i]->id == qid) return i;
  return seq_.size();
}

void Session::reevaluate() {
  // Conditions only read earlier questions (the loader refuses anything else), so one
  // forward pass settles everything; an answer to a question that became hidden is
  // dropped before anything later reads it.
  AnswerLookup lookup = [this](const std::string& id) -> const Answer* {
    std::size_t i = index_of(id);
    return i < seq_.size() && visible_[i] ? &answers_[i] : nullptr;
  };
  for (std::size_t i = 0; i < seq_.size(); ++i) {
    const auto& cond = seq_[i]->show_if;
    visible_[i] = asks(*seq_[i]) && (!cond || evaluate(*cond, lookup));
    if (!visible_[i]) {
      answers_[i] = std::monostate{};
      given_[i] = 0;
    } else if (seq_[i]->type == QuestionType::count_matrix && !answered(answers_[i])) {
      // The screen shows every row at 0, so an untouched matrix means "no trips":
      // Next confirms what the resident sees.
      Answer zero = Counts{};
      normalize_answer(*seq_[i], zero);
      answers_[i] = std::move(zero);
    }
  }
}

QuestionCount count_questions(const Questionnaire& q, bool ask_text) {
  QuestionCount c;
  auto add = [&](const Question& qq) {
    if (!ask_text && qq.type == QuestionType::text) return;
    ++c.most;
    if (!qq.show_if) ++c.least;
  };
  for (const auto& qq : q.questions) add(qq);
  if (q.bank) {
    // The draw is random, so bank items are counted as always shown.
    c.drawn = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(q.bank->draw, 0)), q.bank->items.size()));
    c.most += c.drawn;
    c.least += c.drawn;
  }
  return c;
}

const Question* Session::current() const { return at_end() ? nullptr : seq_[pos_]; }

Progress Session::progress() const {
  Progress p;
  for (std::size_t i = 0; i < seq_.size(); ++i) {
    if (visible_[i]) {
      ++p.total;
      if (i <= pos_) ++p.position;
    }
    // Later questions still count while their condition reads an answer that can change
    // on this screen or after it: the total only drops once an answer is behind.
    bool open = i > pos_ && asks(*seq_[i]) && depends_on_[i] >= static_cast<long>(pos_);
    if (i > pos_ && (visible_[i] || open)) ++p.expected;
  }
  p.expected += p.position;
  p.last = !at_end() && p.position == p.total;
  return p;
}

OptionOrder Session::options_in_order(const Question& q) const {
  std::size_t i = index_of(q.id);
  return OptionOrder(q, i == seq_.size() ? nullptr : &option_order_[i]);
}

AnswerCheck Session::answer(const Answer& a) {
  if (at_end()) return {AnswerStatus::wrong_type, 0, 0, "no current question"};
  Answer norm = a;
  normalize_answer(*seq_[pos_], norm);
  AnswerCheck check = check_answer(*seq_[pos_], norm);
  if (!check.ok()) return check;
  answers_[pos_] = std::move(norm);
  given_[pos_] = answered(answers_[pos_]);
  reevaluate();
  return check;
}

const Answer& Session::answer_of(const std::string& qid) const {
  static const Answer none;
  std::size_t i = index_of(qid);
  return i < seq_.size() ? answers_[i] : none;
}

AnswerCheck Session::next() {
  if (at_end()) return {};
  const Question& q = *seq_[pos_];
  const Answer& a = answers_[pos_];
  if (q.required && !answered(a)) return {AnswerStatus::required, q.min, q.max, q.id};
  if (q.type == QuestionType::multiple && answered(a)) {
    AnswerCheck c = check_answer(q, a);  // min/max are checked again: a partial set is kept
    if (!c.ok()) return c;
  }
  given_[pos_] = answered(a);  // a matrix left at 0 is confirmed as "none"
  do ++pos_; while (pos_ < seq_.size() && !visible_[pos_]);
  return {};
}

bool Session::back() {
  std::size_t p = pos_;
  while (p > 0) {
    --p;
    if (visible_[p]) { pos_ = p; return true; }
  }
  return false;
}

bool Session::visible(const std::string& qid) const {
  std::size_t i = index_of(qid);
  return i < seq_.size() && visible_[i];
}

std::size_t Session::answered_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < answers_.size(); ++i) n += answered(answers_[i]) && given_[i];
  return n;
}

Response Session::complete() const {
  Response r;
  r.id = id_;
  r.questionnaire = q_->id;
  r.version = q_->version;
  r.content_hash = q_->content_hash;
  r.kiosk = opts_.kiosk;
  r.lang = opts_.lang;
  r.started_at = started_;
  r.completed_at = opts_.clock();
  r.drawn = drawn_;
  for (std::size_t i = 0; i < seq_.size(); ++i) {
    if (!visible_[i]) continue;
    ++r.visible_questions;
    if (answered(answers_[i])) r.answers.emplace_back(seq_[i]->id, answers_[i]);
  }
  return r;
}

Abandoned Session::abandon() const {
  Abandoned a;
  a.id = id_;
  a.questionnaire = q_->id;
  a.version = q_->version;
  a.kiosk = opts_.kiosk;
  a.lang = opts_.lang;
  a.started_at = started_;
  a.abandoned_at = opts_.clock();
  a.last_question = at_end() ? std::string() : seq_[pos_]->id;
  a.position = progress().position;
  a.answered = static_cast<int>(answered_count());
  return a;
}

ChoiceSet toggle_option(const Question& q, const ChoiceSet* current, const std::string& tapped) {
  ChoiceSet next = current ? *current : ChoiceSet{};
  auto& opts = next.options;
  const Option* t = q.find_option(tapped);
  if (std::find(opts.begin(), opts.end(), tapped) != opts.end()) {
    opts.erase(std::remove(opts.begin(), opts.end(), tapped), opts.end());
  } else if (t && t->exclusive) {
    opts = {tapped};
  } else {
    opts.erase(std::remove_if(opts.begin(), opts.end(),
                              [&](const std::string& id) {
                                const Option* o = q.find_option(id);
                                return o && o->exclusive;
                              }),
               opts.end());
    opts.push_back(tapped);
  }
  return next;
}

Answer number_pad_key(const Answer& current, char key) {
  const auto* cur = std::get_if<std::int64_t>(&current);
  if (key == 'C') return std::monostate{};
  if (key == '<') return (cur && *cur >= 10) ? Answer(*cur / 10) : Answer(std::monostate{});
  if (key < '0' || key > '9') return current;
  std::int64_t base = cur ? *cur : 0;
  return std::min<std::int64_t>(base * 10 + (key - '0'), kNumberPadMax);
}

QuizReview review_quiz(const Questionnaire& q, const Response& r) {
  QuizReview out;
  out.score = quiz_score(q, r);
  for (const auto& id : r.drawn) {
    const Question* item = q.find(id);
    if (!item) continue;
    QuizReviewItem ri;
    ri.item = item;
    const Answer* a = r.find(id);
    ri.correct = a && knowledge_correct(*item, *a);
    if (a) {
      if (auto* c = std::get_if<Choice>(a)) ri.chosen = {c->option};
      else if (auto* s = std::get_if<ChoiceSet>(a)) ri.chosen = s->options;
    }
    out.items.push_back(std::move(ri));
  }
  return out;
}

}  // namespace eco
