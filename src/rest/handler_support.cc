// What the handlers share: the registry of triggered checkpoints, job lookup and
// parameter parsing, and the list of every route.
#include <charconv>

#include "cluster/local_cluster.h"
#include "rest/handlers.h"

namespace weir::rest {

std::string TriggeredCheckpoints::add(const std::string& jobId, std::function<Result<int64_t>()> trigger,
                                      std::string requestId) {
  if (requestId.empty()) requestId = cluster::newJobId();  // 32 random hex digits, as Flink's TriggerId
  // std::async's shared state joins its thread when the last future goes, so dropping
  // an entry (or this registry) never leaves a trigger running unowned.
  std::shared_future<Result<int64_t>> outcome = std::async(std::launch::async, std::move(trigger)).share();
  std::deque<Entry> dropped;
  {
    std::lock_guard lock(mu_);
    entries_.push_back({requestId, jobId, std::move(outcome)});
    while (entries_.size() > kCapacity) {
      dropped.push_back(std::move(entries_.front()));
      entries_.pop_front();
    }
  }
  return requestId;  // `dropped` goes here, outside the lock (it may wait for its trigger)
}

std::optional<TriggeredCheckpoints::Entry> TriggeredCheckpoints::find(const std::string& jobId,
                                                                      const std::string& requestId) const {
  std::lock_guard lock(mu_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->jobId == jobId && it->requestId == requestId) return *it;
  return std::nullopt;
}

cluster::ArchivedJob jobOrThrow(const RestContext& context, const RestRequest& request) {
  Result<cluster::ArchivedJob> job = context.dispatcher.job(request.pathParams.at("jobid"));
  if (!job.isOk()) throw RestError(404, job.status().message());
  return std::move(job).value();
}

void requireCheckpointing(const cluster::ArchivedJob& job) {
  if (!job.checkpoints || !job.checkpointConfig) {
    throw RestError(404, "checkpointing is not enabled for job " + job.details.jobId +
                             " (execution.checkpointing.interval is not set)");
  }
}

int64_t integerParam(const RestRequest& request, const std::string& name) {
  const std::string& text = request.pathParams.at(name);
  int64_t value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw RestError(400, name + " must be a non-negative integer, not '" + text + "'");
  return value;
}

void addAllRoutes(Router& router, RestContext& context) {
  addClusterOverviewRoutes(router, context);
  addJobsRoutes(router, context);
  addJobDetailsRoutes(router, context);
  addJobCancelRoutes(router, context);
  addJobExceptionsRoutes(router, context);
  addJobConfigRoutes(router, context);
  addCheckpointStatsRoutes(router, context);
  addCheckpointConfigRoutes(router, context);
  addCheckpointDetailsRoutes(router, context);
  addCheckpointTriggerRoutes(router, context);
  addJobMetricsRoutes(router, context);
  addVertexMetricsRoutes(router, context);
  addAggregatedSubtaskMetricsRoutes(router, context);
  addSubtaskMetricsRoutes(router, context);
  addPrometheusRoutes(router, context);
  addDashboardRoutes(router, context);
}

}  // namespace weir::rest
