// JobMetrics: the metrics of one job as the REST API, the Prometheus endpoint,
// the CLI and the dashboard see them, with the names of Flink's job and task
// metrics (numRestarts, lastCheckpointDuration, numRecordsInPerSecond,
// busyTimeMsPerSecond, buffers.outPoolUsage, ...). Values are copies taken at
// one instant; the tables below say what each one means.
//
// TaskMetricsSampler turns a job's task counters into rates: it samples them
// every kSampleInterval on its own thread and keeps kRateWindow of samples, so
// that a per-second value is the change over the last five seconds up to now
// (Flink's MeterView and TimerGauge use five-second spans as well). Tasks
// never see it: they only bump counters (see runtime::TaskIOMetrics).
//
// Threading: TaskMetricsSampler is thread-safe; its destructor joins its thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "runtime/task_deployment.h"

namespace weir::cluster {

enum class MetricType { kCounter, kGauge };

struct MetricInfo {
  const char* name;
  MetricType type;
  const char* help;  // one line: what it counts, in which unit
};

// Indexes into JobMetrics::job, in the order of jobMetricInfos().
enum JobMetric : int {
  kNumRestarts,
  kUptime,
  kTotalNumberOfCheckpoints,
  kNumberOfCompletedCheckpoints,
  kNumberOfFailedCheckpoints,
  kNumberOfInProgressCheckpoints,
  kLastCompletedCheckpointId,
  kLastCheckpointDuration,
  kLastCheckpointSize,
  kLastCheckpointFullSize,
  kLastCheckpointRestoreTimestamp,
  kNumJobMetrics
};

// Indexes into a subtask's values, in the order of subtaskMetricInfos().
enum SubtaskMetric : int {
  kNumRecordsIn,
  kNumRecordsOut,
  kNumRecordsInPerSecond,
  kNumRecordsOutPerSecond,
  kNumBytesIn,
  kNumBytesOut,
  kNumBytesInPerSecond,
  kNumBytesOutPerSecond,
  kBusyTimeMsPerSecond,
  kIdleTimeMsPerSecond,
  kBackPressuredTimeMsPerSecond,
  kAccumulatedBusyTime,
  kAccumulatedIdleTime,
  kAccumulatedBackPressuredTime,
  kCheckpointAlignmentTime,
  kCheckpointStartDelayNanos,
  kInPoolUsage,
  kOutPoolUsage,
  kInputQueueLength,
  kOutputQueueLength,
  kDebloatedBufferSize,
  kEstimatedTimeToConsumeBuffersMs,
  kNumSubtaskMetrics
};

const std::vector<MetricInfo>& jobMetricInfos();
const std::vector<MetricInfo>& subtaskMetricInfos();
// The index of `name` in `infos`, or -1.
int metricIndex(const std::vector<MetricInfo>& infos, std::string_view name);

struct VertexMetrics {
  std::string id;  // as in JobDetails
  std::string name;
  std::vector<std::vector<double>> subtasks;  // [subtask][SubtaskMetric]
};

struct JobMetrics {
  std::string jobId;
  std::string jobName;
  int64_t timestampMillis = 0;
  // [JobMetric]; nullopt where a metric does not apply (the checkpoint metrics of a
  // job without checkpointing).
  std::vector<std::optional<double>> job;
  std::vector<VertexMetrics> vertices;
};

// Where a subtask's thread spent its time since the job started, in nanoseconds
// (busy is running minus idle minus backpressured), as of now.
struct TaskTimes {
  uint64_t busy = 0, idle = 0, backPressured = 0, running = 0;
};
TaskTimes taskTimesOf(const runtime::TaskIOMetrics& m);

class TaskMetricsSampler {
 public:
  static constexpr std::chrono::milliseconds kSampleInterval{1000};
  static constexpr std::chrono::milliseconds kRateWindow{5000};
  using TaskMetricsTable =
      std::vector<std::vector<std::shared_ptr<runtime::TaskIOMetrics>>>;  // [vertex][subtask]

  // Takes a first sample now and starts sampling.
  explicit TaskMetricsSampler(TaskMetricsTable tasks);
  ~TaskMetricsSampler();
  TaskMetricsSampler(const TaskMetricsSampler&) = delete;
  TaskMetricsSampler& operator=(const TaskMetricsSampler&) = delete;

  // Writes the counters, rates, times and checkpoint gauges of one subtask (every
  // SubtaskMetric up to kInPoolUsage) into `out`, as of now.
  void read(int vertex, int subtask, std::vector<double>& out) const;

 private:
  // The sampled counters of one subtask at one instant.
  struct Sample {
    int64_t nanos = 0;
    uint64_t recordsIn = 0, recordsOut = 0, bytesIn = 0, bytesOut = 0;
    uint64_t running = 0, idle = 0, backPressured = 0;  // nanoseconds
  };
  static Sample sampleOf(const runtime::TaskIOMetrics& m, int64_t nanos);
  void sampleAll();
  void run();

  const TaskMetricsTable tasks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<std::deque<Sample>>> history_;  // guarded by mu_: [vertex][subtask], oldest first
  bool stop_ = false;                                     // guarded by mu_
  std::thread thread_;
};

}  // namespace weir::cluster
