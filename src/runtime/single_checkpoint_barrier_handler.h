// SingleCheckpointBarrierHandler: exactly-once barrier handling for one task
// across all of its input gates (Flink's SingleCheckpointBarrierHandler), for
// aligned and unaligned barriers.
//
// Aligned: when barrier N arrives on a channel, that channel is blocked: its
// later data belongs after the checkpoint and must not be processed yet. (A
// blocked channel is simply not polled, so its data waits with the producer:
// bounded by credits and the producer's pool, never buffered here.) When
// barrier N has arrived on every channel that has not ended, the task snapshots
// and forwards the barrier, and every channel is resumed.
//
// Unaligned (the barrier says so; it came as a priority event): the task
// snapshots at the first barrier, and no channel is blocked; the task persists
// each channel's in-flight data until that channel's barrier arrives
// (Target::channelBarrierArrived), and the checkpoint is complete at this task
// when the last one did (Target::allBarriersArrived). An unaligned barrier
// arriving while the checkpoint aligns switches it to unaligned: the task
// snapshots then and the blocked channels resume (a task whose upstream ended
// its data sends aligned barriers, the others unaligned ones).
//
// Every alignment's start is told to the task (Target::alignmentStarted: it
// counts the bytes processed while aligning, Flink's processed_data).
// Aligned-checkpoint timeout (kAlignedWithTimeout barriers): the checkpoint
// aligns, and the task (told by Target::alignmentStarted) calls
// alignmentTimedOut() once the timeout since the trigger passed; if the
// alignment is still running then, it switches to unaligned, and the barriers
// still queued on the consumer side of the missing channels become priority
// events, overtaking the data before them (which is persisted).
//
// Corner cases, as in Flink: a channel that ends during alignment no longer
// waits for a barrier; a barrier of a newer checkpoint arriving before the
// current alignment finished aborts the current one and starts the new one;
// barriers of older checkpoints are ignored; a cancellation marker aborts the
// alignment of its checkpoint (or pre-empts it, if its barriers have not come
// yet) and is forwarded downstream by the task.
//
// Threading: task thread only.
#pragma once

#include "runtime/checkpoint_barrier_handler.h"

namespace weir::runtime {

class SingleCheckpointBarrierHandler final : public CheckpointBarrierHandler {
 public:
  SingleCheckpointBarrierHandler(std::vector<network::InputGate*> gates, Target& target);

  bool isAligning() const { return aligning_ && !unaligned_; }
  bool isCollectingUnaligned() const { return aligning_ && unaligned_; }
  void alignmentTimedOut(int64_t checkpointId) override;
  int64_t currentCheckpointId() const { return currentId_; }

 private:
  void onBarrier(int gate, int channel, const network::CheckpointBarrier& barrier) override;
  void onCancelMarker(int gate, int channel, int64_t checkpointId) override;
  void onEndOfPartition(int gate, int channel) override;
  void startAlignment(const network::CheckpointBarrier& barrier);
  void switchToUnaligned();
  void maybeCompleteAlignment();
  void abortAlignment(const std::string& reason);
  void resumeAll();

  std::vector<std::vector<char>> received_;  // [gate][channel]: barrier of currentId_ arrived
  std::vector<std::vector<char>> finished_;  // [gate][channel]: channel ended
  int openChannels_ = 0;
  int receivedOpen_ = 0;  // open channels that delivered the current barrier
  int64_t currentId_ = -1;
  bool aligning_ = false;   // checkpoint currentId_ is in progress here (aligned or unaligned)
  bool unaligned_ = false;  // ... and it is unaligned: the task has snapshotted
  network::CheckpointBarrier currentBarrier_;
  std::chrono::steady_clock::time_point alignmentStart_;
  std::chrono::nanoseconds startDelay_{0};
};

}  // namespace weir::runtime
