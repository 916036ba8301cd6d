// JobMaster: runs one job on the local process: expands the JobGraph into
// parallel subtasks (the execution graph), creates the result partitions, input
// gates and local channels that connect them, starts the operator coordinators
// and the tasks, tracks every task's state and decides the job's state. On the
// first task failure it cancels every other task and the job ends FAILED with
// that failure as root cause (restart strategies come with checkpoints).
//
// Thread-safety: all public methods are thread-safe; task threads call the
// JobMasterGateway methods concurrently. Lifecycle: deploy() once, then
// waitForTermination(); the destructor joins every task thread.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <weir/api/job_client.h>
#include <weir/core/config.h>
#include <weir/graph/stream_graph.h>

#include "checkpoint/checkpoint_storage.h"
#include "cluster/checkpoint_coordinator.h"
#include "graph/job_graph.h"
#include "network/buffer_pool.h"
#include "network/credit_based.h"
#include "network/input_gate.h"
#include "network/result_partition.h"
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

  void updateTaskExecutionState(const runtime::TaskExecutionStateUpdate& update) override;
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
  Status createNetwork();
  Status setUpCheckpointing();
  // Reads the checkpoint named by execution.state-recovery.path, if any, and checks it fits the job.
  Status loadRestoreCheckpoint();
  // This subtask's share of the restored state, by operator id.
  std::map<std::string, checkpoint::OperatorSubtaskState> restoreStateFor(const graph::JobVertex& v,
                                                                          int subtask);
  void stopCheckpointing();
  // CheckpointCoordinatorGateway
  bool allTasksRunning() override;
  std::map<std::string, std::string> triggerSourceTasks(int64_t checkpointId,
                                                        int64_t timestampMillis) override;
  void notifyCheckpointComplete(int64_t checkpointId) override;
  void notifyCheckpointAborted(int64_t checkpointId) override;
  void failJob(const std::string& cause) override;
  void setStatusLocked(JobStatus s);
  void cancelAllTasks();

  const std::string jobId_;
  std::shared_ptr<const StreamGraph> streamGraph_;
  graph::JobGraph jobGraph_;
  std::shared_ptr<const Configuration> config_;
  network::NetworkBufferPool& networkPool_;
  runtime::TaskManagerServices services_;

  // Destruction order matters: tasks (which hold buffers) go before gates and
  // partitions (which queue buffers), which go before their pools.
  std::vector<std::vector<std::unique_ptr<network::ResultPartition>>> partitions_;  // [jobEdge][producer]
  std::vector<std::vector<std::unique_ptr<network::InputGate>>> gates_;             // [jobEdge][consumer]
  std::unique_ptr<network::CreditBasedTransport>
      transport_;  // credit-based mode only; shut down before the gates go
  std::vector<std::unique_ptr<CoordinatorContext>> coordinatorContexts_;
  std::vector<std::unique_ptr<OperatorCoordinator>> coordinators_;  // indexed by stream node, null if none
  std::vector<std::vector<std::shared_ptr<OperatorIOMetrics>>> operatorMetrics_;  // [node][subtask]
  std::vector<std::shared_ptr<runtime::TaskIOMetrics>> taskMetrics_;
  // Checkpointing (all null when off). The executor runs snapshots' async parts and must
  // finish before the storage goes; tasks (declared after) go before both.
  std::unique_ptr<checkpoint::CheckpointStorage> checkpointStorage_;
  std::unique_ptr<runtime::AsyncExecutor> snapshotExecutor_;
  std::unique_ptr<CheckpointCoordinator> checkpointCoordinator_;
  std::string retention_ = "NO_EXTERNALIZED_CHECKPOINTS";
  std::optional<checkpoint::CheckpointMetadata> restoreFrom_;
  std::unique_ptr<checkpoint::StateReader> restoreReader_;
  std::vector<std::vector<std::unique_ptr<runtime::StreamTask>>> tasks_;  // [vertex][subtask]

  mutable std::mutex mu_;
  std::condition_variable terminated_;
  JobStatus status_ = JobStatus::kCreated;          // guarded by mu_
  int tasksRunning_ = 0;                            // guarded by mu_
  int tasksTerminal_ = 0;                           // guarded by mu_
  std::vector<std::vector<char>> reportedRunning_;  // guarded by mu_: [vertex][subtask]
  int tasksTotal_ = 0;
  std::string failure_;  // guarded by mu_: the first task failure (root cause)
  std::chrono::steady_clock::time_point startTime_;
  std::chrono::steady_clock::time_point endTime_;
};

}  // namespace weir::cluster
