#include "network/events.h"

#include <string>

#include "network/buffer.h"

#include <weir/core/check.h>

namespace weir::network {

namespace {
enum class EventType : uint8_t {
  kEndOfPartition = 1,
  kCheckpointBarrier = 2,
  kCancelCheckpointMarker = 3,
  kEndOfData = 4,
};

void putI64(std::vector<uint8_t>& out, int64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}
int64_t getI64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return int64_t(v);
}
}  // namespace

std::vector<uint8_t> serializeEvent(const TaskEvent& event) {
  std::vector<uint8_t> out;
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, EndOfPartitionEvent>) {
          out.push_back(uint8_t(EventType::kEndOfPartition));
        } else if constexpr (std::is_same_v<E, CheckpointBarrier>) {
          out.push_back(uint8_t(EventType::kCheckpointBarrier));
          putI64(out, e.id);
          putI64(out, e.timestampMillis);
          out.push_back(uint8_t(e.kind));
          out.push_back(uint8_t(e.alignment));
        } else if constexpr (std::is_same_v<E, EndOfDataEvent>) {
          out.push_back(uint8_t(EventType::kEndOfData));
        } else {
          static_assert(std::is_same_v<E, CancelCheckpointMarker>);
          out.push_back(uint8_t(EventType::kCancelCheckpointMarker));
          putI64(out, e.id);
        }
      },
      event);
  return out;
}

Result<TaskEvent> deserializeEvent(const uint8_t* data, size_t size) {
  if (size == 0) return Status::corruption("empty event buffer");
  switch (EventType(data[0])) {
    case EventType::kEndOfPartition:
      return TaskEvent(EndOfPartitionEvent{});
    case EventType::kEndOfData:
      return TaskEvent(EndOfDataEvent{});
    case EventType::kCheckpointBarrier:
      if (size != 19 || data[17] > 1 || data[18] > 2)
        return Status::corruption("malformed checkpoint barrier event");
      return TaskEvent(CheckpointBarrier{getI64(data + 1), getI64(data + 9), CheckpointKind(data[17]),
                                         BarrierAlignment(data[18])});
    case EventType::kCancelCheckpointMarker:
      if (size != 9) return Status::corruption("malformed cancel-checkpoint event");
      return TaskEvent(CancelCheckpointMarker{getI64(data + 1)});
  }
  return Status::corruption("unknown event type " + std::to_string(int(data[0])));
}

std::optional<CheckpointBarrier> timeoutableBarrierOf(const Buffer& buffer, int64_t checkpointId) {
  if (buffer.kind() != BufferKind::kEvent || buffer.size() == 0 ||
      buffer.data()[0] != uint8_t(EventType::kCheckpointBarrier))
    return std::nullopt;
  Result<TaskEvent> e = deserializeEvent(buffer.data(), buffer.size());
  if (!e.isOk()) return std::nullopt;
  const auto& b = std::get<CheckpointBarrier>(*e);
  if (b.id != checkpointId || !b.hasAlignmentTimeout()) return std::nullopt;
  return b;
}

std::unique_ptr<Buffer> Buffer::makeEvent(std::vector<uint8_t> bytes, BufferKind kind) {
  WEIR_CHECK(kind != BufferKind::kData);
  auto b = std::make_unique<Buffer>(bytes.data(), uint32_t(bytes.size()), nullptr, kind);
  b->owned_ = std::move(bytes);
  b->data_ = b->owned_.data();
  b->size_ = uint32_t(b->owned_.size());
  return b;
}

std::unique_ptr<Buffer> Buffer::makeOwnedData(std::vector<uint8_t> bytes) {
  WEIR_CHECK(bytes.size() <= UINT32_MAX);
  auto b = std::make_unique<Buffer>(bytes.data(), uint32_t(bytes.size()), nullptr, BufferKind::kData);
  b->owned_ = std::move(bytes);
  b->data_ = b->owned_.data();
  b->size_ = uint32_t(b->owned_.size());
  return b;
}

Buffer::~Buffer() {
  if (recycler_ != nullptr) recycler_->recycle(data_);
}

}  // namespace weir::network
