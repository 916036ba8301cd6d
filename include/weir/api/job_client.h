// JobClient: a handle on a submitted job: its status, live progress counters,
// cancellation and the final result (Flink's JobClient).
//
// Thread-safe: any thread may poll status() and progress() while another waits.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace weir {

enum class JobStatus {
  kCreated,
  kRunning,
  kFailing,     // a task failed; the others are being cancelled
  kFailed,      // terminal
  kCancelling,  // cancel() was called
  kCanceled,    // terminal
  kFinished,    // terminal: every task finished
  kRestarting,  // a task failed; the job is cancelled and redeployed from its latest checkpoint
};

const char* jobStatusName(JobStatus s);
bool isGloballyTerminal(JobStatus s);

// Live counters of a job, summed over subtasks.
struct JobProgress {
  uint64_t sourceRecordsOut = 0;  // records emitted by all sources
  uint64_t sinkRecordsIn = 0;     // records received by all sinks
  uint64_t networkRecordsIn = 0;  // records that crossed a network exchange
  int tasksRunning = 0;
  int tasksTotal = 0;
  // Checkpoints (all zero when checkpointing is off).
  int64_t checkpointsCompleted = 0;
  int64_t checkpointsFailed = 0;
  int64_t lastCheckpointId = 0;  // the latest completed one
  int64_t lastCheckpointDurationMs = 0;
  uint64_t lastCheckpointSize = 0;
  // The slowest subtask's synchronous part (task thread) and asynchronous part
  // (writing the state) of the latest completed checkpoint.
  int64_t lastCheckpointSyncDurationMs = 0;
  int64_t lastCheckpointAsyncDurationMs = 0;
  int64_t restarts = 0;  // automatic restarts after failures (Flink's numRestarts)
};

struct JobExecutionResult {
  std::string jobId;
  std::string jobName;
  JobStatus status = JobStatus::kCreated;
  std::string failure;  // for FAILED: the root cause, naming operator and subtask
  // The failures the job recovered from by restarting, oldest first (Flink's exception history).
  std::vector<std::string> restartCauses;
  std::chrono::milliseconds duration{0};
  JobProgress progress;  // final counters
};

// Thrown by StreamExecutionEnvironment::execute when the job does not finish.
class JobExecutionException : public std::runtime_error {
 public:
  explicit JobExecutionException(JobExecutionResult result)
      : std::runtime_error("job '" + result.jobName + "' " +
                           (result.status == JobStatus::kCanceled ? "was cancelled" : "failed") +
                           (result.failure.empty() ? std::string() : ": " + result.failure)),
        result_(std::move(result)) {}
  const JobExecutionResult& result() const { return result_; }

 private:
  JobExecutionResult result_;
};

class JobClient {
 public:
  virtual ~JobClient() = default;
  virtual const std::string& jobId() const = 0;
  virtual JobStatus status() const = 0;
  virtual JobProgress progress() const = 0;
  virtual void cancel() = 0;
  // Blocks until the job is terminal (or `timeout` passed: then returns the current state).
  virtual JobExecutionResult waitForResult() = 0;
};

}  // namespace weir
