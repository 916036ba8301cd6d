#include "rest/json_views.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace weir::rest {

using nlohmann::json;
using runtime::ExecutionState;

namespace {

constexpr ExecutionState kAllExecutionStates[] = {ExecutionState::kCreated,      ExecutionState::kDeploying,
                                                  ExecutionState::kInitializing, ExecutionState::kRunning,
                                                  ExecutionState::kFinished,     ExecutionState::kCanceling,
                                                  ExecutionState::kCanceled,     ExecutionState::kFailed};
constexpr JobStatus kAllJobStatuses[] = {JobStatus::kCreated,  JobStatus::kRunning,    JobStatus::kFailing,
                                         JobStatus::kFailed,   JobStatus::kCancelling, JobStatus::kCanceled,
                                         JobStatus::kFinished, JobStatus::kRestarting};

json stateCounts(const std::map<ExecutionState, int>& counts) {
  json j = json::object();
  for (ExecutionState s : kAllExecutionStates) {
    auto it = counts.find(s);
    j[runtime::executionStateName(s)] = it == counts.end() ? 0 : it->second;
  }
  return j;
}

std::map<ExecutionState, int> jobStateCounts(const cluster::JobDetails& d) {
  std::map<ExecutionState, int> counts;
  for (const cluster::VertexDetails& v : d.vertices)
    for (const auto& [s, n] : v.stateCounts()) counts[s] += n;
  return counts;
}

int totalTasks(const cluster::JobDetails& d) {
  int n = 0;
  for (const cluster::VertexDetails& v : d.vertices) n += v.parallelism;
  return n;
}

json summaryJson(const cluster::StatsSummary& s) {
  const std::vector<double> q = s.quantiles({0.5, 0.9, 0.95, 0.99, 0.999});
  return json{{"min", int64_t(s.min())},
              {"max", int64_t(s.max())},
              {"avg", int64_t(s.average())},
              {"p50", q[0]},
              {"p90", q[1]},
              {"p95", q[2]},
              {"p99", q[3]},
              {"p999", q[4]}};
}

const cluster::VertexDetails* vertexByIndex(const cluster::JobDetails& d, int index) {
  for (const cluster::VertexDetails& v : d.vertices)
    if (v.index == index) return &v;
  return nullptr;
}

// The figures Flink's CheckpointStatistics and TaskCheckpointStatistics share, over `subtasks`.
struct Aggregate {
  int64_t latestAck = 0;
  uint64_t stateSize = 0, checkpointedSize = 0, processed = 0, persisted = 0;
  int acknowledged = 0;
};

Aggregate aggregate(const std::vector<const cluster::SubtaskCheckpointStats*>& subtasks) {
  Aggregate a;
  for (const cluster::SubtaskCheckpointStats* s : subtasks) {
    a.latestAck = std::max(a.latestAck, s->ackTimestampMillis);
    a.stateSize += s->metrics.stateSize;
    a.checkpointedSize += s->metrics.stateSize;
    a.processed += s->metrics.bytesProcessedDuringAlignment;
    a.persisted += s->metrics.bytesPersistedDuringAlignment;
    ++a.acknowledged;
  }
  return a;
}

std::vector<const cluster::SubtaskCheckpointStats*> subtasksOf(const cluster::CheckpointStats& c,
                                                               int vertex) {
  std::vector<const cluster::SubtaskCheckpointStats*> out;
  for (const cluster::SubtaskCheckpointStats& s : c.subtasks)
    if (s.vertexId == vertex) out.push_back(&s);
  return out;
}

json taskCheckpointJson(const cluster::CheckpointStats& c, const cluster::VertexDetails& v) {
  Aggregate a = aggregate(subtasksOf(c, v.index));
  int64_t duration = a.acknowledged == 0 ? 0 : std::max<int64_t>(0, a.latestAck - c.triggerTimestampMillis);
  const bool complete = a.acknowledged == v.parallelism;
  return json{{"id", c.id},
              {"status", complete ? "COMPLETED" : cluster::checkpointStatusName(c.status)},
              {"latest_ack_timestamp", a.latestAck},
              {"checkpointed_size", a.checkpointedSize},
              {"state_size", a.stateSize},
              {"end_to_end_duration", duration},
              {"alignment_buffered", 0},
              {"processed_data", a.processed},
              {"persisted_data", a.persisted},
              {"num_subtasks", v.parallelism},
              {"num_acknowledged_subtasks", a.acknowledged}};
}

json checkpointJson(const cluster::CheckpointStats& c, const cluster::JobDetails& d, bool withTasks) {
  static const char* kClass[] = {".PendingCheckpointStatistics", ".CompletedCheckpointStatistics",
                                 ".FailedCheckpointStatistics"};
  json j{{"className", kClass[int(c.status)]},
         {"id", c.id},
         {"status", cluster::checkpointStatusName(c.status)},
         {"is_savepoint", c.isSavepoint},
         {"savepointFormat", c.isSavepoint ? json("CANONICAL") : json(nullptr)},
         {"trigger_timestamp", c.triggerTimestampMillis},
         {"latest_ack_timestamp", c.latestAckTimestampMillis},
         {"checkpointed_size", c.checkpointedSize},
         {"state_size", c.stateSize},
         {"end_to_end_duration", c.endToEndDuration.count()},
         {"alignment_buffered", 0},
         {"processed_data", c.processedData},
         {"persisted_data", c.persistedData},
         {"num_subtasks", c.total},
         {"num_acknowledged_subtasks", c.acknowledged},
         {"checkpoint_type", c.isSavepoint ? "SAVEPOINT"
                             : c.unaligned ? "UNALIGNED_CHECKPOINT"
                                           : "CHECKPOINT"}};
  if (c.status == cluster::CheckpointStatus::kCompleted) {
    j["external_path"] = c.externalPath;
    j["discarded"] = c.discarded;
  } else if (c.status == cluster::CheckpointStatus::kFailed) {
    j["failure_timestamp"] = c.failureTimestampMillis;
    j["failure_message"] = c.failureMessage;
  }
  json tasks = json::object();
  if (withTasks)
    for (const cluster::VertexDetails& v : d.vertices) tasks[v.id] = taskCheckpointJson(c, v);
  j["tasks"] = std::move(tasks);
  return j;
}

}  // namespace

json jobDetailsJson(const cluster::JobDetails& d) {
  json timestamps = json::object();
  for (JobStatus s : kAllJobStatuses) {
    auto it = d.statusTimestamps.find(s);
    timestamps[jobStatusName(s)] = it == d.statusTimestamps.end() ? 0 : it->second;
  }
  json vertices = json::array();
  json nodes = json::array();
  for (const cluster::VertexDetails& v : d.vertices) {
    int64_t start = -1, end = -1;
    bool allEnded = !v.subtasks.empty();
    for (const cluster::SubtaskDetails& s : v.subtasks) {
      if (s.startTimeMillis >= 0 && (start < 0 || s.startTimeMillis < start)) start = s.startTimeMillis;
      end = std::max(end, s.endTimeMillis);
      allEnded &= s.endTimeMillis >= 0;
    }
    if (!allEnded) end = -1;
    const int64_t duration = start < 0 ? -1 : (end >= 0 ? end : d.nowMillis) - start;
    vertices.push_back(json{
        {"id", v.id},
        {"name", v.name},
        {"maxParallelism", v.maxParallelism},
        {"parallelism", v.parallelism},
        {"status", runtime::executionStateName(v.state)},
        {"start-time", start},
        {"end-time", end},
        {"duration", duration},
        {"tasks", stateCounts(v.stateCounts())},
        {"metrics",
         {{"read-bytes", v.sum(&cluster::SubtaskDetails::bytesIn)},
          {"read-bytes-complete", true},
          {"write-bytes", v.sum(&cluster::SubtaskDetails::bytesOut)},
          {"write-bytes-complete", true},
          {"read-records", v.recordsIn()},
          {"read-records-complete", true},
          {"write-records", v.recordsOut()},
          {"write-records-complete", true},
          {"accumulated-backpressured-time", v.sum(&cluster::SubtaskDetails::accumulatedBackPressuredMillis)},
          {"accumulated-idle-time", v.sum(&cluster::SubtaskDetails::accumulatedIdleMillis)},
          {"accumulated-busy-time", v.sum(&cluster::SubtaskDetails::accumulatedBusyMillis)}}}});
    json inputs = json::array();
    for (size_t i = 0; i < v.inputs.size(); ++i) {
      const cluster::VertexDetails* src = vertexByIndex(d, v.inputs[i].sourceVertex);
      inputs.push_back(json{{"num", i},
                            {"id", src ? src->id : ""},
                            {"ship_strategy", v.inputs[i].shipStrategy},
                            {"exchange", "pipelined_bounded"}});
    }
    nodes.push_back(json{{"id", v.id},
                         {"parallelism", v.parallelism},
                         {"operator", ""},
                         {"operator_strategy", ""},
                         {"description", v.name},
                         {"inputs", std::move(inputs)},
                         {"optimizer_properties", json::object()}});
  }
  return json{
      {"jid", d.jobId},
      {"name", d.name},
      {"isStoppable", false},
      {"state", jobStatusName(d.status)},
      {"job-type", "STREAMING"},
      {"start-time", d.startTimeMillis},
      {"end-time", d.endTimeMillis},
      {"duration", d.durationMillis},
      {"maxParallelism", -1},
      {"now", d.nowMillis},
      {"restarts", d.restarts},
      {"timestamps", std::move(timestamps)},
      {"vertices", std::move(vertices)},
      {"status-counts", stateCounts(jobStateCounts(d))},
      {"plan", {{"jid", d.jobId}, {"name", d.name}, {"type", "STREAMING"}, {"nodes", std::move(nodes)}}}};
}

json jobOverviewJson(const cluster::JobDetails& d) {
  int64_t lastModification = d.startTimeMillis;
  for (const auto& [s, t] : d.statusTimestamps) lastModification = std::max(lastModification, t);
  json tasks = stateCounts(jobStateCounts(d));
  tasks["total"] = totalTasks(d);
  return json{{"jid", d.jobId},
              {"name", d.name},
              {"state", jobStatusName(d.status)},
              {"start-time", d.startTimeMillis},
              {"end-time", d.endTimeMillis},
              {"duration", d.durationMillis},
              {"last-modification", lastModification},
              {"tasks", std::move(tasks)}};
}

json jobExceptionsJson(const cluster::JobExceptions& e) {
  json entries = json::array();
  // Flink lists the newest first.
  for (auto it = e.history.rbegin(); it != e.history.rend(); ++it) {
    entries.push_back(json{{"exceptionName", "TaskFailure"},
                           {"stacktrace", it->message},
                           {"timestamp", it->timestampMillis},
                           {"taskName", it->taskName.empty() ? json(nullptr) : json(it->taskName)},
                           {"location", "localhost"},
                           {"restarted", it->restarted},
                           {"failureLabels", json::object()},
                           {"concurrentExceptions", json::array()}});
  }
  json j{{"exceptionHistory", {{"entries", std::move(entries)}, {"truncated", e.truncated}}}};
  if (e.rootCause) {
    j["root-exception"] = e.rootCause->message;
    j["timestamp"] = e.rootCause->timestampMillis;
  } else {
    j["root-exception"] = nullptr;
    j["timestamp"] = nullptr;
  }
  return j;
}

json checkpointStatsJson(const cluster::CheckpointStatsSnapshot& s, const cluster::JobDetails& d) {
  json history = json::array();
  for (auto it = s.history.rbegin(); it != s.history.rend(); ++it)
    history.push_back(checkpointJson(*it, d, true));
  json restored = nullptr;
  if (s.latestRestored) {
    restored = json{{"id", s.latestRestored->id},
                    {"restore_timestamp", s.latestRestored->restoreTimestampMillis},
                    {"is_savepoint", s.latestRestored->isSavepoint},
                    {"external_path", s.latestRestored->externalPath}};
  }
  return json{
      {"counts",
       {{"restored", s.restored},
        {"total", s.total},
        {"in_progress", s.inProgress},
        {"completed", s.completed},
        {"failed", s.failed}}},
      {"summary",
       {{"checkpointed_size", summaryJson(s.summary.checkpointedSize)},
        {"state_size", summaryJson(s.summary.stateSize)},
        {"end_to_end_duration", summaryJson(s.summary.endToEndDuration)},
        {"alignment_buffered", summaryJson(cluster::StatsSummary{})},
        {"processed_data", summaryJson(s.summary.processedData)},
        {"persisted_data", summaryJson(s.summary.persistedData)}}},
      {"latest",
       {{"completed", s.latestCompleted ? checkpointJson(*s.latestCompleted, d, false) : json(nullptr)},
        {"savepoint", s.latestSavepoint ? checkpointJson(*s.latestSavepoint, d, false) : json(nullptr)},
        {"failed", s.latestFailed ? checkpointJson(*s.latestFailed, d, false) : json(nullptr)},
        {"restored", std::move(restored)}}},
      {"history", std::move(history)}};
}

json checkpointDetailsJson(const cluster::CheckpointStats& c, const cluster::JobDetails& d) {
  return checkpointJson(c, d, true);
}

json checkpointSubtasksJson(const cluster::CheckpointStats& c, const cluster::VertexDetails& v) {
  json j = taskCheckpointJson(c, v);
  cluster::StatsSummary size, duration, sync, async, alignment, startDelay, processed, persisted;
  std::vector<json> subtasks(size_t(v.parallelism));
  for (int i = 0; i < v.parallelism; ++i) {
    subtasks[size_t(i)] = json{{"index", i}, {"status", "pending_or_failed"}};
  }
  for (const cluster::SubtaskCheckpointStats* s : subtasksOf(c, v.index)) {
    if (s->subtaskIndex < 0 || s->subtaskIndex >= v.parallelism) continue;
    const runtime::SubtaskCheckpointMetrics& m = s->metrics;
    const int64_t e2e = std::max<int64_t>(0, s->ackTimestampMillis - c.triggerTimestampMillis);
    size.add(double(m.stateSize));
    duration.add(double(e2e));
    sync.add(double(m.syncDuration.count()));
    async.add(double(m.asyncDuration.count()));
    alignment.add(double(m.alignmentDuration.count()));
    startDelay.add(double(m.startDelay.count()));
    processed.add(double(m.bytesProcessedDuringAlignment));
    persisted.add(double(m.bytesPersistedDuringAlignment));
    subtasks[size_t(s->subtaskIndex)] =
        json{{"index", s->subtaskIndex},
             {"status", "completed"},
             {"ack_timestamp", s->ackTimestampMillis},
             {"end_to_end_duration", e2e},
             {"state_size", m.stateSize},
             {"checkpointed_size", m.stateSize},
             {"checkpoint", {{"sync", m.syncDuration.count()}, {"async", m.asyncDuration.count()}}},
             {"alignment",
              {{"buffered", 0},
               {"processed", m.bytesProcessedDuringAlignment},
               {"persisted", m.bytesPersistedDuringAlignment},
               {"duration", m.alignmentDuration.count()}}},
             {"start_delay", m.startDelay.count()},
             {"unaligned_checkpoint", c.unaligned},
             {"aborted", false}};
  }
  j["summary"] = json{{"checkpointed_size", summaryJson(size)},
                      {"state_size", summaryJson(size)},
                      {"end_to_end_duration", summaryJson(duration)},
                      {"checkpoint_duration", {{"sync", summaryJson(sync)}, {"async", summaryJson(async)}}},
                      {"alignment",
                       {{"buffered", summaryJson(cluster::StatsSummary{})},
                        {"processed", summaryJson(processed)},
                        {"persisted", summaryJson(persisted)},
                        {"duration", summaryJson(alignment)}}},
                      {"start_delay", summaryJson(startDelay)}};
  j["subtasks"] = std::move(subtasks);
  return j;
}

json checkpointConfigJson(const cluster::CheckpointConfigInfo& c) {
  const bool externalized = c.externalization != "NO_EXTERNALIZED_CHECKPOINTS";
  return json{{"mode", c.mode},
              {"interval", c.intervalMillis},
              {"timeout", c.timeoutMillis},
              {"min_pause", c.minPauseMillis},
              {"max_concurrent", c.maxConcurrent},
              {"externalization",
               {{"enabled", externalized},
                {"delete_on_cancellation", c.externalization != "RETAIN_ON_CANCELLATION"}}},
              {"state_backend", c.stateBackend},
              {"checkpoint_storage", c.storage},
              {"unaligned_checkpoints", c.unaligned},
              {"tolerable_failed_checkpoints", c.tolerableFailures},
              {"aligned_checkpoint_timeout", c.alignedCheckpointTimeoutMillis},
              {"checkpoints_after_tasks_finish", true},
              {"state_changelog_enabled", false},
              {"num_retained", c.numRetained}};
}

}  // namespace weir::rest
