// CheckpointMetadata: the content of a checkpoint's `_metadata` file, and its
// versioned binary format (Flink's MetadataV*Serializer).
//
// Format: magic "WEIRCKPT" (8 bytes), u32 format version, u64 payload length,
// payload, u64 XXH64 of everything before it. One serializer per version sits
// behind a registry so that old checkpoints stay readable. A reader never
// trusts a length or count: every one is checked against the remaining bytes,
// and a bad magic, unknown version, truncation or checksum mismatch is reported
// as Corruption naming `origin` (the file path) and what is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <weir/core/status.h>

#include "checkpoint/state_handles.h"

namespace weir::checkpoint {

inline constexpr uint32_t kMetadataVersion = 2;  // 2: channel state (unaligned checkpoints)

enum class SnapshotKind : uint8_t { kCheckpoint = 0, kSavepoint = 1 };

struct CheckpointMetadata {
  int64_t checkpointId = 0;
  std::string jobId;
  std::string jobName;
  int64_t timestampMillis = 0;
  SnapshotKind kind = SnapshotKind::kCheckpoint;
  std::vector<OperatorState> operators;
  bool operator==(const CheckpointMetadata&) const = default;
};

std::string serializeMetadata(const CheckpointMetadata& metadata);
Result<CheckpointMetadata> deserializeMetadata(const std::string& bytes, const std::string& origin);

}  // namespace weir::checkpoint
