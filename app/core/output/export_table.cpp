// The wide table behind CSV and xlsx: one row per response, one column per question
// (multiple choice: one 0/1 column per option; count matrices: one per row).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>

#include "core/output/export.hpp"
#include "core/support/time_append.hpp"
#include "core/survey/scoring.hpp"

namespace eco {

namespace {
ExportColumn meta(const char* code, const char* zh, const char* en) {
  return {ExportColumn::Kind::meta, code, "", code, zh, en};
}

void question_columns(const Question& qu, std::vector<ExportColumn>& out) {
  const std::string& zh = qu.text.get("zh");
  const std::string& en = qu.text.get("en");
  switch (qu.type) {
    case QuestionType::single:
    case QuestionType::rating: out.push_back({ExportColumn::Kind::choice, qu.id, qu.id, "", zh, en}); break;
    case QuestionType::multiple:
      for (const auto& o : qu.options)
        out.push_back({ExportColumn::Kind::option_flag, qu.id + "__" + o.id, qu.id, o.id, zh + " | " + o.text.get("zh"),
                       en + " | " + o.text.get("en")});
      break;
    case QuestionType::count_matrix:
      for (const auto& r : qu.rows)
        out.push_back({ExportColumn::Kind::count_row, qu.id + "__" + r.id, qu.id, r.id, zh + " | " + r.text.get("zh"),
                       en + " | " + r.text.get("en")});
      break;
    case QuestionType::integer: out.push_back({ExportColumn::Kind::integer, qu.id, qu.id, "", zh, en}); break;
    case QuestionType::text: out.push_back({ExportColumn::Kind::text, qu.id, qu.id, "", zh, en}); break;
  }
}
}  // namespace

std::vector<ExportColumn> export_columns(const Questionnaire& q) {
  std::vector<ExportColumn> cols = {
      meta("response_id", "问卷编号", "Response id"),      meta("questionnaire", "问卷", "Questionnaire"),
      meta("version", "版本", "Version"),                 meta("kiosk", "终端", "Kiosk"),
      meta("lang", "语言", "Language"),                   meta("started_at", "开始时间", "Started"),
      meta("completed_at", "完成时间", "Completed"),      meta("duration_s", "用时(秒)", "Duration (s)"),
      meta("flagged", "可疑(1=是)", "Flagged (1 = yes)"),
  };
  if (q.scoring.method == ScoringMethod::knowledge) {
    cols.push_back({ExportColumn::Kind::score, "quiz_correct", "", "correct", "答对题数", "Items correct"});
    cols.push_back({ExportColumn::Kind::score, "quiz_drawn", "", "drawn", "抽到题数", "Items drawn"});
    cols.push_back({ExportColumn::Kind::score, "quiz_pct", "", "pct", "得分(%)", "Score (%)"});
  }
  // Bank items (all of them: each response has the drawn ones filled in, the rest
  // blank) stand where the session asks them, before questions[bank->position].
  auto bank_items = [&] {
    for (const auto& item : q.bank->items) question_columns(item, cols);
  };
  for (std::size_t i = 0; i < q.questions.size(); ++i) {
    if (q.bank && i == q.bank->position) bank_items();
    question_columns(q.questions[i], cols);
  }
  if (q.bank && q.bank->position >= q.questions.size()) bank_items();
  return cols;
}

void export_row(const Questionnaire& q, const std::vector<ExportColumn>& cols, const Response& r, bool flagged,
                int utc_offset_minutes, std::vector<std::string>& cells) {
  // Cells are cleared, not replaced: a reused row keeps its strings' buffers, so a
  // million-row export does not allocate a UUID and two times for every response.
  cells.resize(cols.size());
  for (auto& c : cells) c.clear();
  QuizScore score;
  if (q.scoring.method == ScoringMethod::knowledge) score = quiz_score(q, r);
  // District time without the zone letter, as Excel reads "2019-06-21 11:30:00".
  auto local = [&](TimeMs t, std::string& out) { append_local_text(out, t, utc_offset_minutes); };
  // Numbers by std::to_chars into the cell's kept buffer (std::to_string made a string a cell).
  auto number = [](std::int64_t v, std::string& out) {
    char b[24];
    out.append(b, std::to_chars(b, b + sizeof b, v).ptr);
  };
  // Columns and answers come in the order asked, and a multiple-choice or count
  // question has a run of columns: the search starts where the last one matched
  // (Response::find from the front made each row cost columns x answers comparisons).
  // A question answered twice (only a damaged or hand-made file) falls back to
  // Response::find, whose first match the straightforward export always used.
  const auto& as = r.answers;
  thread_local std::vector<std::string_view> asked;
  asked.clear();
  for (const auto& a : as) asked.push_back(a.first);
  std::sort(asked.begin(), asked.end());
  bool twice = std::adjacent_find(asked.begin(), asked.end()) != asked.end();
  const std::string* last_question = nullptr;
  const Answer* last_answer = nullptr;
  std::size_t cursor = 0;
  auto find = [&](const std::string& qid) -> const Answer* {
    if (twice) return r.find(qid);
    if (last_question && *last_question == qid) return last_answer;
    const Answer* found = nullptr;
    for (std::size_t k = 0; k < as.size() && !found; ++k) {
      std::size_t at = (cursor + k) % as.size();
      if (as[at].first == qid) {
        found = &as[at].second;
        cursor = at + 1;
      }
    }
    last_question = &qid;
    last_answer = found;
    return found;
  };
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const ExportColumn& c = cols[i];
    std::string& out = cells[i];
    if (c.kind == ExportColumn::Kind::meta) {
      if (c.item == "response_id") out = r.id;
      else if (c.item == "questionnaire") out = r.questionnaire;
      else if (c.item == "version") number(r.version, out);
      else if (c.item == "kiosk") out = r.kiosk;
      else if (c.item == "lang") out = r.lang;
      else if (c.item == "started_at") local(r.started_at, out);
      else if (c.item == "completed_at") local(r.completed_at, out);
      else if (c.item == "duration_s") number((r.completed_at - r.started_at) / 1000, out);
      else if (c.item == "flagged") out = flagged ? "1" : "0";
      continue;
    }
    if (c.kind == ExportColumn::Kind::score) {
      if (c.item == "correct") number(score.correct, out);
      else if (c.item == "drawn") number(score.drawn, out);
      else if (score.drawn) {
        char b[16];
        std::snprintf(b, sizeof b, "%.1f", 100.0 * score.correct / score.drawn);
        out = b;
      }
      continue;
    }
    const Answer* a = find(c.question);
    if (!a) continue;  // not shown, skipped, or not drawn: blank
    switch (c.kind) {
      case ExportColumn::Kind::choice:
        if (auto* ch = std::get_if<Choice>(a)) out = ch->option;
        break;
      case ExportColumn::Kind::option_flag: {
        bool on = false;
        if (auto* s = std::get_if<ChoiceSet>(a))
          for (const auto& o : s->options) on = on || o == c.item;
        if (auto* ch = std::get_if<Choice>(a)) on = ch->option == c.item;
        out = on ? "1" : "0";
        break;
      }
      case ExportColumn::Kind::count_row:
        if (auto* cn = std::get_if<Counts>(a)) {
          out = "0";
          for (const auto& [row, n] : cn->rows)
            if (row == c.item) {
              out.clear();
              number(n, out);
            }
        }
        break;
      case ExportColumn::Kind::integer:
        if (auto* v = std::get_if<std::int64_t>(a)) number(*v, out);
        break;
      case ExportColumn::Kind::text:
        if (auto* t = std::get_if<Text>(a)) out = t->value;
        break;
      default: break;
    }
  }
}

IndicatorOptions indicator_options(const ExportOptions& o) {
  IndicatorOptions io;
  io.filter = o.filter;
  io.include_flagged = o.include_flagged;
  io.min_seconds_per_question = o.min_seconds_per_question;
  io.utc_offset_minutes = o.utc_offset_minutes;
  io.population = o.population;
  io.targets = o.targets;
  return io;
}

// Straight-lining (flag 1) alone is not a reason to leave a response out, as in the
// indicators; duplicates (flag 2) and too fast are.
std::vector<char> flagged_rows(ResponseQueries& store, double min_seconds_per_question) {
  std::vector<char> out;
  for (std::int64_t rid : store.excluded_responses(min_seconds_per_question)) {
    auto id = static_cast<std::size_t>(rid);
    if (id >= out.size()) out.resize(id + 1, 0);
    out[id] = 1;
  }
  return out;
}

}  // namespace eco
