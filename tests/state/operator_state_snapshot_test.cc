// Snapshots, restores and redistribution of operator list state
// (state/state_snapshot.h, state/operator_state_redistribution.h) through an
// in-memory fake of checkpoint storage.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <weir/core/serializer.h>
#include <weir/runtime/runtime_context.h>

#include "state/fake_checkpoint_storage.h"
#include "state/operator_state_redistribution.h"
#include "state/state_snapshot.h"

namespace weir {
namespace {

struct Split {
  std::string id;
  int64_t position = 0;
  bool operator==(const Split&) const = default;
  bool operator<(const Split& o) const { return id < o.id; }
};
WEIR_STRUCT(Split, id, position);

std::optional<checkpoint::OperatorStateHandle> snapshot(OperatorStateStore& store,
                                                        checkpoint::CheckpointStorage& storage,
                                                        int64_t checkpointId = 1) {
  auto result = state::snapshotOperatorState(store, storage, checkpointId)();
  EXPECT_TRUE(result.isOk()) << result.status().toString();
  return result.isOk() ? result.value() : std::nullopt;
}

Status restore(OperatorStateStore& store, checkpoint::CheckpointStorage& storage,
               const std::vector<checkpoint::OperatorStateHandle>& handles) {
  auto reader = storage.createReader();
  return state::restoreOperatorState(store, handles, *reader);
}

TEST(OperatorStateSnapshotTest, SplitAndUnionListsRoundTrip) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore store;
  auto& splits = store.getListState(ListStateDescriptor<Split>("splits"));
  auto& names = store.getUnionListState(ListStateDescriptor<std::string>("names"));
  auto& empty = store.getListState(ListStateDescriptor<int64_t>("empty"));
  (void)empty;
  splits.update({{"a", 1}, {"b", 22}, {"c", 333}});
  names.add("x");
  names.add(std::string(300, 'y'));
  auto h = snapshot(store, storage);
  ASSERT_TRUE(h.has_value());
  ASSERT_EQ(h->states.size(), 3u);
  EXPECT_EQ(h->states.at("splits").distribution, checkpoint::OperatorStateDistribution::kSplitDistribute);
  EXPECT_EQ(h->states.at("splits").elementOffsets.size(), 3u);
  EXPECT_EQ(h->states.at("names").distribution, checkpoint::OperatorStateDistribution::kUnion);
  EXPECT_EQ(h->states.at("names").elementOffsets.size(), 2u);
  EXPECT_TRUE(h->states.at("empty").elementOffsets.empty());

  OperatorStateStore restored;
  ASSERT_TRUE(restore(restored, storage, {*h}).isOk());
  EXPECT_EQ(restored.restoredLists().size(), 3u);
  EXPECT_EQ(restored.getListState(ListStateDescriptor<Split>("splits")).get(),
            (std::vector<Split>{{"a", 1}, {"b", 22}, {"c", 333}}));
  EXPECT_EQ(restored.getUnionListState(ListStateDescriptor<std::string>("names")).get(),
            (std::vector<std::string>{"x", std::string(300, 'y')}));
  EXPECT_TRUE(restored.getListState(ListStateDescriptor<int64_t>("empty")).get().empty());
  EXPECT_TRUE(restored.restoredLists().empty());
}

TEST(OperatorStateSnapshotTest, StoreWithoutElementsWritesNothing) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore store;
  store.getListState(ListStateDescriptor<int64_t>("offsets"));
  auto result = state::snapshotOperatorState(store, storage, 1)();
  ASSERT_TRUE(result.isOk());
  EXPECT_FALSE(result.value().has_value());
  EXPECT_EQ(storage.streamsCreated(), 0);
}

TEST(OperatorStateSnapshotTest, WritesAfterTheSyncPartAreNotInTheSnapshot) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore store;
  auto& offsets = store.getListState(ListStateDescriptor<int64_t>("offsets"));
  offsets.update({1, 2, 3});
  auto async = state::snapshotOperatorState(store, storage, 1);
  offsets.add(4);
  offsets.update({9});
  offsets.add(10);
  auto result = async();
  ASSERT_TRUE(result.isOk());
  ASSERT_TRUE(result.value().has_value());
  EXPECT_EQ(offsets.get(), (std::vector<int64_t>{9, 10}));
  OperatorStateStore restored;
  ASSERT_TRUE(restore(restored, storage, {*result.value()}).isOk());
  EXPECT_EQ(restored.getListState(ListStateDescriptor<int64_t>("offsets")).get(),
            (std::vector<int64_t>{1, 2, 3}));
}

TEST(OperatorStateSnapshotTest, UnregisteredRestoredListSurvivesLaterSnapshots) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore first;
  first.getListState(ListStateDescriptor<Split>("splits")).update({{"a", 1}, {"b", 2}});
  first.getUnionListState(ListStateDescriptor<int64_t>("watermarks")).update({7, 8});
  auto h1 = snapshot(first, storage, 1);
  ASSERT_TRUE(h1.has_value());

  OperatorStateStore second;
  ASSERT_TRUE(restore(second, storage, {*h1}).isOk());
  second.getListState(ListStateDescriptor<Split>("splits")).add({"c", 3});
  auto h2 = snapshot(second, storage, 2);
  ASSERT_TRUE(h2.has_value());
  EXPECT_EQ(h2->states.at("watermarks").distribution, checkpoint::OperatorStateDistribution::kUnion);

  OperatorStateStore third;
  ASSERT_TRUE(restore(third, storage, {*h2}).isOk());
  EXPECT_EQ(third.getListState(ListStateDescriptor<Split>("splits")).get(),
            (std::vector<Split>{{"a", 1}, {"b", 2}, {"c", 3}}));
  EXPECT_EQ(third.getUnionListState(ListStateDescriptor<int64_t>("watermarks")).get(),
            (std::vector<int64_t>{7, 8}));
}

TEST(OperatorStateSnapshotTest, SerializerOrModeMismatchNamesTheState) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore first;
  first.getListState(ListStateDescriptor<int64_t>("offsets")).update({1});
  auto h = snapshot(first, storage);
  ASSERT_TRUE(h.has_value());

  OperatorStateStore restored;
  ASSERT_TRUE(restore(restored, storage, {*h}).isOk());
  try {
    restored.getListState(ListStateDescriptor<std::string>("offsets"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'offsets'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'i64'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'string'"), std::string::npos) << msg;
  }
  try {
    restored.getUnionListState(ListStateDescriptor<int64_t>("offsets"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'offsets'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("union"), std::string::npos) << msg;
  }
  EXPECT_EQ(restored.getListState(ListStateDescriptor<int64_t>("offsets")).get(), std::vector<int64_t>{1});
}

TEST(OperatorStateSnapshotTest, BadMagicIsCorruption) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore store;
  store.getListState(ListStateDescriptor<int64_t>("offsets")).update({1});
  auto h = snapshot(store, storage);
  ASSERT_TRUE(h.has_value());
  storage.fileBytes(h->stream.relativePath)[0] = 'X';
  OperatorStateStore restored;
  Status s = restore(restored, storage, {*h});
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
}

TEST(OperatorStateSnapshotTest, OffsetBeyondTheEndIsCorruption) {
  fake::FakeCheckpointStorage storage;
  OperatorStateStore store;
  store.getListState(ListStateDescriptor<int64_t>("offsets")).update({1});
  auto h = snapshot(store, storage);
  ASSERT_TRUE(h.has_value());
  h->states["offsets"].elementOffsets[0] = 1'000'000;
  OperatorStateStore restored;
  Status s = restore(restored, storage, {*h});
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
}

// ---------------------------------------------------------------- redistribution

// Snapshots of `oldParallelism` subtasks: subtask i has split elements
// i*100 .. i*100+count(i)-1 in "split" and union element i*1000 in "union".
std::vector<checkpoint::OperatorStateHandle> oldSubtasks(fake::FakeCheckpointStorage& storage,
                                                         int oldParallelism) {
  std::vector<checkpoint::OperatorStateHandle> handles;
  for (int i = 0; i < oldParallelism; ++i) {
    OperatorStateStore store;
    auto& split = store.getListState(ListStateDescriptor<int64_t>("split"));
    for (int64_t e = 0; e < 3 + i; ++e) split.add(i * 100 + e);
    store.getUnionListState(ListStateDescriptor<int64_t>("union")).add(i * 1000);
    auto h = snapshot(store, storage, 1);
    EXPECT_TRUE(h.has_value());
    handles.push_back(*h);
  }
  return handles;
}

struct Restored {
  std::vector<int64_t> split;
  std::vector<int64_t> unions;
};

std::vector<Restored> restoreAll(
    fake::FakeCheckpointStorage& storage,
    const std::vector<std::vector<checkpoint::OperatorStateHandle>>& assignment) {
  std::vector<Restored> out;
  for (const auto& handles : assignment) {
    OperatorStateStore store;
    Status s = restore(store, storage, handles);
    EXPECT_TRUE(s.isOk()) << s.toString();
    Restored r;
    r.split = store.getListState(ListStateDescriptor<int64_t>("split")).get();
    r.unions = store.getUnionListState(ListStateDescriptor<int64_t>("union")).get();
    std::sort(r.unions.begin(), r.unions.end());
    out.push_back(r);
  }
  return out;
}

TEST(OperatorStateRedistributionTest, SplitListsAreDealtEvenlyAndUnionListsGoToEveryone) {
  for (int oldP : {1, 2, 3}) {
    for (int newP : {1, 2, 3, 5, 16}) {
      fake::FakeCheckpointStorage storage;
      auto old = oldSubtasks(storage, oldP);
      std::vector<int64_t> allSplit, allUnion;
      for (int i = 0; i < oldP; ++i) {
        for (int64_t e = 0; e < 3 + i; ++e) allSplit.push_back(i * 100 + e);
        allUnion.push_back(i * 1000);
      }
      auto assignment = state::redistributeOperatorState(old, newP);
      ASSERT_EQ(assignment.size(), size_t(newP));
      auto restored = restoreAll(storage, assignment);
      std::vector<int64_t> gathered;
      size_t smallest = SIZE_MAX, largest = 0;
      for (const Restored& r : restored) {
        gathered.insert(gathered.end(), r.split.begin(), r.split.end());
        smallest = std::min(smallest, r.split.size());
        largest = std::max(largest, r.split.size());
        EXPECT_EQ(r.unions, allUnion) << oldP << " -> " << newP;
      }
      std::sort(gathered.begin(), gathered.end());
      EXPECT_EQ(gathered, allSplit) << oldP << " -> " << newP << ": every element exactly once";
      if (oldP != newP) {
        EXPECT_LE(largest - smallest, 1u) << oldP << " -> " << newP;
      }
    }
  }
}

TEST(OperatorStateRedistributionTest, UnchangedParallelismKeepsEachSubtasksSplitElements) {
  fake::FakeCheckpointStorage storage;
  auto old = oldSubtasks(storage, 3);
  auto restored = restoreAll(storage, state::redistributeOperatorState(old, 3));
  for (int i = 0; i < 3; ++i) {
    std::vector<int64_t> own;
    for (int64_t e = 0; e < 3 + i; ++e) own.push_back(i * 100 + e);
    EXPECT_EQ(restored[size_t(i)].split, own);
    EXPECT_EQ(restored[size_t(i)].unions, (std::vector<int64_t>{0, 1000, 2000}));
  }
}

TEST(OperatorStateRedistributionTest, HandlesReferenceSubsetsOfTheOldStreams) {
  fake::FakeCheckpointStorage storage;
  auto old = oldSubtasks(storage, 2);  // 3 + 4 split elements
  auto assignment = state::redistributeOperatorState(old, 4);
  for (size_t j = 0; j < assignment.size(); ++j) {
    for (const auto& h : assignment[j]) {
      bool fromOld = false;
      for (const auto& o : old) {
        if (h.stream != o.stream) continue;
        fromOld = true;
        for (const auto& [name, meta] : h.states) {
          const auto& all = o.states.at(name).elementOffsets;
          for (uint64_t offset : meta.elementOffsets) {
            EXPECT_NE(std::find(all.begin(), all.end(), offset), all.end());
          }
        }
      }
      EXPECT_TRUE(fromOld);
    }
  }
  // Round robin over (old subtask, element): 0 1 2 100 101 102 103 over 4 subtasks.
  auto restored = restoreAll(storage, assignment);
  EXPECT_EQ(restored[0].split, (std::vector<int64_t>{0, 101}));
  EXPECT_EQ(restored[1].split, (std::vector<int64_t>{1, 102}));
  EXPECT_EQ(restored[2].split, (std::vector<int64_t>{2, 103}));
  EXPECT_EQ(restored[3].split, (std::vector<int64_t>{100}));
}

TEST(OperatorStateRedistributionTest, BroadcastListsGiveEverySubtaskOneCopy) {
  using checkpoint::OperatorStateDistribution;
  std::vector<checkpoint::OperatorStateHandle> old(3);
  for (int i = 0; i < 3; ++i) {
    old[size_t(i)].stream.relativePath = "chk-1/" + std::to_string(i);
    old[size_t(i)].states["rules"] = {OperatorStateDistribution::kBroadcast, {12, 20, 31}};
  }
  old[2].states["offsets"] = {OperatorStateDistribution::kSplitDistribute, {40, 50}};
  auto assignment = state::redistributeOperatorState(old, 2);
  ASSERT_EQ(assignment.size(), 2u);
  for (size_t j = 0; j < 2; ++j) {
    size_t rulesHandles = 0;
    for (const auto& h : assignment[j]) {
      auto it = h.states.find("rules");
      if (it == h.states.end()) continue;
      ++rulesHandles;
      EXPECT_EQ(h.stream.relativePath, "chk-1/0");
      EXPECT_EQ(it->second.elementOffsets, (std::vector<uint64_t>{12, 20, 31}));
    }
    EXPECT_EQ(rulesHandles, 1u);
  }
  // The split list of subtask 2 is dealt: 40 to subtask 0, 50 to subtask 1.
  EXPECT_EQ(assignment[0].back().stream.relativePath, "chk-1/2");
  EXPECT_EQ(assignment[0].back().states.at("offsets").elementOffsets, std::vector<uint64_t>{40});
  EXPECT_EQ(assignment[1].back().states.at("offsets").elementOffsets, std::vector<uint64_t>{50});
}

TEST(OperatorStateRedistributionTest, SubtasksWithoutStateAndNoHandles) {
  std::vector<checkpoint::OperatorStateHandle> old(2);  // no state at all
  auto assignment = state::redistributeOperatorState(old, 3);
  ASSERT_EQ(assignment.size(), 3u);
  for (const auto& handles : assignment) EXPECT_TRUE(handles.empty());
  EXPECT_EQ(state::redistributeOperatorState({}, 2).size(), 2u);
}

}  // namespace
}  // namespace weir
