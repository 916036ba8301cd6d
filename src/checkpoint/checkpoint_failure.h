// CheckpointFailureReason: why a checkpoint did not complete, and the policy
// that goes with it: whether it counts against
// `execution.checkpointing.tolerable-failed-checkpoints` (Flink's
// CheckpointFailureReason / CheckpointFailureManager).
#pragma once

namespace weir::checkpoint {

enum class CheckpointFailureReason {
  kTaskNotRunning,       // a task to trigger was not running (starting or finished): try the next one
  kAlignmentAborted,     // a newer barrier or a cancellation marker overtook it: a consequence, not a cause
  kAsyncSnapshotFailed,  // a task could not write its state: counts
  kSyncSnapshotFailed,   // a task failed while snapshotting: counts (the task fails too)
  kTimeout,              // not complete within execution.checkpointing.timeout: counts
  kMetadataWriteFailed,  // the metadata could not be made durable: counts
  kCoordinatorShutdown,  // the job is ending: does not count
  kJobFailover,          // the job restarts after a failure: does not count
};

inline bool countsAgainstTolerance(CheckpointFailureReason r) {
  switch (r) {
    case CheckpointFailureReason::kTaskNotRunning:
    case CheckpointFailureReason::kAlignmentAborted:
    case CheckpointFailureReason::kCoordinatorShutdown:
    case CheckpointFailureReason::kJobFailover:
      return false;
    case CheckpointFailureReason::kAsyncSnapshotFailed:
    case CheckpointFailureReason::kSyncSnapshotFailed:
    case CheckpointFailureReason::kTimeout:
    case CheckpointFailureReason::kMetadataWriteFailed:
      return true;
  }
  return true;
}

inline const char* failureReasonName(CheckpointFailureReason r) {
  switch (r) {
    case CheckpointFailureReason::kTaskNotRunning:
      return "task not running";
    case CheckpointFailureReason::kAlignmentAborted:
      return "alignment aborted";
    case CheckpointFailureReason::kAsyncSnapshotFailed:
      return "asynchronous snapshot failed";
    case CheckpointFailureReason::kSyncSnapshotFailed:
      return "synchronous snapshot failed";
    case CheckpointFailureReason::kTimeout:
      return "timeout";
    case CheckpointFailureReason::kMetadataWriteFailed:
      return "metadata write failed";
    case CheckpointFailureReason::kCoordinatorShutdown:
      return "job shutting down";
    case CheckpointFailureReason::kJobFailover:
      return "job failover";
  }
  return "unknown";
}

}  // namespace weir::checkpoint
