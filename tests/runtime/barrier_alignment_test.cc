// CheckpointBarrierHandler over real gates: aligned exactly-once semantics.
// Records written after a barrier on a channel must not be read before the
// snapshot; the snapshot happens once every open channel delivered the barrier.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <weir/core/data_io.h>

#include "network/buffer_pool.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"
#include "runtime/checkpoint_barrier_handler.h"

namespace weir::runtime {
namespace {

using network::CancelCheckpointMarker;
using network::CheckpointBarrier;
using network::EndOfPartitionEvent;

// Two producers (channels 0 and 1) of one gate.
struct TwoProducers {
  TwoProducers() : global(64, 4096), gate("consumer", 2) {
    for (int p = 0; p < 2; ++p) {
      partitions.push_back(std::make_unique<network::ResultPartition>(
          "p" + std::to_string(p), 1, network::LocalBufferPool::create(global, 16, "p").valueOrThrow()));
      writers.push_back(std::make_unique<network::PartitionRecordWriter>(
          *partitions.back(), network::FlushMode::kAfterEveryRecord));
      gate.setChannel(
          p, std::make_unique<network::LocalInputChannel>(gate, p, partitions.back()->subpartition(0)));
    }
    gate.requestPartitions();
  }
  void record(int p, const std::string& r) {
    writers[size_t(p)]->emit(reinterpret_cast<const uint8_t*>(r.data()), r.size(), 0);
  }
  void event(int p, const network::TaskEvent& e) { writers[size_t(p)]->broadcastEvent(e); }

  network::NetworkBufferPool global;
  std::vector<std::unique_ptr<network::ResultPartition>> partitions;
  std::vector<std::unique_ptr<network::PartitionRecordWriter>> writers;
  network::InputGate gate;
};

// Records what the handler asks of the task, and which records had been read by then.
class RecordingTarget final : public CheckpointBarrierHandler::Target {
 public:
  void triggerCheckpointOnBarrier(const CheckpointBarrier& b, std::chrono::nanoseconds,
                                  std::chrono::nanoseconds) override {
    log.push_back("snapshot " + std::to_string(b.id) + " after [" + join(read) + "]");
  }
  void abortCheckpointOnBarrier(int64_t id, const std::string&) override {
    log.push_back("abort " + std::to_string(id));
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }
  std::vector<std::string> read;
  std::vector<std::string> log;
};

// Reads everything; returns the records in read order.
void drain(TwoProducers& t, RecordingTarget& target, CheckpointBarrierHandler& handler) {
  network::GateRecordReader reader(t.gate);
  reader.setCheckpointEventListener(&handler.listenerForGate(0));
  DataInput in;
  for (int guard = 0; guard < 10000; ++guard) {
    auto s = reader.next(in);
    if (s == RecordReader::ReadStatus::kEndOfInput) return;
    if (s == RecordReader::ReadStatus::kEndOfData) continue;
    if (s == RecordReader::ReadStatus::kNothingAvailable) return;  // everything was written up front
    std::string r(reinterpret_cast<const char*>(in.current()), in.remaining());
    target.read.push_back(r);
  }
  FAIL() << "reader did not end";
}

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
  CheckpointBarrierHandler handler({&t.gate}, target);
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
  CheckpointBarrierHandler handler({&t.gate}, target);
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
  CheckpointBarrierHandler handler({&t.gate}, target);
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
  CheckpointBarrierHandler handler({&t.gate}, target);
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
  CheckpointBarrierHandler handler({&t.gate}, target);
  drain(t, target, handler);
  ASSERT_EQ(target.log.size(), 1u);
  EXPECT_EQ(target.log[0], "snapshot 9 after [r]");
}

}  // namespace
}  // namespace weir::runtime
