// CheckpointBarrierHandler: aligned, exactly-once barrier handling for one task
// across all of its input gates (Flink's SingleCheckpointBarrierHandler in
// aligned mode).
//
// When barrier N arrives on a channel, that channel is blocked: its later data
// belongs after the checkpoint and must not be processed yet. (A blocked channel
// is simply not polled, so its data waits with the producer: bounded by credits
// and the producer's pool, never buffered here.) When barrier N has arrived on
// every channel that has not ended, the task snapshots and forwards the barrier,
// and every channel is resumed.
//
// Corner cases, as in Flink: a channel that ends during alignment no longer
// waits for a barrier; a barrier of a newer checkpoint arriving before the
// current alignment finished aborts the current one and starts the new one;
// barriers of older checkpoints are ignored; a cancellation marker aborts the
// alignment of its checkpoint (or pre-empts it, if its barriers have not come
// yet) and is forwarded downstream by the task.
//
// Threading: task thread only (it is called from inside the gates' readers).
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
    // Every open channel delivered barrier N: snapshot now, then forward it.
    virtual void triggerCheckpointOnBarrier(const network::CheckpointBarrier& barrier,
                                            std::chrono::nanoseconds alignmentDuration,
                                            std::chrono::nanoseconds startDelay) = 0;
    // Checkpoint N will not complete at this task: forward a cancellation marker and decline it.
    virtual void abortCheckpointOnBarrier(int64_t checkpointId, const std::string& reason) = 0;
  };

  CheckpointBarrierHandler(std::vector<network::InputGate*> gates, Target& target);
  ~CheckpointBarrierHandler();

  // The listener to install on the reader of gate `gateIndex`.
  network::CheckpointEventListener& listenerForGate(int gateIndex);

  bool isAligning() const { return aligning_; }
  int64_t currentCheckpointId() const { return currentId_; }

 private:
  class GateListener;
  void onBarrier(int gate, int channel, const network::CheckpointBarrier& barrier);
  void onCancelMarker(int gate, int channel, int64_t checkpointId);
  void onEndOfPartition(int gate, int channel);
  void startAlignment(const network::CheckpointBarrier& barrier);
  void maybeCompleteAlignment();
  void abortAlignment(const std::string& reason);
  void resumeAll();

  std::vector<network::InputGate*> gates_;
  Target& target_;
  std::vector<std::unique_ptr<GateListener>> listeners_;
  std::vector<std::vector<char>> received_;  // [gate][channel]: barrier of currentId_ arrived
  std::vector<std::vector<char>> finished_;  // [gate][channel]: channel ended
  int openChannels_ = 0;
  int receivedOpen_ = 0;  // open channels that delivered the current barrier
  int64_t currentId_ = -1;
  bool aligning_ = false;
  network::CheckpointBarrier currentBarrier_;
  std::chrono::steady_clock::time_point alignmentStart_;
  std::chrono::nanoseconds startDelay_{0};
};

}  // namespace weir::runtime
