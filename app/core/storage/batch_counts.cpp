#include "core/storage/batch_counts.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "core/support/hash_mix.hpp"

namespace eco {

std::size_t BatchCounts::AtomHash::operator()(const AtomView& a) const {
  std::hash<std::string_view> h;
  return hash_mix(h(a.question) ^ (h(a.item) * 31) ^ (h(a.questionnaire) * 961) ^ static_cast<std::size_t>(a.kind));
}

std::size_t BatchCounts::KeyHash::operator()(const Key& k) const {
  return hash_mix(static_cast<std::uint64_t>(k.hour) ^ (static_cast<std::uint64_t>(k.kiosk) << 40) ^
                  (static_cast<std::uint64_t>(k.atom) << 20));
}

std::uint32_t BatchCounts::atom_id(const HourCountRef& k) {
  AtomView v{k.questionnaire, k.question, k.kind, k.item};
  auto it = atom_ids_.find(v);
  if (it == atom_ids_.end()) {
    it = atom_ids_
             .emplace(Atom{std::string(k.questionnaire), std::string(k.question), k.kind, std::string(k.item)},
                      static_cast<std::uint32_t>(atoms_.size()))
             .first;
    atoms_.push_back(&it->first);
  }
  return it->second;
}

std::uint32_t BatchCounts::kiosk_id(std::string_view kiosk) {
  if (last_kiosk_ < kiosks_.size() && kiosks_[last_kiosk_] == kiosk) return last_kiosk_;
  auto it = std::find(kiosks_.begin(), kiosks_.end(), kiosk);  // a batch holds few kiosks
  if (it == kiosks_.end()) it = kiosks_.insert(kiosks_.end(), std::string(kiosk));
  last_kiosk_ = static_cast<std::uint32_t>(it - kiosks_.begin());
  return last_kiosk_;
}

BatchCounts::Slot& BatchCounts::slot(std::int64_t hour, std::uint32_t kiosk) {
  if (last_slot_ < slots_.size() && slots_[last_slot_].hour == hour && slots_[last_slot_].kiosk == kiosk)
    return slots_[last_slot_];
  auto [it, fresh] = slot_index_.try_emplace(Key{hour, kiosk, 0}, slots_.size());
  if (fresh) slots_.push_back({hour, kiosk, {}});
  last_slot_ = it->second;
  return slots_[last_slot_];
}

void BatchCounts::add(const HourCountRef& k, std::int64_t value) {
  const std::uint32_t kiosk = kiosk_id(k.kiosk), atom = atom_id(k);
  auto& entries = slot(k.hour, kiosk).entry_of_atom;
  if (atom >= entries.size()) entries.resize(atom + 1, 0);
  if (entries[atom] == 0) {
    sums_.push_back({Key{k.hour, kiosk, atom}});
    entries[atom] = static_cast<std::uint32_t>(sums_.size());
  }
  Entry& e = sums_[entries[atom] - 1];
  e.n += 1;
  e.total += value;
}

std::vector<const BatchCounts::Entry*> BatchCounts::ordered() const {
  // Each interned text's rank in the table's order, then the keys sorted by integers.
  auto ranks = [](std::size_t n, auto less) {
    std::vector<std::uint32_t> order(n), rank(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), less);
    for (std::uint32_t r = 0; r < n; ++r) rank[order[r]] = r;
    return rank;
  };
  auto kiosk_rank = ranks(kiosks_.size(), [&](std::uint32_t a, std::uint32_t b) { return kiosks_[a] < kiosks_[b]; });
  auto atom_rank = ranks(atoms_.size(), [&](std::uint32_t a, std::uint32_t b) {
    const Atom &x = *atoms_[a], &y = *atoms_[b];
    return std::tie(x.questionnaire, x.question, x.kind, x.item) < std::tie(y.questionnaire, y.question, y.kind, y.item);
  });
  std::vector<const Entry*> out;
  out.reserve(sums_.size());
  for (const Entry& e : sums_) out.push_back(&e);
  std::sort(out.begin(), out.end(), [&](const Entry* a, const Entry* b) {
    return std::tuple(a->key.hour, kiosk_rank[a->key.kiosk], atom_rank[a->key.atom]) <
           std::tuple(b->key.hour, kiosk_rank[b->key.kiosk], atom_rank[b->key.atom]);
  });
  return out;
}

HourCountRef BatchCounts::ref_of(const Entry& e) const {
  const Atom& a = *atoms_[e.key.atom];
  return {a.questionnaire, a.question, a.kind, a.item, e.key.hour, kiosks_[e.key.kiosk]};
}

void BatchCounts::clear() {
  atom_ids_.clear();
  atoms_.clear();
  kiosks_.clear();
  last_kiosk_ = 0;
  slot_index_.clear();
  slots_.clear();
  last_slot_ = 0;
  sums_.clear();
}

}  // namespace eco
