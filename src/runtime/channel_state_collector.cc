#include "runtime/channel_state_collector.h"

#include <weir/core/check.h>

namespace weir::runtime {

class ChannelStateCollector::Sink final : public network::InFlightDataSink {
 public:
  Sink(ChannelStateCollector& c, int gate) : c_(c), gate_(gate) {}
  void add(int channel, const uint8_t* data, size_t size) override {
    if (size == 0) return;
    checkpoint::ChannelData& d = c_.inputs_[c_.firstInputOfGate_[size_t(gate_)] + size_t(channel)];
    d.buffers.emplace_back(data, data + size);
    c_.bytes_ += size;
  }

 private:
  ChannelStateCollector& c_;
  const int gate_;
};

ChannelStateCollector::ChannelStateCollector(int64_t checkpointId, const std::vector<int>& channelsPerGate,
                                             const std::vector<int>& subpartitionsPerOutput)
    : checkpointId_(checkpointId) {
  for (size_t g = 0; g < channelsPerGate.size(); ++g) {
    firstInputOfGate_.push_back(inputs_.size());
    for (int c = 0; c < channelsPerGate[g]; ++c) inputs_.push_back({int(g), c, {}});
    sinks_.push_back(std::make_unique<Sink>(*this, int(g)));
  }
  for (size_t o = 0; o < subpartitionsPerOutput.size(); ++o) {
    firstOutputOfPartition_.push_back(outputs_.size());
    for (int s = 0; s < subpartitionsPerOutput[o]; ++s) outputs_.push_back({int(o), s, {}});
  }
}

ChannelStateCollector::~ChannelStateCollector() = default;

network::InFlightDataSink& ChannelStateCollector::inputSink(int gate) { return *sinks_[size_t(gate)]; }

void ChannelStateCollector::addOutput(int output,
                                      std::vector<std::vector<network::BufferBytes>> perSubpartition) {
  const size_t first = firstOutputOfPartition_[size_t(output)];
  for (size_t s = 0; s < perSubpartition.size(); ++s) {
    checkpoint::ChannelData& d = outputs_[first + s];
    WEIR_CHECK(d.index == output && d.channel == int(s));
    for (network::BufferBytes& b : perSubpartition[s]) {
      if (b.empty()) continue;
      bytes_ += b.size();
      d.buffers.push_back(std::move(b));
    }
  }
}

}  // namespace weir::runtime
