#include "runtime/checkpoint_barrier_tracker.h"

#include <weir/core/check.h>

namespace weir::runtime {

CheckpointBarrierTracker::CheckpointBarrierTracker(std::vector<network::InputGate*> gates, Target& target)
    : CheckpointBarrierHandler(std::move(gates), target) {
  for (network::InputGate* g : gates_) {
    finished_.emplace_back(size_t(g->numberOfChannels()), 0);
    openChannels_ += g->numberOfChannels();
  }
}

void CheckpointBarrierTracker::onBarrier(int gate, int channel, const network::CheckpointBarrier& barrier) {
  auto it = pending_.begin();
  while (it != pending_.end() && it->barrier.id < barrier.id) ++it;
  if (it == pending_.end() || it->barrier.id != barrier.id) {
    // A barrier of a checkpoint no longer pending here (completed, aborted or forgotten).
    if (barrier.id <= latestSeenId_) return;
    latestSeenId_ = barrier.id;
    Pending p;
    p.barrier = barrier;
    for (network::InputGate* g : gates_) p.received.emplace_back(size_t(g->numberOfChannels()), 0);
    p.firstBarrier = std::chrono::steady_clock::now();
    pending_.push_back(std::move(p));
    it = std::prev(pending_.end());
    if (pending_.size() > kMaxPendingCheckpoints) {
      pending_.pop_front();  // forgotten: the coordinator times it out
      it = std::prev(pending_.end());
    }
  }
  char& got = it->received[size_t(gate)][size_t(channel)];
  WEIR_CHECK_MSG(!got, "two barriers of one checkpoint on one channel");
  got = 1;
  ++it->receivedOpen;
  triggerCompleted();
}

void CheckpointBarrierTracker::triggerCompleted() {
  // The newest pending checkpoint whose barriers have all arrived.
  auto done = pending_.end();
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->receivedOpen >= openChannels_) done = it;
  }
  if (done == pending_.end()) return;
  const Pending completed = std::move(*done);
  pending_.erase(pending_.begin(), std::next(done));
  if (completed.aborted) return;
  target_.triggerCheckpointOnBarrier(completed.barrier,
                                     std::chrono::steady_clock::now() - completed.firstBarrier,
                                     startDelayOf(completed.barrier));
}

void CheckpointBarrierTracker::onCancelMarker(int, int, int64_t checkpointId) {
  const std::string reason = "checkpoint " + std::to_string(checkpointId) + " was cancelled upstream";
  // Older pending checkpoints can no longer complete either: their barriers were overtaken.
  while (!pending_.empty() && pending_.front().barrier.id < checkpointId) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (!p.aborted) target_.abortCheckpointOnBarrier(p.barrier.id, reason);
  }
  if (!pending_.empty() && pending_.front().barrier.id == checkpointId) {
    Pending& p = pending_.front();
    if (!p.aborted) {
      p.aborted = true;  // kept until its barriers are through, so that they are not taken for a new one
      target_.abortCheckpointOnBarrier(checkpointId, reason);
    }
    return;
  }
  if (checkpointId > latestSeenId_) {
    // Its barriers have not come yet: remember it as aborted, so they are ignored.
    latestSeenId_ = checkpointId;
    Pending p;
    p.barrier.id = checkpointId;
    for (network::InputGate* g : gates_) p.received.emplace_back(size_t(g->numberOfChannels()), 0);
    p.aborted = true;
    pending_.push_front(std::move(p));
    target_.abortCheckpointOnBarrier(checkpointId, reason);
  }
}

void CheckpointBarrierTracker::onEndOfPartition(int gate, int channel) {
  char& fin = finished_[size_t(gate)][size_t(channel)];
  if (fin) return;
  fin = 1;
  --openChannels_;
  // A barrier the channel delivered no longer counts: it is not among the open channels.
  for (Pending& p : pending_) {
    if (p.received[size_t(gate)][size_t(channel)]) --p.receivedOpen;
  }
  triggerCompleted();
}

}  // namespace weir::runtime
