#include "network/events.h"

#include <string>

#include "network/buffer.h"

namespace weir::network {

namespace {
enum class EventType : uint8_t { kEndOfPartition = 1 };
}

std::vector<uint8_t> serializeEvent(const TaskEvent& event) {
  std::vector<uint8_t> out;
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, EndOfPartitionEvent>)
          out.push_back(uint8_t(EventType::kEndOfPartition));
      },
      event);
  return out;
}

Result<TaskEvent> deserializeEvent(const uint8_t* data, size_t size) {
  if (size == 0) return Status::corruption("empty event buffer");
  switch (EventType(data[0])) {
    case EventType::kEndOfPartition:
      return TaskEvent(EndOfPartitionEvent{});
  }
  return Status::corruption("unknown event type " + std::to_string(int(data[0])));
}

std::unique_ptr<Buffer> Buffer::makeEvent(std::vector<uint8_t> bytes) {
  auto b = std::make_unique<Buffer>(bytes.data(), uint32_t(bytes.size()), nullptr, BufferKind::kEvent);
  b->owned_ = std::move(bytes);
  b->data_ = b->owned_.data();
  b->size_ = uint32_t(b->owned_.size());
  return b;
}

Buffer::~Buffer() {
  if (recycler_ != nullptr) recycler_->recycle(data_);
}

}  // namespace weir::network
