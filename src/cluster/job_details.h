// What a running or ended job looks like from outside: the plain data that the
// JobMaster hands out for the REST API, the CLI and the dashboard (Flink's
// ArchivedExecutionGraph, JobDetailsInfo, JobExceptionsInfoWithHistory and
// CheckpointConfigInfo). Copies, never views: they stay valid after the job
// is gone, which is how the Dispatcher archives ended jobs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <weir/api/job_client.h>

#include "cluster/checkpoint_stats_tracker.h"
#include "cluster/job_metrics.h"
#include "runtime/execution_state.h"

namespace weir::cluster {

// How `weir stop` ends a job (JobMaster::stopWithSavepoint): kSuspend takes the savepoint
// at once; kDrain first ends the sources' input (the maximum watermark: every timer fires).
enum class StopMode { kSuspend, kDrain };

struct SubtaskDetails {
  int index = 0;
  runtime::ExecutionState state = runtime::ExecutionState::kCreated;
  int attempt = 0;               // 0 for the first run of the job, +1 per restart
  int64_t startTimeMillis = -1;  // when this attempt of the subtask started running
  int64_t endTimeMillis = -1;    // when it ended; -1 while it runs
  uint64_t recordsIn = 0;        // records received over the network (Flink's read-records)
  uint64_t recordsOut = 0;       // records sent over the network (write-records)
  uint64_t bytesIn = 0;          // bytes of the network buffers received (read-bytes)
  uint64_t bytesOut = 0;         // and sent (write-bytes)
  // Milliseconds the task thread was busy, idle (waiting for input) and backpressured
  // (waiting for an output buffer) since the job started, over all attempts.
  int64_t accumulatedBusyMillis = 0;
  int64_t accumulatedIdleMillis = 0;
  int64_t accumulatedBackPressuredMillis = 0;
};

struct VertexInput {
  int sourceVertex = 0;
  std::string shipStrategy;  // the partitioner: "FORWARD", "HASH", "REBALANCE", ...
};

struct VertexDetails {
  int index = 0;
  std::string id;  // 32 hex digits, stable for the same program (derived from the head operator)
  std::string name;
  int parallelism = 1;
  int maxParallelism = 1;
  runtime::ExecutionState state = runtime::ExecutionState::kCreated;  // aggregated over subtasks
  std::vector<VertexInput> inputs;
  std::vector<SubtaskDetails> subtasks;
  uint64_t recordsIn() const;
  uint64_t recordsOut() const;
  // Sums over the subtasks of any of SubtaskDetails' figures.
  template <class Field>
  auto sum(Field field) const {
    std::remove_cvref_t<decltype(SubtaskDetails{}.*field)> n{};
    for (const SubtaskDetails& s : subtasks) n += s.*field;
    return n;
  }
  // How many subtasks are in each state.
  std::map<runtime::ExecutionState, int> stateCounts() const;
};

struct JobDetails {
  std::string jobId;
  std::string name;
  JobStatus status = JobStatus::kCreated;
  int64_t startTimeMillis = -1;
  int64_t endTimeMillis = -1;  // -1 while the job is not globally terminal
  int64_t durationMillis = 0;
  int64_t nowMillis = 0;  // when these details were taken
  // When the job last entered each status (Flink's "timestamps").
  std::map<JobStatus, int64_t> statusTimestamps;
  int64_t restarts = 0;
  std::vector<VertexDetails> vertices;  // topological order
};

struct ExceptionEntry {
  int64_t timestampMillis = 0;
  std::string message;     // the failure, naming operator and subtask where there is one
  std::string taskName;    // "Map (2/4)"; empty for job-level failures (checkpoint tolerance)
  bool restarted = false;  // the job recovered from it by restarting
};

struct JobExceptions {
  // The failure the job ended with (FAILED), if any.
  std::optional<ExceptionEntry> rootCause;
  std::vector<ExceptionEntry> history;  // every failure, newest last (bounded)
  bool truncated = false;               // older entries were dropped
};

struct CheckpointConfigInfo {
  std::string mode;  // "exactly_once" or "at_least_once"
  int64_t intervalMillis = 0;
  int64_t timeoutMillis = 0;
  int64_t minPauseMillis = 0;
  int maxConcurrent = 1;
  int tolerableFailures = 0;
  int numRetained = 1;
  std::string externalization;  // NO_EXTERNALIZED_CHECKPOINTS, DELETE_ON_CANCELLATION, RETAIN_ON_CANCELLATION
  std::string storage;          // "file:///..." or "memory"
  std::string stateBackend;     // "hashmap"
  bool unaligned = false;       // execution.checkpointing.unaligned.enabled
  int64_t alignedCheckpointTimeoutMillis = 0;
};

// Everything the REST API serves about one job; the Dispatcher keeps one of these
// for every ended job.
struct ArchivedJob {
  JobDetails details;
  JobExceptions exceptions;
  std::optional<CheckpointStatsSnapshot> checkpoints;  // none when checkpointing is off
  std::optional<CheckpointConfigInfo> checkpointConfig;
  std::map<std::string, std::string> configuration;  // sensitive values masked
  JobMetrics metrics;                                // as the job ended (rates over its last seconds)
};

// "******" for keys that look like secrets (Flink's GlobalConfiguration.isSensitive).
bool isSensitiveConfigKey(const std::string& key);

}  // namespace weir::cluster
