// TaskEvent: control messages that travel in-band with the data, in order,
// through the same subpartitions and channels as records (end of partition
// now; checkpoint barriers and cancellation markers with the checkpoint part).
//
// Wire format of an event buffer: u8 event type, then the type's payload.
// Events are values; any thread may create or read them.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include <weir/core/status.h>

namespace weir::network {

// The producer has sent its last record on this channel. The consumer must
// treat the channel as finished; no buffer follows.
struct EndOfPartitionEvent {
  bool operator==(const EndOfPartitionEvent&) const = default;
};

using TaskEvent = std::variant<EndOfPartitionEvent>;

std::vector<uint8_t> serializeEvent(const TaskEvent& event);
Result<TaskEvent> deserializeEvent(const uint8_t* data, size_t size);

}  // namespace weir::network
