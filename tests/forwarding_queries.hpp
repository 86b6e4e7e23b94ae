// A ResponseQueries that passes every query to another one (a kiosk's Store, the
// center's CentralQueries): tests derive from it and override the few they watch or
// disturb (a failing read, a second writer, a count). Every forwarded query first calls
// before_query(), so a test can act at any read without overriding them all.
#pragma once
#include "core/storage/response_queries.hpp"

namespace test {

class ForwardingQueries : public eco::ResponseQueries {
 public:
  explicit ForwardingQueries(eco::ResponseQueries& s) : s_(s) {}
  using eco::ResponseQueries::count;
  std::int64_t count(const eco::ResponseFilter& f) override {
    before_query();
    return s_.count(f);
  }
  std::int64_t abandoned_count(const std::string& q) override {
    before_query();
    return s_.abandoned_count(q);
  }
  bool contains(const std::string& u) override {
    before_query();
    return s_.contains(u);
  }
  void each_with_id(const eco::ResponseFilter& f,
                    const eco::ResponseRowFn& fn) override {
    before_query();
    s_.each_with_id(f, fn);
  }
  std::vector<eco::StoredDefinition> definitions() override {
    before_query();
    return s_.definitions();
  }
  std::int64_t fill_missing_metrics(const eco::MetricsFn& m) override {
    before_query();
    return s_.fill_missing_metrics(m);
  }
  void each_metrics(const eco::ResponseFilter& f, const std::function<void(const eco::MetricsRow&)>& fn) override {
    before_query();
    s_.each_metrics(f, fn);
  }
  void each_metrics_cell(const eco::ResponseFilter& f, const eco::CellQuery& q,
                         const std::function<void(const eco::MetricsCell&)>& fn) override {
    before_query();
    s_.each_metrics_cell(f, q, fn);
  }
  bool counts_cells(const eco::ResponseFilter& f, const eco::CellQuery& q) override {
    before_query();
    return s_.counts_cells(f, q);
  }
  std::vector<std::int64_t> excluded_responses(double m) override {
    before_query();
    return s_.excluded_responses(m);
  }
  std::optional<eco::TimeSpan> completed_span(const eco::ResponseFilter& f) override {
    before_query();
    return s_.completed_span(f);
  }
  // Labels were numbered by the queries that gave them: a lookup, not a read.
  const std::string& label_text(std::int64_t id) override { return s_.label_text(id); }
  std::vector<eco::DayCountRow> responses_per_day(const eco::ResponseFilter& f, int o) override {
    before_query();
    return s_.responses_per_day(f, o);
  }
  std::vector<eco::QuestionnaireCount> flagged_per_questionnaire(const eco::ResponseFilter& f) override {
    before_query();
    return s_.flagged_per_questionnaire(f);
  }
  std::vector<eco::AbandonedAtRow> abandoned_at(const eco::ResponseFilter& f) override {
    before_query();
    return s_.abandoned_at(f);
  }
  std::vector<eco::AnswerCountRow> answer_counts(const eco::ResponseFilter& f) override {
    before_query();
    return s_.answer_counts(f);
  }
  void set_cancel(const std::atomic<bool>* flag) override { s_.set_cancel(flag); }
  void read_consistently(const std::function<void()>& body) override { s_.read_consistently(body); }

 protected:
  // Called before each forwarded query reaches s_ (not set_cancel, read_consistently or
  // label_text); nothing by default.
  virtual void before_query() {}
  eco::ResponseQueries& s_;
};

}  // namespace test
