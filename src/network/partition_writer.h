// PartitionRecordWriter: serializes length-prefixed records into the buffers of
// a ResultPartition (Flink's RecordWriter + BufferBuilder).
//
// Wire format of a data buffer: a sequence of [u32 little-endian length][bytes].
// A record may span buffers; its length prefix never does (a buffer with fewer
// than 4 bytes left is finished early), so a consumer reads a length whenever it
// is at a record boundary. A buffer is handed to its subpartition when full, on
// flushAll() (buffer timeout, end of input, before an event) or after every
// record when the flush mode says so (`execution.buffer-timeout: 0`).
//
// Threading: only the producing task thread. Backpressure: when the pool has no
// free buffer, emit() blocks until the consumer recycles one (or the pool is
// cancelled, then it throws TaskCancelledException).
#pragma once

#include <memory>
#include <vector>

#include <weir/core/metrics.h>
#include <weir/network/record_io.h>

#include "network/events.h"
#include "network/result_partition.h"

namespace weir::network {

enum class FlushMode { kOnBufferFullOrTimeout, kAfterEveryRecord };

class PartitionRecordWriter final : public RecordWriter {
 public:
  PartitionRecordWriter(ResultPartition& partition, FlushMode flushMode);
  ~PartitionRecordWriter() override;

  void emit(const uint8_t* data, size_t size, int channel) override;
  void broadcastEmit(const uint8_t* data, size_t size) override;
  int numberOfChannels() const override { return partition_.numberOfSubpartitions(); }

  // Hands every partially filled buffer to its subpartition.
  void flushAll();
  // Flushes, then appends the event to every subpartition.
  void broadcastEvent(const TaskEvent& event);
  // Flushes, then puts the event at the head of every subpartition as a priority event
  // (an unaligned checkpoint's barrier); returns, per subpartition, copies of the data
  // buffers it overtook (the subpartition's in-flight data).
  std::vector<std::vector<BufferBytes>> broadcastPriorityEvent(const TaskEvent& event);
  // Aligned-checkpoint timeout: turns the kAlignedWithTimeout barrier of `checkpointId`
  // still queued in any subpartition into a priority event (the data it overtakes travels
  // with it, for the consumer to persist).
  void convertBarrierToPriority(int64_t checkpointId);
  // True when the next emit will not block for a buffer.
  bool isAvailable() const { return partition_.bufferPool().isAvailable(); }
  ResultPartition& partition() { return partition_; }
  // Optional: `bytesOut` counts the bytes of every buffer handed on; `backPressured`
  // times the waits for a free buffer. Both must outlive the writer.
  void setMetrics(Counter* bytesOut, TimeCounter* backPressured) {
    bytesOut_ = bytesOut;
    backPressured_ = backPressured;
  }

  uint64_t bytesWritten() const { return bytesWritten_; }
  uint64_t buffersWritten() const { return buffersWritten_; }

 private:
  struct Builder {
    BufferPtr buffer;
    uint32_t pos = 0;
    uint32_t limit = 0;  // bytes of `buffer` to fill: the segment, or the consumer's debloated size
  };
  void write(Builder& b, int channel, const uint8_t* data, size_t size);
  void finish(Builder& b, int channel);
  // A new buffer for `b`, filled up to the consumer's desired size (buffer debloating).
  void startBuffer(Builder& b, int channel);
  // A free buffer of the pool, waiting (and timing the wait as backpressure) when there is none.
  BufferPtr requestBuffer();

  ResultPartition& partition_;
  const FlushMode flushMode_;
  const uint32_t segmentSize_;
  std::vector<Builder> builders_;
  uint64_t bytesWritten_ = 0;
  uint64_t buffersWritten_ = 0;
  Counter* bytesOut_ = nullptr;
  TimeCounter* backPressured_ = nullptr;
};

}  // namespace weir::network
