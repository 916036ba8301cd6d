// JobMaster: what the job looks like from outside (REST API, CLI, dashboard).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include <weir/core/hash.h>
#include <weir/core/options.h>

#include <spdlog/spdlog.h>

#include "cluster/job_master.h"
#include "runtime/timer_service.h"

namespace weir::cluster {

using runtime::ExecutionState;

namespace {

// A stable 32-hex-digit vertex id (Flink's JobVertexID), from the head operator's
// uid or name and position, so that the same program gets the same ids every run.
std::string vertexIdOf(const StreamNode& head, int vertexIndex) {
  std::string seed = (head.uid.empty() ? head.name + "#" + std::to_string(head.id) : head.uid);
  uint64_t hi = stableHash(seed.data(), seed.size());
  seed += "/" + std::to_string(vertexIndex);
  uint64_t lo = stableHash(seed.data(), seed.size());
  return fmt::format("{:016x}{:016x}", hi, lo);
}

// Flink's ExecutionJobVertex#getAggregateExecutionState, in short: a failure or a
// cancellation shows first, then the least advanced live state; FINISHED only when
// every subtask finished.
ExecutionState aggregateState(const std::vector<SubtaskDetails>& subtasks) {
  auto any = [&](ExecutionState s) {
    return std::any_of(subtasks.begin(), subtasks.end(),
                       [&](const SubtaskDetails& d) { return d.state == s; });
  };
  for (ExecutionState s : {ExecutionState::kFailed, ExecutionState::kCanceling, ExecutionState::kCanceled,
                           ExecutionState::kRunning, ExecutionState::kInitializing,
                           ExecutionState::kDeploying, ExecutionState::kCreated}) {
    if (any(s)) return s;
  }
  return subtasks.empty() ? ExecutionState::kCreated : ExecutionState::kFinished;
}

}  // namespace

uint64_t VertexDetails::recordsIn() const { return sum(&SubtaskDetails::recordsIn); }

uint64_t VertexDetails::recordsOut() const { return sum(&SubtaskDetails::recordsOut); }

std::map<ExecutionState, int> VertexDetails::stateCounts() const {
  std::map<ExecutionState, int> counts;
  for (const SubtaskDetails& s : subtasks) ++counts[s.state];
  return counts;
}

bool isSensitiveConfigKey(const std::string& key) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  for (const char* word : {"password", "secret", "token", "apikey", "api-key", "auth-params", "service-key",
                           "basic-auth", "jaas.config", "account.key"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string JobMaster::taskNameOf(int vertexId, int subtaskIndex) const {
  const graph::JobVertex& v = jobGraph_.vertices[size_t(vertexId)];
  return v.name + " (" + std::to_string(subtaskIndex + 1) + "/" + std::to_string(v.parallelism) + ")";
}

void JobMaster::recordExceptionLocked(const std::string& message, const std::string& taskName,
                                      bool restarted) {
  exceptionHistory_.push_back({runtime::wallClockMillis(), message, taskName, restarted});
  while (exceptionHistory_.size() > exceptionHistorySize_) {
    exceptionHistory_.erase(exceptionHistory_.begin());
    exceptionHistoryTruncated_ = true;
  }
}

JobDetails JobMaster::details() const {
  JobDetails d;
  d.jobId = jobId_;
  d.name = jobGraph_.name;
  d.nowMillis = runtime::wallClockMillis();
  d.startTimeMillis = startWallMillis_;
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    VertexDetails vd;
    vd.index = v.id;
    vd.id = vertexIdOf(streamGraph_->node(v.headNode()), v.id);
    vd.name = v.name;
    vd.parallelism = v.parallelism;
    vd.maxParallelism = v.maxParallelism;
    for (int e : v.inputEdges) {
      const graph::JobEdge& edge = jobGraph_.edges[size_t(e)];
      vd.inputs.push_back({edge.sourceVertex, partitionerName(edge.partitioner.kind)});
    }
    for (int s = 0; s < v.parallelism; ++s) {
      SubtaskDetails sd;
      sd.index = s;
      if (size_t(v.id) < taskMetrics_.size() && size_t(s) < taskMetrics_[size_t(v.id)].size()) {
        const runtime::TaskIOMetrics& m = *taskMetrics_[size_t(v.id)][size_t(s)];
        sd.recordsIn = m.numRecordsIn.get();
        sd.recordsOut = m.numRecordsOut.get();
        sd.bytesIn = m.numBytesIn.get();
        sd.bytesOut = m.numBytesOut.get();
        const TaskTimes t = taskTimesOf(m);
        sd.accumulatedBusyMillis = int64_t(t.busy / 1000000);
        sd.accumulatedIdleMillis = int64_t(t.idle / 1000000);
        sd.accumulatedBackPressuredMillis = int64_t(t.backPressured / 1000000);
      }
      vd.subtasks.push_back(sd);
    }
    d.vertices.push_back(std::move(vd));
  }
  std::lock_guard lock(mu_);
  d.status = status_;
  d.statusTimestamps = statusTimestamps_;
  d.restarts = restarts_;
  d.endTimeMillis = endWallMillis_;
  d.durationMillis = (endWallMillis_ >= 0 ? endWallMillis_ : d.nowMillis) - startWallMillis_;
  for (VertexDetails& vd : d.vertices) {
    if (size_t(vd.index) >= subtaskRuntime_.size()) continue;
    const auto& rts = subtaskRuntime_[size_t(vd.index)];
    for (SubtaskDetails& sd : vd.subtasks) {
      if (size_t(sd.index) >= rts.size()) continue;
      sd.state = rts[size_t(sd.index)].state;
      sd.startTimeMillis = rts[size_t(sd.index)].startMillis;
      sd.endTimeMillis = rts[size_t(sd.index)].endMillis;
      sd.attempt = attemptNumber_;
    }
    vd.state = aggregateState(vd.subtasks);
  }
  return d;
}

JobExceptions JobMaster::exceptions() const {
  std::lock_guard lock(mu_);
  JobExceptions e;
  e.history = exceptionHistory_;
  e.truncated = exceptionHistoryTruncated_;
  if (status_ == JobStatus::kFailed || status_ == JobStatus::kFailing) {
    if (!exceptionHistory_.empty() && !exceptionHistory_.back().restarted) {
      e.rootCause = exceptionHistory_.back();
    } else if (!failure_.empty()) {
      e.rootCause = ExceptionEntry{endWallMillis_ >= 0 ? endWallMillis_ : runtime::wallClockMillis(),
                                   failure_, "", false};
    }
  }
  return e;
}

std::optional<CheckpointConfigInfo> JobMaster::checkpointConfig() const {
  if (!checkpointCoordinator_) return std::nullopt;
  const CheckpointCoordinatorOptions& o = checkpointCoordinator_->options();
  CheckpointConfigInfo c;
  c.mode = checkpointingMode_ == runtime::CheckpointingMode::kAtLeastOnce ? "at_least_once" : "exactly_once";
  c.intervalMillis = o.interval.count();
  c.timeoutMillis = o.timeout.count();
  c.minPauseMillis = o.minPause.count();
  c.maxConcurrent = o.maxConcurrent;
  c.tolerableFailures = o.tolerableFailures;
  c.numRetained = o.numRetained;
  c.externalization = retention_;
  c.storage = checkpointStorage_->describe();
  c.stateBackend = "hashmap";
  c.unaligned = unalignedCheckpoints_;
  c.alignedCheckpointTimeoutMillis = alignedCheckpointTimeout_.count();
  return c;
}

JobMetrics JobMaster::metrics() const {
  JobMetrics m;
  m.jobId = jobId_;
  m.jobName = jobGraph_.name;
  m.timestampMillis = runtime::wallClockMillis();
  m.job.assign(kNumJobMetrics, std::nullopt);
  {
    std::lock_guard lock(mu_);
    m.job[kNumRestarts] = double(restarts_);
    auto running = statusTimestamps_.find(JobStatus::kRunning);
    m.job[kUptime] = status_ == JobStatus::kRunning && running != statusTimestamps_.end()
                         ? double(std::max<int64_t>(0, m.timestampMillis - running->second))
                         : 0.0;
  }
  if (checkpointCoordinator_) {
    const CheckpointStatsSnapshot s = checkpointCoordinator_->stats();
    m.job[kTotalNumberOfCheckpoints] = double(s.total);
    m.job[kNumberOfCompletedCheckpoints] = double(s.completed);
    m.job[kNumberOfFailedCheckpoints] = double(s.failed);
    m.job[kNumberOfInProgressCheckpoints] = double(s.inProgress);
    const CheckpointStats* last = s.latestCompleted ? &*s.latestCompleted : nullptr;
    m.job[kLastCompletedCheckpointId] = last ? double(last->id) : -1.0;
    m.job[kLastCheckpointDuration] = last ? double(last->endToEndDuration.count()) : -1.0;
    m.job[kLastCheckpointSize] = last ? double(last->checkpointedSize) : -1.0;
    m.job[kLastCheckpointFullSize] = last ? double(last->stateSize) : -1.0;
    m.job[kLastCheckpointRestoreTimestamp] =
        s.latestRestored ? double(s.latestRestored->restoreTimestampMillis) : -1.0;
  }
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    VertexMetrics vm;
    vm.id = vertexIdOf(streamGraph_->node(v.headNode()), v.id);
    vm.name = v.name;
    vm.subtasks.resize(size_t(v.parallelism));
    for (int s = 0; s < v.parallelism; ++s) {
      if (metricsSampler_) {
        metricsSampler_->read(v.id, s, vm.subtasks[size_t(s)]);
      } else {
        vm.subtasks[size_t(s)].assign(kNumSubtaskMetrics, 0.0);
      }
    }
    m.vertices.push_back(std::move(vm));
  }
  readBufferMetrics(m);
  return m;
}

ArchivedJob JobMaster::archive() const {
  ArchivedJob a;
  a.details = details();
  a.exceptions = exceptions();
  a.metrics = metrics();
  if (checkpointCoordinator_) a.checkpoints = checkpointCoordinator_->stats();
  a.checkpointConfig = checkpointConfig();
  for (const auto& [key, value] : config_->entries())
    a.configuration[key] = isSensitiveConfigKey(key) ? "******" : value;
  return a;
}

Result<int64_t> JobMaster::triggerCheckpoint() {
  if (!checkpointCoordinator_) {
    return Status::failedPrecondition("checkpointing is not enabled for job " + jobId_ +
                                      " (set execution.checkpointing.interval to turn it on)");
  }
  {
    std::lock_guard lock(mu_);
    if (status_ != JobStatus::kRunning) {
      return Status::failedPrecondition(std::string("job ") + jobId_ + " is " + jobStatusName(status_) +
                                        ", not RUNNING");
    }
  }
  return checkpointCoordinator_->triggerCheckpoint();
}

Result<std::string> JobMaster::savepointTarget(const std::string& requested) {
  std::string dir = requested;
  if (dir.empty()) {
    std::optional<std::string> configured = config_->get(options::kSavepointDir);
    if (!configured || configured->empty()) {
      return Status::invalidArgument(
          "no savepoint directory: name one (weir savepoint <jobId> <directory>, weir stop --savepointPath "
          "<directory>, or \"target-directory\" in the request) or set "
          "execution.checkpointing.savepoint-dir");
    }
    dir = *configured;
  }
  if (!checkpointCoordinator_) {
    return Status::failedPrecondition("savepoints need checkpointing, which is not enabled for job " +
                                      jobId_ + " (set execution.checkpointing.interval to turn it on)");
  }
  {
    std::lock_guard lock(mu_);
    if (status_ != JobStatus::kRunning) {
      return Status::failedPrecondition(std::string("job ") + jobId_ + " is " + jobStatusName(status_) +
                                        ", not RUNNING");
    }
  }
  // State maps to operators by uid; an id derived from the topology changes with the job.
  std::string withoutUid;
  for (const StreamNode& n : streamGraph_->nodes())
    if (n.uid.empty()) withoutUid += (withoutUid.empty() ? "'" : ", '") + n.name + "'";
  if (!withoutUid.empty()) {
    spdlog::warn(
        "job {}: operators without a uid: {}. Their state in the savepoint is named by ids derived from the "
        "topology, which change when the job changes; set .uid(\"...\") on each to restore into a changed "
        "job",
        jobId_, withoutUid);
  }
  return dir;
}

Result<int64_t> JobMaster::triggerSavepoint(const std::string& targetDirectory) {
  Result<std::string> dir = savepointTarget(targetDirectory);
  if (!dir.isOk()) return dir.status();
  return checkpointCoordinator_->triggerSavepoint(*dir);
}

}  // namespace weir::cluster
