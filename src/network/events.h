// TaskEvent: control messages that travel in-band with the data, in order,
// through the same subpartitions and channels as records: end of data, end of
// partition, checkpoint barriers and checkpoint cancellation markers.
//
// Wire format of an event buffer: u8 event type, then the type's payload.
// Events are values; any thread may create or read them.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include <weir/core/status.h>

namespace weir::network {

// The producer has sent its last record on this channel. The consumer must
// treat the channel as finished; no buffer follows.
struct EndOfPartitionEvent {
  bool operator==(const EndOfPartitionEvent&) const = default;
};

// The producer has sent its last record on this channel, but the channel stays
// open for checkpoint barriers (Flink's EndOfData, FLIP-147): a bounded job
// takes its final checkpoint after its data ended and before its tasks finish,
// so that two-phase-commit sinks commit everything.
struct EndOfDataEvent {
  bool operator==(const EndOfDataEvent&) const = default;
};

enum class CheckpointKind : uint8_t { kCheckpoint = 0, kSavepoint = 1 };

// How the consumers of a barrier take the checkpoint (Flink's CheckpointOptions
// alignment type). kUnaligned barriers travel as priority events, overtaking the
// queued data, which becomes channel state of the checkpoint.
// kAlignedWithTimeout barriers travel in turn and are aligned, until the alignment
// has taken `execution.checkpointing.aligned-checkpoint-timeout` since the trigger:
// then queued ones become priority events and the checkpoint goes unaligned.
enum class BarrierAlignment : uint8_t { kAligned = 0, kUnaligned = 1, kAlignedWithTimeout = 2 };

// Checkpoint `id` passes here: everything before it on this channel belongs to
// the checkpoint, everything after it does not. An aligned consumer blocks the
// channel until the barrier arrived on all its channels, then snapshots; an
// unaligned one snapshots at the first barrier and persists what arrives on
// each other channel before that channel's barrier.
struct CheckpointBarrier {
  int64_t id = 0;
  int64_t timestampMillis = 0;
  CheckpointKind kind = CheckpointKind::kCheckpoint;
  BarrierAlignment alignment = BarrierAlignment::kAligned;
  bool isUnaligned() const { return alignment == BarrierAlignment::kUnaligned; }
  bool hasAlignmentTimeout() const { return alignment == BarrierAlignment::kAlignedWithTimeout; }
  bool operator==(const CheckpointBarrier&) const = default;
};

// Checkpoint `id` was aborted upstream: a consumer aligning for it stops
// waiting, unblocks its channels and forwards the marker.
struct CancelCheckpointMarker {
  int64_t id = 0;
  bool operator==(const CancelCheckpointMarker&) const = default;
};

using TaskEvent =
    std::variant<EndOfPartitionEvent, CheckpointBarrier, CancelCheckpointMarker, EndOfDataEvent>;

std::vector<uint8_t> serializeEvent(const TaskEvent& event);
Result<TaskEvent> deserializeEvent(const uint8_t* data, size_t size);

class Buffer;
// The kAlignedWithTimeout barrier of checkpoint `checkpointId` in `buffer`, if it is one.
std::optional<CheckpointBarrier> timeoutableBarrierOf(const Buffer& buffer, int64_t checkpointId);

}  // namespace weir::network
