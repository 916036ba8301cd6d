#include "cluster/checkpoint_stats_tracker.h"

#include <algorithm>
#include <cmath>

#include "runtime/timer_service.h"

namespace weir::cluster {

const char* checkpointStatusName(CheckpointStatus s) {
  switch (s) {
    case CheckpointStatus::kInProgress:
      return "IN_PROGRESS";
    case CheckpointStatus::kCompleted:
      return "COMPLETED";
    case CheckpointStatus::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

void StatsSummary::add(double v) {
  if (count_ == 0 || v < min_) min_ = v;
  if (count_ == 0 || v > max_) max_ = v;
  sum_ += v;
  ++count_;
  window_.push_back(v);
  if (window_.size() > kSummaryWindow) window_.pop_front();
}

std::vector<double> StatsSummary::quantiles(const std::vector<double>& qs) const {
  std::vector<double> out(qs.size(), 0.0);
  if (window_.empty()) return out;
  std::vector<double> sorted(window_.begin(), window_.end());
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < qs.size(); ++i) {
    double rank = std::clamp(qs[i], 0.0, 1.0) * double(sorted.size() - 1);
    size_t lo = size_t(std::floor(rank));
    size_t hi = std::min(lo + 1, sorted.size() - 1);
    out[i] = sorted[lo] + (rank - double(lo)) * (sorted[hi] - sorted[lo]);
  }
  return out;
}

const CheckpointStats* CheckpointStatsSnapshot::find(int64_t id) const {
  for (const CheckpointStats& s : history)
    if (s.id == id) return &s;
  return nullptr;
}

CheckpointStatsTracker::CheckpointStatsTracker(int historySize)
    : historySize_(size_t(std::max(historySize, 0))) {}

void CheckpointStatsTracker::reportPending(int64_t id, int64_t triggerTimestampMillis,
                                           int subtasksToAcknowledge, network::CheckpointKind kind) {
  std::lock_guard lock(mu_);
  CheckpointStats& s = pending_[id];
  s.id = id;
  s.isSavepoint = kind == network::CheckpointKind::kSavepoint;
  s.triggerTimestampMillis = triggerTimestampMillis;
  s.total = subtasksToAcknowledge;
  ++stats_.total;
  ++stats_.inProgress;
}

void CheckpointStatsTracker::reportAcknowledged(int64_t id, int vertexId, int subtaskIndex,
                                                int64_t ackTimestampMillis,
                                                const runtime::SubtaskCheckpointMetrics& metrics) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  CheckpointStats& s = it->second;
  s.acknowledged++;
  s.latestAckTimestampMillis = std::max(s.latestAckTimestampMillis, ackTimestampMillis);
  s.stateSize += metrics.stateSize;
  s.checkpointedSize += metrics.stateSize;
  s.processedData += metrics.bytesProcessedDuringAlignment;
  s.persistedData += metrics.bytesPersistedDuringAlignment;
  s.unaligned = s.unaligned || metrics.unaligned;
  s.subtasks.push_back({vertexId, subtaskIndex, ackTimestampMillis, metrics});
}

void CheckpointStatsTracker::reportCompleted(int64_t id, std::chrono::milliseconds endToEndDuration,
                                             std::string externalPath, bool discarded) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  CheckpointStats s = std::move(it->second);
  pending_.erase(it);
  s.status = CheckpointStatus::kCompleted;
  s.endToEndDuration = endToEndDuration;
  s.externalPath = std::move(externalPath);
  s.discarded = discarded;
  --stats_.inProgress;
  ++stats_.completed;
  stats_.summary.endToEndDuration.add(double(endToEndDuration.count()));
  stats_.summary.stateSize.add(double(s.stateSize));
  stats_.summary.checkpointedSize.add(double(s.checkpointedSize));
  stats_.summary.processedData.add(double(s.processedData));
  stats_.summary.persistedData.add(double(s.persistedData));
  std::optional<CheckpointStats>& latest = s.isSavepoint ? stats_.latestSavepoint : stats_.latestCompleted;
  if (!discarded && (!latest || latest->id < id)) latest = s;
  remember(s);
}

void CheckpointStatsTracker::reportFailed(int64_t id, int64_t failureTimestampMillis, std::string message) {
  std::lock_guard lock(mu_);
  CheckpointStats s;
  auto it = pending_.find(id);
  if (it != pending_.end()) {
    s = std::move(it->second);
    pending_.erase(it);
    --stats_.inProgress;
    s.endToEndDuration =
        std::chrono::milliseconds(std::max<int64_t>(0, failureTimestampMillis - s.triggerTimestampMillis));
  } else {
    s.id = id;
    s.triggerTimestampMillis = failureTimestampMillis;
    ++stats_.total;
  }
  s.status = CheckpointStatus::kFailed;
  s.failureTimestampMillis = failureTimestampMillis;
  s.failureMessage = std::move(message);
  ++stats_.failed;
  stats_.latestFailed = s;
  remember(s);
}

void CheckpointStatsTracker::reportRestored(RestoredCheckpointStats restored) {
  std::lock_guard lock(mu_);
  ++stats_.restored;
  stats_.latestRestored = std::move(restored);
}

void CheckpointStatsTracker::reportDiscarded(int64_t id) {
  std::lock_guard lock(mu_);
  for (CheckpointStats& s : stats_.history)
    if (s.id == id) s.discarded = true;
  if (stats_.latestCompleted && stats_.latestCompleted->id == id) stats_.latestCompleted->discarded = true;
}

void CheckpointStatsTracker::remember(const CheckpointStats& s) {
  auto pos = std::find_if(stats_.history.begin(), stats_.history.end(),
                          [&](const CheckpointStats& h) { return h.id > s.id; });
  stats_.history.insert(pos, s);
  // In-progress checkpoints take history slots too (snapshot() adds them).
  while (!stats_.history.empty() && stats_.history.size() + pending_.size() > historySize_)
    stats_.history.pop_front();
}

CheckpointStatsSnapshot CheckpointStatsTracker::snapshot() const {
  const int64_t now = runtime::wallClockMillis();
  std::lock_guard lock(mu_);
  CheckpointStatsSnapshot s = stats_;
  for (const auto& [id, p] : pending_) {
    CheckpointStats c = p;
    c.endToEndDuration = std::chrono::milliseconds(std::max<int64_t>(0, now - c.triggerTimestampMillis));
    auto pos =
        std::find_if(s.history.begin(), s.history.end(), [&](const CheckpointStats& h) { return h.id > id; });
    s.history.insert(pos, std::move(c));
  }
  while (s.history.size() > historySize_) s.history.pop_front();
  return s;
}

}  // namespace weir::cluster
