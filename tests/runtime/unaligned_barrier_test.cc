// SingleCheckpointBarrierHandler with unaligned barriers: the task snapshots at
// the first barrier and no channel is blocked; each channel's in-flight data ends
// at its barrier; an unaligned barrier during an aligned alignment switches the
// checkpoint to unaligned at once.
#include "runtime/barrier_test_support.h"
#include "runtime/single_checkpoint_barrier_handler.h"

namespace weir::runtime {
namespace {

using namespace barrier_testing;

CheckpointBarrier unalignedBarrier(int64_t id) {
  return CheckpointBarrier{id, 0, network::CheckpointKind::kCheckpoint,
                           network::BarrierAlignment::kUnaligned};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(UnalignedBarrierTest, SnapshotsAtTheFirstBarrierAndBlocksNoChannel) {
  TwoProducers t;
  t.record(0, "a1");
  t.priorityBarrier(0, 1);  // overtakes a1
  t.record(1, "b1");
  t.record(1, "b2");
  t.event(1, unalignedBarrier(1));  // in turn, after b1 and b2
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 4u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "unaligned snapshot 1 after []");
  EXPECT_EQ(target.log[1], "channel 0/0 after []");
  // Channel 0 was read on after its barrier (a1, which the barrier overtook) while
  // channel 1's barrier was still on its way: nothing was blocked.
  EXPECT_TRUE(contains(target.log[2], "channel 0/1 after [")) << target.log[2];
  EXPECT_TRUE(contains(target.log[2], "a1")) << target.log[2];
  EXPECT_TRUE(contains(target.log[2], "b2")) << target.log[2];
  EXPECT_TRUE(contains(target.log[3], "complete 1")) << target.log[3];
  EXPECT_EQ(target.read.size(), 3u);
}

TEST(UnalignedBarrierTest, UnalignedBarrierDuringAlignmentSwitchesToUnaligned) {
  TwoProducers t;
  t.event(0, CheckpointBarrier{2, 0});  // aligned (its producer's data ended, say)
  t.record(0, "after-barrier");
  t.record(1, "b1");
  t.priorityBarrier(1, 2);  // overtakes b1
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 4u) << RecordingTarget::join(target.log);
  // Channel 0 was blocked at its aligned barrier: the snapshot has nothing after it.
  EXPECT_EQ(target.log[0], "unaligned snapshot 2 after []");
  EXPECT_EQ(target.log[1], "channel 0/0 after []");
  EXPECT_EQ(target.log[2], "channel 0/1 after []");
  EXPECT_EQ(target.log[3], "complete 2 after []");
  EXPECT_EQ(target.read.size(), 2u) << "both channels resumed";
}

TEST(UnalignedBarrierTest, CancellationAndEndOfPartitionEndTheUnalignedCheckpoint) {
  {
    TwoProducers t;
    t.priorityBarrier(0, 3);
    t.record(1, "b1");
    t.event(1, CancelCheckpointMarker{3});
    t.event(0, EndOfPartitionEvent{});
    t.event(1, EndOfPartitionEvent{});
    RecordingTarget target;
    SingleCheckpointBarrierHandler handler({&t.gate}, target);
    drain(t, target, handler);
    ASSERT_EQ(target.log.size(), 3u) << RecordingTarget::join(target.log);
    EXPECT_EQ(target.log[0], "unaligned snapshot 3 after []");
    EXPECT_EQ(target.log[2], "abort 3");
  }
  {
    TwoProducers t;
    t.priorityBarrier(0, 4);
    t.record(1, "last");
    t.event(1, EndOfPartitionEvent{});
    t.event(0, EndOfPartitionEvent{});
    RecordingTarget target;
    SingleCheckpointBarrierHandler handler({&t.gate}, target);
    drain(t, target, handler);
    ASSERT_EQ(target.log.size(), 3u) << RecordingTarget::join(target.log);
    EXPECT_EQ(target.log[2], "complete 4 after [last]") << "the channel that ended no longer waits";
  }
}

// Aligned-checkpoint timeout: the alignment starts aligned (channel 0 blocks); when the
// timeout passes, the task snapshots unaligned and channel 1's queued barrier overtakes
// the data before it.
TEST(UnalignedBarrierTest, AlignmentTimeoutSwitchesToUnalignedAndBarriersOvertake) {
  TwoProducers t;
  const CheckpointBarrier withTimeout{5, 0, network::CheckpointKind::kCheckpoint,
                                      network::BarrierAlignment::kAlignedWithTimeout};
  t.event(0, withTimeout);
  t.record(0, "a-after");
  t.record(1, "b1");
  t.record(1, "b2");
  t.event(1, withTimeout);
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  network::GateRecordReader reader(t.gate);
  reader.setCheckpointEventListener(&handler.listenerForGate(0));
  DataInput in;
  ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);  // channel 0's barrier, then b1
  target.read.push_back(std::string(reinterpret_cast<const char*>(in.current()), in.remaining()));
  ASSERT_EQ(target.read.back(), "b1");
  EXPECT_TRUE(handler.isAligning());
  handler.alignmentTimedOut(4);  // another checkpoint's timer: nothing happens
  EXPECT_TRUE(handler.isAligning());
  handler.alignmentTimedOut(5);
  EXPECT_TRUE(handler.isCollectingUnaligned());
  reader.processPriorityEvents();  // channel 1's barrier, converted, comes first
  ASSERT_EQ(target.log.size(), 5u) << RecordingTarget::join(target.log);
  EXPECT_EQ(target.log[0], "alignment with timeout 5");
  EXPECT_EQ(target.log[1], "unaligned snapshot 5 after [b1]");
  EXPECT_EQ(target.log[2], "channel 0/0 after [b1]");
  EXPECT_EQ(target.log[3], "channel 0/1 after [b1]") << "b2 was overtaken (and persisted), not read";
  EXPECT_EQ(target.log[4], "complete 5 after [b1]");
  std::vector<std::string> rest;
  while (reader.next(in) == RecordReader::ReadStatus::kRecord)
    rest.emplace_back(reinterpret_cast<const char*>(in.current()), in.remaining());
  EXPECT_EQ(rest.size(), 2u) << "a-after (channel 0 resumed) and b2";
}

TEST(UnalignedBarrierTest, NewerBarrierAbortsTheUnalignedCheckpointInProgress) {
  TwoProducers t;
  t.priorityBarrier(0, 5);
  t.priorityBarrier(0, 6);
  t.priorityBarrier(1, 6);
  t.event(0, EndOfPartitionEvent{});
  t.event(1, EndOfPartitionEvent{});
  RecordingTarget target;
  SingleCheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  std::string all = RecordingTarget::join(target.log);
  EXPECT_TRUE(contains(all, "abort 5")) << all;
  EXPECT_TRUE(contains(all, "complete 6")) << all;
  EXPECT_FALSE(contains(all, "complete 5")) << all;
}

}  // namespace
}  // namespace weir::runtime
