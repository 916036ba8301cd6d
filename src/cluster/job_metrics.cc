#include "cluster/job_metrics.h"

#include <algorithm>

namespace weir::cluster {

const std::vector<MetricInfo>& jobMetricInfos() {
  static const std::vector<MetricInfo> infos = {
      {"numRestarts", MetricType::kCounter, "Restarts of the job since it was submitted."},
      {"uptime", MetricType::kGauge,
       "Milliseconds the job has been RUNNING without interruption; 0 otherwise."},
      {"totalNumberOfCheckpoints", MetricType::kCounter, "Checkpoints triggered."},
      {"numberOfCompletedCheckpoints", MetricType::kCounter, "Checkpoints completed."},
      {"numberOfFailedCheckpoints", MetricType::kCounter, "Checkpoints failed or aborted."},
      {"numberOfInProgressCheckpoints", MetricType::kGauge, "Checkpoints in progress."},
      {"lastCompletedCheckpointId", MetricType::kGauge,
       "Id of the latest completed checkpoint; -1 before the first."},
      {"lastCheckpointDuration", MetricType::kGauge,
       "End-to-end duration of the latest completed checkpoint in milliseconds; -1 before the first."},
      {"lastCheckpointSize", MetricType::kGauge,
       "Bytes the latest completed checkpoint wrote (the increment for incremental checkpoints); -1 before "
       "the "
       "first."},
      {"lastCheckpointFullSize", MetricType::kGauge,
       "Bytes of the whole state of the latest completed checkpoint; -1 before the first."},
      {"lastCheckpointRestoreTimestamp", MetricType::kGauge,
       "When the job last restored from a checkpoint, in milliseconds since the epoch; -1 if never."},
  };
  return infos;
}

const std::vector<MetricInfo>& subtaskMetricInfos() {
  static const std::vector<MetricInfo> infos = {
      {"numRecordsIn", MetricType::kCounter, "Records the subtask received over the network."},
      {"numRecordsOut", MetricType::kCounter, "Records the subtask sent over the network."},
      {"numRecordsInPerSecond", MetricType::kGauge, "Records received per second over the last 5 seconds."},
      {"numRecordsOutPerSecond", MetricType::kGauge, "Records sent per second over the last 5 seconds."},
      {"numBytesIn", MetricType::kCounter, "Bytes of the network buffers the subtask received."},
      {"numBytesOut", MetricType::kCounter, "Bytes of the network buffers the subtask sent."},
      {"numBytesInPerSecond", MetricType::kGauge, "Bytes received per second over the last 5 seconds."},
      {"numBytesOutPerSecond", MetricType::kGauge, "Bytes sent per second over the last 5 seconds."},
      {"busyTimeMsPerSecond", MetricType::kGauge,
       "Milliseconds per second the task thread was neither idle nor backpressured, over the last 5 "
       "seconds."},
      {"idleTimeMsPerSecond", MetricType::kGauge,
       "Milliseconds per second the task thread waited for input, over the last 5 seconds."},
      {"backPressuredTimeMsPerSecond", MetricType::kGauge,
       "Milliseconds per second the task thread waited for an output buffer, over the last 5 seconds."},
      {"accumulatedBusyTime", MetricType::kCounter,
       "Milliseconds the task thread was busy since the job started."},
      {"accumulatedIdleTime", MetricType::kCounter,
       "Milliseconds the task thread was idle since the job started."},
      {"accumulatedBackPressuredTime", MetricType::kCounter,
       "Milliseconds the task thread was backpressured since the job started."},
      {"checkpointAlignmentTime", MetricType::kGauge,
       "Nanoseconds the latest checkpoint's barrier alignment took at this subtask."},
      {"checkpointStartDelayNanos", MetricType::kGauge,
       "Nanoseconds between the latest checkpoint's trigger and its first barrier reaching this subtask."},
      {"buffers.inPoolUsage", MetricType::kGauge,
       "Fraction of the input gates' buffer pools in use (network channels; 0 with only local channels)."},
      {"buffers.outPoolUsage", MetricType::kGauge, "Fraction of the output partitions' buffer pools in use."},
      {"buffers.inputQueueLength", MetricType::kGauge, "Buffers queued in the subtask's input channels."},
      {"buffers.outputQueueLength", MetricType::kGauge,
       "Buffers queued in the subtask's output subpartitions."},
      {"debloatedBufferSize", MetricType::kGauge,
       "Buffer debloating: the smallest buffer size the subtask's inputs ask of their producers, in bytes "
       "(0 when debloating is off)."},
      {"estimatedTimeToConsumeBuffersMs", MetricType::kGauge,
       "Buffer debloating: how long the data in flight towards the subtask's slowest input takes to "
       "process, in milliseconds (0 when off, -1 when nothing was consumed)."},
  };
  return infos;
}

int metricIndex(const std::vector<MetricInfo>& infos, std::string_view name) {
  for (size_t i = 0; i < infos.size(); ++i) {
    if (name == infos[i].name) return int(i);
  }
  return -1;
}

TaskTimes taskTimesOf(const runtime::TaskIOMetrics& m) {
  TaskTimes t;
  // Each read as of its own moment, running last: idle and backpressured intervals lie
  // inside running time, so running read later is at least their sum and busy time never
  // comes out negative. (One timestamp for all three would not do: a reader delayed after
  // taking it sees intervals that closed later in full, but running only up to it.)
  t.idle = m.idle.get(TimeCounter::nowNanos());
  t.backPressured = m.backPressured.get(TimeCounter::nowNanos());
  t.running = m.running.get(TimeCounter::nowNanos());
  t.busy = t.running > t.idle + t.backPressured ? t.running - t.idle - t.backPressured : 0;
  return t;
}

TaskMetricsSampler::TaskMetricsSampler(TaskMetricsTable tasks) : tasks_(std::move(tasks)) {
  history_.resize(tasks_.size());
  for (size_t v = 0; v < tasks_.size(); ++v) history_[v].resize(tasks_[v].size());
  sampleAll();
  thread_ = std::thread([this] { run(); });
}

TaskMetricsSampler::~TaskMetricsSampler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

TaskMetricsSampler::Sample TaskMetricsSampler::sampleOf(const runtime::TaskIOMetrics& m, int64_t nanos) {
  Sample s;
  s.nanos = nanos;
  s.recordsIn = m.numRecordsIn.get();
  s.recordsOut = m.numRecordsOut.get();
  s.bytesIn = m.numBytesIn.get();
  s.bytesOut = m.numBytesOut.get();
  const TaskTimes t = taskTimesOf(m);
  s.idle = t.idle;
  s.backPressured = t.backPressured;
  s.running = t.running;
  return s;
}

void TaskMetricsSampler::sampleAll() {
  const int64_t now = TimeCounter::nowNanos();
  const int64_t keepAfter = now - std::chrono::nanoseconds(kRateWindow).count();
  std::lock_guard lock(mu_);
  for (size_t v = 0; v < tasks_.size(); ++v) {
    for (size_t s = 0; s < tasks_[v].size(); ++s) {
      std::deque<Sample>& h = history_[v][s];
      h.push_back(sampleOf(*tasks_[v][s], now));
      // Keep one sample at or before the window's start, so that a rate spans the whole window.
      while (h.size() > 2 && h[1].nanos <= keepAfter) h.pop_front();
    }
  }
}

void TaskMetricsSampler::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, kSampleInterval, [&] { return stop_; })) return;
    lock.unlock();
    sampleAll();
    lock.lock();
  }
}

void TaskMetricsSampler::read(int vertex, int subtask, std::vector<double>& out) const {
  out.resize(kNumSubtaskMetrics, 0.0);
  const runtime::TaskIOMetrics& m = *tasks_[size_t(vertex)][size_t(subtask)];
  const int64_t now = TimeCounter::nowNanos();
  const Sample cur = sampleOf(m, now);
  Sample old;
  {
    std::lock_guard lock(mu_);
    const std::deque<Sample>& h = history_[size_t(vertex)][size_t(subtask)];
    const int64_t windowStart = now - std::chrono::nanoseconds(kRateWindow).count();
    // The newest sample at or before the window's start, else the oldest there is.
    old = h.front();
    for (const Sample& s : h) {
      if (s.nanos <= windowStart) old = s;
    }
  }
  const double seconds = double(now - old.nanos) / 1e9;
  // Counters only grow, but a reading racing with the writer may lag a sample by a hair.
  auto delta = [](uint64_t a, uint64_t b) { return a > b ? double(a - b) : 0.0; };
  auto perSecond = [&](uint64_t a, uint64_t b) { return seconds > 0 ? delta(a, b) / seconds : 0.0; };
  auto msPerSecond = [&](double nanos) {
    return seconds > 0 ? std::clamp(nanos / 1e6 / seconds, 0.0, 1000.0) : 0.0;
  };
  out[kNumRecordsIn] = double(cur.recordsIn);
  out[kNumRecordsOut] = double(cur.recordsOut);
  out[kNumRecordsInPerSecond] = perSecond(cur.recordsIn, old.recordsIn);
  out[kNumRecordsOutPerSecond] = perSecond(cur.recordsOut, old.recordsOut);
  out[kNumBytesIn] = double(cur.bytesIn);
  out[kNumBytesOut] = double(cur.bytesOut);
  out[kNumBytesInPerSecond] = perSecond(cur.bytesIn, old.bytesIn);
  out[kNumBytesOutPerSecond] = perSecond(cur.bytesOut, old.bytesOut);
  const double runningNanos = delta(cur.running, old.running);
  const double idleNanos = delta(cur.idle, old.idle);
  const double backPressuredNanos = delta(cur.backPressured, old.backPressured);
  out[kIdleTimeMsPerSecond] = msPerSecond(idleNanos);
  out[kBackPressuredTimeMsPerSecond] = msPerSecond(backPressuredNanos);
  out[kBusyTimeMsPerSecond] = msPerSecond(std::max(0.0, runningNanos - idleNanos - backPressuredNanos));
  out[kAccumulatedBusyTime] =
      double((cur.running > cur.idle + cur.backPressured ? cur.running - cur.idle - cur.backPressured : 0) /
             1000000);
  out[kAccumulatedIdleTime] = double(cur.idle / 1000000);
  out[kAccumulatedBackPressuredTime] = double(cur.backPressured / 1000000);
  out[kCheckpointAlignmentTime] = double(m.lastCheckpointAlignmentNanos.load(std::memory_order_relaxed));
  out[kCheckpointStartDelayNanos] = double(m.lastCheckpointStartDelayNanos.load(std::memory_order_relaxed));
  out[kDebloatedBufferSize] = double(m.debloatedBufferSize.load(std::memory_order_relaxed));
  out[kEstimatedTimeToConsumeBuffersMs] =
      double(m.estimatedTimeToConsumeBuffersMs.load(std::memory_order_relaxed));
}

}  // namespace weir::cluster
