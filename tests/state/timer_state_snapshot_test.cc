// Processing-time timers in keyed state snapshots (heap_timer_state.h,
// internal_timer_service.h): a keyed backend with timers on many keys is
// snapshotted and restored into 1, 2 and 3 subtasks, where every timer must
// land in exactly the subtask owning its key group and fire with its key
// current; timers registered after the synchronous part stay out of the
// snapshot; restored past-due timers fire at once; deduplication and deletion
// behave as before; version 1 streams still load; timer state names are
// reserved. Time is a manual clock, so nothing here waits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/runtime/internal_timer_service.h>
#include <weir/state/heap_timer_state.h>
#include <weir/state/keyed_state_backend.h>

#include "state/fake_checkpoint_storage.h"
#include "state/state_snapshot.h"
#include "testing/manual_processing_time_service.h"
#include "testing/testing_runtime_context.h"

namespace weir {
namespace {

constexpr int kMaxParallelism = 128;

struct Fired {
  int64_t key = 0;
  int64_t timestamp = 0;
  auto operator<=>(const Fired&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Fired& f) {
  return os << "(key " << f.key << ", t " << f.timestamp << ")";
}

int keyGroupOf(int64_t key) {
  DataOutput out;
  TypeSerializer<int64_t>::serialize(key, out);
  return keyGroupForHash(stableHash(out.data(), out.size()), kMaxParallelism);
}

// One keyed operator subtask: a heap backend of `range`, a manual clock, a value
// state "owner" (key * 10 for every key with timers) and, once opened, the timer
// service. A fired timer records its key as read from the backend's current key,
// and checks that the key's own state is visible.
class Subtask {
 public:
  explicit Subtask(KeyGroupRange range, int64_t now = 0) : ctx_(range, kMaxParallelism), time_(now) {}

  // What a keyed operator's open() does, after any restore.
  void open() {
    owner_ = &ctx_.getState(ValueStateDescriptor<int64_t>("owner"));
    timers_ =
        std::make_unique<InternalTimerService>(time_, ctx_.backend(), [this](int64_t ts) { onTimer(ts); });
  }

  void registerTimer(int64_t key, int64_t ts) {
    ctx_.setKey(key);
    owner_->update(key * 10);
    timers_->registerProcessingTimeTimer(ts);
  }
  void deleteTimer(int64_t key, int64_t ts) {
    ctx_.setKey(key);
    timers_->deleteProcessingTimeTimer(ts);
  }

  std::optional<checkpoint::KeyGroupsStateHandle> snapshot(checkpoint::CheckpointStorage& storage) {
    auto result = state::snapshotKeyedState(ctx_.backend(), storage, 1)();
    EXPECT_TRUE(result.isOk()) << result.status().toString();
    return result.isOk() ? result.value() : std::nullopt;
  }
  Status restore(checkpoint::CheckpointStorage& storage,
                 const std::vector<checkpoint::KeyGroupsStateHandle>& handles) {
    auto reader = storage.createReader();
    return state::restoreKeyedState(ctx_.backend(), handles, *reader);
  }

  bool owns(int64_t key) const { return range().contains(keyGroupOf(key)); }
  KeyGroupRange range() const { return const_cast<Subtask*>(this)->ctx_.backend().keyGroupRange(); }
  InternalTimerService& timers() { return *timers_; }
  testing::ManualProcessingTimeService& time() { return time_; }
  testing::TestingRuntimeContext& ctx() { return ctx_; }
  const std::vector<Fired>& fired() const { return fired_; }
  // Called after a timer was recorded (tests that register from onTimer).
  std::function<void(const Fired&)> afterFire;

 private:
  void onTimer(int64_t ts) {
    std::string_view bytes = ctx_.backend().currentKey();
    DataInput in(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    int64_t key = 0;
    TypeSerializer<int64_t>::deserialize(key, in);
    EXPECT_TRUE(range().contains(ctx_.backend().currentKeyGroup())) << "key " << key;
    EXPECT_EQ(owner_->value(), key * 10)
        << "timer (key " << key << ", t " << ts << ") ran without its key's state";
    fired_.push_back({key, ts});
    if (afterFire) afterFire(fired_.back());
  }

  testing::TestingRuntimeContext ctx_;
  testing::ManualProcessingTimeService time_;
  ValueState<int64_t>* owner_ = nullptr;
  std::unique_ptr<InternalTimerService> timers_;
  std::vector<Fired> fired_;
};

constexpr int64_t kKeys = 300;

// The timers every key gets, shared timestamps included: all of them are in
// the snapshot, nothing else.
std::vector<Fired> expectedTimers() {
  std::vector<Fired> all;
  for (int64_t k = 0; k < kKeys; ++k) {
    all.push_back({k, 1000 + k % 50});
    if (k % 3 == 0) all.push_back({k, 2000 + k});
  }
  std::sort(all.begin(), all.end());
  return all;
}

// Registers expectedTimers() for the keys `s` owns, plus a duplicate of each
// first timer and a timer that is deleted again.
void registerTimers(Subtask& s) {
  for (int64_t k = 0; k < kKeys; ++k) {
    if (!s.owns(k)) continue;
    s.registerTimer(k, 1000 + k % 50);
    s.registerTimer(k, 1000 + k % 50);  // deduplicated
    if (k % 3 == 0) s.registerTimer(k, 2000 + k);
    if (k % 5 == 0) {
      s.registerTimer(k, 3000 + k);
      s.deleteTimer(k, 3000 + k);
    }
  }
}

TEST(TimerStateSnapshotTest, TimersOfTwoSubtasksRestoreIntoOneTwoOrThreeByKeyGroup) {
  fake::FakeCheckpointStorage storage;
  std::vector<checkpoint::KeyGroupsStateHandle> handles;
  size_t registered = 0;
  for (int i = 0; i < 2; ++i) {
    Subtask s(keyGroupRangeForOperatorIndex(kMaxParallelism, 2, i));
    s.open();
    registerTimers(s);
    registered += s.timers().numTimers();
    auto h = s.snapshot(storage);
    ASSERT_TRUE(h.has_value());
    handles.push_back(*h);
  }
  const std::vector<Fired> expected = expectedTimers();
  ASSERT_EQ(registered, expected.size());

  for (int parallelism : {1, 2, 3}) {
    SCOPED_TRACE("restored at parallelism " + std::to_string(parallelism));
    std::vector<Fired> firedEverywhere;
    for (int i = 0; i < parallelism; ++i) {
      Subtask s(keyGroupRangeForOperatorIndex(kMaxParallelism, parallelism, i));
      Status restored = s.restore(storage, handles);
      ASSERT_TRUE(restored.isOk()) << restored.toString();
      s.open();
      const size_t owned = size_t(
          std::count_if(expected.begin(), expected.end(), [&](const Fired& f) { return s.owns(f.key); }));
      EXPECT_EQ(s.timers().numTimers(), owned) << "subtask " << i << ": exactly the timers of its key groups";

      EXPECT_EQ(s.time().advanceTo(999), 0) << "nothing is due before t 1000";
      EXPECT_TRUE(s.fired().empty());
      s.time().advanceTo(100'000);
      for (const Fired& f : s.fired()) {
        EXPECT_TRUE(s.owns(f.key)) << f << " fired in subtask " << i << " of " << parallelism
                                   << ", which does not own key group " << keyGroupOf(f.key);
      }
      EXPECT_TRUE(std::is_sorted(s.fired().begin(), s.fired().end(), [](const Fired& a, const Fired& b) {
        return a.timestamp < b.timestamp;
      })) << "timers fire in time order";
      EXPECT_EQ(s.timers().numTimers(), 0u);
      firedEverywhere.insert(firedEverywhere.end(), s.fired().begin(), s.fired().end());
    }
    std::sort(firedEverywhere.begin(), firedEverywhere.end());
    EXPECT_EQ(firedEverywhere, expected) << "every timer fires exactly once, in one subtask";
  }
}

TEST(TimerStateSnapshotTest, TimersChangedAfterTheSynchronousPartAreNotInTheSnapshot) {
  fake::FakeCheckpointStorage storage;
  Subtask s(KeyGroupRange{0, kMaxParallelism - 1});
  s.open();
  for (int64_t k = 0; k < 100; ++k) s.registerTimer(k, 100 + k);

  state::AsyncKeyedSnapshot async = state::snapshotKeyedState(s.ctx().backend(), storage, 3);
  // After the synchronous part: new timers on snapshotted keys and on new keys,
  // deletions, and timers that fire (and so leave the state).
  for (int64_t k = 0; k < 100; ++k) s.registerTimer(k, 500 + k);
  for (int64_t k = 100; k < 200; ++k) s.registerTimer(k, 100 + k);
  for (int64_t k = 0; k < 100; k += 2) s.deleteTimer(k, 100 + k);
  s.time().advanceTo(150);
  EXPECT_EQ(s.fired().size(), 25u) << "the odd keys below 50";
  EXPECT_EQ(s.timers().numTimers(), 100u + 100u + 50u - 25u);

  auto result = async();
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  ASSERT_TRUE(result.value().has_value()) << "a backend with only timers is snapshotted";

  Subtask restored(KeyGroupRange{0, kMaxParallelism - 1});
  Status st = restored.restore(storage, {*result.value()});
  ASSERT_TRUE(st.isOk()) << st.toString();
  restored.open();
  EXPECT_EQ(restored.timers().numTimers(), 100u);
  restored.time().advanceTo(100'000);
  std::vector<Fired> fired = restored.fired();
  std::sort(fired.begin(), fired.end());
  std::vector<Fired> expected;
  for (int64_t k = 0; k < 100; ++k) expected.push_back({k, 100 + k});
  EXPECT_EQ(fired, expected) << "exactly the timers of snapshot time";
}

TEST(TimerStateSnapshotTest, RestoredPastDueTimersFireAtOnceWithTheirKeys) {
  fake::FakeCheckpointStorage storage;
  Subtask s(KeyGroupRange{0, kMaxParallelism - 1}, /*now=*/0);
  s.open();
  s.registerTimer(1, 100);
  s.registerTimer(2, 200);
  s.registerTimer(3, 5000);
  auto h = s.snapshot(storage);
  ASSERT_TRUE(h.has_value());

  // The job was down until t 1000: timers 100 and 200 are overdue.
  Subtask restored(KeyGroupRange{0, kMaxParallelism - 1}, /*now=*/1000);
  ASSERT_TRUE(restored.restore(storage, {*h}).isOk());
  restored.open();
  EXPECT_EQ(restored.time().numDue(), 1u) << "opening schedules the overdue timers with the task at once";
  restored.time().runDue();
  ASSERT_EQ(restored.fired(), (std::vector<Fired>{{1, 100}, {2, 200}}));
  EXPECT_EQ(restored.timers().numTimers(), 1u);
  restored.time().advanceTo(5000);
  EXPECT_EQ(restored.fired().back(), (Fired{3, 5000}));
}

TEST(TimerStateSnapshotTest, DeduplicationAndDeletionAreUnchanged) {
  fake::FakeCheckpointStorage storage;
  Subtask s(KeyGroupRange{0, kMaxParallelism - 1});
  s.open();
  EXPECT_EQ(s.ctx().backend().findState(std::string(kProcessingTimerStateName)), nullptr)
      << "no timer state before the first timer: operators without timers snapshot nothing more";
  s.registerTimer(1, 10);
  s.registerTimer(1, 10);
  EXPECT_EQ(s.timers().numTimers(), 1u) << "same key, same time: one timer";
  s.registerTimer(2, 10);
  s.registerTimer(1, 20);
  EXPECT_EQ(s.timers().numTimers(), 3u) << "another key or another time: another timer";
  s.deleteTimer(1, 20);
  s.deleteTimer(1, 30);  // no such timer
  s.deleteTimer(3, 10);  // a key without timers
  EXPECT_EQ(s.timers().numTimers(), 2u);
  // The callback may register its own timer again (it was removed first).
  bool again = true;
  s.afterFire = [&](const Fired& f) {
    if (f.key == 1 && std::exchange(again, false)) s.timers().registerProcessingTimeTimer(10);
  };
  s.time().advanceTo(100);
  std::vector<Fired> fired = s.fired();
  std::sort(fired.begin(), fired.end());
  EXPECT_EQ(fired, (std::vector<Fired>{{1, 10}, {1, 10}, {2, 10}}));
  EXPECT_EQ(s.timers().numTimers(), 0u);
  const InternalKvState* state = s.ctx().backend().findState(std::string(kProcessingTimerStateName));
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->kind(), StateKind::kTimers);
  EXPECT_EQ(state->numEntries(), 0u) << "fired and deleted timers leave no entry behind";
}

TEST(TimerStateSnapshotTest, UserStatesCannotTakeTimerOrOperatorInternalStateNames) {
  testing::TestingRuntimeContext ctx(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism);
  for (std::string name : {std::string(kProcessingTimerStateName), std::string(kEventTimerStateName),
                           std::string("_timer_state/mine"), std::string("_internal/window-contents"),
                           std::string("_internal/mine")}) {
    try {
      ctx.getState(ValueStateDescriptor<int64_t>(name));
      FAIL() << name << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("reserved"), std::string::npos) << e.what();
    }
  }
  ctx.getState(ValueStateDescriptor<int64_t>("_timer_statement"));  // only the prefixes with their slash
  ctx.getState(ValueStateDescriptor<int64_t>("_internals"));
}

void setVersion(std::string& bytes, uint32_t version) {
  ASSERT_GE(bytes.size(), 12u);
  for (int i = 0; i < 4; ++i) bytes[size_t(8 + i)] = char((version >> (8 * i)) & 0xFF);
}

TEST(TimerStateSnapshotTest, Version1StreamsWithoutTimersStillRestore) {
  fake::FakeCheckpointStorage storage;
  testing::TestingRuntimeContext ctx(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism);
  auto& v = ctx.getState(ValueStateDescriptor<std::string>("v"));
  for (int64_t k = 0; k < 50; ++k) {
    ctx.setKey(k);
    v.update("value-" + std::to_string(k));
  }
  auto result = state::snapshotKeyedState(ctx.backend(), storage, 1)();
  ASSERT_TRUE(result.isOk() && result.value().has_value());
  const checkpoint::KeyGroupsStateHandle h = *result.value();
  std::string& bytes = storage.fileBytes(h.stream.relativePath);
  ASSERT_EQ(bytes[8], 2) << "this build writes version 2";
  // Without timers, a version 1 stream had exactly these bytes.
  setVersion(bytes, 1);

  testing::TestingRuntimeContext restored(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism);
  auto reader = storage.createReader();
  Status s = state::restoreKeyedState(restored.backend(), {h}, *reader);
  ASSERT_TRUE(s.isOk()) << s.toString();
  auto& rv = restored.getState(ValueStateDescriptor<std::string>("v"));
  for (int64_t k = 0; k < 50; ++k) {
    restored.setKey(k);
    EXPECT_EQ(rv.value(), "value-" + std::to_string(k));
  }
}

TEST(TimerStateSnapshotTest, Version1StreamsCannotCarryTimers) {
  fake::FakeCheckpointStorage storage;
  Subtask s(KeyGroupRange{0, kMaxParallelism - 1});
  s.open();
  s.registerTimer(7, 70);
  auto h = s.snapshot(storage);
  ASSERT_TRUE(h.has_value());
  setVersion(storage.fileBytes(h->stream.relativePath), 1);
  Subtask restored(KeyGroupRange{0, kMaxParallelism - 1});
  Status st = restored.restore(storage, {*h});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.toString();
  EXPECT_NE(st.message().find("unknown kind"), std::string::npos) << st.message();
}

TEST(TimerStateSnapshotTest, UnorderedTimestampsInTheCheckpointFailTheRestoreNamingTheState) {
  fake::FakeCheckpointStorage storage;
  Subtask s(KeyGroupRange{0, kMaxParallelism - 1});
  s.open();
  s.registerTimer(7, 0x5151515151);
  s.registerTimer(7, 0x5252525252);
  auto h = s.snapshot(storage);
  ASSERT_TRUE(h.has_value());
  // Swap the two timestamps (stored in ascending order, each as 8 little-endian bytes).
  std::string& bytes = storage.fileBytes(h->stream.relativePath);
  DataOutput pattern;
  pattern.writeI64(0x5151515151);
  pattern.writeI64(0x5252525252);
  const std::string ascending(pattern.view());
  const size_t pos = bytes.find(ascending);
  ASSERT_NE(pos, std::string::npos);
  std::swap_ranges(bytes.begin() + long(pos), bytes.begin() + long(pos) + 8, bytes.begin() + long(pos) + 8);

  Subtask restored(KeyGroupRange{0, kMaxParallelism - 1});
  ASSERT_TRUE(restored.restore(storage, {*h}).isOk())
      << "bytes are checked when the timer service takes them";
  try {
    restored.open();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::string(kProcessingTimerStateName)), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("strictly increasing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weir
