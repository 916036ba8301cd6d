// CheckpointBarrierHandler: what a task does with the checkpoint barriers,
// cancellation markers and ends of partition that arrive on its input gates
// (Flink's CheckpointBarrierHandler). Two implementations, chosen by
// `execution.checkpointing.mode`:
//   - SingleCheckpointBarrierHandler (EXACTLY_ONCE): aligns: blocks each channel
//     whose barrier arrived until the barrier arrived on all of them;
//   - CheckpointBarrierTracker (AT_LEAST_ONCE): never blocks; snapshots when the
//     last barrier of a checkpoint arrived, so records after a barrier may be in
//     the snapshot and are replayed after a recovery (duplicates, never losses).
//
// The handler tells its Target (the task) when to snapshot and when a
// checkpoint cannot complete here. Threading: task thread only (it is called
// from inside the gates' readers).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "network/events.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"

namespace weir::runtime {

class CheckpointBarrierHandler {
 public:
  // What the handler tells the task.
  class Target {
   public:
    virtual ~Target() = default;
    // Checkpoint N may be taken now: snapshot, then forward the barrier. `alignment`
    // is how long the handler waited between the first and the last barrier.
    virtual void triggerCheckpointOnBarrier(const network::CheckpointBarrier& barrier,
                                            std::chrono::nanoseconds alignment,
                                            std::chrono::nanoseconds startDelay) = 0;
    // Checkpoint N will not complete at this task: forward a cancellation marker and decline it.
    virtual void abortCheckpointOnBarrier(int64_t checkpointId, const std::string& reason) = 0;
    // Unaligned checkpoints (triggered with an unaligned barrier, at the first one): the
    // barrier arrived on this channel, so its in-flight data for the checkpoint is complete.
    virtual void channelBarrierArrived(int gate, int channel) {
      (void)gate;
      (void)channel;
    }
    // The first barrier of a checkpoint arrived (an alignment started). With a timeout
    // (a kAlignedWithTimeout barrier) the task calls alignmentTimedOut(id) when the
    // timeout since the checkpoint's trigger has passed.
    virtual void alignmentStarted(const network::CheckpointBarrier& barrier) { (void)barrier; }
    // Unaligned checkpoints: every channel delivered its barrier (or ended); `alignment`
    // is the time from the first barrier to the last.
    virtual void allBarriersArrived(int64_t checkpointId, std::chrono::nanoseconds alignment) {
      (void)checkpointId;
      (void)alignment;
    }
  };

  virtual ~CheckpointBarrierHandler();
  CheckpointBarrierHandler(const CheckpointBarrierHandler&) = delete;
  CheckpointBarrierHandler& operator=(const CheckpointBarrierHandler&) = delete;

  // The listener to install on the reader of gate `gateIndex`.
  network::CheckpointEventListener& listenerForGate(int gateIndex);
  // The aligned-checkpoint timeout of checkpoint `checkpointId` passed (a mail of the task).
  virtual void alignmentTimedOut(int64_t checkpointId) { (void)checkpointId; }

 protected:
  CheckpointBarrierHandler(std::vector<network::InputGate*> gates, Target& target);
  virtual void onBarrier(int gate, int channel, const network::CheckpointBarrier& barrier) = 0;
  virtual void onCancelMarker(int gate, int channel, int64_t checkpointId) = 0;
  virtual void onEndOfPartition(int gate, int channel) = 0;
  // Time from the checkpoint's trigger (the barrier's timestamp) to now.
  static std::chrono::nanoseconds startDelayOf(const network::CheckpointBarrier& barrier);

  std::vector<network::InputGate*> gates_;
  Target& target_;

 private:
  class GateListener;
  std::vector<std::unique_ptr<GateListener>> listeners_;
};

}  // namespace weir::runtime
