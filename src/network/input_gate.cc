#include "network/input_gate.h"

#include <weir/core/check.h>

namespace weir::network {

void InputChannel::notifyChannelNonEmpty() { gate_.notifyChannelNonEmpty(index_); }
void InputChannel::notifyPriorityEvent() { gate_.notifyPriorityEvent(index_); }

InputGate::InputGate(std::string name, int numChannels)
    : name_(std::move(name)),
      channels_(size_t(numChannels)),
      queued_(size_t(numChannels), false),
      blocked_(size_t(numChannels), false),
      dataWhileBlocked_(size_t(numChannels), false),
      recovered_(size_t(numChannels)) {}

InputGate::~InputGate() { release(); }

void InputGate::setChannel(int index, std::unique_ptr<InputChannel> channel) {
  channels_[size_t(index)] = std::move(channel);
}

void InputGate::requestPartitions() {
  for (auto& c : channels_) {
    WEIR_CHECK_MSG(c != nullptr, "input gate has an unconnected channel");
    c->requestSubpartition();
  }
}

void InputGate::setAvailabilityListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void InputGate::setPriorityEventListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  priorityListener_ = std::move(listener);
}

void InputGate::addRecoveredBuffers(int channel, std::vector<BufferPtr> buffers) {
  if (buffers.empty()) return;
  auto& q = recovered_[size_t(channel)];
  for (BufferPtr& b : buffers) q.push_back(std::move(b));
  queueChannel(channel, true);
}

void InputGate::notifyChannelNonEmpty(int channel) { queueChannel(channel, true); }

void InputGate::notifyPriorityEvent(int channel) {
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    priorityChannels_.push_back(channel);
    priorityPending_.store(true, std::memory_order_relaxed);
    call = priorityListener_;
  }
  queueChannel(channel, true);  // in turn, too: a channel is always polled when it has data
  if (call) call();
}

bool InputGate::convertToPriorityEvent(int channel, int64_t checkpointId) {
  if (!recovered_[size_t(channel)].empty()) return false;
  return channels_[size_t(channel)]->convertToPriorityEvent(checkpointId);
}

std::optional<BufferOrEvent> InputGate::pollPriorityEvent() {
  for (;;) {
    int channel;
    {
      std::lock_guard lock(mu_);
      if (priorityChannels_.empty()) {
        priorityPending_.store(false, std::memory_order_relaxed);
        return std::nullopt;
      }
      channel = priorityChannels_.front();
      priorityChannels_.pop_front();
      priorityPending_.store(!priorityChannels_.empty(), std::memory_order_relaxed);
    }
    if (!recovered_[size_t(channel)].empty()) continue;  // reached in turn, after the recovered data
    BufferAndAvailability next = channels_[size_t(channel)]->pollPriorityEvent();
    if (!next.buffer) continue;  // already delivered in turn
    if (next.moreAvailable) queueChannel(channel, false);
    BufferOrEvent result;
    result.buffer = std::move(next.buffer);
    result.channel = channel;
    result.moreAvailable = next.moreAvailable;
    result.overtaken = std::move(next.overtaken);
    return result;
  }
}

void InputGate::queueChannel(int channel, bool notify) {
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    if (blocked_[size_t(channel)]) {
      dataWhileBlocked_[size_t(channel)] = true;
      return;
    }
    if (queued_[size_t(channel)]) return;
    queued_[size_t(channel)] = true;
    bool wasEmpty = channelsWithData_.empty();
    channelsWithData_.push_back(channel);
    if (notify && wasEmpty) call = listener_;
  }
  if (call) call();
}

std::optional<BufferOrEvent> InputGate::pollNext() {
  for (;;) {
    int channel;
    {
      std::lock_guard lock(mu_);
      if (channelsWithData_.empty()) return std::nullopt;
      channel = channelsWithData_.front();
      channelsWithData_.pop_front();
      queued_[size_t(channel)] = false;
      if (blocked_[size_t(channel)]) {
        dataWhileBlocked_[size_t(channel)] = true;  // remember it; polled again after resume
        continue;
      }
    }
    BufferAndAvailability next;
    auto& recovered = recovered_[size_t(channel)];
    if (!recovered.empty()) {
      next.buffer = std::move(recovered.front());
      recovered.pop_front();
      next.moreAvailable = true;  // more recovered data, or whatever the channel received meanwhile
    } else {
      next = channels_[size_t(channel)]->getNextBuffer();
    }
    // Re-queue at the back before returning so that channels take turns.
    if (next.moreAvailable) queueChannel(channel, false);
    if (!next.buffer) continue;  // spurious notification: nothing was there
    BufferOrEvent result;
    result.buffer = std::move(next.buffer);
    result.channel = channel;
    result.moreAvailable = next.moreAvailable;
    result.overtaken = std::move(next.overtaken);
    return result;
  }
}

void InputGate::blockChannel(int channel) {
  std::lock_guard lock(mu_);
  blocked_[size_t(channel)] = true;
}

void InputGate::resumeAllChannels() {
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    bool wasEmpty = channelsWithData_.empty();
    for (size_t c = 0; c < blocked_.size(); ++c) {
      if (!blocked_[c]) continue;
      blocked_[c] = false;
      if (dataWhileBlocked_[c] && !queued_[c]) {
        queued_[c] = true;
        channelsWithData_.push_back(int(c));
      }
      dataWhileBlocked_[c] = false;
    }
    if (wasEmpty && !channelsWithData_.empty()) call = listener_;
  }
  if (call) call();
}

bool InputGate::isBlocked(int channel) const {
  std::lock_guard lock(mu_);
  return blocked_[size_t(channel)];
}

bool InputGate::hasChannelsWithData() const {
  std::lock_guard lock(mu_);
  return !channelsWithData_.empty();
}

void InputGate::release() {
  for (auto& c : channels_) {
    if (c) c->release();
  }
}

size_t InputGate::buffersInFlight() const {
  size_t n = 0;
  for (const auto& c : channels_) n += c->buffersInFlight();
  return n;
}

void InputGate::announceBufferSize(uint32_t bytes) {
  for (auto& c : channels_) c->announceBufferSize(bytes);
}

size_t InputGate::queuedBuffers() const {
  size_t n = 0;
  for (const auto& c : channels_) n += c->queuedBuffers();
  return n;
}

InputGate::PoolUsage InputGate::poolUsage() const {
  if (pool_ == nullptr) return {};
  size_t unused = 0;
  for (const auto& c : channels_) unused += c->unusedPoolBuffers();
  const size_t inUse = pool_->segmentsInUse();
  return {inUse > unused ? inUse - unused : 0, pool_->maxSegments()};
}

}  // namespace weir::network
