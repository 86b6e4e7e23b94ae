// A batch's hourly answer counts, summed in memory while an import or demo-data batch
// saves its responses and written once at its end (issue 20). A batch of 5,000
// responses adds about 150,000 counts to some 30,000 keys: hashing four strings for
// each and sorting the keys by six fields (strings among them) before writing was a
// sixth of demo-data's CPU. Here a key's text parts become small numbers once a batch,
// so a count is found by three integers, and the keys are put in the table's order by
// comparing integers only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eco {

// One hourly answer count's key as views into a response being saved (no copies).
struct HourCountRef {
  std::string_view questionnaire, question;
  int kind;
  std::string_view item;
  std::int64_t hour;
  std::string_view kiosk;
};

class BatchCounts {
 public:
  // One more answer row under k, whose value adds to the key's total.
  void add(const HourCountRef& k, std::int64_t value);
  // fn(key, rows, total) for each key, in the answer_counts table's key order (hour,
  // kiosk, questionnaire, question, kind, item): each upsert lands beside the one before.
  template <class Fn>
  void each_in_key_order(Fn&& fn) const {
    for (const Entry* e : ordered()) fn(ref_of(*e), e->n, e->total);
  }
  void clear();
  std::size_t size() const { return sums_.size(); }

 private:
  // What a response's answers share (questionnaire, question, kind, item) and the
  // kiosk, each interned: its number is its place in the vector.
  struct Atom {
    std::string questionnaire, question;
    int kind;
    std::string item;
  };
  struct AtomView {
    std::string_view questionnaire, question;
    int kind;
    std::string_view item;
  };
  struct AtomHash {
    using is_transparent = void;
    std::size_t operator()(const AtomView& a) const;
    std::size_t operator()(const Atom& a) const { return (*this)(view(a)); }
  };
  struct AtomEq {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      AtomView x = view(a), y = view(b);
      return x.kind == y.kind && x.question == y.question && x.item == y.item && x.questionnaire == y.questionnaire;
    }
  };
  static AtomView view(const AtomView& a) { return a; }
  static AtomView view(const Atom& a) { return {a.questionnaire, a.question, a.kind, a.item}; }
  struct Key {
    std::int64_t hour;
    std::uint32_t kiosk, atom;
    bool operator==(const Key& o) const { return hour == o.hour && kiosk == o.kiosk && atom == o.atom; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::int64_t n = 0, total = 0;
  };
  std::uint32_t atom_id(const HourCountRef& k);
  std::uint32_t kiosk_id(std::string_view kiosk);
  std::vector<const Entry*> ordered() const;
  HourCountRef ref_of(const Entry& e) const;

  std::unordered_map<Atom, std::uint32_t, AtomHash, AtomEq> atom_ids_;
  std::vector<const Atom*> atoms_;  // by number: the map's keys, which never move
  std::vector<std::string> kiosks_;
  std::uint32_t last_kiosk_ = 0;    // a batch is mostly one kiosk's
  // An hour and kiosk's entries by atom number (place in sums_ + 1; 0 none yet): a
  // response's counts all share one, so a count is found by one hash of its texts and
  // an index, where a second hash map keyed by all three cost a third of add().
  struct Slot {
    std::int64_t hour;
    std::uint32_t kiosk;
    std::vector<std::uint32_t> entry_of_atom;
  };
  Slot& slot(std::int64_t hour, std::uint32_t kiosk);
  std::unordered_map<Key, std::size_t, KeyHash> slot_index_;  // (hour, kiosk, 0) -> place in slots_
  std::vector<Slot> slots_;
  std::size_t last_slot_ = 0;
  std::vector<Entry> sums_;
};

}  // namespace eco
