// State handles: what a checkpoint records about each piece of persisted state,
// and the per-subtask and per-operator collections of them (Flink's
// StreamStateHandle, KeyGroupsStateHandle, OperatorStateHandle,
// OperatorSubtaskState).
//
// A StreamStateHandle names bytes: a file (path relative to the checkpoint
// storage's job directory, so checkpoints can be moved) or bytes inline in the
// metadata (state smaller than `execution.checkpointing.data-inline-threshold`).
// Every handle carries the size and the XXH64 checksum of its bytes; a reader
// verifies both and reports a mismatch with the path.
//
// Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <weir/state/key_groups.h>

namespace weir::checkpoint {

struct StreamStateHandle {
  // Exactly one of: a file relative to the job's checkpoint directory ("chk-3/abc",
  // "shared/xyz", "taskowned/..."), or inline bytes.
  std::string relativePath;
  std::string inlineBytes;
  bool isInline = false;
  uint64_t size = 0;
  uint64_t checksum = 0;  // XXH64 (seed 0) of the bytes
  bool operator==(const StreamStateHandle&) const = default;
};

// Keyed state of one subtask: its key-group range and, per key group, the offset
// at which that group's data starts in the stream (so a restore with another
// parallelism reads only the groups it owns).
struct KeyGroupsStateHandle {
  KeyGroupRange range;
  std::vector<uint64_t> offsets;  // offsets[g - range.start]
  StreamStateHandle stream;
  bool operator==(const KeyGroupsStateHandle&) const = default;
};

// How an operator list state is split when parallelism changes.
enum class OperatorStateDistribution : uint8_t {
  kSplitDistribute = 0,  // elements spread over the new subtasks (round robin)
  kUnion = 1,            // every new subtask gets every element
  kBroadcast = 2,        // every subtask had the same elements; each new subtask gets one copy
};

// Operator (non-keyed) state of one subtask: for each named list state, where its
// elements start in the stream.
struct OperatorStateHandle {
  struct StateMeta {
    OperatorStateDistribution distribution = OperatorStateDistribution::kSplitDistribute;
    std::vector<uint64_t> elementOffsets;
    bool operator==(const StateMeta&) const = default;
  };
  std::map<std::string, StateMeta> states;
  StreamStateHandle stream;
  bool operator==(const OperatorStateHandle&) const = default;
};

// Where one channel's in-flight data lies in a ChannelStateHandle's stream.
struct ChannelStateSection {
  int index = 0;    // the task's input gate, or output partition (in job-edge order)
  int channel = 0;  // the gate's channel, or the partition's subpartition
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const ChannelStateSection&) const = default;
};

// The in-flight data one subtask persisted for an unaligned checkpoint (Flink's
// InputChannelStateHandle and ResultSubpartitionStateHandle): data buffers that
// had reached its inputs, and that its outputs had queued, on the wrong side of
// the checkpoint's barriers. One stream (see channel_state.h), one section per channel.
struct ChannelStateHandle {
  StreamStateHandle stream;
  std::vector<ChannelStateSection> inputChannels;
  std::vector<ChannelStateSection> resultSubpartitions;
  bool operator==(const ChannelStateHandle&) const = default;
};

// Everything one operator's subtask snapshotted.
struct OperatorSubtaskState {
  std::vector<KeyGroupsStateHandle> keyedState;
  std::vector<OperatorStateHandle> operatorState;
  // At most one, on the head operator of the subtask's chain.
  std::vector<ChannelStateHandle> channelState;
  bool empty() const { return keyedState.empty() && operatorState.empty() && channelState.empty(); }
  bool operator==(const OperatorSubtaskState&) const = default;
};

// One operator across its subtasks, identified by its stable id (uid, or an id
// derived from the topology when the user set none).
struct OperatorState {
  std::string operatorId;
  std::string operatorName;  // for messages only
  int parallelism = 1;
  int maxParallelism = kDefaultMaxParallelism;
  std::map<int, OperatorSubtaskState> subtaskStates;  // subtask index -> state (absent = nothing)
  // The operator's coordinator state (a source's split enumerator: its unassigned splits),
  // taken before the checkpoint's barriers were injected; empty if none.
  std::string coordinatorState;
  bool operator==(const OperatorState&) const = default;
};

}  // namespace weir::checkpoint
