// PrioritizedBufferQueue: a FIFO of buffers whose head may hold priority events
// (an unaligned checkpoint's barriers), in the order they were inserted (Flink's
// PrioritizedDeque). The queue of a ResultSubpartition and the received queue
// of a RemoteInputChannel are one each.
//
// A priority event may carry copies of the data buffers it overtook for its
// consumer to persist (pop() hands them out with it): a barrier converted
// after the aligned-checkpoint timeout does, and so does one that overtook a
// remote channel's received buffers.
//
// Not thread-safe: its owner locks.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "network/buffer.h"

namespace weir::network {

class PrioritizedBufferQueue {
 public:
  struct Popped {
    BufferPtr buffer;  // null when the queue was empty
    std::vector<BufferBytes> carried;
  };

  bool empty() const { return buffers_.empty(); }
  size_t size() const { return buffers_.size(); }
  size_t priorityEvents() const { return priority_; }
  const Buffer& front() const { return *buffers_.front(); }
  size_t dataBuffers() const;

  void push(BufferPtr buffer) { buffers_.push_back(std::move(buffer)); }
  // Copies of the data buffers a priority event inserted now would overtake, in order.
  std::vector<BufferBytes> copyDataBehindPriorityEvents() const;
  // Puts `event` (a kPriorityEvent buffer) behind the earlier priority events only.
  void pushPriority(BufferPtr event, std::vector<BufferBytes> carried);
  // Aligned-checkpoint timeout: moves the queued kAlignedWithTimeout barrier of
  // `checkpointId` to the priority head as an unaligned priority event, carrying copies
  // of the data buffers it passes. False when no such barrier is queued.
  bool convertBarrierToPriority(int64_t checkpointId);
  Popped pop();
  // Empties the queue, handing its buffers to the caller (who drops them outside its lock:
  // recycling may call back into listeners).
  std::deque<BufferPtr> takeAll();

 private:
  std::deque<BufferPtr> buffers_;
  size_t priority_ = 0;                           // priority events, all at the head
  std::deque<std::vector<BufferBytes>> carried_;  // per priority event, in order
};

}  // namespace weir::network
