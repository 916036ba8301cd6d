#include "runtime/checkpoint_barrier_handler.h"

#include "runtime/timer_service.h"

namespace weir::runtime {

class CheckpointBarrierHandler::GateListener final : public network::CheckpointEventListener {
 public:
  GateListener(CheckpointBarrierHandler& h, int gate) : h_(h), gate_(gate) {}
  void onBarrier(int channel, const network::CheckpointBarrier& b) override {
    h_.onBarrier(gate_, channel, b);
  }
  void onCancelMarker(int channel, const network::CancelCheckpointMarker& m) override {
    h_.onCancelMarker(gate_, channel, m.id);
  }
  void onEndOfPartition(int channel) override { h_.onEndOfPartition(gate_, channel); }

 private:
  CheckpointBarrierHandler& h_;
  int gate_;
};

CheckpointBarrierHandler::CheckpointBarrierHandler(std::vector<network::InputGate*> gates, Target& target)
    : gates_(std::move(gates)), target_(target) {
  for (size_t g = 0; g < gates_.size(); ++g)
    listeners_.push_back(std::make_unique<GateListener>(*this, int(g)));
}

CheckpointBarrierHandler::~CheckpointBarrierHandler() = default;

network::CheckpointEventListener& CheckpointBarrierHandler::listenerForGate(int gateIndex) {
  return *listeners_[size_t(gateIndex)];
}

std::chrono::nanoseconds CheckpointBarrierHandler::startDelayOf(const network::CheckpointBarrier& barrier) {
  return std::chrono::milliseconds(std::max<int64_t>(0, wallClockMillis() - barrier.timestampMillis));
}

}  // namespace weir::runtime
