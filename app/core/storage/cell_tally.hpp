// Metrics rows summed into cells (MetricsCell, response_queries.hpp) in memory: the one
// place a row's cells are worked out (its day on the clock, "fast", the four groupings,
// which item outcomes count). The kiosk's counted cells sum with it as metrics are saved
// and when an older file is filled (store_cells.hpp, on reader threads too), and the
// indicators count the rows with it where those cells do not answer (metrics_cells.cpp),
// so the two cannot drift apart.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/storage/response_queries.hpp"

namespace eco {

class CellTally {
 public:
  // by_version: a cell's questionnaire versions kept apart (the stored cells answer a
  // version filter), else added together.
  CellTally(const CellQuery& clock, bool by_version);
  const CellQuery& clock() const { return clock_; }

  // One metrics row's cells (label ids as stored); response and correct are not used.
  void add(const MetricsRow& m);
  bool empty() const { return cells_.empty() && item_counts_.empty(); }
  // Forgets the summed cells.
  void clear();
  // Every summed cell once (n > 0), with its version (0 when not by version), in no
  // particular order. The cell's questionnaire views a string this tally keeps.
  void each(const std::function<void(const MetricsCell&, int version)>& fn) const;

 private:
  // What a respondent's cells share in every grouping (questionnaire, version, whether
  // they count, age) and their values: a few thousand distinct ones among a million
  // rows, each given a small id once. The groupings' keys are then a few words built
  // from that id, cheaper to hash and compare than every column.
  struct Values {
    int questionnaire, version, flags, drawn;
    bool fast, satisfied;
    std::int64_t age, trips, green;
    double score;
    bool operator==(const Values& o) const;
  };
  struct ValuesHash {
    std::size_t operator()(const Values& v) const;
  };
  struct Key {  // (grouping << 32 | values id, township/kiosk/day, gender)
    std::uint64_t a;
    std::int64_t b, c;
    bool operator==(const Key& o) const { return a == o.a && b == o.b && c == o.c; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  int questionnaire_index(std::string_view q);
  std::size_t item_slot(std::int64_t item);

  CellQuery clock_;
  bool by_version_;
  std::deque<std::string> questionnaires_;  // a deque: cells view its strings, which never move
  int last_qi_ = -1;
  std::unordered_map<Values, std::uint32_t, ValuesHash> value_ids_;
  std::vector<Values> values_;
  std::vector<std::uint32_t> base_of_;  // values id -> the id of its values without the respondent's own
  std::unordered_map<Values, std::uint32_t, ValuesHash> base_ids_;
  std::vector<Values> bases_;
  std::unordered_map<Key, std::int64_t, KeyHash> cells_;
  // Item outcomes by (base id, item): a row of 256 counts each (the outcome is a byte).
  // Items (label ids) get small slots, kept across clear(): they are the same labels.
  std::vector<std::int32_t> item_slots_;  // label id -> slot + 1, 0 unseen (small ids)
  std::unordered_map<std::int64_t, std::int32_t> far_item_slots_;  // larger label ids
  std::vector<std::int64_t> items_;      // slot -> label id
  std::vector<std::vector<std::int32_t>> item_row_;  // [base id][slot] -> row + 1, 0 none
  std::vector<std::array<std::int64_t, 256>> item_counts_;
  std::vector<std::pair<std::uint32_t, std::size_t>> item_of_row_;  // row -> base id, slot
};

}  // namespace eco
