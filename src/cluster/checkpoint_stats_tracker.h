// CheckpointStatsTracker: what a job's checkpoints did, for the REST API, the
// CLI and the metrics (Flink's CheckpointStatsTracker, CheckpointStatsCounts,
// CompletedCheckpointStatsSummary and CheckpointStatsHistory).
//
// The CheckpointCoordinator reports every checkpoint as it is triggered, as
// each subtask acknowledges it, and when it completes or fails; the JobMaster
// reports restores. The tracker keeps the counts, a summary of every completed
// checkpoint (min/max/avg over all of them, quantiles over the latest
// kSummaryWindow), the latest completed, failed and restored checkpoint, and a
// history of the latest `web.checkpoints.history` checkpoints, in-progress ones
// included.
//
// Threading: every method is thread-safe and never calls out, so the
// coordinator may report while holding its own lock. snapshot() copies.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/task_deployment.h"

namespace weir::cluster {

enum class CheckpointStatus { kInProgress, kCompleted, kFailed };
// "IN_PROGRESS", "COMPLETED", "FAILED", as Flink's REST API spells them.
const char* checkpointStatusName(CheckpointStatus s);

struct SubtaskCheckpointStats {
  int vertexId = 0;
  int subtaskIndex = 0;
  int64_t ackTimestampMillis = 0;  // wall clock when the coordinator received the acknowledgement
  runtime::SubtaskCheckpointMetrics metrics;
};

struct CheckpointStats {
  int64_t id = 0;
  CheckpointStatus status = CheckpointStatus::kInProgress;
  int64_t triggerTimestampMillis = 0;
  int64_t latestAckTimestampMillis = 0;  // 0 until the first acknowledgement
  // For an in-progress checkpoint: the time since the trigger, as of snapshot().
  std::chrono::milliseconds endToEndDuration{0};
  uint64_t stateSize = 0;         // the full state this checkpoint describes
  uint64_t checkpointedSize = 0;  // what this checkpoint wrote (equal for full snapshots)
  uint64_t processedData = 0;     // bytes processed during alignment
  uint64_t persistedData = 0;     // in-flight bytes persisted (unaligned checkpoints)
  bool unaligned = false;
  bool isSavepoint = false;
  int acknowledged = 0;
  int total = 0;
  std::string externalPath;  // completed: where its metadata is
  bool discarded = false;    // completed: deleted since (subsumed)
  int64_t failureTimestampMillis = 0;
  std::string failureMessage;
  std::vector<SubtaskCheckpointStats> subtasks;  // in order of acknowledgement
};

// min/max/avg over every value ever added; quantiles over the latest kSummaryWindow.
class StatsSummary {
 public:
  static constexpr size_t kSummaryWindow = 10000;
  void add(double v);
  int64_t count() const { return count_; }
  double min() const { return count_ == 0 ? 0 : min_; }
  double max() const { return count_ == 0 ? 0 : max_; }
  double average() const { return count_ == 0 ? 0 : sum_ / double(count_); }
  // Linear interpolation between closest ranks; q in [0, 1]; 0 when empty.
  double quantile(double q) const { return quantiles({q})[0]; }
  // Several quantiles from one sort of the window.
  std::vector<double> quantiles(const std::vector<double>& qs) const;

 private:
  int64_t count_ = 0;
  double min_ = 0, max_ = 0, sum_ = 0;
  std::deque<double> window_;
};

struct CompletedCheckpointSummary {
  StatsSummary endToEndDuration;  // milliseconds
  StatsSummary stateSize;
  StatsSummary checkpointedSize;
  StatsSummary processedData;
  StatsSummary persistedData;
};

struct RestoredCheckpointStats {
  int64_t id = 0;
  int64_t restoreTimestampMillis = 0;
  bool isSavepoint = false;
  std::string externalPath;
};

struct CheckpointStatsSnapshot {
  int64_t restored = 0;
  int64_t total = 0;  // triggered (including those that failed before any task took part)
  int64_t inProgress = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  CompletedCheckpointSummary summary;
  std::optional<CheckpointStats> latestCompleted;  // checkpoints only
  std::optional<CheckpointStats> latestSavepoint;
  std::optional<CheckpointStats> latestFailed;
  std::optional<RestoredCheckpointStats> latestRestored;
  std::deque<CheckpointStats> history;  // by id, newest last

  // The checkpoint with this id if the history still has it.
  const CheckpointStats* find(int64_t id) const;
};

class CheckpointStatsTracker {
 public:
  static constexpr int kDefaultHistorySize = 10;  // web.checkpoints.history
  explicit CheckpointStatsTracker(int historySize = kDefaultHistorySize);

  void reportPending(int64_t id, int64_t triggerTimestampMillis, int subtasksToAcknowledge,
                     network::CheckpointKind kind = network::CheckpointKind::kCheckpoint);
  void reportAcknowledged(int64_t id, int vertexId, int subtaskIndex, int64_t ackTimestampMillis,
                          const runtime::SubtaskCheckpointMetrics& metrics);
  // A completion whose `discarded` is true was subsumed by a newer one that completed
  // first: it counts as completed, but is not the latest.
  void reportCompleted(int64_t id, std::chrono::milliseconds endToEndDuration, std::string externalPath,
                       bool discarded);
  // Also for a checkpoint that failed before reportPending (its location could not be
  // created): it is counted and recorded as failed.
  void reportFailed(int64_t id, int64_t failureTimestampMillis, std::string message);
  void reportRestored(RestoredCheckpointStats restored);
  // A retained checkpoint was deleted (subsumed by a newer one).
  void reportDiscarded(int64_t id);

  CheckpointStatsSnapshot snapshot() const;

 private:
  void remember(const CheckpointStats& s);  // REQUIRES: mu_

  const size_t historySize_;
  mutable std::mutex mu_;
  CheckpointStatsSnapshot stats_;               // guarded by mu_; history without pending ones
  std::map<int64_t, CheckpointStats> pending_;  // guarded by mu_
};

}  // namespace weir::cluster
