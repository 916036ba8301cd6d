// Snapshots and restores of heap keyed state (state/state_snapshot.h) through
// an in-memory fake of checkpoint storage: round trips of every state kind,
// isolation of the asynchronous part from concurrent writes, restores into
// other key-group ranges (rescaling), lazy registration with kind and
// serializer checks, restored-but-unregistered state carried into later
// snapshots, and corrupt streams.
#include <gtest/gtest.h>

#include "testing/testing_runtime_context.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/runtime/runtime_context.h>
#include <weir/state/keyed_state_backend.h>

#include "state/fake_checkpoint_storage.h"
#include "state/state_snapshot.h"

namespace weir {
namespace {

struct Account {
  std::string owner;
  int64_t balance = 0;
  std::vector<int32_t> history;
  bool operator==(const Account&) const = default;
};
WEIR_STRUCT(Account, owner, balance, history);

// A value whose serializer throws, as a buggy user serializer might.
struct Unwritable {
  int64_t v = 0;
};

class Average final : public AggregateFunction<int64_t, std::pair<int64_t, int64_t>, double> {
 public:
  std::pair<int64_t, int64_t> createAccumulator() const override { return {0, 0}; }
  void add(const int64_t& v, std::pair<int64_t, int64_t>& acc) const override {
    acc.first += v;
    ++acc.second;
  }
  double getResult(const std::pair<int64_t, int64_t>& acc) const override {
    return double(acc.first) / double(acc.second);
  }
  std::pair<int64_t, int64_t> merge(const std::pair<int64_t, int64_t>& a,
                                    const std::pair<int64_t, int64_t>& b) const override {
    return {a.first + b.first, a.second + b.second};
  }
};

}  // namespace

template <>
struct TypeSerializer<Unwritable> {
  static void serialize(const Unwritable&, DataOutput&) {
    throw std::runtime_error("Unwritable cannot be written");
  }
  static void deserialize(Unwritable& v, DataInput& in) { v.v = in.readI64(); }
  static std::string name() { return "unwritable"; }
  static constexpr uint32_t kVersion = 1;
};

namespace {

constexpr int kMaxParallelism = 128;

// A RuntimeContext around a heap backend of one key-group range.
class Ctx : public testing::TestingRuntimeContext {
 public:
  explicit Ctx(KeyGroupRange range = KeyGroupRange{0, kMaxParallelism - 1})
      : TestingRuntimeContext(range, kMaxParallelism) {}
  size_t entries(const std::string& name) { return backend().findState(name)->numEntries(); }
};

template <class K>
bool inRange(const K& key, const KeyGroupRange& range) {
  DataOutput out;
  TypeSerializer<K>::serialize(key, out);
  return range.contains(keyGroupForHash(stableHash(out.data(), out.size()), kMaxParallelism));
}

// Runs both parts of a snapshot on this thread.
std::optional<checkpoint::KeyGroupsStateHandle> snapshot(Ctx& ctx, checkpoint::CheckpointStorage& storage,
                                                         int64_t checkpointId = 1) {
  state::AsyncKeyedSnapshot async = state::snapshotKeyedState(ctx.backend(), storage, checkpointId);
  auto result = async();
  EXPECT_TRUE(result.isOk()) << result.status().toString();
  return result.isOk() ? result.value() : std::nullopt;
}

void restore(Ctx& ctx, checkpoint::CheckpointStorage& storage,
             const std::vector<checkpoint::KeyGroupsStateHandle>& handles) {
  auto reader = storage.createReader();
  Status s = state::restoreKeyedState(ctx.backend(), handles, *reader);
  ASSERT_TRUE(s.isOk()) << s.toString();
}

ReducingStateDescriptor<Account> accountSum() {
  return ReducingStateDescriptor<Account>("account-sum", [](const Account& a, const Account& b) {
    Account r = a;
    r.balance += b.balance;
    r.history.insert(r.history.end(), b.history.begin(), b.history.end());
    return r;
  });
}

AggregatingStateDescriptor<int64_t, std::pair<int64_t, int64_t>, double> average() {
  return AggregatingStateDescriptor<int64_t, std::pair<int64_t, int64_t>, double>(
      "avg", std::make_shared<const Average>());
}

// Fills every kind of state for keys 0..n-1 (those in ctx's range).
void fillEveryKind(Ctx& ctx, int n) {
  auto& count = ctx.getState(ValueStateDescriptor<int64_t>("count"));
  auto& name = ctx.getState(ValueStateDescriptor<std::string>("name"));
  auto& account = ctx.getState(ValueStateDescriptor<Account>("account"));
  auto& words = ctx.getListState(ListStateDescriptor<std::string>("words"));
  auto& props = ctx.getMapState(MapStateDescriptor<std::string, Account>("props"));
  auto& sum = ctx.getReducingState(accountSum());
  auto& avg = ctx.getAggregatingState(average());
  const KeyGroupRange range = ctx.backend().keyGroupRange();
  for (int64_t k = 0; k < n; ++k) {
    if (!inRange(k, range)) continue;
    ctx.setKey(k);
    count.update(k * 3);
    if (k % 2 == 0) name.update("name-" + std::to_string(k) + std::string(size_t(k % 40), 'z'));
    account.update(Account{"owner" + std::to_string(k), -k, {int32_t(k), 1, 2}});
    for (int64_t i = 0; i < k % 4; ++i) words.add("w" + std::to_string(i));
    props.put("a", Account{"p", k, {}});
    if (k % 3 == 0) props.put("b" + std::to_string(k), Account{"q", 1, {7}});
    sum.add(Account{"s", k, {1}});
    sum.add(Account{"t", 2, {2}});
    avg.add(k);
    avg.add(k + 2);
  }
}

void expectEveryKind(Ctx& ctx, int n) {
  auto& count = ctx.getState(ValueStateDescriptor<int64_t>("count"));
  auto& name = ctx.getState(ValueStateDescriptor<std::string>("name"));
  auto& account = ctx.getState(ValueStateDescriptor<Account>("account"));
  auto& words = ctx.getListState(ListStateDescriptor<std::string>("words"));
  auto& props = ctx.getMapState(MapStateDescriptor<std::string, Account>("props"));
  auto& sum = ctx.getReducingState(accountSum());
  auto& avg = ctx.getAggregatingState(average());
  const KeyGroupRange range = ctx.backend().keyGroupRange();
  size_t keys = 0, names = 0, lists = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (!inRange(k, range)) continue;
    ++keys;
    ctx.setKey(k);
    ASSERT_EQ(count.value(), k * 3) << k;
    if (k % 2 == 0) {
      ++names;
      ASSERT_EQ(name.value(), "name-" + std::to_string(k) + std::string(size_t(k % 40), 'z'));
    } else {
      ASSERT_EQ(name.value(), std::nullopt);
    }
    ASSERT_EQ(account.value(), (Account{"owner" + std::to_string(k), -k, {int32_t(k), 1, 2}}));
    std::vector<std::string> expectedWords;
    for (int64_t i = 0; i < k % 4; ++i) expectedWords.push_back("w" + std::to_string(i));
    if (!expectedWords.empty()) ++lists;
    ASSERT_EQ(words.get(), expectedWords);
    ASSERT_EQ(props.get("a"), (Account{"p", k, {}}));
    ASSERT_EQ(props.contains("b" + std::to_string(k)), k % 3 == 0);
    ASSERT_EQ(sum.get(), (Account{"s", k + 2, {1, 2}}));
    ASSERT_EQ(avg.get(), double(k + 1));
  }
  EXPECT_EQ(ctx.entries("count"), keys);
  EXPECT_EQ(ctx.entries("name"), names);
  EXPECT_EQ(ctx.entries("words"), lists);
  EXPECT_EQ(ctx.entries("props"), keys);
  EXPECT_EQ(ctx.entries("account-sum"), keys);
  EXPECT_EQ(ctx.entries("avg"), keys);
}

TEST(KeyedStateSnapshotTest, EveryStateKindRoundTrips) {
  for (uint64_t inlineThreshold : {uint64_t{0}, uint64_t{1} << 30}) {
    fake::FakeCheckpointStorage storage(inlineThreshold);
    Ctx ctx;
    fillEveryKind(ctx, 3000);
    auto handle = snapshot(ctx, storage);
    ASSERT_TRUE(handle.has_value());
    EXPECT_EQ(handle->stream.isInline, inlineThreshold > 0);
    EXPECT_EQ(handle->range, ctx.backend().keyGroupRange());
    ASSERT_EQ(handle->offsets.size(), size_t(kMaxParallelism));
    for (size_t g = 1; g < handle->offsets.size(); ++g) EXPECT_LT(handle->offsets[g - 1], handle->offsets[g]);
    EXPECT_LE(handle->offsets.back(), handle->stream.size);

    Ctx restored;
    restore(restored, storage, {*handle});
    EXPECT_EQ(restored.backend().restoredStates().size(), 7u)
        << "nothing is deserialized before registration";
    EXPECT_TRUE(restored.backend().states().empty());
    expectEveryKind(restored, 3000);
    EXPECT_TRUE(restored.backend().restoredStates().empty());
  }
}

TEST(KeyedStateSnapshotTest, BackendWithoutEntriesWritesNothing) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& v = ctx.getState(ValueStateDescriptor<int64_t>("v"));
  ctx.setKey<int64_t>(1);
  v.update(1);
  v.clear();
  auto result = state::snapshotKeyedState(ctx.backend(), storage, 1)();
  ASSERT_TRUE(result.isOk());
  EXPECT_FALSE(result.value().has_value());
  EXPECT_EQ(storage.streamsCreated(), 0);
}

TEST(KeyedStateSnapshotTest, AsyncPartIsIsolatedFromConcurrentWrites) {
  constexpr int64_t kKeys = 100'000;
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& value = ctx.getState(ValueStateDescriptor<int64_t>("value"));
  auto& list = ctx.getListState(ListStateDescriptor<std::string>("list"));
  for (int64_t k = 0; k < kKeys; ++k) {
    ctx.setKey(k);
    value.update(k);
    if (k % 10 == 0) list.add("item" + std::to_string(k));
  }

  state::AsyncKeyedSnapshot async = state::snapshotKeyedState(ctx.backend(), storage, 7);
  std::atomic<bool> done{false};
  std::optional<Result<std::optional<checkpoint::KeyGroupsStateHandle>>> result;
  std::thread writer([&] {
    result.emplace(async());
    done = true;
  });
  // Heavy writes while the snapshot is written: updates, inserts (growing every
  // table several times), erases (backward shifts), list appends.
  int64_t round = 0;
  do {
    for (int64_t k = 0; k < kKeys; ++k) {
      ctx.setKey(k);
      if (k % 7 == 0) {
        value.clear();
      } else {
        value.update(-k - round);
      }
      if (k % 10 == 0) list.add("more");
    }
    for (int64_t k = kKeys + round * 50'000; k < kKeys + (round + 1) * 50'000; ++k) {
      ctx.setKey(k);
      value.update(k);
    }
    ++round;
  } while (!done || round < 3);
  writer.join();
  ASSERT_TRUE(result->isOk()) << result->status().toString();
  ASSERT_TRUE(result->value().has_value());

  Ctx restored;
  restore(restored, storage, {*result->value()});
  auto& restoredValue = restored.getState(ValueStateDescriptor<int64_t>("value"));
  auto& restoredList = restored.getListState(ListStateDescriptor<std::string>("list"));
  EXPECT_EQ(restored.entries("value"), size_t(kKeys)) << "exactly the keys of snapshot time";
  EXPECT_EQ(restored.entries("list"), size_t(kKeys / 10));
  for (int64_t k = 0; k < kKeys; ++k) {
    restored.setKey(k);
    ASSERT_EQ(restoredValue.value(), k);
    if (k % 10 == 0) {
      ASSERT_EQ(restoredList.get(), std::vector<std::string>{"item" + std::to_string(k)});
    }
  }
}

// The asynchronous part releases each key group's copy-on-write view once it is
// written; running it a second time must fail loudly, not write empty key groups.
TEST(KeyedStateSnapshotTest, AsyncPartRunTwiceFailsInsteadOfWritingNothing) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& value = ctx.getState(ValueStateDescriptor<int64_t>("value"));
  for (int64_t k = 0; k < 1000; ++k) {
    ctx.setKey(k);
    value.update(k);
  }
  state::AsyncKeyedSnapshot async = state::snapshotKeyedState(ctx.backend(), storage, 3);
  auto first = async();
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  ASSERT_TRUE(first.value().has_value());
  auto second = async();
  ASSERT_FALSE(second.isOk());
  EXPECT_NE(second.status().toString().find("already written and released"), std::string::npos)
      << second.status().toString();

  // The first run's snapshot is whole.
  Ctx restored;
  restore(restored, storage, {*first.value()});
  auto& restoredValue = restored.getState(ValueStateDescriptor<int64_t>("value"));
  EXPECT_EQ(restored.entries("value"), 1000u);
  for (int64_t k = 0; k < 1000; ++k) {
    restored.setKey(k);
    ASSERT_EQ(restoredValue.value(), k);
  }
}

TEST(KeyedStateSnapshotTest, TwoSubtasksRestoreIntoOne) {
  fake::FakeCheckpointStorage storage;
  std::vector<checkpoint::KeyGroupsStateHandle> handles;
  for (int i = 0; i < 2; ++i) {
    Ctx ctx(keyGroupRangeForOperatorIndex(kMaxParallelism, 2, i));
    fillEveryKind(ctx, 2000);
    auto h = snapshot(ctx, storage);
    ASSERT_TRUE(h.has_value());
    handles.push_back(*h);
  }
  Ctx merged;
  restore(merged, storage, handles);
  expectEveryKind(merged, 2000);
}

TEST(KeyedStateSnapshotTest, OneSubtaskSplitsIntoTwoOrThree) {
  fake::FakeCheckpointStorage storage;
  Ctx whole;
  fillEveryKind(whole, 2000);
  auto h = snapshot(whole, storage);
  ASSERT_TRUE(h.has_value());
  for (int parallelism : {2, 3}) {
    size_t total = 0;
    for (int i = 0; i < parallelism; ++i) {
      KeyGroupRange range = keyGroupRangeForOperatorIndex(kMaxParallelism, parallelism, i);
      Ctx part(range);
      restore(part, storage, {*h});
      expectEveryKind(part, 2000);  // exactly the keys of its range, each with its values
      total += part.entries("count");
    }
    EXPECT_EQ(total, whole.entries("count"));
  }
}

TEST(KeyedStateSnapshotTest, SerializerMismatchNamesTheStateAndBothSerializers) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& v = ctx.getState(ValueStateDescriptor<int64_t>("visits"));
  ctx.setKey<int64_t>(5);
  v.update(5);
  auto h = snapshot(ctx, storage);
  ASSERT_TRUE(h.has_value());

  Ctx restored;
  restore(restored, storage, {*h});
  try {
    restored.getState(ValueStateDescriptor<std::string>("visits"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'visits'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'i64'"), std::string::npos) << "the recorded serializer: " << msg;
    EXPECT_NE(msg.find("'string'"), std::string::npos) << "the new serializer: " << msg;
  }
  EXPECT_TRUE(restored.backend().states().empty()) << "nothing registered after the failure";
  // The right type still restores.
  auto& again = restored.getState(ValueStateDescriptor<int64_t>("visits"));
  restored.setKey<int64_t>(5);
  EXPECT_EQ(again.value(), 5);
}

TEST(KeyedStateSnapshotTest, KindMismatchNamesTheState) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& l = ctx.getListState(ListStateDescriptor<int64_t>("events"));
  ctx.setKey<int64_t>(5);
  l.add(1);
  auto h = snapshot(ctx, storage);
  ASSERT_TRUE(h.has_value());

  Ctx restored;
  restore(restored, storage, {*h});
  // Same stored type (vector<i64>), another kind.
  try {
    restored.getState(ValueStateDescriptor<std::vector<int64_t>>("events"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'events'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("list"), std::string::npos) << msg;
    EXPECT_NE(msg.find("value"), std::string::npos) << msg;
  }
}

TEST(KeyedStateSnapshotTest, StateRegisteredBeforeTheRestoreIsFilledAtOnce) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  fillEveryKind(ctx, 500);
  auto h = snapshot(ctx, storage);
  ASSERT_TRUE(h.has_value());
  Ctx restored;
  restored.getState(ValueStateDescriptor<int64_t>("count"));
  restore(restored, storage, {*h});
  EXPECT_EQ(restored.backend().findRestoredState("count"), nullptr);
  expectEveryKind(restored, 500);
}

TEST(KeyedStateSnapshotTest, UnregisteredRestoredStateSurvivesLaterSnapshots) {
  fake::FakeCheckpointStorage storage;
  Ctx first;
  fillEveryKind(first, 1000);
  auto h1 = snapshot(first, storage, 1);
  ASSERT_TRUE(h1.has_value());

  // The second run registers only "count" and changes it; the rest stays bytes.
  Ctx second;
  restore(second, storage, {*h1});
  auto& count = second.getState(ValueStateDescriptor<int64_t>("count"));
  second.setKey<int64_t>(0);
  count.update(-100);
  auto h2 = snapshot(second, storage, 2);
  ASSERT_TRUE(h2.has_value());
  auto h3 = snapshot(second, storage, 3);  // twice: restored bytes are not consumed by a snapshot
  ASSERT_TRUE(h3.has_value());

  for (const auto& h : {*h2, *h3}) {
    Ctx third;
    restore(third, storage, {h});
    auto& c = third.getState(ValueStateDescriptor<int64_t>("count"));
    third.setKey<int64_t>(0);
    EXPECT_EQ(c.value(), -100);
    c.update(0);  // back to what expectEveryKind checks
    expectEveryKind(third, 1000);
  }
}

TEST(KeyedStateSnapshotTest, OnlyRestoredStateIsStillSnapshotted) {
  fake::FakeCheckpointStorage storage;
  Ctx first;
  fillEveryKind(first, 300);
  auto h1 = snapshot(first, storage, 1);
  ASSERT_TRUE(h1.has_value());
  Ctx second;
  restore(second, storage, {*h1});
  auto h2 = snapshot(second, storage, 2);
  ASSERT_TRUE(h2.has_value()) << "restored entries count as entries";
  Ctx third;
  restore(third, storage, {*h2});
  expectEveryKind(third, 300);
}

checkpoint::KeyGroupsStateHandle smallSnapshot(fake::FakeCheckpointStorage& storage) {
  Ctx ctx;
  auto& v = ctx.getState(ValueStateDescriptor<int64_t>("v"));
  ctx.setKey<int64_t>(1);
  v.update(1);
  auto h = snapshot(ctx, storage);
  EXPECT_TRUE(h.has_value());
  return *h;
}

Status restoreStatus(fake::FakeCheckpointStorage& storage, const checkpoint::KeyGroupsStateHandle& h) {
  Ctx ctx;
  auto reader = storage.createReader();
  return state::restoreKeyedState(ctx.backend(), {h}, *reader);
}

TEST(KeyedStateSnapshotTest, BadMagicIsCorruption) {
  fake::FakeCheckpointStorage storage;
  auto h = smallSnapshot(storage);
  storage.fileBytes(h.stream.relativePath)[3] = 'X';
  Status s = restoreStatus(storage, h);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(h.stream.relativePath), std::string::npos) << "names the file: " << s.message();
}

TEST(KeyedStateSnapshotTest, UnknownVersionIsCorruption) {
  fake::FakeCheckpointStorage storage;
  auto h = smallSnapshot(storage);
  storage.fileBytes(h.stream.relativePath)[8] = 9;
  Status s = restoreStatus(storage, h);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
  EXPECT_NE(s.message().find("version 9"), std::string::npos) << s.message();
}

TEST(KeyedStateSnapshotTest, TruncatedStreamIsCorruption) {
  fake::FakeCheckpointStorage storage;
  auto h = smallSnapshot(storage);
  std::string& bytes = storage.fileBytes(h.stream.relativePath);
  bytes.resize(bytes.size() - 3);
  Status s = restoreStatus(storage, h);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
}

TEST(KeyedStateSnapshotTest, CorruptValueBytesFailTheRegistrationNamingTheState) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& v = ctx.getState(ValueStateDescriptor<std::string>("label"));
  ctx.setKey<int64_t>(1);
  v.update("hello");
  auto h = snapshot(ctx, storage);
  ASSERT_TRUE(h.has_value());
  // The last bytes are the value "hello" (length 5): claim a longer string.
  std::string& bytes = storage.fileBytes(h->stream.relativePath);
  size_t pos = bytes.rfind("hello");
  ASSERT_NE(pos, std::string::npos);
  bytes[pos - 1] = 100;
  Ctx restored;
  restore(restored, storage, {*h});
  try {
    restored.getState(ValueStateDescriptor<std::string>("label"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'label'"), std::string::npos) << e.what();
  }
}

TEST(KeyedStateSnapshotTest, WriteFailureDiscardsTheStream) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  fillEveryKind(ctx, 100);
  storage.failWrites(true);
  auto result = state::snapshotKeyedState(ctx.backend(), storage, 4)();
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kIOError);
  EXPECT_NE(result.status().message().find("checkpoint 4"), std::string::npos) << result.status().message();
  EXPECT_EQ(storage.streamsDiscarded(), 1);
}

TEST(KeyedStateSnapshotTest, ThrowingSerializerFailsTheSnapshotNotTheProcess) {
  fake::FakeCheckpointStorage storage;
  Ctx ctx;
  auto& v = ctx.getState(ValueStateDescriptor<Unwritable>("bomb"));
  ctx.setKey<int64_t>(1);
  v.update(Unwritable{1});
  auto result = state::snapshotKeyedState(ctx.backend(), storage, 1)();
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("Unwritable cannot be written"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(storage.streamsDiscarded(), 1);
}

}  // namespace
}  // namespace weir
