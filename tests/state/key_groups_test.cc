// Key groups: how keys map to key groups and key groups to subtasks. These
// functions decide which subtask owns which state after a restore or rescale,
// so their results are checked exhaustively and frozen with constants.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/runtime/network_glue.h>
#include <weir/state/key_groups.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {
namespace {

template <class K>
std::string serialized(const K& key) {
  DataOutput out;
  TypeSerializer<K>::serialize(key, out);
  return std::string(out.view());
}

// (maxParallelism, parallelism) pairs: every pair up to 130, plus large and odd ones.
std::vector<std::pair<int, int>> parallelismPairs() {
  std::vector<std::pair<int, int>> pairs;
  for (int maxP = 1; maxP <= 130; ++maxP)
    for (int p = 1; p <= maxP; ++p) pairs.emplace_back(maxP, p);
  for (int maxP : {1000, 4096, 32767, kUpperBoundMaxParallelism})
    for (int p : {1, 2, 3, 7, 64, 100, 999, 1000})
      if (p <= maxP) pairs.emplace_back(maxP, p);
  pairs.emplace_back(kUpperBoundMaxParallelism, kUpperBoundMaxParallelism);
  pairs.emplace_back(kUpperBoundMaxParallelism, kUpperBoundMaxParallelism - 1);
  return pairs;
}

TEST(KeyGroupsTest, RangesAreContiguousDisjointAndCoverAllKeyGroups) {
  for (auto [maxP, p] : parallelismPairs()) {
    int expectedStart = 0;
    for (int i = 0; i < p; ++i) {
      KeyGroupRange r = keyGroupRangeForOperatorIndex(maxP, p, i);
      ASSERT_EQ(r.start, expectedStart)
          << "maxP " << maxP << " p " << p << " subtask " << i << " " << r.toString();
      ASSERT_GE(r.size(), 1) << "maxP " << maxP << " p " << p << " subtask " << i
                             << ": every subtask owns a group";
      // Balanced: sizes differ by at most one.
      ASSERT_TRUE(r.size() == maxP / p || r.size() == maxP / p + 1)
          << "maxP " << maxP << " p " << p << " subtask " << i << " " << r.toString();
      expectedStart = r.end + 1;
    }
    ASSERT_EQ(expectedStart, maxP) << "maxP " << maxP << " p " << p << ": ranges must end at maxP - 1";
  }
}

TEST(KeyGroupsTest, OperatorIndexForKeyGroupAgreesWithTheRanges) {
  for (auto [maxP, p] : parallelismPairs()) {
    if (int64_t(maxP) * p > 5'000'000) {
      // Large pairs: check the boundaries of every range only.
      for (int i = 0; i < p; ++i) {
        KeyGroupRange r = keyGroupRangeForOperatorIndex(maxP, p, i);
        ASSERT_EQ(operatorIndexForKeyGroup(maxP, p, r.start), i) << "maxP " << maxP << " p " << p;
        ASSERT_EQ(operatorIndexForKeyGroup(maxP, p, r.end), i) << "maxP " << maxP << " p " << p;
      }
      continue;
    }
    for (int i = 0; i < p; ++i) {
      KeyGroupRange r = keyGroupRangeForOperatorIndex(maxP, p, i);
      for (int kg = r.start; kg <= r.end; ++kg) {
        ASSERT_EQ(operatorIndexForKeyGroup(maxP, p, kg), i)
            << "maxP " << maxP << " p " << p << " key group " << kg;
      }
    }
  }
}

TEST(KeyGroupsTest, KnownRangesMatchFlink) {
  // Values of Flink's KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex.
  EXPECT_EQ(keyGroupRangeForOperatorIndex(128, 3, 0), (KeyGroupRange{0, 42}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(128, 3, 1), (KeyGroupRange{43, 85}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(128, 3, 2), (KeyGroupRange{86, 127}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(10, 4, 0), (KeyGroupRange{0, 2}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(10, 4, 1), (KeyGroupRange{3, 4}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(10, 4, 2), (KeyGroupRange{5, 7}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(10, 4, 3), (KeyGroupRange{8, 9}));
  EXPECT_EQ(keyGroupRangeForOperatorIndex(1, 1, 0), (KeyGroupRange{0, 0}));
}

TEST(KeyGroupsTest, RangeHelpers) {
  KeyGroupRange r{3, 5};
  EXPECT_EQ(r.size(), 3);
  EXPECT_TRUE(r.contains(3));
  EXPECT_TRUE(r.contains(5));
  EXPECT_FALSE(r.contains(2));
  EXPECT_FALSE(r.contains(6));
  EXPECT_EQ(r.toString(), "[3, 5]");
  KeyGroupRange empty;
  EXPECT_EQ(empty.size(), 0);
  EXPECT_FALSE(empty.contains(0));
}

// Regression constants: checkpoints and savepoints depend on these values never
// changing. The empty-input value is XXH3-64's published test vector; the others
// were computed once with the reference xxHash library.
TEST(KeyGroupsTest, StableHashValuesAreFrozen) {
  EXPECT_EQ(stableHash("", 0), 0x2D06800538D394C2ull);
  EXPECT_EQ(stableHash(std::string_view("a")), 0xE6C632B61E964E1Full);
  EXPECT_EQ(stableHash(std::string_view("hello")), 0x9555E8555C62DCFDull);
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes.push_back(char(i));
  EXPECT_EQ(stableHash(bytes), 0xD44052F5A3485425ull);

  // Through the key serializers, as the keyed exchange and the state backend hash keys.
  EXPECT_EQ(stableHash(serialized<int64_t>(42)), 0xD5A6F8C838DF27C8ull);
  EXPECT_EQ(stableHash(serialized<int64_t>(0)), 0xC77B3ABB6F87ACD9ull);
  EXPECT_EQ(stableHash(serialized<int32_t>(7)), 0x57AE44811628C14Cull);
  EXPECT_EQ(stableHash(serialized<std::string>("hello")), 0xCDBA870FB04D3213ull);

  // And the key groups they give at the default max parallelism.
  EXPECT_EQ(keyGroupForHash(stableHash(serialized<int64_t>(42)), kDefaultMaxParallelism), 72);
  EXPECT_EQ(keyGroupForHash(stableHash(serialized<std::string>("hello")), kDefaultMaxParallelism), 19);
  EXPECT_EQ(keyGroupForHash(0x2D06800538D394C2ull, 100), int(0x2D06800538D394C2ull % 100));
}

TEST(KeyGroupsTest, KeyGroupForHashStaysInRange) {
  for (int maxP : {1, 2, 3, 100, 128, kUpperBoundMaxParallelism}) {
    for (uint64_t h : std::vector<uint64_t>{0, 1, ~uint64_t(0), uint64_t(1) << 63, 0x2D06800538D394C2ull}) {
      int kg = keyGroupForHash(h, maxP);
      EXPECT_GE(kg, 0);
      EXPECT_LT(kg, maxP);
    }
  }
}

// The keyed exchange (KeyGroupSelectorFactory) and the keyed state backend of the
// receiving subtask must agree on every key; otherwise setCurrentKey aborts.
TEST(KeyGroupsTest, KeyedExchangeRoutesEveryKeyToTheSubtaskOwningItsKeyGroup) {
  auto keyOf = [](const int64_t& v) { return v; };
  KeyGroupSelectorFactory<int64_t, int64_t, decltype(keyOf)> factory(keyOf);
  for (int maxP : {1, 7, 128, 1000}) {
    auto selector = factory.create(maxP);
    for (int p : {1, 2, 3, 5, 7}) {
      if (p > maxP) continue;
      std::vector<int> perSubtask(size_t(p), 0);
      for (int64_t key = -500; key < 1500; ++key) {
        int channel = selector->select(key, p);
        ASSERT_GE(channel, 0);
        ASSERT_LT(channel, p);
        std::string bytes = serialized(key);
        KeyGroupRange range = keyGroupRangeForOperatorIndex(maxP, p, channel);
        int kg = keyGroupForHash(stableHash(bytes), maxP);
        ASSERT_TRUE(range.contains(kg)) << "key " << key << " maxP " << maxP << " p " << p;
        HeapKeyedStateBackend backend(range, maxP);
        backend.setCurrentKey(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        EXPECT_EQ(backend.currentKeyGroup(), kg);
        ++perSubtask[size_t(channel)];
      }
      // 2000 keys spread over every subtask (a constant selector would fail this).
      for (int i = 0; i < p && maxP >= 7 * p; ++i)
        EXPECT_GT(perSubtask[size_t(i)], 2000 / p / 3) << "subtask " << i;
    }
  }
}

}  // namespace
}  // namespace weir
