// ChannelStateFileGroups: writes the in-flight data of several subtasks of one
// vertex into one file per checkpoint
// (execution.checkpointing.unaligned.max-subtasks-per-channel-state-file, Flink's
// ChannelStateWriteRequestExecutorFactory sharing one writer among up to N subtasks).
//
// The subtasks of a vertex form groups of `maxSubtasksPerFile` consecutive
// indexes. With unaligned checkpoints on, the asynchronous part of every subtask
// hands its channel state of every checkpoint (savepoints excepted) to add(),
// null when it has none (it finished aligned, or nothing was in flight). Once the
// last member of the group has added its part, the thread of that last call
// writes one channel state stream (checkpoint/channel_state.h): one header, then
// the members' sections in subtask order; each member's handle names the shared
// stream and its own sections. Then every member's `done` runs, on that thread,
// with its handle (nullopt for a member without data), or with the write's error.
// A group where nobody had data writes nothing. When the storage keeps the stream
// inline (smaller than its inline threshold), each member gets its own inline
// stream instead, so the metadata does not repeat the others' bytes.
//
// Nothing waits: a member's async part returns after add(), and the executor
// thread is free for the others (a blocking wait could deadlock an executor with
// fewer threads than group members).
//
// A checkpoint that fails anywhere (a decline, a timeout, a failover) is aborted by
// the coordinator, which calls checkpointAborted(): every waiting member's `done`
// gets a Cancelled status, and parts that arrive later for that checkpoint get it
// at once. A checkpoint that completes had every part, so nothing of it waits here.
//
// Threading: every method is thread-safe; `done` runs without the lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include <weir/core/status.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_handles.h"
#include "runtime/channel_state_collector.h"

namespace weir::runtime {

class ChannelStateFileGroups {
 public:
  using Done = std::function<void(Result<std::optional<checkpoint::ChannelStateHandle>>)>;

  // REQUIRES: maxSubtasksPerFile >= 1.
  ChannelStateFileGroups(checkpoint::CheckpointStorage& storage, int maxSubtasksPerFile);
  ChannelStateFileGroups(const ChannelStateFileGroups&) = delete;
  ChannelStateFileGroups& operator=(const ChannelStateFileGroups&) = delete;

  int maxSubtasksPerFile() const { return maxSubtasksPerFile_; }

  // Subtask `subtask` of `vertex` (of `parallelism` subtasks) adds its channel state
  // of checkpoint `checkpointId` (null: none). REQUIRES: called once per subtask and
  // checkpoint.
  void add(int vertex, int parallelism, int subtask, int64_t checkpointId,
           std::unique_ptr<ChannelStateCollector> data, Done done);

  void checkpointAborted(int64_t checkpointId);

  // Groups with parts waiting (for tests).
  size_t pendingGroups() const;

 private:
  struct Member {
    int subtask = 0;
    std::unique_ptr<ChannelStateCollector> data;
    Done done;
  };
  struct Pending {
    int expected = 0;
    std::vector<Member> members;
  };
  using Key = std::tuple<int64_t, int, int>;  // checkpoint, vertex, group

  void write(int64_t checkpointId, std::vector<Member> members);

  checkpoint::CheckpointStorage& storage_;
  const int maxSubtasksPerFile_;
  mutable std::mutex mu_;
  std::map<Key, Pending> pending_;  // guarded by mu_
  static constexpr size_t kAbortedRemembered = 1024;
  std::set<int64_t> aborted_;  // guarded by mu_; the most recent aborted checkpoints
};

}  // namespace weir::runtime
