#include "core/storage/cell_tally.hpp"

#include <cstring>

#include "core/support/hash_mix.hpp"

namespace eco {

namespace {
constexpr std::int64_t kSmallItems = 1 << 20;  // label ids below this get their slot from a vector
std::uint64_t word(std::int64_t x) { return static_cast<std::uint64_t>(x); }
}  // namespace

bool CellTally::Values::operator==(const Values& o) const {
  return questionnaire == o.questionnaire && version == o.version && flags == o.flags && drawn == o.drawn &&
         fast == o.fast && satisfied == o.satisfied && age == o.age && trips == o.trips && green == o.green &&
         std::memcmp(&score, &o.score, sizeof score) == 0;
}

std::size_t CellTally::ValuesHash::operator()(const Values& v) const {
  std::uint64_t sc = 0;
  std::memcpy(&sc, &v.score, sizeof sc);
  std::uint64_t h = hash_mix(word(v.questionnaire) | word(v.flags) << 8 | word(v.drawn) << 24 |
                             word(v.fast) << 56 | word(v.satisfied) << 57);
  h = hash_mix(h ^ word(v.age) ^ word(v.version) << 40);
  h = hash_mix(h ^ word(v.trips) ^ word(v.green) << 32);
  return static_cast<std::size_t>(hash_mix(h ^ sc));
}

std::size_t CellTally::KeyHash::operator()(const Key& k) const {
  return static_cast<std::size_t>(hash_mix(k.a ^ hash_mix(word(k.b) ^ hash_mix(word(k.c)))));
}

CellTally::CellTally(const CellQuery& clock, bool by_version) : clock_(clock), by_version_(by_version) {}

int CellTally::questionnaire_index(std::string_view q) {
  if (last_qi_ >= 0 && q == questionnaires_[static_cast<std::size_t>(last_qi_)]) return last_qi_;
  std::size_t i = 0;
  while (i < questionnaires_.size() && questionnaires_[i] != q) ++i;
  if (i == questionnaires_.size()) questionnaires_.emplace_back(q);
  last_qi_ = static_cast<int>(i);
  return last_qi_;
}

std::size_t CellTally::item_slot(std::int64_t item) {
  std::int32_t* slot = nullptr;
  if (item < kSmallItems) {
    auto id = static_cast<std::size_t>(item);
    if (id >= item_slots_.size()) item_slots_.resize(id + 1, 0);
    slot = &item_slots_[id];
  } else {
    slot = &far_item_slots_[item];
  }
  if (*slot == 0) {
    items_.push_back(item);
    *slot = static_cast<std::int32_t>(items_.size());
  }
  return static_cast<std::size_t>(*slot - 1);
}

void CellTally::add(const MetricsRow& m) {
  const std::int64_t local = m.completed_at + static_cast<std::int64_t>(clock_.utc_offset_minutes) * 60000;
  const std::int64_t day = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
  Values v{questionnaire_index(m.questionnaire), by_version_ ? m.version : 0, m.flags, m.drawn,
           clock_.min_seconds_per_question > 0 && m.duration_s < m.visible * clock_.min_seconds_per_question,
           m.satisfied, m.age, m.trips, m.green, m.score};
  auto [it, fresh] = value_ids_.try_emplace(v, static_cast<std::uint32_t>(values_.size()));
  if (fresh) {
    values_.push_back(v);
    // The item cells leave the respondent's values out: their own, coarser id.
    Values base = v;
    base.drawn = 0;
    base.satisfied = false;
    base.trips = base.green = 0;
    base.score = 0;
    auto [b, new_base] = base_ids_.try_emplace(base, static_cast<std::uint32_t>(bases_.size()));
    if (new_base) {
      bases_.push_back(base);
      item_row_.emplace_back();
    }
    base_of_.push_back(b->second);
  }
  const std::uint32_t vid = it->second;
  ++cells_[{word(static_cast<int>(CellGrouping::demographic)) << 32 | vid, m.township, m.gender}];
  ++cells_[{word(static_cast<int>(CellGrouping::kiosk)) << 32 | vid, m.kiosk, 0}];
  ++cells_[{word(static_cast<int>(CellGrouping::day)) << 32 | vid, day, 0}];
  if (m.outcomes.empty()) return;
  std::vector<std::int32_t>& rows = item_row_[base_of_[vid]];
  for (const ItemOutcome& o : m.outcomes) {
    if (o.item < 0 || o.item > (1 << 30)) continue;  // not a label id
    const std::size_t slot = item_slot(o.item);
    if (slot >= rows.size()) rows.resize(slot + 1, 0);
    if (rows[slot] == 0) {
      item_counts_.push_back({});
      item_of_row_.emplace_back(base_of_[vid], slot);
      rows[slot] = static_cast<std::int32_t>(item_counts_.size());
    }
    ++item_counts_[static_cast<std::size_t>(rows[slot] - 1)][static_cast<std::size_t>(o.value & 255)];
  }
}

void CellTally::clear() {
  value_ids_.clear();
  values_.clear();
  base_of_.clear();
  base_ids_.clear();
  bases_.clear();
  cells_.clear();
  item_row_.clear();
  item_counts_.clear();
  item_of_row_.clear();
}

void CellTally::each(const std::function<void(const MetricsCell&, int version)>& fn) const {
  auto common = [&](MetricsCell& c, const Values& b) {
    c.questionnaire = questionnaires_[static_cast<std::size_t>(b.questionnaire)];
    c.age = b.age;
    c.fast = b.fast;
    c.flags = b.flags;
  };
  for (const auto& [k, n] : cells_) {
    const Values& v = values_[static_cast<std::size_t>(k.a & 0xffffffffULL)];
    MetricsCell c;
    c.grouping = static_cast<CellGrouping>(k.a >> 32);
    common(c, v);
    c.score = v.score;
    c.drawn = v.drawn;
    c.satisfied = v.satisfied;
    c.trips = v.trips;
    c.green = v.green;
    if (c.grouping == CellGrouping::demographic) {
      c.township = k.b;
      c.gender = k.c;
    } else if (c.grouping == CellGrouping::kiosk) {
      c.kiosk = k.b;
    } else {
      c.day = k.b;
    }
    c.n = n;
    fn(c, v.version);
  }
  for (std::size_t row = 0; row < item_counts_.size(); ++row) {
    const Values& b = bases_[item_of_row_[row].first];
    MetricsCell c;
    c.grouping = CellGrouping::item;
    common(c, b);
    c.item = items_[item_of_row_[row].second];
    for (int value = 0; value < 256; ++value)
      if (std::int64_t n = item_counts_[row][static_cast<std::size_t>(value)]) {
        c.value = value;
        c.n = n;
        fn(c, b.version);
      }
  }
}

}  // namespace eco
