#include "cluster/checkpoint_coordinator.h"

#include <spdlog/spdlog.h>

#include <weir/core/check.h>

#include "runtime/timer_service.h"

namespace weir::cluster {

CheckpointCoordinator::CheckpointCoordinator(CheckpointCoordinatorOptions options, std::string jobId,
                                             std::string jobName, checkpoint::CheckpointStorage& storage,
                                             CheckpointCoordinatorGateway& gateway,
                                             std::vector<CheckpointedOperator> operators,
                                             int tasksToAcknowledge)
    : options_(options),
      jobId_(std::move(jobId)),
      jobName_(std::move(jobName)),
      storage_(storage),
      gateway_(gateway),
      operators_(std::move(operators)),
      tasksToAcknowledge_(tasksToAcknowledge),
      statsTracker_(options.statsHistorySize) {}

CheckpointCoordinator::~CheckpointCoordinator() { shutdown(); }

void CheckpointCoordinator::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  lastCompletion_ = std::chrono::steady_clock::now() - options_.minPause;
  if (options_.interval.count() > 0) scheduler_ = std::thread([this] { run(); });
}

void CheckpointCoordinator::shutdown() {
  {
    std::unique_lock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    cv_.notify_all();
  }
  if (scheduler_.joinable()) scheduler_.join();
  std::unique_lock lock(mu_);
  while (!pending_.empty()) {
    abortLocked(lock, pending_.begin()->first, checkpoint::CheckpointFailureReason::kCoordinatorShutdown,
                "the job is shutting down");
  }
}

void CheckpointCoordinator::suspend(const std::string& reason) {
  std::unique_lock lock(mu_);
  suspended_ = true;
  soonServed_ = soonRequested_;  // requests belong to the failed attempt
  while (!pending_.empty()) {
    abortLocked(lock, pending_.begin()->first, checkpoint::CheckpointFailureReason::kJobFailover, reason);
  }
}

void CheckpointCoordinator::resume() {
  std::lock_guard lock(mu_);
  suspended_ = false;
  cv_.notify_all();
}

void CheckpointCoordinator::requestCheckpointSoon() {
  std::lock_guard lock(mu_);
  ++soonRequested_;
  cv_.notify_all();
}

void CheckpointCoordinator::run() {
  std::unique_lock lock(mu_);
  auto nextTrigger = std::chrono::steady_clock::now() + options_.interval;
  auto soonRetryAt = std::chrono::steady_clock::now();
  while (!stopped_) {
    auto now = std::chrono::steady_clock::now();
    // Expire pending checkpoints that ran out of time.
    std::vector<int64_t> expired;
    for (auto& [id, p] : pending_)
      if (now - p.triggered >= options_.timeout) expired.push_back(id);
    for (int64_t id : expired) {
      abortLocked(lock, id, checkpoint::CheckpointFailureReason::kTimeout,
                  "checkpoint " + std::to_string(id) +
                      " expired before completing (execution.checkpointing.timeout " +
                      std::to_string(options_.timeout.count()) + " ms)");
      if (stopped_) return;
    }
    now = std::chrono::steady_clock::now();
    // A requested checkpoint goes now, ignoring interval and min-pause; if it cannot
    // be triggered (a task is not running yet) it is retried shortly.
    const bool slotFree = inProgressLocked() < options_.maxConcurrent;
    const bool urgent = soonRequested_ > soonServed_ && slotFree && now >= soonRetryAt;
    if (userTriggersWaiting_ == 0 && (urgent || (now >= nextTrigger && !periodicPaused_))) {
      auto earliest = urgent ? now : lastCompletion_ + options_.minPause;
      if (slotFree && now >= earliest) {
        const int64_t requests = soonRequested_;  // requests made later want a later checkpoint
        bool triggered = triggerLocked(lock, TriggerRequest{}).isOk();
        if (triggered) soonServed_ = std::max(soonServed_, requests);
        if (urgent && !triggered) soonRetryAt = now + std::chrono::milliseconds(10);
        nextTrigger = std::chrono::steady_clock::now() + options_.interval;
      } else {
        nextTrigger = std::max(earliest, now + std::chrono::milliseconds(1));
      }
      if (stopped_) return;
    }
    auto wake = nextTrigger;
    // A requested checkpoint waiting for a free slot is woken by the completion or abort.
    if (soonRequested_ > soonServed_ && inProgressLocked() < options_.maxConcurrent)
      wake = std::min(wake, std::max(soonRetryAt, now + std::chrono::milliseconds(1)));
    for (auto& [id, p] : pending_) wake = std::min(wake, p.triggered + options_.timeout);
    cv_.wait_until(lock, wake);
  }
}

Result<int64_t> CheckpointCoordinator::triggerCheckpoint() { return triggerWhenFree(TriggerRequest{}); }

Result<int64_t> CheckpointCoordinator::triggerSavepoint(const std::string& targetDirectory,
                                                        SnapshotType type) {
  WEIR_CHECK(type != SnapshotType::kCheckpoint);
  return triggerWhenFree(TriggerRequest{type, targetDirectory});
}

void CheckpointCoordinator::pausePeriodicCheckpoints(bool paused) {
  std::lock_guard lock(mu_);
  periodicPaused_ = paused;
  cv_.notify_all();
}

Result<int64_t> CheckpointCoordinator::triggerWhenFree(const TriggerRequest& request) {
  std::unique_lock lock(mu_);
  // As in Flink, a user's request waits behind the checkpoints in progress instead of
  // being refused, and goes before the next periodic one (the scheduler holds back
  // while a request waits), for at most one checkpoint timeout.
  // One request at a time goes through triggerLocked (which unlocks while it asks
  // whether every task runs): two released by the same free slot would otherwise both
  // pass its first check and the second would be refused.
  ++userTriggersWaiting_;
  const bool slotFree = cv_.wait_for(lock, options_.timeout, [&] {
    return stopped_ || suspended_ || (!userTriggerInFlight_ && inProgressLocked() < options_.maxConcurrent);
  });
  Result<int64_t> r = Status::failedPrecondition(
      "no checkpoint slot became free within execution.checkpointing.timeout (" +
      std::to_string(options_.timeout.count()) + " ms): " + std::to_string(inProgressLocked()) +
      " checkpoints still in progress");
  if (slotFree) {
    userTriggerInFlight_ = true;
    r = triggerLocked(lock, request);
    userTriggerInFlight_ = false;
  }
  --userTriggersWaiting_;
  cv_.notify_all();  // the scheduler may trigger again
  return r;
}

Result<int64_t> CheckpointCoordinator::triggerLocked(std::unique_lock<std::mutex>& lock,
                                                     const TriggerRequest& request) {
  if (stopped_) return Status::failedPrecondition("the job is shutting down");
  if (suspended_) return Status::failedPrecondition("the job is restarting");
  if (inProgressLocked() >= options_.maxConcurrent) {
    return Status::failedPrecondition(
        "too many checkpoints in progress (execution.checkpointing.max-concurrent-"
        "checkpoints is " +
        std::to_string(options_.maxConcurrent) + ")");
  }
  lock.unlock();
  bool running = gateway_.allTasksRunning();
  lock.lock();
  // The state may have changed while unlocked: a failover suspended us, or another
  // trigger took the slot.
  if (stopped_) return Status::failedPrecondition("the job is shutting down");
  if (suspended_) return Status::failedPrecondition("the job is restarting");
  if (inProgressLocked() >= options_.maxConcurrent)
    return Status::failedPrecondition("another checkpoint was triggered meanwhile");
  if (!running) {
    // Not a failure: tasks are starting or the job is restarting. Try again next interval.
    return Status::failedPrecondition("not all tasks are running");
  }
  int64_t id = nextId_++;
  const bool savepoint = request.type != SnapshotType::kCheckpoint;
  const network::CheckpointKind kind =
      savepoint ? network::CheckpointKind::kSavepoint : network::CheckpointKind::kCheckpoint;
  std::string savepointPath;
  Status s = Status::ok();
  if (savepoint) {
    Result<std::string> dir = storage_.initializeSavepointLocation(id, request.savepointTargetDirectory);
    s = dir.status();
    if (dir.isOk()) savepointPath = std::move(dir).value();
  } else {
    s = storage_.initializeLocation(id);
  }
  if (!s.isOk()) {
    statsTracker_.reportPending(id, runtime::wallClockMillis(), tasksToAcknowledge_, kind);
    statsTracker_.reportFailed(id, runtime::wallClockMillis(), s.toString());
    return s.withContext(std::string(savepoint ? "savepoint " : "checkpoint ") + std::to_string(id));
  }
  Pending p;
  p.id = id;
  p.type = request.type;
  p.savepointPath = std::move(savepointPath);
  p.timestampMillis = runtime::wallClockMillis();
  p.triggered = std::chrono::steady_clock::now();
  int64_t ts = p.timestampMillis;
  pending_.emplace(id, std::move(p));
  statsTracker_.reportPending(id, ts, tasksToAcknowledge_, kind);
  lock.unlock();
  spdlog::info("triggering {} {} of job {}", savepoint ? "savepoint" : "checkpoint", id, jobId_);
  std::map<std::string, std::string> coordinatorStates = gateway_.triggerSourceTasks(id, ts, request.type);
  lock.lock();
  auto it = pending_.find(id);
  if (it != pending_.end()) {
    it->second.coordinatorStates = std::move(coordinatorStates);
    it->second.triggerDone = true;
    if (int(it->second.acks.size()) == tasksToAcknowledge_) completeLocked(lock, id);
  }
  cv_.notify_all();  // the scheduler re-computes its timeout wake-up
  return id;
}

void CheckpointCoordinator::acknowledge(int vertexId, int subtaskIndex, int64_t checkpointId,
                                        runtime::TaskStateSnapshot state,
                                        const runtime::SubtaskCheckpointMetrics& metrics) {
  std::unique_lock lock(mu_);
  auto it = pending_.find(checkpointId);
  if (it == pending_.end()) return;  // aborted meanwhile; its files are already deleted
  Pending& p = it->second;
  if (!p.acks.emplace(std::make_pair(vertexId, subtaskIndex), std::move(state)).second) return;
  statsTracker_.reportAcknowledged(checkpointId, vertexId, subtaskIndex, runtime::wallClockMillis(), metrics);
  if (int(p.acks.size()) == tasksToAcknowledge_ && p.triggerDone) completeLocked(lock, checkpointId);
}

void CheckpointCoordinator::decline(int vertexId, int subtaskIndex, int64_t checkpointId,
                                    checkpoint::CheckpointFailureReason reason, const std::string& message) {
  std::unique_lock lock(mu_);
  if (pending_.count(checkpointId) == 0) return;
  abortLocked(lock, checkpointId, reason,
              "checkpoint " + std::to_string(checkpointId) + " declined by subtask " +
                  std::to_string(subtaskIndex) + " of vertex " + std::to_string(vertexId) + ": " + message);
}

void CheckpointCoordinator::completeLocked(std::unique_lock<std::mutex>& lock, int64_t id) {
  Pending p = std::move(pending_.at(id));
  pending_.erase(id);

  checkpoint::CheckpointMetadata md;
  md.checkpointId = id;
  md.jobId = jobId_;
  md.jobName = jobName_;
  md.timestampMillis = p.timestampMillis;
  const bool savepoint = p.type != SnapshotType::kCheckpoint;
  md.kind = savepoint ? checkpoint::SnapshotKind::kSavepoint : checkpoint::SnapshotKind::kCheckpoint;
  for (const CheckpointedOperator& op : operators_) {
    checkpoint::OperatorState os;
    os.operatorId = op.operatorId;
    os.operatorName = op.name;
    os.parallelism = op.parallelism;
    os.maxParallelism = op.maxParallelism;
    auto cs = p.coordinatorStates.find(op.operatorId);
    if (cs != p.coordinatorStates.end()) os.coordinatorState = cs->second;
    md.operators.push_back(std::move(os));
  }
  for (auto& [task, snapshot] : p.acks) {
    for (auto& [opId, subtaskState] : snapshot) {
      for (auto& os : md.operators) {
        if (os.operatorId == opId) os.subtaskStates[task.second] = std::move(subtaskState);
      }
    }
  }
  std::string bytes = checkpoint::serializeMetadata(md);
  checkpoint::CheckpointMetadata completedMetadata = md;
  ++completing_;  // still occupies its slot: no newer checkpoint may overtake it
  lock.unlock();
  Status written = storage_.writeMetadata(id, bytes);
  lock.lock();
  --completing_;
  if (!written.isOk()) {
    // Put it back so that abort sees it and deletes its files.
    pending_.emplace(id, std::move(p));
    abortLocked(lock, id, checkpoint::CheckpointFailureReason::kMetadataWriteFailed, written.toString());
    return;
  }
  if (savepoint) {
    // The user's now (the storage forgot its location): not retained for failover, not
    // subsumed, no notification to the tasks.
    const std::string& path = p.savepointPath;
    auto duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - p.triggered);
    statsTracker_.reportCompleted(id, duration, path, /*discarded=*/false);
    lock.unlock();
    spdlog::info("completed savepoint {} of job {} ({} ms): {}", id, jobId_, duration.count(), path);
    // `weir stop`: the tasks commit what the savepoint covers, then end.
    if (p.type == SnapshotType::kStopSavepoint) gateway_.notifyCheckpointComplete(id);
    lock.lock();
    cv_.notify_all();  // a slot is free
    return;
  }
  if (latest_ && latest_->checkpointId > id) {
    // A newer checkpoint completed first (possible with max-concurrent-checkpoints > 1):
    // it subsumes this one, whose transactions its notification already committed.
    statsTracker_.reportCompleted(
        id,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - p.triggered),
        storage_.externalPointer(id), /*discarded=*/true);
    lock.unlock();
    spdlog::info("checkpoint {} of job {} completed after the newer {}: discarded", id, jobId_,
                 latest_->checkpointId);
    (void)storage_.discardLocation(id);
    lock.lock();
    cv_.notify_all();
    return;
  }
  // Durable: from here on the checkpoint is complete.
  consecutiveFailures_ = 0;
  lastCompletion_ = std::chrono::steady_clock::now();
  completed_.push_back(id);
  latest_ = std::move(completedMetadata);
  std::vector<int64_t> subsumed;
  while (int(completed_.size()) > options_.numRetained) {
    subsumed.push_back(completed_.front());
    completed_.pop_front();
  }
  auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - p.triggered);
  statsTracker_.reportCompleted(id, duration, storage_.externalPointer(id), /*discarded=*/false);
  spdlog::info("completed checkpoint {} of job {} ({} ms)", id, jobId_, duration.count());
  lock.unlock();
  for (int64_t old : subsumed) {
    Status s = discardCompleted(old);
    if (!s.isOk()) spdlog::warn("could not delete subsumed checkpoint {}: {}", old, s.toString());
    statsTracker_.reportDiscarded(old);
  }
  gateway_.notifyCheckpointComplete(id);
  lock.lock();
  cv_.notify_all();  // a slot is free: a requested checkpoint may go
}

void CheckpointCoordinator::abortLocked(std::unique_lock<std::mutex>& lock, int64_t id,
                                        checkpoint::CheckpointFailureReason reason,
                                        const std::string& message) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  statsTracker_.reportFailed(id, runtime::wallClockMillis(), message);
  bool failJob = false;
  // A failed savepoint is the user's request failing, not the job's checkpointing (Flink's
  // CheckpointFailureManager ignores savepoints too).
  if (p.type == SnapshotType::kCheckpoint && checkpoint::countsAgainstTolerance(reason)) {
    ++consecutiveFailures_;
    failJob = consecutiveFailures_ > options_.tolerableFailures;
  }
  lock.unlock();
  spdlog::warn("checkpoint {} of job {} failed ({}): {}", id, jobId_, checkpoint::failureReasonName(reason),
               message);
  Status s = storage_.discardLocation(id);
  if (!s.isOk()) spdlog::warn("could not delete the files of aborted checkpoint {}: {}", id, s.toString());
  gateway_.notifyCheckpointAborted(id);
  if (failJob) {
    gateway_.failJob(
        "exceeded the checkpoint failure tolerance (execution.checkpointing.tolerable-failed-"
        "checkpoints = " +
        std::to_string(options_.tolerableFailures) + "); last failure: " + message);
  }
  lock.lock();
  cv_.notify_all();
}

std::optional<checkpoint::CheckpointMetadata> CheckpointCoordinator::latestCompleted() const {
  std::lock_guard lock(mu_);
  return latest_;
}

void CheckpointCoordinator::restoredFrom(const checkpoint::CheckpointMetadata& restored, ClaimMode claim,
                                         std::function<Status()> discardClaimed) {
  std::lock_guard lock(mu_);
  nextId_ = std::max(nextId_, restored.checkpointId + 1);
  if (!latest_ || latest_->checkpointId < restored.checkpointId) latest_ = restored;
  if (claim == ClaimMode::kClaim && completed_.empty()) {
    completed_.push_back(restored.checkpointId);
    claimedId_ = restored.checkpointId;
    discardClaimed_ = std::move(discardClaimed);
  }
}

std::optional<int64_t> CheckpointCoordinator::claimedCheckpoint() const {
  std::lock_guard lock(mu_);
  return claimedId_;
}

Status CheckpointCoordinator::discardCompleted(int64_t id) {
  bool claimed = false;
  {
    std::lock_guard lock(mu_);
    claimed = claimedId_ == id;
    if (claimed) claimedId_.reset();
  }
  if (!claimed) return storage_.discardLocation(id);
  spdlog::info("deleting checkpoint {}, which job {} claimed when it started from it", id, jobId_);
  return discardClaimed_ ? discardClaimed_() : Status::ok();
}

void CheckpointCoordinator::discardRetained() {
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(mu_);
    ids.assign(completed_.begin(), completed_.end());
    completed_.clear();
  }
  for (int64_t id : ids) {
    Status s = discardCompleted(id);
    if (!s.isOk()) spdlog::warn("could not delete checkpoint {}: {}", id, s.toString());
  }
}

std::vector<int64_t> CheckpointCoordinator::retainedCheckpoints() const {
  std::lock_guard lock(mu_);
  return {completed_.begin(), completed_.end()};
}

}  // namespace weir::cluster
