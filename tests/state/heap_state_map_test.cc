// HeapStateMap against std::map as oracle: random inserts, updates and erases
// (exercising growth and backward-shift deletion), with hashes chosen to share
// their low bits as keys of one key group do.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include <weir/core/hash.h>
#include <weir/state/heap_state_map.h>

namespace weir::detail {
namespace {

TEST(HeapStateMapTest, RandomOperationsMatchStdMap) {
  for (uint64_t lowBitsMask : {~0ull, ~0x7full}) {
    HeapStateMap<int64_t> m;
    std::map<std::string, int64_t> oracle;
    std::mt19937_64 rng(7);
    auto hashOf = [&](const std::string& k) { return (stableHash(k) & lowBitsMask) | 0x2a; };
    for (int op = 0; op < 200000; ++op) {
      std::string key = "k" + std::to_string(rng() % 5000);
      uint64_t h = hashOf(key);
      switch (rng() % 4) {
        case 0:
        case 1: {
          bool inserted = false;
          int64_t& v = m.findOrInsert(
              key, h, [] { return int64_t(0); }, &inserted);
          ASSERT_EQ(inserted, oracle.count(key) == 0) << key;
          v += op;
          oracle[key] += op;
          break;
        }
        case 2: {
          ASSERT_EQ(m.erase(key, h), oracle.erase(key) == 1) << key;
          break;
        }
        default: {
          int64_t* v = m.find(key, h);
          auto it = oracle.find(key);
          ASSERT_EQ(v != nullptr, it != oracle.end()) << key;
          if (v) {
            ASSERT_EQ(*v, it->second);
          }
        }
      }
      ASSERT_EQ(m.size(), oracle.size());
    }
    std::map<std::string, int64_t> all;
    m.forEach([&](std::string_view k, const int64_t& v) { all[std::string(k)] = v; });
    EXPECT_EQ(all, oracle);
  }
}

TEST(HeapStateMapTest, KeysWithEqualHashesAreDistinguishedByBytes) {
  HeapStateMap<std::string> m;
  m.findOrInsert("a", 1, [] { return std::string("A"); });
  m.findOrInsert("b", 1, [] { return std::string("B"); });
  ASSERT_NE(m.find("a", 1), nullptr);
  EXPECT_EQ(*m.find("a", 1), "A");
  EXPECT_EQ(*m.find("b", 1), "B");
  EXPECT_TRUE(m.erase("a", 1));
  EXPECT_EQ(m.find("a", 1), nullptr);
  EXPECT_EQ(*m.find("b", 1), "B");
}

}  // namespace
}  // namespace weir::detail
