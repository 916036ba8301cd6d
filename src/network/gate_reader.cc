#include "network/gate_reader.h"

#include <cstring>

#include <weir/core/check.h>

namespace weir::network {

GateRecordReader::GateRecordReader(InputGate& gate)
    : gate_(gate), channels_(size_t(gate.numberOfChannels())) {}

bool GateRecordReader::readFrom(ChannelState& c, DataInput& record) {
  Buffer& b = *c.buffer;
  const uint32_t size = b.size();
  if (c.spanningNeeded > 0) {
    uint32_t n = std::min(c.spanningNeeded, size - c.pos);
    c.spanning.insert(c.spanning.end(), b.data() + c.pos, b.data() + c.pos + n);
    c.pos += n;
    c.spanningNeeded -= n;
    if (c.spanningNeeded > 0) return false;
    record = DataInput(c.spanning.data(), c.spanning.size());
    return true;
  }
  if (size - c.pos < 4) {
    // The producer never splits a length prefix; fewer than 4 bytes left means the buffer is done.
    WEIR_CHECK_MSG(c.pos == size, "corrupt network buffer: dangling bytes after the last record");
    return false;
  }
  uint32_t len;
  std::memcpy(&len, b.data() + c.pos, 4);
  c.pos += 4;
  bytesRead_ += 4 + uint64_t(len);
  if (len <= size - c.pos) {
    record = DataInput(b.data() + c.pos, len);
    c.pos += len;
    return true;
  }
  uint32_t n = size - c.pos;
  c.spanning.assign(b.data() + c.pos, b.data() + size);
  c.pos = size;
  c.spanningNeeded = len - n;
  return false;
}

void GateRecordReader::onEvent(int channel, const Buffer& buffer) {
  Result<TaskEvent> event = deserializeEvent(buffer.data(), buffer.size());
  WEIR_CHECK_MSG(event.isOk(), event.status().toString().c_str());
  if (std::holds_alternative<EndOfPartitionEvent>(*event)) {
    ChannelState& c = channels_[size_t(channel)];
    WEIR_CHECK_MSG(!c.finished, "two end-of-partition events on one channel");
    WEIR_CHECK_MSG(c.spanningNeeded == 0, "end of partition in the middle of a record");
    c.finished = true;
    ++finishedChannels_;
    if (!c.endOfData) {
      c.endOfData = true;  // an end of partition also ends the channel's data
      ++endOfDataChannels_;
    }
    if (listener_ != nullptr) listener_->onEndOfPartition(channel);
  } else if (const auto* barrier = std::get_if<CheckpointBarrier>(&*event)) {
    WEIR_CHECK_MSG(channels_[size_t(channel)].spanningNeeded == 0, "barrier in the middle of a record");
    if (listener_ != nullptr) listener_->onBarrier(channel, *barrier);
  } else if (std::holds_alternative<EndOfDataEvent>(*event)) {
    ChannelState& c = channels_[size_t(channel)];
    WEIR_CHECK_MSG(!c.endOfData, "end of data twice on one channel");
    c.endOfData = true;
    ++endOfDataChannels_;
  } else if (const auto* marker = std::get_if<CancelCheckpointMarker>(&*event)) {
    if (listener_ != nullptr) listener_->onCancelMarker(channel, *marker);
  }
}

RecordReader::ReadStatus GateRecordReader::next(DataInput& record) {
  for (;;) {
    if (current_ >= 0) {
      ChannelState& c = channels_[size_t(current_)];
      if (readFrom(c, record)) return ReadStatus::kRecord;
      c.buffer.reset();  // fully read: recycle to the producer's pool now
      current_ = -1;
    }
    if (!endOfDataReported_ && endOfDataChannels_ == gate_.numberOfChannels()) {
      endOfDataReported_ = true;
      return ReadStatus::kEndOfData;
    }
    if (isFinished()) return ReadStatus::kEndOfInput;
    std::optional<BufferOrEvent> next = gate_.pollNext();
    if (!next) return ReadStatus::kNothingAvailable;
    if (next->buffer->isEvent()) {
      onEvent(next->channel, *next->buffer);
      continue;
    }
    ChannelState& c = channels_[size_t(next->channel)];
    WEIR_CHECK(!c.buffer);
    c.buffer = std::move(next->buffer);
    c.pos = 0;
    if (bytesIn_ != nullptr) bytesIn_->inc(c.buffer->size());
    current_ = next->channel;
  }
}

}  // namespace weir::network
