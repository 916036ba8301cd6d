// HeapStateMap against std::map as oracle: random inserts, updates and erases
// (exercising growth and backward-shift deletion), with hashes chosen to share
// their low bits as keys of one key group do. Copy-on-write snapshots: a View
// keeps what the map held when it was taken, a write copies a page only while
// a View holds it.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

std::map<std::string, int64_t> contents(const HeapStateMap<int64_t>::View& v) {
  std::map<std::string, int64_t> all;
  v.forEach([&](std::string_view k, const int64_t& value) { all[std::string(k)] = value; });
  return all;
}

std::map<std::string, int64_t> contents(const HeapStateMap<int64_t>& m) {
  std::map<std::string, int64_t> all;
  m.forEach([&](std::string_view k, const int64_t& value) { all[std::string(k)] = value; });
  return all;
}

// A map of `n` keys "k0".."k<n-1>" with value i.
HeapStateMap<int64_t> filled(int n) {
  HeapStateMap<int64_t> m;
  for (int i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string(i);
    m.findOrInsert(k, stableHash(k), [&] { return int64_t(i); });
  }
  return m;
}

TEST(HeapStateMapCowTest, WriteToASharedPageCopiesItAndLeavesTheViewUnchanged) {
  HeapStateMap<int64_t> m = filled(2000);  // 4096 slots: 16 pages
  ASSERT_EQ(m.numPages(), 4096 / HeapStateMap<int64_t>::kPageSlots);
  auto before = contents(m);
  auto view = m.snapshot();
  EXPECT_EQ(m.numPageCopies(), 0u) << "taking a snapshot copies nothing";
  EXPECT_EQ(m.numDirectoryCopies(), 0u);

  const std::string k = "k7";
  *m.find(k, stableHash(k)) = -7;
  EXPECT_EQ(m.numDirectoryCopies(), 1u);
  EXPECT_EQ(m.numPageCopies(), 1u) << "exactly the written page is copied";
  EXPECT_EQ(*m.findForRead(k, stableHash(k)), -7);
  EXPECT_EQ(*view.find(k, stableHash(k)), 7);

  // The same page again: already ours.
  *m.find(k, stableHash(k)) = -8;
  EXPECT_EQ(m.numPageCopies(), 1u);
  // Reads never copy.
  for (int i = 0; i < 2000; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_NE(m.findForRead(key, stableHash(key)), nullptr);
  }
  EXPECT_EQ(m.numPageCopies(), 1u);
  EXPECT_EQ(contents(view), before);
}

TEST(HeapStateMapCowTest, PagesNoViewHoldsAreWrittenInPlace) {
  HeapStateMap<int64_t> m = filled(2000);
  const std::string k = "k11";
  {
    auto view = m.snapshot();
    (void)view;
  }  // the view is gone before the write: nothing is shared any more
  *m.find(k, stableHash(k)) = 1;
  EXPECT_EQ(m.numPageCopies(), 0u);
  EXPECT_EQ(m.numDirectoryCopies(), 0u);

  // A view that is released after the first copy: later writes to other pages are in place.
  auto view = std::make_unique<HeapStateMap<int64_t>::View>(m.snapshot());
  *m.find(k, stableHash(k)) = 2;
  EXPECT_EQ(m.numPageCopies(), 1u);
  view.reset();
  size_t copies = m.numPageCopies();
  for (int i = 0; i < 2000; ++i) {
    std::string key = "k" + std::to_string(i);
    *m.find(key, stableHash(key)) += 1;
  }
  EXPECT_EQ(m.numPageCopies(), copies) << "no page is copied once the view is gone";
}

TEST(HeapStateMapCowTest, InsertEraseAndGrowthDoNotChangeAView) {
  for (uint64_t lowBitsMask : {~0ull, ~0x7full}) {
    HeapStateMap<int64_t> m;
    std::map<std::string, int64_t> oracle;
    std::mt19937_64 rng(11);
    auto hashOf = [&](const std::string& k) { return (stableHash(k) & lowBitsMask) | 0x2a; };
    std::vector<std::pair<HeapStateMap<int64_t>::View, std::map<std::string, int64_t>>> views;
    for (int op = 0; op < 100000; ++op) {
      if (op % 5000 == 0) views.emplace_back(m.snapshot(), oracle);
      if (op % 15000 == 0 && views.size() > 2) views.erase(views.begin());  // release some views
      std::string key = "k" + std::to_string(rng() % 20000);
      uint64_t h = hashOf(key);
      if (rng() % 3 == 0) {
        ASSERT_EQ(m.erase(key, h), oracle.erase(key) == 1);
      } else {
        m.findOrInsert(key, h, [] { return int64_t(0); }) += op;
        oracle[key] += op;
      }
    }
    for (auto& [view, expected] : views) {
      std::map<std::string, int64_t> seen;
      view.forEach([&](std::string_view k, const int64_t& v) { seen[std::string(k)] = v; });
      ASSERT_EQ(seen, expected);
      ASSERT_EQ(view.size(), expected.size());
      for (auto& [k, v] : expected) {
        const int64_t* found = view.find(k, hashOf(k));
        ASSERT_NE(found, nullptr) << k;
        ASSERT_EQ(*found, v);
      }
    }
    EXPECT_EQ(contents(m), oracle);
  }
}

TEST(HeapStateMapCowTest, BackwardShiftAcrossAPageBoundaryCopiesEveryPageItWrites) {
  // Erasing every key shifts entries across page boundaries: each page is copied once.
  HeapStateMap<int64_t> m = filled(2000);
  const size_t kSlots = HeapStateMap<int64_t>::kPageSlots;
  auto before = contents(m);
  auto view = m.snapshot();
  // Erase every key: every page is written, every shift crossing a boundary included.
  for (int i = 0; i < 2000; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_TRUE(m.erase(k, stableHash(k)));
  }
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.numPageCopies(), 4096 / kSlots);
  EXPECT_EQ(contents(view), before);
}

TEST(HeapStateMapCowTest, ViewOutlivesTheMapAndWorksOnAnotherThread) {
  std::map<std::string, int64_t> expected;
  HeapStateMap<int64_t>::View view;
  {
    HeapStateMap<int64_t> m = filled(1000);
    expected = contents(m);
    view = m.snapshot();
  }
  std::map<std::string, int64_t> seen;
  std::thread t([&] { seen = contents(view); });
  t.join();
  EXPECT_EQ(seen, expected);
}

TEST(HeapStateMapCowTest, HeapKeysAndValuesAreDeepCopied) {
  HeapStateMap<std::string> m;
  const std::string longKey(40, 'x');  // heap-allocated key bytes
  m.findOrInsert(longKey, stableHash(longKey), [] { return std::string(100, 'a'); });
  auto view = m.snapshot();
  m.find(longKey, stableHash(longKey))->assign(100, 'b');
  EXPECT_EQ(*view.find(longKey, stableHash(longKey)), std::string(100, 'a'));
  EXPECT_EQ(*m.findForRead(longKey, stableHash(longKey)), std::string(100, 'b'));
  EXPECT_TRUE(m.erase(longKey, stableHash(longKey)));
  EXPECT_EQ(*view.find(longKey, stableHash(longKey)), std::string(100, 'a'));
}

// A checkpoint cycle: snapshot, every page written (copied), view released. The
// next cycle's copies reuse the storage the released pages left, and what the
// views and the map hold stays right, heap keys and values included.
TEST(HeapStateMapCowTest, CopiesReuseTheStorageOfReleasedPages) {
  HeapStateMap<std::string> m;
  std::map<std::string, std::string> oracle;
  for (int i = 0; i < 2000; ++i) {
    // Every third key is long enough to live on the heap.
    std::string k = (i % 3 == 0 ? std::string(20, 'x') : "") + "k" + std::to_string(i);
    m.findOrInsert(k, stableHash(k), [&] { return std::string(30, char('a' + i % 26)); });
    oracle[k] = std::string(30, char('a' + i % 26));
  }
  const size_t pages = m.numPages();
  ASSERT_GT(pages, 1u);
  for (int cycle = 0; cycle < 3; ++cycle) {
    auto view = std::make_unique<HeapStateMap<std::string>::View>(m.snapshot());
    const std::map<std::string, std::string> before = oracle;
    for (auto& [k, v] : oracle) {
      v = std::to_string(cycle) + v;
      *m.find(k, stableHash(k)) = v;
    }
    std::map<std::string, std::string> seen;
    view->forEach([&](std::string_view k, const std::string& v) { seen[std::string(k)] = v; });
    ASSERT_EQ(seen, before) << "cycle " << cycle;
    view.reset();  // the async part is done: the old pages go to the pool
    EXPECT_EQ(m.numPageCopies(), pages * size_t(cycle + 1));
    EXPECT_EQ(m.numPagesRecycled(), pages * size_t(cycle)) << "cycle " << cycle;
  }
  std::map<std::string, std::string> now;
  m.forEach([&](std::string_view k, const std::string& v) { now[std::string(k)] = v; });
  EXPECT_EQ(now, oracle);
}

// Views released on another thread return their pages to the pool while the map
// keeps writing (run under TSan and ASan: the pool is shared).
TEST(HeapStateMapCowTest, ViewsReleasedOnAnotherThreadWhileTheMapWrites) {
  HeapStateMap<int64_t> m = filled(5000);
  for (int round = 0; round < 20; ++round) {
    auto view = std::make_shared<HeapStateMap<int64_t>::View>(m.snapshot());
    // The view holds i + round for key k<i>, while the map copies pages and writes.
    std::thread reader([view = std::move(view), round]() mutable {
      int64_t sum = 0;
      view->forEach([&](std::string_view, const int64_t& v) { sum += v; });
      EXPECT_EQ(sum, 4999 * 5000 / 2 + 5000 * int64_t(round));
      view.reset();
    });
    for (int i = 0; i < 5000; ++i) {
      std::string k = "k" + std::to_string(i);
      *m.find(k, stableHash(k)) += 1;
    }
    reader.join();
  }
  for (int i = 0; i < 5000; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_EQ(*m.findForRead(k, stableHash(k)), i + 20);
  }
}

}  // namespace
}  // namespace weir::detail
