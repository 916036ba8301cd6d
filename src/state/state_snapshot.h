// Snapshots and restores of keyed state (HeapKeyedStateBackend) and operator
// state (OperatorStateStore) into checkpoint storage.
//
// Every snapshot has two parts. The synchronous part runs on the task thread
// while the task is stopped at a barrier; it captures an immutable view of the
// state (copy-on-write: its cost grows with the number of states and key
// groups, not with the amount of state) and returns the asynchronous part. The
// asynchronous part runs on another thread while the task processes records
// again: it serializes the view, writes it through a CheckpointStateOutputStream
// and returns the handle. Writes made after the synchronous part never change
// what the asynchronous part writes.
//
// Restore happens before the operator opens, when the state objects (whose
// value types only user code knows) do not exist yet: the restored bytes are kept
// per state name and deserialized when open() registers the state through its
// descriptor, after checking that the descriptor's kind and serializer identity
// match what the checkpoint recorded (a mismatch fails the restore with the
// state's name). State that was restored but never registered again is carried
// into later snapshots unchanged. The processing-time timers of a keyed operator
// are one of its keyed states (weir/state/heap_timer_state.h), so they are
// captured, written, restored and rescaled by the same code.
//
// Threading: snapshot*() and restore*() on the task thread; the returned async
// part on any one thread, once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <weir/core/status.h>
#include <weir/runtime/runtime_context.h>
#include <weir/state/keyed_state_backend.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_handles.h"

namespace weir::state {

using AsyncKeyedSnapshot = std::function<Result<std::optional<checkpoint::KeyGroupsStateHandle>>()>;
using AsyncOperatorSnapshot = std::function<Result<std::optional<checkpoint::OperatorStateHandle>>()>;

// Synchronous part of a keyed-state snapshot of checkpoint `checkpointId`.
AsyncKeyedSnapshot snapshotKeyedState(KeyedStateBackend& backend, checkpoint::CheckpointStorage& storage,
                                      int64_t checkpointId);
// Restores the key groups of `backend`'s range from `handles` (which may cover other ranges too,
// after a change of parallelism).
Status restoreKeyedState(KeyedStateBackend& backend,
                         const std::vector<checkpoint::KeyGroupsStateHandle>& handles,
                         checkpoint::StateReader& reader);

AsyncOperatorSnapshot snapshotOperatorState(OperatorStateStore& store, checkpoint::CheckpointStorage& storage,
                                            int64_t checkpointId);
// `handles` are this subtask's share after redistribution (see redistributeOperatorState).
Status restoreOperatorState(OperatorStateStore& store,
                            const std::vector<checkpoint::OperatorStateHandle>& handles,
                            checkpoint::StateReader& reader);

// What `weir inspect` shows of one snapshot stream: each state's name, kind ("value",
// "list", ..., "timers"; operator lists "split list", "union list", "broadcast list"),
// serializer and, for operator lists, element count. Corrupt input is a Corruption
// naming `origin`.
struct SnapshotStateInfo {
  std::string name;
  std::string kind;
  std::string serializer;
  uint32_t serializerVersion = 0;
  uint64_t elements = 0;  // operator lists only
};
Result<std::vector<SnapshotStateInfo>> describeKeyedSnapshot(const std::string& bytes,
                                                             const std::string& origin);
Result<std::vector<SnapshotStateInfo>> describeOperatorSnapshot(const std::string& bytes,
                                                                const std::string& origin);

}  // namespace weir::state
