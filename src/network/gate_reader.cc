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

void GateRecordReader::onEvent(int channel, const Buffer& buffer, std::vector<BufferBytes> overtaken) {
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
    stopPersisting(channel);  // nothing more comes
    if (listener_ != nullptr) listener_->onEndOfPartition(channel);
  } else if (const auto* barrier = std::get_if<CheckpointBarrier>(&*event)) {
    // Only a priority barrier can overtake the rest of a record.
    WEIR_CHECK_MSG(buffer.isPriorityEvent() || channels_[size_t(channel)].spanningNeeded == 0,
                   "barrier in the middle of a record");
    barrierChannel_ = channel;
    barrierOvertook_ = std::move(overtaken);
    if (listener_ != nullptr) listener_->onBarrier(channel, *barrier);
    barrierChannel_ = -1;
    barrierOvertook_.clear();
  } else if (std::holds_alternative<EndOfDataEvent>(*event)) {
    ChannelState& c = channels_[size_t(channel)];
    WEIR_CHECK_MSG(!c.endOfData, "end of data twice on one channel");
    c.endOfData = true;
    ++endOfDataChannels_;
  } else if (const auto* marker = std::get_if<CancelCheckpointMarker>(&*event)) {
    if (listener_ != nullptr) listener_->onCancelMarker(channel, *marker);
  }
}

void GateRecordReader::processPriorityEvents() {
  while (std::optional<BufferOrEvent> e = gate_.pollPriorityEvent()) {
    WEIR_CHECK_MSG(e->buffer->isEvent(), "a priority poll returned data");
    onEvent(e->channel, *e->buffer, std::move(e->overtaken));
  }
}

void GateRecordReader::startPersisting(InFlightDataSink& sink) {
  stopPersistingAll();
  sink_ = &sink;
  for (size_t i = 0; i < channels_.size(); ++i) {
    ChannelState& c = channels_[i];
    if (c.finished) continue;
    c.persisting = true;
    ++persistingChannels_;
    if (c.spanningNeeded > 0) {
      // A record begun in buffers already taken: its length prefix and the bytes so far.
      BufferBytes bytes(4 + c.spanning.size());
      const uint32_t len = uint32_t(c.spanning.size() + c.spanningNeeded);
      std::memcpy(bytes.data(), &len, 4);
      std::memcpy(bytes.data() + 4, c.spanning.data(), c.spanning.size());
      sink.add(int(i), bytes.data(), bytes.size());
    }
    if (c.buffer && c.pos < c.buffer->size()) {
      sink.add(int(i), c.buffer->data() + c.pos, c.buffer->size() - c.pos);  // starts at a record boundary
    }
  }
}

void GateRecordReader::stopPersisting(int channel) {
  ChannelState& c = channels_[size_t(channel)];
  if (!c.persisting) return;
  if (channel == barrierChannel_) {
    for (const BufferBytes& b : barrierOvertook_) sink_->add(channel, b.data(), b.size());
  }
  c.persisting = false;
  if (--persistingChannels_ == 0) sink_ = nullptr;
}

void GateRecordReader::stopPersistingAll() {
  for (ChannelState& c : channels_) c.persisting = false;
  persistingChannels_ = 0;
  sink_ = nullptr;
}

RecordReader::ReadStatus GateRecordReader::next(DataInput& record) {
  if (interrupt_ != nullptr && interrupt_->load(std::memory_order_relaxed)) [[unlikely]]
    return ReadStatus::kInterrupted;
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
      onEvent(next->channel, *next->buffer, std::move(next->overtaken));
      continue;
    }
    ChannelState& c = channels_[size_t(next->channel)];
    WEIR_CHECK(!c.buffer);
    c.buffer = std::move(next->buffer);
    c.pos = 0;
    bufferBytesTaken_ += c.buffer->size();
    if (bytesIn_ != nullptr) bytesIn_->inc(c.buffer->size());
    if (c.persisting) [[unlikely]]
      sink_->add(next->channel, c.buffer->data(), c.buffer->size());
    current_ = next->channel;
  }
}

}  // namespace weir::network
