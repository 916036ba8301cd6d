#include "network/partition_writer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include <weir/core/check.h>

namespace weir::network {

namespace {
constexpr uint32_t kLengthSize = 4;
}

PartitionRecordWriter::PartitionRecordWriter(ResultPartition& partition, FlushMode flushMode)
    : partition_(partition),
      flushMode_(flushMode),
      segmentSize_(partition.bufferPool().segmentSize()),
      builders_(size_t(partition.numberOfSubpartitions())) {}

PartitionRecordWriter::~PartitionRecordWriter() = default;

void PartitionRecordWriter::finish(Builder& b, int channel) {
  if (!b.buffer) return;
  if (b.pos == 0) return;  // keep an empty buffer for the next record
  b.buffer->setSize(b.pos);
  ++buffersWritten_;
  if (bytesOut_ != nullptr) bytesOut_->inc(b.pos);
  partition_.subpartition(channel).add(std::move(b.buffer));
  b.pos = 0;
}

BufferPtr PartitionRecordWriter::requestBuffer() {
  LocalBufferPool& pool = partition_.bufferPool();
  BufferPtr b = pool.requestBuffer();
  if (!b) {
    ScopedTimeCounter waiting(backPressured_);
    b = pool.requestBufferBlocking();
  }
  return b;
}

void PartitionRecordWriter::startBuffer(Builder& b, int channel) {
  b.buffer = requestBuffer();
  const uint32_t desired = partition_.subpartition(channel).desiredBufferSize();
  // At least a length prefix and one byte, so that every buffer makes progress.
  b.limit = desired == 0 ? segmentSize_ : std::clamp<uint32_t>(desired, kLengthSize + 1, segmentSize_);
}

void PartitionRecordWriter::write(Builder& b, int channel, const uint8_t* data, size_t size) {
  if (size > UINT32_MAX - 16) {
    throw std::length_error("a serialized record of " + std::to_string(size) +
                            " bytes exceeds the limit of 4 GiB per record");
  }
  if (b.buffer && b.limit - b.pos < kLengthSize) finish(b, channel);
  if (!b.buffer) startBuffer(b, channel);
  uint32_t len = uint32_t(size);
  std::memcpy(b.buffer->data() + b.pos, &len, kLengthSize);
  b.pos += kLengthSize;
  for (;;) {
    size_t n = std::min<size_t>(size, b.limit - b.pos);
    if (n > 0) std::memcpy(b.buffer->data() + b.pos, data, n);
    b.pos += uint32_t(n);
    data += n;
    size -= n;
    if (size == 0) break;
    finish(b, channel);
    startBuffer(b, channel);
  }
  bytesWritten_ += kLengthSize + len;
  if (b.pos >= b.limit) finish(b, channel);
}

void PartitionRecordWriter::emit(const uint8_t* data, size_t size, int channel) {
  Builder& b = builders_[size_t(channel)];
  write(b, channel, data, size);
  if (flushMode_ == FlushMode::kAfterEveryRecord) finish(b, channel);
}

void PartitionRecordWriter::broadcastEmit(const uint8_t* data, size_t size) {
  for (int c = 0; c < int(builders_.size()); ++c) emit(data, size, c);
}

void PartitionRecordWriter::flushAll() {
  for (int c = 0; c < int(builders_.size()); ++c) finish(builders_[size_t(c)], c);
}

void PartitionRecordWriter::broadcastEvent(const TaskEvent& event) {
  flushAll();
  std::vector<uint8_t> bytes = serializeEvent(event);
  for (int c = 0; c < int(builders_.size()); ++c) {
    builders_[size_t(c)].buffer.reset();  // return an unused, empty buffer to the pool
    builders_[size_t(c)].pos = 0;
    partition_.subpartition(c).add(Buffer::makeEvent(bytes));
  }
}

void PartitionRecordWriter::convertBarrierToPriority(int64_t checkpointId) {
  for (int c = 0; c < partition_.numberOfSubpartitions(); ++c)
    partition_.subpartition(c).convertToPriorityEvent(checkpointId);
}

std::vector<std::vector<BufferBytes>> PartitionRecordWriter::broadcastPriorityEvent(const TaskEvent& event) {
  flushAll();
  std::vector<uint8_t> bytes = serializeEvent(event);
  std::vector<std::vector<BufferBytes>> overtaken(builders_.size());
  for (int c = 0; c < int(builders_.size()); ++c) {
    overtaken[size_t(c)] =
        partition_.subpartition(c).addPriorityEvent(Buffer::makeEvent(bytes, BufferKind::kPriorityEvent));
  }
  return overtaken;
}

}  // namespace weir::network
