// SingleCheckpointBarrierHandler over real gates: aligned exactly-once semantics.
// Records written after a barrier on a channel must not be read before the
// snapshot; the snapshot happens once every open channel delivered the barrier.
#include "runtime/barrier_test_support.h"
#include "runtime/single_checkpoint_barrier_handler.h"

namespace weir::runtime {
namespace {

using namespace barrier_testing;

TEST(BarrierAlignmentTest, BlocksChannelsUntilAllBarriersArrived) {
  TwoProducers t;
  t.record(0, "a1");
  t.record(0, "a2");
  t.event(0, CheckpointBarrier{1, 0});
  t.record(0, "a3");
  t.record(0, "a4");
  t.record(1, "b1");
  t.event(1, CheckpointBarrier{1, 0});
  t.record(1, "b2");
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 1u);
  // Exactly the records before the barriers, whatever the interleaving of the two channels.
  std::string snap = target.log[0];
  EXPECT_EQ(snap.find("a3"), std::string::npos) << snap;
  EXPECT_EQ(snap.find("a4"), std::string::npos) << snap;
  EXPECT_EQ(snap.find("b2"), std::string::npos) << snap;
  for (const char* r : {"a1", "a2", "b1"}) EXPECT_NE(snap.find(r), std::string::npos) << snap;
  EXPECT_EQ(target.read.size(), 6u);
}

TEST(BarrierAlignmentTest, NewerBarrierAbortsUnfinishedAlignment) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{1, 0});
  t.record(0, "x");
  t.event(0, CheckpointBarrier{2, 0});
  t.event(1, CheckpointBarrier{2, 0});
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 2u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "abort 1");
  EXPECT_EQ(target.log[1], "snapshot 2 after [x]");
}

TEST(BarrierAlignmentTest, ChannelEndingDuringAlignmentCompletesIt) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{5, 0});
  t.record(0, "after");
  t.event(0, EndOfPartitionEvent{});
  t.record(1, "last");
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 1u);
  EXPECT_EQ(target.log[0], "snapshot 5 after [last]");
}

TEST(BarrierAlignmentTest, CancellationMarkerAbortsAndLaterBarriersAreIgnored) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{3, 0});
  t.record(0, "a");
  t.event(1, CancelCheckpointMarker{3});
  t.event(1, CheckpointBarrier{3, 0});  // a stale barrier of the cancelled checkpoint
  t.record(1, "b");
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 1u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "abort 3");
  EXPECT_EQ(target.read.size(), 2u);
}

TEST(BarrierAlignmentTest, SingleChannelSnapshotsAtOnce) {
  TwoProducers t;
  t.event(1, EndOfPartitionEvent{});
  t.record(0, "r");
  t.event(0, CheckpointBarrier{9, 0});
  t.event(0, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 1u);
  EXPECT_EQ(target.log[0], "snapshot 9 after [r]");
}

}  // namespace
}  // namespace weir::runtime
