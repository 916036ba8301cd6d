// TaskDeployment: everything one task needs to run one parallel subtask of a
// job vertex: its operator chain with the wiring between operators, the input
// gates and result partitions the cluster created for it, and its services.
// The cluster (JobMaster) builds it; the task only reads it.
//
// Also TaskManagerServices (shared by all tasks of a process) and
// JobMasterGateway, the one interface through which a task talks back to its
// JobMaster (in-process today, RPC later).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <weir/core/config.h>
#include <weir/core/metrics.h>
#include <weir/graph/stream_graph.h>
#include <weir/runtime/network_glue.h>

#include "checkpoint/checkpoint_failure.h"
#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_handles.h"
#include "network/buffer_debloater.h"
#include "network/buffer_pool.h"
#include "network/input_gate.h"
#include "network/result_partition.h"
#include "runtime/async_executor.h"
#include "runtime/execution_state.h"
#include "runtime/timer_service.h"

namespace weir::runtime {

class ChannelStateFileGroups;

struct ChainedOperator {
  int nodeId = -1;
  std::string name;
  std::string operatorId;  // stable id in checkpoints: the uid, or one derived from the graph
  // Points into the StreamGraph (which the JobMaster keeps alive); called on the task
  // thread, so that copying user functions into the operator happens there.
  const std::function<std::unique_ptr<StreamOperator>()>* factory = nullptr;
  std::shared_ptr<const StreamTypeOps> outputType;  // null for sinks
  bool isSource = false;
  bool keyed = false;
  int maxParallelism = kDefaultMaxParallelism;
  std::vector<int> chainedOutputs;  // positions in TaskDeployment::chain (each consumes on its input 1)
  std::vector<int> networkOutputs;  // positions in TaskDeployment::outputs
  // The consumers of each side output (OutputTag id) the operator has.
  struct SideOutput {
    std::string tag;
    std::shared_ptr<const StreamTypeOps> type;
    std::vector<int> chainedOutputs;
    std::vector<int> networkOutputs;
  };
  std::vector<SideOutput> sideOutputs;
  std::shared_ptr<OperatorIOMetrics> metrics;
};

struct TaskInputSpec {
  network::InputGate* gate = nullptr;
  int inputIndex = 1;  // which input of the chain head
  std::shared_ptr<const StreamTypeOps> type;
};

struct TaskOutputSpec {
  network::ResultPartition* partition = nullptr;
  PartitionerSpec partitioner;
  int consumerMaxParallelism = kDefaultMaxParallelism;
};

// execution.checkpointing.mode: how a task with network inputs handles barriers.
enum class CheckpointingMode {
  kExactlyOnce,  // align: block each channel after its barrier (SingleCheckpointBarrierHandler)
  kAtLeastOnce,  // never block; snapshot at the last barrier (CheckpointBarrierTracker)
};

// Checkpointing services of a task; all null/false when checkpointing is off.
struct TaskCheckpointing {
  bool enabled = false;
  CheckpointingMode mode = CheckpointingMode::kExactlyOnce;
  // execution.checkpointing.unaligned.enabled: source tasks send unaligned barriers
  // (priority events; every task downstream takes the checkpoint unaligned).
  bool unaligned = false;
  // execution.checkpointing.aligned-checkpoint-timeout (with `unaligned`): 0 = barriers are
  // unaligned from the start; else they start aligned and go unaligned after this long.
  std::chrono::milliseconds alignedCheckpointTimeout{0};
  checkpoint::CheckpointStorage* storage = nullptr;  // owned by the JobMaster
  AsyncExecutor* executor = nullptr;                 // owned by the JobMaster
  // With `unaligned`: where every checkpoint's channel state goes (shared files).
  ChannelStateFileGroups* channelStateFiles = nullptr;  // owned by the JobMaster
};

// What one subtask snapshotted, per operator id.
using TaskStateSnapshot = std::map<std::string, checkpoint::OperatorSubtaskState>;

// Per-subtask figures of one checkpoint (Flink's SubtaskCheckpointStatistics).
struct SubtaskCheckpointMetrics {
  std::chrono::milliseconds syncDuration{0};
  std::chrono::milliseconds asyncDuration{0};
  std::chrono::milliseconds alignmentDuration{0};
  std::chrono::milliseconds startDelay{0};
  uint64_t stateSize = 0;  // bytes written for this subtask
  // Bytes of the channels not yet blocked that the task processed while it aligned
  // (Flink's processed_data), and in-flight bytes it persisted as channel state
  // (unaligned checkpoints, persisted_data).
  uint64_t bytesProcessedDuringAlignment = 0;
  uint64_t bytesPersistedDuringAlignment = 0;
  bool unaligned = false;  // the subtask took the checkpoint unaligned
};

// A subtask's own metrics (Flink's task metric group), written by its task thread
// (and by the attempts after it: they live across restarts) and read by the
// JobMaster's metrics at any time.
struct TaskIOMetrics {
  // Records and bytes crossing the task's network boundary; bytes counted per buffer.
  Counter numRecordsIn;
  Counter numRecordsOut;
  Counter numBytesIn;
  Counter numBytesOut;
  // Where the task thread's time goes: `running` spans the mailbox loop; within it,
  // `idle` waits for input and `backPressured` waits for an output buffer. Busy time
  // is the rest (Flink computes busyTimeMsPerSecond the same way).
  TimeCounter running;
  TimeCounter idle;
  TimeCounter backPressured;
  // The latest checkpoint's alignment and start delay (Flink's checkpointAlignmentTime
  // and checkpointStartDelayNanos gauges), in nanoseconds.
  std::atomic<int64_t> lastCheckpointAlignmentNanos{0};
  std::atomic<int64_t> lastCheckpointStartDelayNanos{0};
  // Buffer debloating (0 when off): the smallest buffer size the subtask's inputs ask for,
  // and the longest time the data in flight towards one of them takes to drain (ms; -1 unknown).
  std::atomic<int64_t> debloatedBufferSize{0};
  std::atomic<int64_t> estimatedTimeToConsumeBuffersMs{0};
};

// taskmanager.network.memory.buffer-debloat.*; unset when debloating is off.
struct TaskBufferDebloat {
  network::BufferDebloatOptions options;
  std::chrono::milliseconds period{200};
};

struct TaskDeployment {
  std::string jobName;
  std::string taskName;  // the vertex name
  int vertexId = -1;
  int subtaskIndex = 0;
  int parallelism = 1;
  std::vector<ChainedOperator> chain;  // head first
  std::vector<TaskInputSpec> inputs;
  std::vector<TaskOutputSpec> outputs;
  std::shared_ptr<const Configuration> config;
  std::chrono::milliseconds bufferTimeout{100};
  std::optional<TaskBufferDebloat> bufferDebloat;
  std::shared_ptr<TaskIOMetrics> metrics;
  TaskCheckpointing checkpointing;
  // Restore: this subtask's share of the checkpoint's state, by operator id (keyed
  // handles intersecting its key groups; operator state redistributed), read through
  // `restoreReader` (owned by the JobMaster). `restored` is false for a fresh start.
  bool restored = false;
  int attemptNumber = 0;  // 0 for the first run of the job, +1 for each restart
  std::map<std::string, checkpoint::OperatorSubtaskState> restoreState;
  checkpoint::StateReader* restoreReader = nullptr;
};

// Whether restarting can cure a task's failure: not when the restored state does
// not fit the job (StateMigrationException), since a restart restores it again.
enum class TaskFailureKind { kRestartable, kRestoredStateIncompatible };

struct TaskExecutionStateUpdate {
  int vertexId;
  int subtaskIndex;
  ExecutionState state;
  std::string failure;  // for FAILED: what went wrong, with operator and subtask
  TaskFailureKind failureKind = TaskFailureKind::kRestartable;
};

class JobMasterGateway {
 public:
  virtual ~JobMasterGateway() = default;
  // A task reached a new state. Called from the task thread.
  virtual void updateTaskExecutionState(const TaskExecutionStateUpdate& update) = 0;
  // A source task emitted its last record (and EndOfData) and now waits for the
  // final checkpoint before it ends (only with checkpointing).
  virtual void notifyEndOfData(int vertexId, int subtaskIndex) = 0;
  // An operator of a task sends an event to its coordinator.
  virtual void sendOperatorEventToCoordinator(int nodeId, int subtaskIndex, std::vector<uint8_t> event) = 0;
  // The subtask's part of checkpoint `checkpointId` is durable. Called from an async snapshot thread.
  virtual void acknowledgeCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                                     TaskStateSnapshot state, const SubtaskCheckpointMetrics& metrics) = 0;
  // The subtask cannot complete checkpoint `checkpointId`.
  virtual void declineCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                                 checkpoint::CheckpointFailureReason reason, const std::string& message) = 0;
};

struct TaskManagerServices {
  SystemTimerService* timers = nullptr;
};

}  // namespace weir::runtime
