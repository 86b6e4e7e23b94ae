// A batch's hourly answer counts (batch_counts.hpp) against the plainest equivalent: a
// std::map keyed by the table's six key fields as strings, which orders them as SQLite's
// BINARY collation does. Keys are made to collide in every field but one.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/storage/batch_counts.hpp"
#include "core/storage/demo_data.hpp"
#include "core/storage/store.hpp"
#include "core/storage/store_access.hpp"
#include "helpers.hpp"

using namespace eco;

namespace {
using Plain = std::map<std::tuple<std::int64_t, std::string, std::string, std::string, int, std::string>,
                       std::pair<std::int64_t, std::int64_t>>;

// What each_in_key_order gives, as the same map's entries in the order given.
std::vector<Plain::value_type> listed(const BatchCounts& b) {
  std::vector<Plain::value_type> out;
  b.each_in_key_order([&](const HourCountRef& k, std::int64_t n, std::int64_t total) {
    out.push_back({{k.hour, std::string(k.kiosk), std::string(k.questionnaire), std::string(k.question), k.kind,
                    std::string(k.item)},
                   {n, total}});
  });
  return out;
}
}  // namespace

TEST_CASE("a batch's counts are summed per key and listed in the table's key order, as a plain ordered map") {
  // Texts that sort differently by bytes than by length or by signed chars: "", a prefix
  // of another, UTF-8 (bytes over 0x7f), a NUL-free control character.
  const std::vector<std::string> texts = {"", "a", "ab", "b", "\x7f", "\xe4\xb8\xad", "\xe4\xb8\xad\xe6\x96\x87", "A"};
  const std::vector<std::int64_t> hours = {-1, 0, 1, 438'000, 70'000'000, -70'000'000};
  for (int n : {0, 1, 2, 3, 500, 20'000}) {
    CAPTURE(n);
    std::mt19937 rng(static_cast<unsigned>(n) + 7);
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    BatchCounts b;
    Plain plain;
    for (int round = 0; round < 2; ++round) {  // cleared and used again, as a Store does batch after batch
      b.clear();
      plain.clear();
      // The views must only live for the call: the strings are made fresh for each add.
      for (int i = 0; i < n; ++i) {
        std::string q = pick(texts), qu = pick(texts), item = pick(texts), kiosk = pick(texts);
        int kind = static_cast<int>(rng() % 6);
        std::int64_t hour = pick(hours), value = static_cast<std::int64_t>(rng() % 1000) - 500;
        b.add({q, qu, kind, item, hour, kiosk}, value);
        auto& p = plain[{hour, kiosk, q, qu, kind, item}];
        p.first += 1;
        p.second += value;
      }
      CHECK(b.size() == plain.size());
      auto got = listed(b);
      REQUIRE(got.size() == plain.size());
      CHECK(std::equal(got.begin(), got.end(), plain.begin()));
    }
  }
}

// Store::batch writes its counts Store::kCountRows rows to a statement and the rest one
// by one: batches with fewer keys than a statement holds, with one and several full
// statements and a remainder, some keys already in the table.
TEST_CASE("a batch's counts written many to a statement equal the responses saved one by one") {
  const QuestionnaireSet& set = test::shipped();
  const Questionnaire& q = *set.find("green-travel");
  std::set<std::size_t> keys_seen;  // rows a batch wrote
  for (int n : {0, 1, 2, 3, 5, 8, 12, 17, 25, 40, 60}) {
    CAPTURE(n);
    test::TempDir dir;
    Store batched(dir.file("b.db")), single(dir.file("s.db"));
    std::vector<Response> rs;
    for (int i = 0; i < n; ++i)  // a few hours and two kiosks: keys repeat within the batch
      rs.push_back(demo_response(q, 900 + static_cast<std::uint64_t>(i), 1'561'000'000'000 + i * 1'500'000LL,
                                 i % 3 ? "hall-a" : "hall-b"));
    for (int pass = 0; pass < 2; ++pass) {  // the second pass adds to counts already written
      batched.batch([&] {
        for (const auto& r : rs) {
          Response copy = r;
          copy.id = r.id.substr(0, 30) + std::to_string(100000 + pass);
          batched.save(copy, std::nullopt);
        }
      });
      for (const auto& r : rs) {
        Response copy = r;
        copy.id = r.id.substr(0, 30) + std::to_string(100000 + pass);
        single.save(copy, std::nullopt);
      }
    }
    auto rows = [](Store& s) {
      std::vector<std::string> out;
      Stmt st(StoreAccess::db(s), "SELECT questionnaire, question, kind, item, hour, kiosk, n, total FROM answer_counts");
      while (st.step()) {
        std::string row;
        for (int c = 0; c < 8; ++c) row += std::string(st.text(c)) + "|";
        out.push_back(row);
      }
      return out;
    };
    auto b = rows(batched), s = rows(single);
    CHECK(b.size() == s.size());
    CHECK(b == s);
    if (n) CHECK_FALSE(b.empty());
    keys_seen.insert(b.size());
  }
  // The sizes above reach each path: only single rows, one full statement and a
  // remainder, several full statements and a remainder.
  const auto k = static_cast<std::size_t>(Store::kCountRows);
  auto any = [&](auto pred) { return std::any_of(keys_seen.begin(), keys_seen.end(), pred); };
  CHECK(any([&](std::size_t x) { return x > 0 && x < k; }));
  CHECK(any([&](std::size_t x) { return x > k && x < 2 * k && x % k; }));
  CHECK(any([&](std::size_t x) { return x > 2 * k && x % k; }));
}
