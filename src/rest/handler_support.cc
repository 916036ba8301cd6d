// What the handlers share: the registry of triggered checkpoints, job lookup and
// parameter parsing, and the list of every route.
#include <algorithm>
#include <charconv>
#include <thread>

#include "cluster/local_cluster.h"
#include "rest/handlers.h"

namespace weir::rest {

std::string TriggeredCheckpoints::add(const std::string& jobId, std::function<Result<int64_t>()> trigger,
                                      std::string requestId, Kind kind) {
  if (requestId.empty()) requestId = cluster::newJobId();  // 32 random hex digits, as Flink's TriggerId
  // std::async's shared state joins its thread when the last future goes, so dropping
  // an entry (or this registry) never leaves a trigger running unowned.
  std::shared_future<Result<int64_t>> outcome = std::async(std::launch::async, std::move(trigger)).share();
  std::deque<Entry> dropped;
  {
    std::lock_guard lock(mu_);
    Entry e;
    e.requestId = requestId;
    e.jobId = jobId;
    e.checkpointId = std::move(outcome);
    e.kind = kind;
    entries_.push_back(std::move(e));
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

void TriggeredCheckpoints::awaitEndingOutcomesRead(std::chrono::milliseconds limit) const {
  const auto until = std::chrono::steady_clock::now() + limit;
  auto allRead = [&] {
    std::lock_guard lock(mu_);
    for (const Entry& e : entries_)
      if (e.kind == Kind::kEndsJob && !e.outcomeRead->load()) return false;
    return true;
  };
  while (!allRead() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

nlohmann::json triggeredOperationJson(const RestContext& context, const RestRequest& request,
                                      TriggeredOperation operation) {
  const std::string& triggerId = request.pathParams.at("triggerid");
  const std::string jobId = jobOrThrow(context, request).details.jobId;
  const char* what = operation == TriggeredOperation::kSavepoint ? "savepoint" : "checkpoint";
  auto failure = [](const std::string& message) {
    return nlohmann::json{
        {"status", {{"id", "COMPLETED"}}},
        {"operation", {{"failure-cause", {{"class", "CheckpointException"}, {"stack-trace", message}}}}}};
  };
  const nlohmann::json inProgress{{"status", {{"id", "IN_PROGRESS"}}}};
  std::optional<TriggeredCheckpoints::Entry> e = context.triggers.find(jobId, triggerId);
  if (!e) throw RestError(404, std::string("no ") + what + " was triggered with request id " + triggerId);
  if (e->checkpointId.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    return inProgress;  // waiting for its turn
  const Result<int64_t>& outcome = e->checkpointId.get();
  if (!outcome.isOk()) e->outcomeRead->store(true);
  if (!outcome.isOk())
    return failure(std::string("the ") + what + " could not be triggered: " + outcome.status().message());
  const int64_t id = outcome.value();
  // Read after the id is known: a snapshot of the job taken before could predate the
  // checkpoint's start and miss it.
  const cluster::ArchivedJob job = jobOrThrow(context, request);
  const cluster::CheckpointStats* c = job.checkpoints ? job.checkpoints->find(id) : nullptr;
  if (c == nullptr) {
    return failure(std::string(what) + " " + std::to_string(id) +
                   " is no longer in the history (web.checkpoints.history); its outcome is unknown");
  }
  if (c->status == cluster::CheckpointStatus::kInProgress) return inProgress;
  e->outcomeRead->store(true);
  if (c->status == cluster::CheckpointStatus::kFailed) return failure(c->failureMessage);
  nlohmann::json op = operation == TriggeredOperation::kSavepoint
                          ? nlohmann::json{{"location", c->externalPath}}
                          : nlohmann::json{{"checkpointId", id}};
  return nlohmann::json{{"status", {{"id", "COMPLETED"}}}, {"operation", std::move(op)}};
}

TriggerBody::TriggerBody(const RestRequest& request) : body_(nlohmann::json::object()) {
  if (request.body.empty()) return;
  body_ = nlohmann::json::parse(request.body);  // malformed: 400
  if (!body_.is_object()) throw RestError(400, "the request body must be a JSON object");
}

std::string TriggerBody::optionalString(const std::string& field) const {
  if (!body_.contains(field) || body_[field].is_null()) return "";
  if (!body_[field].is_string()) throw RestError(400, field + " must be a string");
  return body_[field].get<std::string>();
}

bool TriggerBody::optionalBool(const std::string& field) const {
  if (!body_.contains(field)) return false;
  if (!body_[field].is_boolean()) throw RestError(400, field + " must be true or false");
  return body_[field].get<bool>();
}

void TriggerBody::requireOneOf(const std::string& field, const std::vector<std::string>& values) const {
  if (!body_.contains(field)) return;
  const nlohmann::json& v = body_[field];
  if (v.is_string() && std::find(values.begin(), values.end(), v.get<std::string>()) != values.end()) return;
  std::string list;
  for (size_t i = 0; i < values.size(); ++i)
    list += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  throw RestError(400, field + " must be " + list);
}

std::string TriggerBody::triggerId() const {
  if (!body_.contains("triggerId")) return "";
  if (!body_["triggerId"].is_string() || body_["triggerId"].get<std::string>().empty())
    throw RestError(400, "triggerId must be a non-empty string");
  return body_["triggerId"].get<std::string>();
}

void acceptTrigger(RestContext& context, const RestRequest& request, RestResponse& response,
                   std::function<Result<int64_t>()> trigger, const std::string& requestId,
                   TriggeredCheckpoints::Kind kind) {
  const std::string jobId = request.pathParams.at("jobid");
  if (JobStatus s = jobOrThrow(context, request).details.status; isGloballyTerminal(s))
    throw RestError(409, "job " + jobId + " already ended (" + jobStatusName(s) + ")");
  const std::string id = context.triggers.add(jobId, std::move(trigger), requestId, kind);
  response.status = 202;
  response.body = nlohmann::json{{"request-id", id}}.dump();
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
  addSavepointRoutes(router, context);
  addJobMetricsRoutes(router, context);
  addVertexMetricsRoutes(router, context);
  addAggregatedSubtaskMetricsRoutes(router, context);
  addSubtaskMetricsRoutes(router, context);
  addPrometheusRoutes(router, context);
  addDashboardRoutes(router, context);
}

}  // namespace weir::rest
