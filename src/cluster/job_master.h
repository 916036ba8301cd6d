// JobMaster: runs one job on the local process: expands the JobGraph into
// parallel subtasks (the execution graph), creates the result partitions, input
// gates and local channels that connect them, starts the operator coordinators
// and the tasks, tracks every task's state and decides the job's state.
//
// Failover (Flink's full restart): everything one run of the job needs (network,
// coordinators, tasks) is an Attempt. On a task failure, or when checkpoints fail
// beyond the tolerance, the restart strategy decides. To restart, the job goes
// RESTARTING: checkpointing is suspended (pending checkpoints are aborted), every
// task is cancelled, and once all have ended the controller thread tears the
// attempt down, waits the strategy's delay and deploys a new attempt that restores
// every operator, coordinator and source position from the latest completed
// checkpoint (or starts afresh without one). When the strategy says no, the job
// ends FAILED with that failure as root cause.
//
// Thread-safety: all public methods are thread-safe; task threads call the
// JobMasterGateway methods concurrently. Lifecycle: deploy() once, then
// waitForTermination(); the destructor joins every thread.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <weir/api/job_client.h>
#include <weir/core/config.h>
#include <weir/graph/stream_graph.h>

#include "checkpoint/checkpoint_storage.h"
#include "cluster/checkpoint_coordinator.h"
#include "cluster/job_details.h"
#include "cluster/job_metrics.h"
#include "cluster/restart_strategy.h"
#include "graph/job_graph.h"
#include "network/buffer_pool.h"
#include "network/credit_based.h"
#include "network/input_gate.h"
#include "network/result_partition.h"
#include "runtime/channel_state_file_groups.h"
#include "runtime/stream_task.h"
#include "runtime/task_deployment.h"

namespace weir::cluster {

class JobMaster final : public runtime::JobMasterGateway, private CheckpointCoordinatorGateway {
 public:
  JobMaster(std::string jobId, std::shared_ptr<const StreamGraph> streamGraph, graph::JobGraph jobGraph,
            std::shared_ptr<const Configuration> config, network::NetworkBufferPool& networkPool,
            runtime::TaskManagerServices services);
  ~JobMaster() override;

  // Builds the execution graph and starts everything; an error leaves nothing running.
  Status deploy();
  void cancel();
  JobStatus status() const;
  JobProgress progress() const;
  // Blocks until the job is terminal; joins all task threads.
  JobExecutionResult waitForTermination();
  const std::string& jobId() const { return jobId_; }
  const graph::JobGraph& jobGraph() const { return jobGraph_; }

  // For the REST API and the CLI: copies of the job's current shape and figures.
  JobDetails details() const;
  JobExceptions exceptions() const;
  // Null when checkpointing is off.
  std::optional<CheckpointConfigInfo> checkpointConfig() const;
  // The job's and every subtask's metrics as of now (see job_metrics.h).
  JobMetrics metrics() const;
  // Everything above (and the checkpoint statistics and configuration) in one copy.
  ArchivedJob archive() const;
  // Triggers a checkpoint now (the REST API's and `weir checkpoint`'s request).
  Result<int64_t> triggerCheckpoint();
  // Triggers a savepoint into `targetDirectory`, or execution.checkpointing.savepoint-dir
  // when empty (`weir savepoint`, POST /jobs/:jobid/savepoints); its id, or why not.
  Result<int64_t> triggerSavepoint(const std::string& targetDirectory);
  // `weir stop` (POST /jobs/:jobid/stop): a savepoint after which the job ends FINISHED.
  // kDrain first ends every source's input (the maximum watermark: every event-time timer
  // fires, every operator finishes), then takes the savepoint; kSuspend takes it at once,
  // the sources emitting nothing after its barrier, and the tasks end without finishing
  // their operators. Either way the savepoint's completion is notified, so sinks commit
  // exactly what it covers. Returns the savepoint's id once triggered (the statistics tell
  // its outcome); if it fails, the job keeps running (after a drain, it finishes with a
  // final checkpoint instead).
  Result<int64_t> stopWithSavepoint(const std::string& targetDirectory, StopMode mode);

  void updateTaskExecutionState(const runtime::TaskExecutionStateUpdate& update) override;
  void notifyEndOfData(int vertexId, int subtaskIndex) override;
  void sendOperatorEventToCoordinator(int nodeId, int subtaskIndex, std::vector<uint8_t> event) override;
  void acknowledgeCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                             runtime::TaskStateSnapshot state,
                             const runtime::SubtaskCheckpointMetrics& metrics) override;
  void declineCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                         checkpoint::CheckpointFailureReason reason, const std::string& message) override;

  // Null when checkpointing is off.
  CheckpointCoordinator* checkpointCoordinator() { return checkpointCoordinator_.get(); }

 private:
  class CoordinatorContext;
  struct Attempt;
  // What an attempt restores: the checkpoint and a reader for its files.
  struct RestorePoint {
    const checkpoint::CheckpointMetadata* metadata = nullptr;
    checkpoint::StateReader* reader = nullptr;
  };
  enum class FailureAction { kNone, kRestart, kFail };

  Status createNetwork(Attempt& a);
  // Builds a complete attempt (nothing started) restoring `from`.
  Result<std::unique_ptr<Attempt>> buildAttempt(int number, const RestorePoint& from);
  // Installs and starts `a`: coordinators, then status RUNNING, then tasks.
  Status startAttempt(std::unique_ptr<Attempt> a);
  // Cancels, joins and destroys the current attempt, if any.
  void teardownAttempt();
  void runController();
  // A failure of the running attempt: asks the restart strategy, unless `kind` says a
  // restart cannot cure it (the job fails). REQUIRES: mu_. `taskName` is empty for
  // job-level failures.
  FailureAction onFailureLocked(const std::string& cause, const std::string& taskName,
                                runtime::TaskFailureKind kind = runtime::TaskFailureKind::kRestartable);
  // Every task of the attempt is terminal. REQUIRES: mu_.
  void attemptEndedLocked(runtime::ExecutionState lastState);
  void applyFailureAction(FailureAction action, const std::string& cause);
  // Appends to the exception history (bounded by web.exception-history-size). REQUIRES: mu_.
  void recordExceptionLocked(const std::string& message, const std::string& taskName, bool restarted);
  // "Map (2/4)", as failures and the dashboard name a subtask.
  std::string taskNameOf(int vertexId, int subtaskIndex) const;
  Status setUpCheckpointing();
  // Reads the checkpoint named by execution.state-recovery.path, if any, and checks it fits the job.
  Status loadRestoreCheckpoint();
  // This subtask's share of the restored state, by operator id.
  std::map<std::string, checkpoint::OperatorSubtaskState> restoreStateFor(const RestorePoint& from,
                                                                          const graph::JobVertex& v,
                                                                          int subtask);
  void stopCheckpointing();
  // CheckpointCoordinatorGateway
  bool allTasksRunning() override;
  std::map<std::string, std::string> triggerSourceTasks(int64_t checkpointId, int64_t timestampMillis,
                                                        SnapshotType type) override;
  // The directory a savepoint goes to and whether one can be taken now; REQUIRES: !mu_.
  Result<std::string> savepointTarget(const std::string& requested);
  // A stop that did not happen: periodic checkpoints resume (and a drained job gets its
  // final checkpoint). REQUIRES: !mu_.
  void stopFailed();
  void notifyCheckpointComplete(int64_t checkpointId) override;
  void notifyCheckpointAborted(int64_t checkpointId) override;
  void failJob(const std::string& cause) override;
  void setStatusLocked(JobStatus s);
  // Fills the buffer metrics of every subtask of the current attempt (zeros without one).
  void readBufferMetrics(JobMetrics& m) const;
  void cancelAllTasks();

  const std::string jobId_;
  std::shared_ptr<const StreamGraph> streamGraph_;
  graph::JobGraph jobGraph_;
  std::shared_ptr<const Configuration> config_;
  network::NetworkBufferPool& networkPool_;
  runtime::TaskManagerServices services_;

  // Counters live across attempts (they count replayed records again).
  std::vector<std::vector<std::shared_ptr<OperatorIOMetrics>>> operatorMetrics_;   // [node][subtask]
  std::vector<std::vector<std::shared_ptr<runtime::TaskIOMetrics>>> taskMetrics_;  // [vertex][subtask]
  std::unique_ptr<TaskMetricsSampler> metricsSampler_;                             // set by deploy()
  std::unique_ptr<RestartStrategy> restartStrategy_;
  // Checkpointing (all null when off). The executor runs snapshots' async parts and must
  // finish before the storage goes; tasks (declared after) go before both.
  std::unique_ptr<checkpoint::CheckpointStorage> checkpointStorage_;
  std::unique_ptr<runtime::ChannelStateFileGroups> channelStateFiles_;  // unaligned checkpoints
  std::unique_ptr<runtime::AsyncExecutor> snapshotExecutor_;
  std::unique_ptr<CheckpointCoordinator> checkpointCoordinator_;
  std::string retention_ = "NO_EXTERNALIZED_CHECKPOINTS";
  runtime::CheckpointingMode checkpointingMode_ = runtime::CheckpointingMode::kExactlyOnce;
  bool unalignedCheckpoints_ = false;  // execution.checkpointing.unaligned.enabled
  std::chrono::milliseconds alignedCheckpointTimeout_{0};
  // The checkpoint named by execution.state-recovery.path, and a reader for its directory.
  std::optional<checkpoint::CheckpointMetadata> initialRestore_;
  ClaimMode initialRestoreClaim_ = ClaimMode::kNoClaim;  // execution.state-recovery.claim-mode
  std::unique_ptr<checkpoint::StateReader> initialRestoreReader_;
  std::unique_ptr<checkpoint::StateReader> ownCheckpointReader_;  // reads this job's checkpoints

  // The current attempt. Gateway calls from tasks and the checkpoint coordinator use it
  // under a shared lock; only install and teardown take it exclusively (and they never
  // hold it while joining task threads).
  mutable std::shared_mutex attemptMu_;
  std::unique_ptr<Attempt> attempt_;  // guarded by attemptMu_

  mutable std::mutex mu_;
  std::condition_variable terminated_;  // status_ became globally terminal
  std::condition_variable controlCv_;   // wakes the controller
  std::thread controller_;
  bool restartReady_ = false;  // guarded by mu_: the failed attempt has ended
  // Failure decisions whose suspend/cancel has not run yet (they may run on a
  // checkpoint thread): the controller waits for them, so that a late one never
  // reaches the next attempt.
  int failureActionsInFlight_ = 0;             // guarded by mu_
  std::chrono::milliseconds restartDelay_{0};  // guarded by mu_
  bool shuttingDown_ = false;                  // guarded by mu_
  int attemptNumber_ = 0;                      // guarded by mu_
  // Bounded jobs: source tasks of this attempt whose data ended, and the first
  // checkpoint triggered after all of them had (its completion lets them end).
  int sourceTasks_ = 0;
  int sourcesAtEndOfData_ = 0;  // guarded by mu_
  struct StopRequest {
    StopMode mode = StopMode::kSuspend;
    int64_t savepointId = 0;  // 0 until triggered
  };
  std::optional<StopRequest> stop_;                 // guarded by mu_: a `weir stop` in progress
  std::condition_variable stopCv_;                  // sources reached their end of data (a drain)
  int64_t finalCheckpointId_ = 0;                   // guarded by mu_; 0 = none yet
  int64_t restarts_ = 0;                            // guarded by mu_
  std::vector<std::string> restartCauses_;          // guarded by mu_
  JobStatus status_ = JobStatus::kCreated;          // guarded by mu_
  int tasksRunning_ = 0;                            // guarded by mu_
  int tasksTerminal_ = 0;                           // guarded by mu_
  std::vector<std::vector<char>> reportedRunning_;  // guarded by mu_: [vertex][subtask]
  int tasksTotal_ = 0;
  std::string failure_;  // guarded by mu_: the first task failure (root cause)
  // What each subtask of the current attempt is doing, for details().
  struct SubtaskRuntime {
    runtime::ExecutionState state = runtime::ExecutionState::kCreated;
    int64_t startMillis = -1;
    int64_t endMillis = -1;
  };
  std::vector<std::vector<SubtaskRuntime>> subtaskRuntime_;  // guarded by mu_: [vertex][subtask]
  std::vector<ExceptionEntry> exceptionHistory_;             // guarded by mu_: newest last
  size_t exceptionHistorySize_ = 16;                         // web.exception-history-size, set by deploy()
  bool exceptionHistoryTruncated_ = false;                   // guarded by mu_
  std::map<JobStatus, int64_t> statusTimestamps_;            // guarded by mu_
  int64_t startWallMillis_ = 0;
  int64_t endWallMillis_ = -1;  // guarded by mu_
  std::chrono::steady_clock::time_point startTime_;
  std::chrono::steady_clock::time_point endTime_;
};

}  // namespace weir::cluster
