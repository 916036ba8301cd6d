// The REST API's handlers, one file each (docs/rest-api.md lists the routes).
// Each function adds its routes to the router; handlers read the cluster
// through the context and throw RestError for what the user got wrong.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rest/rest_context.h"
#include "rest/router.h"

namespace weir::rest {

void addClusterOverviewRoutes(Router& router, RestContext& context);   // GET /overview, /config
void addJobsRoutes(Router& router, RestContext& context);              // GET /jobs, /jobs/overview
void addJobDetailsRoutes(Router& router, RestContext& context);        // GET /jobs/:jobid
void addJobCancelRoutes(Router& router, RestContext& context);         // PATCH /jobs/:jobid?mode=cancel
void addJobExceptionsRoutes(Router& router, RestContext& context);     // GET /jobs/:jobid/exceptions
void addJobConfigRoutes(Router& router, RestContext& context);         // GET /jobs/:jobid/config
void addCheckpointStatsRoutes(Router& router, RestContext& context);   // GET /jobs/:jobid/checkpoints
void addCheckpointConfigRoutes(Router& router, RestContext& context);  // GET .../checkpoints/config
void addCheckpointDetailsRoutes(Router& router,
                                RestContext& context);  // GET .../checkpoints/details/:id[...]
void addCheckpointTriggerRoutes(Router& router,
                                RestContext& context);  // POST .../checkpoints, GET .../:triggerid
void addSavepointRoutes(
    Router& router,
    RestContext& context);  // POST .../savepoints, .../stop, GET .../savepoints/:triggerid

void addJobMetricsRoutes(Router& router, RestContext& context);     // GET /jobs/:jobid/metrics
void addVertexMetricsRoutes(Router& router, RestContext& context);  // GET .../vertices/:vertexid/metrics
void addAggregatedSubtaskMetricsRoutes(Router& router,
                                       RestContext& context);  // GET .../vertices/:vertexid/subtasks/metrics
void addSubtaskMetricsRoutes(Router& router,
                             RestContext& context);              // GET .../subtasks/:subtaskindex/metrics
void addPrometheusRoutes(Router& router, RestContext& context);  // GET /metrics
void addDashboardRoutes(Router& router, RestContext& context);   // GET /, /web/:file

// Every route above.
void addAllRoutes(Router& router, RestContext& context);

// Shared by the handlers: the job named by the path's :jobid (404 if unknown).
cluster::ArchivedJob jobOrThrow(const RestContext& context, const RestRequest& request);
// 404 with a hint when the job does not checkpoint.
void requireCheckpointing(const cluster::ArchivedJob& job);
// The Prometheus text exposition of `jobs` (what GET /metrics answers).
std::string prometheusText(const std::vector<cluster::JobMetrics>& jobs);
// What GET .../checkpoints/:triggerid and GET .../savepoints/:triggerid answer for the
// request's job and trigger (404 if either is unknown): {"status": {"id":
// IN_PROGRESS|COMPLETED}}, and once completed "operation" with the checkpoint id or the
// savepoint's location, or the failure cause. The job's statistics are read after the
// trigger has its checkpoint id, so they always know that checkpoint.
enum class TriggeredOperation { kCheckpoint, kSavepoint };
nlohmann::json triggeredOperationJson(const RestContext& context, const RestRequest& request,
                                      TriggeredOperation operation);
// The body of a trigger request (POST .../checkpoints, .../savepoints, .../stop): an
// empty body is {}, anything but a JSON object is 400, and each reader throws 400
// naming the field when its value has the wrong type.
class TriggerBody {
 public:
  explicit TriggerBody(const RestRequest& request);
  std::string optionalString(const std::string& field) const;  // "" when absent or null
  bool optionalBool(const std::string& field) const;           // false when absent
  // When present, the field must be one of `values`.
  void requireOneOf(const std::string& field, const std::vector<std::string>& values) const;
  // "triggerId": a client-chosen request id (non-empty), or "" for a new one.
  std::string triggerId() const;

 private:
  nlohmann::json body_;
};
// Starts `trigger` on its own thread (it may wait for a checkpoint slot; refusals are the
// request's outcome, reported when polled) and answers 202 {"request-id"}; 409 when the
// job already ended.
void acceptTrigger(RestContext& context, const RestRequest& request, RestResponse& response,
                   std::function<Result<int64_t>()> trigger, const std::string& requestId,
                   TriggeredCheckpoints::Kind kind = TriggeredCheckpoints::Kind::kOther);
// A path parameter parsed as a non-negative integer (400 otherwise).
int64_t integerParam(const RestRequest& request, const std::string& name);

}  // namespace weir::rest
