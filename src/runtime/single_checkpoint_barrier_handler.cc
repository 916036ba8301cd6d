#include "runtime/single_checkpoint_barrier_handler.h"

#include <weir/core/check.h>

namespace weir::runtime {

SingleCheckpointBarrierHandler::SingleCheckpointBarrierHandler(std::vector<network::InputGate*> gates,
                                                               Target& target)
    : CheckpointBarrierHandler(std::move(gates), target) {
  for (network::InputGate* g : gates_) {
    const size_t n = size_t(g->numberOfChannels());
    received_.emplace_back(n, 0);
    finished_.emplace_back(n, 0);
    openChannels_ += int(n);
  }
}

void SingleCheckpointBarrierHandler::startAlignment(const network::CheckpointBarrier& barrier) {
  currentId_ = barrier.id;
  currentBarrier_ = barrier;
  aligning_ = true;
  unaligned_ = false;
  receivedOpen_ = 0;
  for (auto& g : received_) std::fill(g.begin(), g.end(), 0);
  alignmentStart_ = std::chrono::steady_clock::now();
  startDelay_ = startDelayOf(barrier);
  target_.alignmentStarted(barrier);
}

void SingleCheckpointBarrierHandler::alignmentTimedOut(int64_t checkpointId) {
  if (!aligning_ || unaligned_ || checkpointId != currentId_) return;
  switchToUnaligned();
  // The barriers still missing may be queued behind data on this side: let them overtake it.
  for (size_t g = 0; g < received_.size(); ++g) {
    for (size_t c = 0; c < received_[g].size(); ++c) {
      if (!received_[g][c] && !finished_[g][c]) gates_[g]->convertToPriorityEvent(int(c), checkpointId);
    }
  }
}

void SingleCheckpointBarrierHandler::onBarrier(int gate, int channel,
                                               const network::CheckpointBarrier& barrier) {
  if (barrier.id < currentId_) return;  // a late barrier of a checkpoint already completed or aborted here
  if (barrier.id > currentId_) {
    if (aligning_) {
      abortAlignment("barrier of checkpoint " + std::to_string(barrier.id) + " arrived before checkpoint " +
                     std::to_string(currentId_) + " was aligned");
    }
    startAlignment(barrier);
  } else if (!aligning_) {
    return;  // checkpoint currentId_ already completed or was aborted at this task
  }
  char& got = received_[size_t(gate)][size_t(channel)];
  WEIR_CHECK_MSG(!got, "two barriers of one checkpoint on one channel");
  got = 1;
  ++receivedOpen_;
  if (barrier.isUnaligned() && !unaligned_) {
    switchToUnaligned();  // this channel included
  } else if (unaligned_) {
    target_.channelBarrierArrived(gate, channel);
  } else {
    gates_[size_t(gate)]->blockChannel(channel);
  }
  maybeCompleteAlignment();
}

void SingleCheckpointBarrierHandler::switchToUnaligned() {
  unaligned_ = true;
  network::CheckpointBarrier b = currentBarrier_;
  b.alignment = network::BarrierAlignment::kUnaligned;
  target_.triggerCheckpointOnBarrier(b, std::chrono::nanoseconds(0), startDelay_);
  // The channels whose barrier arrived (blocked right at it, if any was) are complete.
  for (size_t g = 0; g < received_.size(); ++g) {
    for (size_t c = 0; c < received_[g].size(); ++c) {
      if (received_[g][c] && !finished_[g][c]) target_.channelBarrierArrived(int(g), int(c));
    }
  }
  resumeAll();
}

void SingleCheckpointBarrierHandler::maybeCompleteAlignment() {
  if (!aligning_ || receivedOpen_ < openChannels_) return;
  aligning_ = false;
  auto alignment = std::chrono::steady_clock::now() - alignmentStart_;
  if (unaligned_) {
    target_.allBarriersArrived(currentId_, alignment);
    return;
  }
  // Snapshot before any blocked channel is read again: nothing after the barrier may be in it.
  target_.triggerCheckpointOnBarrier(currentBarrier_, alignment, startDelay_);
  resumeAll();
}

void SingleCheckpointBarrierHandler::abortAlignment(const std::string& reason) {
  aligning_ = false;
  resumeAll();
  target_.abortCheckpointOnBarrier(currentId_, reason);
}

void SingleCheckpointBarrierHandler::resumeAll() {
  for (network::InputGate* g : gates_) g->resumeAllChannels();
}

void SingleCheckpointBarrierHandler::onCancelMarker(int, int, int64_t checkpointId) {
  if (checkpointId < currentId_ || (checkpointId == currentId_ && !aligning_)) return;
  if (checkpointId == currentId_) {
    abortAlignment("checkpoint " + std::to_string(checkpointId) + " was cancelled upstream");
    return;
  }
  // Its barriers have not come yet: skip this checkpoint entirely.
  if (aligning_) {
    abortAlignment("checkpoint " + std::to_string(checkpointId) +
                   " was cancelled upstream before checkpoint " + std::to_string(currentId_) +
                   " was aligned");
  }
  currentId_ = checkpointId;
  aligning_ = false;
  target_.abortCheckpointOnBarrier(checkpointId,
                                   "checkpoint " + std::to_string(checkpointId) + " was cancelled upstream");
}

void SingleCheckpointBarrierHandler::onEndOfPartition(int gate, int channel) {
  char& fin = finished_[size_t(gate)][size_t(channel)];
  if (fin) return;
  fin = 1;
  --openChannels_;
  if (aligning_ && received_[size_t(gate)][size_t(channel)]) --receivedOpen_;
  maybeCompleteAlignment();
}

}  // namespace weir::runtime
