// InputGate and InputChannel: the consuming side of one job edge for one subtask.
//
// A gate has one InputChannel per producing subtask. Channels tell the gate when
// they have data; the gate keeps a FIFO of channels with data so that polling is
// O(1) and fair (round robin over channels with data, as Flink's
// inputChannelsWithData). When the gate goes from no data to data it calls its
// availability listener, which wakes the owning task's mailbox.
//
// LocalInputChannel reads a ResultSubpartition of a producer in the same process
// directly: buffers are handed over by pointer and recycled into the producer's
// pool once consumed, which is what backpressures a producer whose consumer is
// slow. A remote (TCP, credit-based) channel implements the same InputChannel
// interface.
//
// Unaligned checkpoints: a channel that receives a priority event (a barrier
// that overtook the queued data) tells the gate, which tells its priority
// listener (the task), and pollPriorityEvent() returns the event out of turn,
// ahead of the data queued before it. In-flight data restored from a checkpoint
// (addRecoveredBuffers) is delivered on its channel before anything the channel
// receives; priority events wait behind it.
//
// Threading: pollNext() only from the owning task thread; channel notifications
// from producer threads.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "network/buffer.h"
#include "network/buffer_pool.h"
#include "network/result_partition.h"

namespace weir::network {

class InputGate;

class InputChannel {
 public:
  InputChannel(InputGate& gate, int index) : gate_(gate), index_(index) {}
  virtual ~InputChannel() = default;
  int index() const { return index_; }
  // Connects to the producer; afterwards the channel notifies its gate.
  virtual void requestSubpartition() = 0;
  // The next buffer, if any. REQUIRES: task thread.
  virtual BufferAndAvailability getNextBuffer() = 0;
  // The next buffer if it is a priority event, else an empty result. REQUIRES: task thread.
  virtual BufferAndAvailability pollPriorityEvent() { return {}; }
  // Aligned-checkpoint timeout: turns the kAlignedWithTimeout barrier of checkpoint
  // `checkpointId`, if it is queued on the consumer's side, into a priority event (see
  // ResultSubpartition::convertToPriorityEvent). REQUIRES: task thread.
  virtual bool convertToPriorityEvent(int64_t checkpointId) {
    (void)checkpointId;
    return false;
  }
  virtual void release() {}
  // For metrics, from any thread: buffers waiting in the channel to be read, and
  // buffers it holds from its gate's pool without data (credits not yet used).
  virtual size_t queuedBuffers() const = 0;
  virtual size_t unusedPoolBuffers() const { return 0; }
  // Buffer debloating: data buffers in flight towards this channel (queued at either end),
  // and the buffer size the channel asks its producer to fill.
  virtual size_t buffersInFlight() const { return queuedBuffers(); }
  virtual void announceBufferSize(uint32_t bytes) = 0;

 protected:
  void notifyChannelNonEmpty();
  void notifyPriorityEvent();

 private:
  InputGate& gate_;
  const int index_;
};

class LocalInputChannel final : public InputChannel, private BufferAvailabilityListener {
 public:
  LocalInputChannel(InputGate& gate, int index, ResultSubpartition& source)
      : InputChannel(gate, index), source_(source) {}
  void requestSubpartition() override { source_.setListener(this); }
  BufferAndAvailability getNextBuffer() override { return source_.poll(); }
  BufferAndAvailability pollPriorityEvent() override { return source_.pollPriorityEvent(); }
  bool convertToPriorityEvent(int64_t checkpointId) override {
    return source_.convertToPriorityEvent(checkpointId);
  }
  void release() override { source_.setListener(nullptr); }
  size_t queuedBuffers() const override { return source_.queuedBuffers(); }
  void announceBufferSize(uint32_t bytes) override { source_.setDesiredBufferSize(bytes); }

 private:
  void notifyDataAvailable() override { notifyChannelNonEmpty(); }
  void notifyPriorityEvent() override { InputChannel::notifyPriorityEvent(); }
  ResultSubpartition& source_;
};

struct BufferOrEvent {
  BufferPtr buffer;  // a data or an event buffer
  int channel = 0;
  bool moreAvailable = false;
  std::vector<BufferBytes> overtaken;  // a priority event's: see BufferAndAvailability
};

class InputGate {
 public:
  InputGate(std::string name, int numChannels);
  ~InputGate();

  const std::string& name() const { return name_; }
  int numberOfChannels() const { return int(channels_.size()); }
  void setChannel(int index, std::unique_ptr<InputChannel> channel);
  InputChannel& channel(int index) { return *channels_[size_t(index)]; }
  // Connects every channel. REQUIRES: all channels set.
  void requestPartitions();
  // Buffers of credit-based channels (exclusive and floating); kept alive until the channels are gone.
  void setBufferPool(std::shared_ptr<LocalBufferPool> pool) { pool_ = std::move(pool); }
  LocalBufferPool* bufferPool() const { return pool_.get(); }
  // Called (from any thread) when the gate goes from no data to data.
  void setAvailabilityListener(std::function<void()> listener);
  // Called (from any thread) each time a channel receives a priority event.
  void setPriorityEventListener(std::function<void()> listener);
  // In-flight data of `channel` restored from a checkpoint: delivered before everything
  // the channel receives. REQUIRES: before requestPartitions().
  void addRecoveredBuffers(int channel, std::vector<BufferPtr> buffers);

  // The next buffer from some channel with data, or nullopt. REQUIRES: task thread.
  std::optional<BufferOrEvent> pollNext();
  // A channel may have a priority event (any thread; a hint, cheap).
  bool hasPriorityEvent() const { return priorityPending_.load(std::memory_order_relaxed); }
  // The next priority event of some channel, out of turn, or nullopt. A channel still
  // delivering recovered data delivers its priority events in turn. REQUIRES: task thread.
  std::optional<BufferOrEvent> pollPriorityEvent();
  // Aligned-checkpoint timeout: converts the barrier of `checkpointId` queued on `channel`
  // into a priority event, unless the channel still delivers recovered data (the barrier
  // belongs after it). REQUIRES: task thread.
  bool convertToPriorityEvent(int channel, int64_t checkpointId);
  // Aligned checkpoints: a blocked channel is not polled (its data stays with the
  // producer, which credit/pool bounds backpressure) until it is resumed.
  // REQUIRES: task thread.
  void blockChannel(int channel);
  void resumeAllChannels();
  bool isBlocked(int channel) const;
  bool hasChannelsWithData() const;
  void release();

  // For metrics, from any thread once every channel is set: the buffers queued in
  // all channels, and how many of the gate pool's buffers hold data, of how many
  // (0 of 0 without a pool: local channels read the producer's buffers).
  size_t queuedBuffers() const;
  // Buffer debloating (task thread): buffers in flight towards all channels, and the
  // buffer size every channel asks of its producer.
  size_t buffersInFlight() const;
  void announceBufferSize(uint32_t bytes);
  struct PoolUsage {
    size_t used = 0;
    size_t capacity = 0;
  };
  PoolUsage poolUsage() const;

 private:
  friend class InputChannel;
  void notifyChannelNonEmpty(int channel);
  void notifyPriorityEvent(int channel);
  void queueChannel(int channel, bool notify);

  std::string name_;
  std::shared_ptr<LocalBufferPool> pool_;  // declared before channels_: destroyed after them
  std::vector<std::unique_ptr<InputChannel>> channels_;
  mutable std::mutex mu_;
  std::deque<int> channelsWithData_;              // guarded by mu_
  std::vector<bool> queued_;                      // guarded by mu_
  std::vector<bool> blocked_;                     // guarded by mu_
  std::vector<bool> dataWhileBlocked_;            // guarded by mu_: a blocked channel was notified
  std::function<void()> listener_;                // guarded by mu_
  std::function<void()> priorityListener_;        // guarded by mu_
  std::deque<int> priorityChannels_;              // guarded by mu_: channels notified of a priority event
  std::atomic<bool> priorityPending_{false};      // written under mu_: priorityChannels_ is not empty
  std::vector<std::deque<BufferPtr>> recovered_;  // task thread: restored in-flight data per channel
};

}  // namespace weir::network
