#include "network/result_partition.h"

#include <weir/core/check.h>

namespace weir::network {

void ResultSubpartition::add(BufferPtr buffer) {
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    bool wasEmpty = queue_.empty();
    if (buffer->isEvent()) ++queuedEvents_;
    queue_.push_back(std::move(buffer));
    if (wasEmpty || notifyOnEveryBuffer_) {
      if (listener_ != nullptr)
        notify = listener_;
      else
        listenerMissedData_ = true;
    }
  }
  if (notify != nullptr) notify->notifyDataAvailable();
}

std::vector<BufferBytes> ResultSubpartition::addPriorityEvent(BufferPtr event) {
  WEIR_CHECK(event->isPriorityEvent());
  std::vector<BufferBytes> overtaken;
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    auto at = queue_.begin() + std::ptrdiff_t(queuedPriority_);
    for (auto it = at; it != queue_.end(); ++it) {
      const Buffer& b = **it;
      if (!b.isEvent()) overtaken.emplace_back(b.data(), b.data() + b.size());
    }
    queue_.insert(at, std::move(event));
    ++queuedPriority_;
    ++queuedEvents_;
    priorityOvertaken_.emplace_back();  // the producer keeps its copies itself
    if (listener_ != nullptr)
      notify = listener_;
    else
      listenerMissedData_ = true;
  }
  if (notify != nullptr) notify->notifyPriorityEvent();
  return overtaken;
}

bool ResultSubpartition::convertToPriorityEvent(int64_t checkpointId) {
  BufferAvailabilityListener* notify = nullptr;
  {
    std::lock_guard lock(mu_);
    const auto head = queue_.begin() + std::ptrdiff_t(queuedPriority_);
    auto found = queue_.end();
    std::optional<CheckpointBarrier> barrier;
    for (auto it = head; it != queue_.end() && !barrier; ++it) {
      barrier = timeoutableBarrierOf(**it, checkpointId);
      if (barrier) found = it;
    }
    if (!barrier) return false;
    std::vector<BufferBytes> overtaken;
    for (auto it = head; it != found; ++it) {
      if (!(*it)->isEvent()) overtaken.emplace_back((*it)->data(), (*it)->data() + (*it)->size());
    }
    queue_.erase(found);
    barrier->alignment = BarrierAlignment::kUnaligned;
    queue_.insert(queue_.begin() + std::ptrdiff_t(queuedPriority_),
                  Buffer::makeEvent(serializeEvent(*barrier), BufferKind::kPriorityEvent));
    ++queuedPriority_;
    priorityOvertaken_.push_back(std::move(overtaken));
    if (listener_ != nullptr)
      notify = listener_;
    else
      listenerMissedData_ = true;
  }
  if (notify != nullptr) notify->notifyPriorityEvent();
  return true;
}

BufferAndAvailability ResultSubpartition::pollPriorityEvent() {
  {
    std::lock_guard lock(mu_);
    if (queuedPriority_ == 0) return {};
  }
  return poll();  // only this subpartition's consumer polls: the head is still the priority event
}

BufferAndAvailability ResultSubpartition::poll() {
  std::lock_guard lock(mu_);
  BufferAndAvailability result;
  if (queue_.empty()) return result;
  result.buffer = std::move(queue_.front());
  queue_.pop_front();
  if (result.buffer->isEvent()) --queuedEvents_;
  if (result.buffer->isPriorityEvent()) {
    --queuedPriority_;
    result.overtaken = std::move(priorityOvertaken_.front());
    priorityOvertaken_.pop_front();
  }
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
  return !queue_.empty() && (credit > 0 || queue_.front()->isEvent());
}

size_t ResultSubpartition::queuedBuffers() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void ResultSubpartition::release() {
  std::deque<BufferPtr> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(queue_);
    queuedEvents_ = 0;
    queuedPriority_ = 0;
    priorityOvertaken_.clear();
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
