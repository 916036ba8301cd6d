// CheckpointBarrierTracker: at-least-once barrier handling (Flink's
// CheckpointBarrierTracker). No channel is ever blocked: records keep flowing
// on a channel after its barrier, so the snapshot may include effects of
// records that come after the checkpoint. After a recovery those records are
// replayed: duplicates are possible, losses are not.
//
// The tracker counts, per checkpoint, the open channels that delivered its
// barrier; when every open channel has, the task snapshots. Several
// checkpoints may be pending at once (up to kMaxPendingCheckpoints, the oldest
// forgotten beyond). Completing checkpoint N drops the older pending ones (on
// FIFO channels they have either completed or lost a barrier to a cancelled
// checkpoint); a cancellation marker aborts its checkpoint and every older
// pending one, once each; a channel that ends stops counting, which may
// complete a pending checkpoint.
//
// Threading: task thread only.
#pragma once

#include <deque>

#include "runtime/checkpoint_barrier_handler.h"

namespace weir::runtime {

class CheckpointBarrierTracker final : public CheckpointBarrierHandler {
 public:
  static constexpr size_t kMaxPendingCheckpoints = 50;  // Flink's MAX_CHECKPOINTS_TO_TRACK

  CheckpointBarrierTracker(std::vector<network::InputGate*> gates, Target& target);

  size_t pendingCheckpoints() const { return pending_.size(); }

 private:
  struct Pending {
    network::CheckpointBarrier barrier;
    std::vector<std::vector<char>> received;  // [gate][channel]
    int receivedOpen = 0;                     // open channels that delivered the barrier
    bool aborted = false;
    std::chrono::steady_clock::time_point firstBarrier;
  };
  void onBarrier(int gate, int channel, const network::CheckpointBarrier& barrier) override;
  void onCancelMarker(int gate, int channel, int64_t checkpointId) override;
  void onEndOfPartition(int gate, int channel) override;
  // Triggers the newest pending checkpoint whose barriers have all arrived, dropping the older ones.
  void triggerCompleted();

  std::vector<std::vector<char>> finished_;  // [gate][channel]: channel ended
  int openChannels_ = 0;
  std::deque<Pending> pending_;  // by checkpoint id, oldest first
  int64_t latestSeenId_ = -1;    // the newest checkpoint any barrier or marker named
};

}  // namespace weir::runtime
