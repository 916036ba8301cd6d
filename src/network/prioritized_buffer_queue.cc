#include "network/prioritized_buffer_queue.h"

#include <weir/core/check.h>

#include "network/events.h"

namespace weir::network {
namespace {

template <class It>
std::vector<BufferBytes> copyData(It first, It last) {
  std::vector<BufferBytes> copies;
  for (It it = first; it != last; ++it) {
    if (!(*it)->isEvent()) copies.emplace_back((*it)->data(), (*it)->data() + (*it)->size());
  }
  return copies;
}

}  // namespace

size_t PrioritizedBufferQueue::dataBuffers() const {
  size_t n = 0;
  for (const BufferPtr& b : buffers_) n += b->isEvent() ? 0 : 1;
  return n;
}

std::vector<BufferBytes> PrioritizedBufferQueue::copyDataBehindPriorityEvents() const {
  return copyData(buffers_.begin() + std::ptrdiff_t(priority_), buffers_.end());
}

void PrioritizedBufferQueue::pushPriority(BufferPtr event, std::vector<BufferBytes> carried) {
  WEIR_CHECK(event->isPriorityEvent());
  buffers_.insert(buffers_.begin() + std::ptrdiff_t(priority_), std::move(event));
  ++priority_;
  carried_.push_back(std::move(carried));
}

bool PrioritizedBufferQueue::convertBarrierToPriority(int64_t checkpointId) {
  const auto head = buffers_.begin() + std::ptrdiff_t(priority_);
  for (auto it = head; it != buffers_.end(); ++it) {
    std::optional<CheckpointBarrier> barrier = timeoutableBarrierOf(**it, checkpointId);
    if (!barrier) continue;
    std::vector<BufferBytes> passed = copyData(head, it);
    buffers_.erase(it);
    barrier->alignment = BarrierAlignment::kUnaligned;
    pushPriority(Buffer::makeEvent(serializeEvent(*barrier), BufferKind::kPriorityEvent), std::move(passed));
    return true;
  }
  return false;
}

PrioritizedBufferQueue::Popped PrioritizedBufferQueue::pop() {
  Popped p;
  if (buffers_.empty()) return p;
  p.buffer = std::move(buffers_.front());
  buffers_.pop_front();
  if (p.buffer->isPriorityEvent()) {
    --priority_;
    p.carried = std::move(carried_.front());
    carried_.pop_front();
  }
  return p;
}

std::deque<BufferPtr> PrioritizedBufferQueue::takeAll() {
  std::deque<BufferPtr> all;
  all.swap(buffers_);
  priority_ = 0;
  carried_.clear();
  return all;
}

}  // namespace weir::network
