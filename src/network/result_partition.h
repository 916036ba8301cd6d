// ResultPartition: the output of one producing subtask for one job edge, with
// one ResultSubpartition per consuming channel.
//
// A subpartition is a FIFO of finished buffers (data and events, in order).
// The producer task thread adds buffers; exactly one consumer (an InputChannel)
// polls them. A subpartition notifies its reader only when it goes from empty to
// non-empty, and poll() reports whether more data remains, so the consumer
// re-queues itself exactly when needed and no wakeup is lost.
// Memory: every data buffer comes from the partition's LocalBufferPool, so the
// data queued in all subpartitions together is bounded by that pool.
//
// Priority events (an unaligned checkpoint's barriers) go to the head of the
// queue, behind earlier priority events only, and overtake every queued buffer;
// addPriorityEvent returns copies of the data buffers it overtook, which the
// checkpoint persists as this subpartition's channel state (the buffers stay
// queued and are still delivered, after the event).
//
// Threading: add()/finish() from the producer thread, poll() from the consumer
// thread; all synchronised by the subpartition's mutex.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "network/buffer.h"
#include "network/buffer_pool.h"
#include "network/events.h"
#include "network/prioritized_buffer_queue.h"

namespace weir::network {

// Told when a subpartition that was empty has data again. Called from the
// producer thread, without the subpartition's lock held.
class BufferAvailabilityListener {
 public:
  virtual ~BufferAvailabilityListener() = default;
  virtual void notifyDataAvailable() = 0;
  // A priority event was put at the head of the queue (whether or not it was empty).
  virtual void notifyPriorityEvent() { notifyDataAvailable(); }
};

struct BufferAndAvailability {
  BufferPtr buffer;
  bool moreAvailable = false;  // another buffer is already queued: poll again without waiting
  int backlog = 0;  // data buffers still queued after this one (what a credit-based sender announces)
  // For a priority event polled from a consumer-side queue: copies of the data buffers it
  // overtook there, in order (they follow it, and belong before it in the channel's data).
  std::vector<BufferBytes> overtaken;
};

class ResultSubpartition {
 public:
  explicit ResultSubpartition(int index) : index_(index) {}

  int index() const { return index_; }
  void add(BufferPtr buffer);
  // Puts `event` (a kPriorityEvent buffer) ahead of every queued buffer but earlier
  // priority events; returns copies of the data buffers it overtook, in queue order.
  std::vector<BufferBytes> addPriorityEvent(BufferPtr event);
  // The next buffer, or an empty result when nothing is queued.
  BufferAndAvailability poll();
  // The head if it is a priority event, else an empty result.
  BufferAndAvailability pollPriorityEvent();
  // Aligned-checkpoint timeout: turns the queued kAlignedWithTimeout barrier of checkpoint
  // `checkpointId` into an unaligned priority event at the head; the data buffers it
  // overtakes travel with it (BufferAndAvailability::overtaken), for the consumer to
  // persist. False when no such barrier is queued (already sent, or not yet).
  bool convertToPriorityEvent(int64_t checkpointId);
  // `notifyOnEveryBuffer`: call the listener for every added buffer, not only when the
  // queue was empty (a credit-based sender with no credit must learn the growing backlog).
  void setListener(BufferAvailabilityListener* listener, bool notifyOnEveryBuffer = false);
  size_t queuedBuffers() const;
  // Buffer debloating: how many bytes of each buffer the producer should fill; 0 (the
  // default) means the whole segment. Set by the consumer, read by the writer (any thread).
  void setDesiredBufferSize(uint32_t bytes) { desiredBufferSize_.store(bytes, std::memory_order_relaxed); }
  uint32_t desiredBufferSize() const { return desiredBufferSize_.load(std::memory_order_relaxed); }
  // Queued data buffers (events excluded): what a receiver needs credit for.
  int dataBacklog() const;
  // True if poll() would return a buffer that a sender with `credit` may send:
  // any buffer when credit > 0, otherwise only an event (events need no credit).
  bool isSendable(int credit) const;
  // Drops queued buffers (cancellation); returns their segments to the pool.
  void release();

 private:
  BufferAndAvailability pollLocked();                    // REQUIRES: mu_ held
  BufferAvailabilityListener* priorityListenerLocked();  // REQUIRES: mu_ held

  const int index_;
  mutable std::mutex mu_;
  PrioritizedBufferQueue queue_;                    // guarded by mu_
  size_t queuedEvents_ = 0;                         // guarded by mu_
  BufferAvailabilityListener* listener_ = nullptr;  // guarded by mu_
  bool listenerMissedData_ = false;                 // guarded by mu_: data arrived before a listener was set
  bool notifyOnEveryBuffer_ = false;                // guarded by mu_
  std::atomic<uint32_t> desiredBufferSize_{0};
};

class ResultPartition {
 public:
  ResultPartition(std::string name, int numSubpartitions, std::shared_ptr<LocalBufferPool> pool);

  const std::string& name() const { return name_; }
  int numberOfSubpartitions() const { return int(subpartitions_.size()); }
  ResultSubpartition& subpartition(int i) { return *subpartitions_[size_t(i)]; }
  LocalBufferPool& bufferPool() { return *pool_; }
  const std::shared_ptr<LocalBufferPool>& bufferPoolPtr() const { return pool_; }
  // For metrics, from any thread: buffers queued in all subpartitions.
  size_t queuedBuffers() const;
  void release();

 private:
  std::string name_;
  // Declared before the subpartitions so that it is destroyed after them: buffers still
  // queued when the partition dies (a failed or cancelled job) recycle into a live pool.
  std::shared_ptr<LocalBufferPool> pool_;
  std::vector<std::unique_ptr<ResultSubpartition>> subpartitions_;
};

}  // namespace weir::network
