// CheckpointCoordinator: decides when a job checkpoints and when a checkpoint
// is complete (Flink's CheckpointCoordinator, PendingCheckpoint,
// CompletedCheckpointStore, CheckpointFailureManager).
//
// A scheduler thread triggers checkpoints every `interval`, respecting
// min-pause (measured from the end of the last checkpoint) and
// max-concurrent-checkpoints. A trigger creates a PendingCheckpoint that waits
// for one acknowledgement per task; the first decline or the timeout aborts it:
// its files are deleted and tasks are told. When all tasks acknowledged, the
// metadata is written atomically and only then the checkpoint counts as
// complete: older checkpoints beyond `num-retained` are deleted and tasks are
// notified (sinks commit on that notification). Consecutive failures that count
// (see CheckpointFailureReason) beyond `tolerable-failed-checkpoints` fail the
// job.
//
// Threading: all public methods are thread-safe (tasks acknowledge from async
// snapshot threads). Calls into the gateway are made without the coordinator's
// lock held. Lifecycle: start() -> ... -> shutdown() (aborts pending checkpoints,
// joins the scheduler).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <weir/core/status.h>

#include "checkpoint/checkpoint_failure.h"
#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"
#include "cluster/checkpoint_stats_tracker.h"
#include "runtime/task_deployment.h"

namespace weir::cluster {

struct CheckpointCoordinatorOptions {
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{10 * 60 * 1000};
  std::chrono::milliseconds minPause{0};
  int maxConcurrent = 1;
  int tolerableFailures = 0;
  int numRetained = 1;
  int statsHistorySize = CheckpointStatsTracker::kDefaultHistorySize;  // web.checkpoints.history
};

// What a trigger takes (Flink's SnapshotType): a checkpoint; a savepoint; or the
// savepoint of `weir stop`, after which the job ends: its sources emit nothing after
// its barrier, and its completion is notified to the tasks (they commit, then end).
enum class SnapshotType { kCheckpoint, kSavepoint, kStopSavepoint };

// Who owns the snapshot a job was started from (execution.state-recovery.claim-mode):
// the user (NO_CLAIM: the job never deletes it) or the job (CLAIM: retained and deleted
// like the job's own checkpoints).
enum class ClaimMode { kNoClaim, kClaim };

// What the coordinator asks of the job (the JobMaster implements it).
class CheckpointCoordinatorGateway {
 public:
  virtual ~CheckpointCoordinatorGateway() = default;
  virtual bool allTasksRunning() = 0;
  // Snapshots the operator coordinators and triggers the source tasks; returns the
  // coordinators' states by operator id (a coordinator triggers its own subtasks right
  // after its snapshot, see OperatorCoordinator::checkpointCoordinator).
  virtual std::map<std::string, std::string> triggerSourceTasks(int64_t checkpointId, int64_t timestampMillis,
                                                                SnapshotType type) = 0;
  virtual void notifyCheckpointComplete(int64_t checkpointId) = 0;
  virtual void notifyCheckpointAborted(int64_t checkpointId) = 0;
  virtual void failJob(const std::string& cause) = 0;
};

// One operator of the job, as the metadata records it.
struct CheckpointedOperator {
  std::string operatorId;
  std::string name;
  int parallelism = 1;
  int maxParallelism = kDefaultMaxParallelism;
};

class CheckpointCoordinator {
 public:
  CheckpointCoordinator(CheckpointCoordinatorOptions options, std::string jobId, std::string jobName,
                        checkpoint::CheckpointStorage& storage, CheckpointCoordinatorGateway& gateway,
                        std::vector<CheckpointedOperator> operators, int tasksToAcknowledge);
  ~CheckpointCoordinator();

  void start();
  // Stops triggering and aborts pending checkpoints. Idempotent.
  void shutdown();
  // Failover: aborts every pending checkpoint (not counted as a failure) and stops
  // triggering until resume(). Safe to call from within a gateway call.
  void suspend(const std::string& reason);
  void resume();
  // Triggers the next checkpoint as soon as max-concurrent-checkpoints allows, without
  // waiting for the interval (a bounded job's final checkpoint).
  void requestCheckpointSoon();
  // Triggers a checkpoint now (ignoring interval and min-pause), once a slot is free:
  // it waits behind the checkpoints in progress (up to the checkpoint timeout) and goes
  // before the next periodic one. Returns its id or why not.
  Result<int64_t> triggerCheckpoint();
  // Triggers a savepoint the same way, into a new directory under `targetDirectory`
  // (CheckpointStorage::initializeSavepointLocation). Unlike a checkpoint, a savepoint
  // is always aligned, is not used for failover, is never deleted by the job once
  // complete, commits no side effects (tasks are not notified; its sink transactions are
  // committed by the next checkpoint, as in Flink 1.15+), and its failure does not count
  // against tolerable-failed-checkpoints. Returns its id or why not.
  // kStopSavepoint: the same, and once complete the tasks are notified (as for a
  // checkpoint) so that sinks commit before the job ends.
  Result<int64_t> triggerSavepoint(const std::string& targetDirectory,
                                   SnapshotType type = SnapshotType::kSavepoint);
  // While paused the scheduler triggers no periodic checkpoint (`weir stop`); triggers on
  // request still go.
  void pausePeriodicCheckpoints(bool paused);

  void acknowledge(int vertexId, int subtaskIndex, int64_t checkpointId, runtime::TaskStateSnapshot state,
                   const runtime::SubtaskCheckpointMetrics& metrics);
  void decline(int vertexId, int subtaskIndex, int64_t checkpointId,
               checkpoint::CheckpointFailureReason reason, const std::string& message);

  CheckpointStatsSnapshot stats() const { return statsTracker_.snapshot(); }
  CheckpointStatsTracker& statsTracker() { return statsTracker_; }
  const CheckpointCoordinatorOptions& options() const { return options_; }
  // Ids of the completed checkpoints still retained, oldest first.
  std::vector<int64_t> retainedCheckpoints() const;
  // The metadata of the latest completed checkpoint (what a restart restores), if any.
  std::optional<checkpoint::CheckpointMetadata> latestCompleted() const;
  // After a restore from `restored`: continue numbering after it. With kClaim it is the
  // oldest retained checkpoint, and `discardClaimed` deletes it once it is subsumed (or
  // in discardRetained()); with kNoClaim the job never deletes it.
  void restoredFrom(const checkpoint::CheckpointMetadata& restored, ClaimMode claim = ClaimMode::kNoClaim,
                    std::function<Status()> discardClaimed = {});
  // The claimed restored checkpoint while it is retained.
  std::optional<int64_t> claimedCheckpoint() const;
  // At the job's end, when its retention policy drops its checkpoints: deletes every
  // retained one, a claimed restored checkpoint included.
  void discardRetained();

 private:
  // What a trigger asks for: a checkpoint, or a savepoint into a directory.
  struct TriggerRequest {
    SnapshotType type = SnapshotType::kCheckpoint;
    std::string savepointTargetDirectory;
  };
  struct Pending {
    int64_t id = 0;
    SnapshotType type = SnapshotType::kCheckpoint;
    std::string savepointPath;  // savepoints: their directory
    int64_t timestampMillis = 0;
    std::chrono::steady_clock::time_point triggered;
    std::map<std::pair<int, int>, runtime::TaskStateSnapshot> acks;
    std::map<std::string, std::string> coordinatorStates;  // by operator id
    // Set once the coordinators' states are attached: tasks may acknowledge before the
    // trigger call returns, and the checkpoint must not complete without those states.
    bool triggerDone = false;
  };

  void run();
  // Deletes the completed checkpoint `id`: the job's own from storage_, the claimed
  // restored one with discardClaimed_. Not under mu_ (it does file I/O).
  Status discardCompleted(int64_t id);
  Result<int64_t> triggerWhenFree(const TriggerRequest& request);
  Result<int64_t> triggerLocked(std::unique_lock<std::mutex>& lock, const TriggerRequest& request);
  void completeLocked(std::unique_lock<std::mutex>& lock, int64_t id);
  void abortLocked(std::unique_lock<std::mutex>& lock, int64_t id, checkpoint::CheckpointFailureReason reason,
                   const std::string& message);
  // Checkpoints that occupy a max-concurrent slot: pending and completing. REQUIRES: mu_
  int inProgressLocked() const { return int(pending_.size()) + completing_; }

  const CheckpointCoordinatorOptions options_;
  const std::string jobId_;
  const std::string jobName_;
  checkpoint::CheckpointStorage& storage_;
  CheckpointCoordinatorGateway& gateway_;
  const std::vector<CheckpointedOperator> operators_;
  const int tasksToAcknowledge_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, Pending> pending_;                    // guarded by mu_
  std::deque<int64_t> completed_;                         // guarded by mu_: retained, oldest first
  std::optional<checkpoint::CheckpointMetadata> latest_;  // guarded by mu_
  std::optional<int64_t> claimedId_;                      // guarded by mu_: while retained
  std::function<Status()> discardClaimed_;                // set once, before start()
  int64_t nextId_ = 1;                                    // guarded by mu_
  int consecutiveFailures_ = 0;                           // guarded by mu_
  std::chrono::steady_clock::time_point lastCompletion_;  // guarded by mu_
  bool stopped_ = false;                                  // guarded by mu_
  bool started_ = false;                                  // guarded by mu_
  bool suspended_ = false;                                // guarded by mu_
  bool periodicPaused_ = false;                           // guarded by mu_
  int userTriggersWaiting_ = 0;          // guarded by mu_: triggerCheckpoint() calls in flight
  bool userTriggerInFlight_ = false;     // guarded by mu_: one of them is in triggerLocked
  int64_t soonRequested_ = 0;            // guarded by mu_: requestCheckpointSoon calls
  int64_t soonServed_ = 0;               // guarded by mu_: requests a trigger covered
  int completing_ = 0;                   // guarded by mu_: metadata being written
  CheckpointStatsTracker statsTracker_;  // thread-safe on its own
  std::thread scheduler_;
};

}  // namespace weir::cluster
