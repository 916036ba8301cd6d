// POST /jobs/:jobid/checkpoints: triggers a checkpoint (as soon as no other is in
// progress) and answers 202 with a request id at once; GET
// /jobs/:jobid/checkpoints/:triggerid tells how it went (IN_PROGRESS while it waits
// for its turn or runs, then COMPLETED with the checkpoint id or the failure).
#include <nlohmann/json.hpp>

#include "rest/handlers.h"

namespace weir::rest {

void addCheckpointTriggerRoutes(Router& router, RestContext& context) {
  router.add("POST", "/jobs/:jobid/checkpoints", RouteKind::kMutating,
             [&context](const RestRequest& request, RestResponse& response) {
               std::string requestId;
               if (!request.body.empty()) {
                 nlohmann::json body = nlohmann::json::parse(request.body);  // malformed: 400
                 if (!body.is_object()) throw RestError(400, "the request body must be a JSON object");
                 if (body.contains("checkpointType")) {
                   const nlohmann::json& type = body["checkpointType"];
                   if (!type.is_string() || (type != "CONFIGURED" && type != "FULL" && type != "INCREMENTAL"))
                     throw RestError(400, "checkpointType must be CONFIGURED, FULL or INCREMENTAL");
                 }
                 if (body.contains("triggerId")) {
                   if (!body["triggerId"].is_string() || body["triggerId"].get<std::string>().empty())
                     throw RestError(400, "triggerId must be a non-empty string");
                   requestId = body["triggerId"].get<std::string>();
                 }
               }
               const std::string jobId = request.pathParams.at("jobid");
               if (JobStatus s = jobOrThrow(context, request).details.status; isGloballyTerminal(s))
                 throw RestError(409, "job " + jobId + " already ended (" + jobStatusName(s) + ")");
               // The trigger waits behind a checkpoint in progress, so it runs on its own
               // thread; refusals (tasks not running yet, the job ended meanwhile) are the
               // request's outcome, reported when it is polled.
               cluster::Dispatcher& dispatcher = context.dispatcher;
               requestId = context.triggers.add(
                   jobId, [&dispatcher, jobId] { return dispatcher.triggerCheckpoint(jobId); }, requestId);
               response.status = 202;
               response.body = nlohmann::json{{"request-id", requestId}}.dump();
             });
  router.add("GET", "/jobs/:jobid/checkpoints/:triggerid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               response.body = triggeredOperationJson(context, job, request.pathParams.at("triggerid"),
                                                      TriggeredOperation::kCheckpoint)
                                   .dump();
             });
}

}  // namespace weir::rest
