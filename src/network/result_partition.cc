#include "network/result_partition.h"

namespace weir::network {

void ResultSubpartition::add(BufferPtr buffer) {
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    bool wasEmpty = queue_.empty();
    if (buffer->isEvent()) ++queuedEvents_;
    queue_.push(std::move(buffer));
    if (wasEmpty || notifyOnEveryBuffer_) {
      if (listener_ != nullptr)
        notify = listener_;
      else
        listenerMissedData_ = true;
    }
  }
  if (notify != nullptr) notify->notifyDataAvailable();
}

BufferAvailabilityListener* ResultSubpartition::priorityListenerLocked() {
  if (listener_ == nullptr) listenerMissedData_ = true;
  return listener_;
}

std::vector<BufferBytes> ResultSubpartition::addPriorityEvent(BufferPtr event) {
  std::vector<BufferBytes> overtaken;
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    overtaken = queue_.copyDataBehindPriorityEvents();
    queue_.pushPriority(std::move(event), {});  // the producer keeps the copies itself
    ++queuedEvents_;
    notify = priorityListenerLocked();
  }
  if (notify != nullptr) notify->notifyPriorityEvent();
  return overtaken;
}

bool ResultSubpartition::convertToPriorityEvent(int64_t checkpointId) {
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    if (!queue_.convertBarrierToPriority(checkpointId)) return false;
    notify = priorityListenerLocked();
  }
  if (notify != nullptr) notify->notifyPriorityEvent();
  return true;
}

BufferAndAvailability ResultSubpartition::pollPriorityEvent() {
  std::lock_guard lock(mu_);
  if (queue_.priorityEvents() == 0) return {};
  return pollLocked();
}

BufferAndAvailability ResultSubpartition::poll() {
  std::lock_guard lock(mu_);
  return pollLocked();
}

BufferAndAvailability ResultSubpartition::pollLocked() {
  BufferAndAvailability result;
  PrioritizedBufferQueue::Popped p = queue_.pop();
  if (!p.buffer) return result;
  result.buffer = std::move(p.buffer);
  result.overtaken = std::move(p.carried);
  if (result.buffer->isEvent()) --queuedEvents_;
  result.moreAvailable = !queue_.empty();
  result.backlog = int(queue_.size() - queuedEvents_);
  return result;
}

void ResultSubpartition::setListener(BufferAvailabilityListener* listener, bool notifyOnEveryBuffer) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    listener_ = listener;
    notifyOnEveryBuffer_ = notifyOnEveryBuffer;
    notify = listener != nullptr && (listenerMissedData_ || !queue_.empty());
    listenerMissedData_ = false;
  }
  if (notify) listener->notifyDataAvailable();
}

int ResultSubpartition::dataBacklog() const {
  std::lock_guard lock(mu_);
  return int(queue_.size() - queuedEvents_);
}

bool ResultSubpartition::isSendable(int credit) const {
  std::lock_guard lock(mu_);
  return !queue_.empty() && (credit > 0 || queue_.front().isEvent());
}

size_t ResultSubpartition::queuedBuffers() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void ResultSubpartition::release() {
  std::deque<BufferPtr> dropped;
  {
    std::lock_guard lock(mu_);
    dropped = queue_.takeAll();
    queuedEvents_ = 0;
  }
}

ResultPartition::ResultPartition(std::string name, int numSubpartitions,
                                 std::shared_ptr<LocalBufferPool> pool)
    : name_(std::move(name)), pool_(std::move(pool)) {
  for (int i = 0; i < numSubpartitions; ++i)
    subpartitions_.push_back(std::make_unique<ResultSubpartition>(i));
}

void ResultPartition::release() {
  for (auto& s : subpartitions_) s->release();
}

size_t ResultPartition::queuedBuffers() const {
  size_t n = 0;
  for (const auto& sp : subpartitions_) n += sp->queuedBuffers();
  return n;
}

}  // namespace weir::network
