// CheckpointBarrierTracker over real gates: at-least-once semantics. No channel
// is ever blocked (records after a barrier may be read before the snapshot), the
// snapshot happens when the last open channel delivered the barrier, several
// checkpoints may be pending at once, and cancellation aborts once.
#include "runtime/barrier_test_support.h"
#include "runtime/checkpoint_barrier_tracker.h"

namespace weir::runtime {
namespace {

using namespace barrier_testing;

TEST(BarrierTrackerTest, NeverBlocksAndSnapshotsWhenTheLastBarrierArrives) {
  TwoProducers t;
  t.record(0, "a1");
  t.event(0, CheckpointBarrier{1, 0});
  for (int i = 0; i < 6; ++i) t.record(0, "after" + std::to_string(i));
  for (int i = 0; i < 6; ++i) t.record(1, "b" + std::to_string(i));
  t.event(1, CheckpointBarrier{1, 0});
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 1u) << RecordingTarget::join(target.log);
  const std::string& snap = target.log[0];
  // Every record before a barrier is in it, and channel 0 kept flowing after its barrier
  // (an aligned handler would have held back every "after" record).
  for (const char* r : {"a1", "b0", "b5"}) EXPECT_NE(snap.find(r), std::string::npos) << snap;
  EXPECT_NE(snap.find("after"), std::string::npos) << "channel 0 was blocked: " << snap;
  EXPECT_EQ(target.read.size(), 13u);
}

TEST(BarrierTrackerTest, TracksOverlappingCheckpointsInOrder) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{1, 0});
  t.event(0, CheckpointBarrier{2, 0});
  t.record(0, "x");
  t.event(1, CheckpointBarrier{1, 0});
  t.event(1, CheckpointBarrier{2, 0});
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 2u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0].rfind("snapshot 1", 0), 0u) << target.log[0];
  EXPECT_EQ(target.log[1].rfind("snapshot 2", 0), 0u) << target.log[1];
  EXPECT_EQ(tracker.pendingCheckpoints(), 0u);
}

TEST(BarrierTrackerTest, AChannelEndingCompletesAPendingCheckpoint) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{5, 0});
  t.record(0, "after");
  t.event(0, EndOfPartitionEvent{});
  t.record(1, "last");
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 1u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0].rfind("snapshot 5", 0), 0u) << target.log[0];
}

TEST(BarrierTrackerTest, CancellationAbortsOnceAndItsLateBarriersAreIgnored) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{3, 0});
  t.record(0, "a");
  t.event(1, CancelCheckpointMarker{3});
  t.event(1, CheckpointBarrier{3, 0});  // a stale barrier of the cancelled checkpoint
  t.event(0, CancelCheckpointMarker{3});
  t.record(1, "b");
  t.event(0, CheckpointBarrier{4, 0});
  t.event(1, CheckpointBarrier{4, 0});
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 2u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "abort 3");
  EXPECT_EQ(target.log[1].rfind("snapshot 4", 0), 0u) << target.log[1];
  EXPECT_EQ(target.read.size(), 2u);
}

TEST(BarrierTrackerTest, ACancellationBeforeAnyBarrierPreemptsTheCheckpoint) {
  TwoProducers t;
  t.event(0, CancelCheckpointMarker{7});
  t.event(1, CheckpointBarrier{7, 0});
  t.event(0, CheckpointBarrier{7, 0});
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 1u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "abort 7");
}

TEST(BarrierTrackerTest, SingleChannelSnapshotsAtOnce) {
  TwoProducers t;
  t.event(1, EndOfPartitionEvent{});
  t.record(0, "r");
  t.event(0, CheckpointBarrier{9, 0});
  t.record(0, "s");
  t.event(0, EndOfPartitionEvent{});
  RecordingTarget target;
  CheckpointBarrierTracker tracker({&t.gate}, target);
  drain(t, target, tracker);
  ASSERT_EQ(target.log.size(), 1u);
  EXPECT_EQ(target.log[0], "snapshot 9 after [r]");
}

}  // namespace
}  // namespace weir::runtime
