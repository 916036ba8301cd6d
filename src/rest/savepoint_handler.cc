// POST /jobs/:jobid/savepoints: triggers a savepoint (Flink's request body:
// "target-directory", "formatType", "triggerId", "cancel-job") and answers 202 with a
// request id at once; GET /jobs/:jobid/savepoints/:triggerid tells how it went
// (IN_PROGRESS, then COMPLETED with the savepoint's "location" or the failure).
// POST /jobs/:jobid/stop: stop-with-savepoint ("targetDirectory", "drain", "formatType",
// "triggerId"); its outcome is polled the same way, and the job then ends FINISHED.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"

namespace weir::rest {

void addSavepointRoutes(Router& router, RestContext& context) {
  router.add("POST", "/jobs/:jobid/savepoints", RouteKind::kMutating,
             [&context](const RestRequest& request, RestResponse& response) {
               std::string requestId;
               std::string targetDirectory;
               if (!request.body.empty()) {
                 nlohmann::json body = nlohmann::json::parse(request.body);  // malformed: 400
                 if (!body.is_object()) throw RestError(400, "the request body must be a JSON object");
                 if (body.contains("target-directory") && !body["target-directory"].is_null()) {
                   if (!body["target-directory"].is_string())
                     throw RestError(400, "target-directory must be a string");
                   targetDirectory = body["target-directory"].get<std::string>();
                 }
                 if (body.contains("formatType")) {
                   // The heap backend writes the same, backend-independent format for both.
                   const nlohmann::json& type = body["formatType"];
                   if (!type.is_string() || (type != "CANONICAL" && type != "NATIVE"))
                     throw RestError(400, "formatType must be CANONICAL or NATIVE");
                 }
                 if (body.contains("cancel-job")) {
                   if (!body["cancel-job"].is_boolean())
                     throw RestError(400, "cancel-job must be true or false");
                   if (body["cancel-job"].get<bool>())
                     throw RestError(400, "cancel-job: use POST /jobs/:jobid/stop (stop with a savepoint)");
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
               // As for checkpoints: the trigger waits for a free slot on its own thread, and
               // refusals (no directory, checkpointing off) are the request's outcome.
               cluster::Dispatcher& dispatcher = context.dispatcher;
               requestId = context.triggers.add(
                   jobId,
                   [&dispatcher, jobId, targetDirectory] {
                     return dispatcher.triggerSavepoint(jobId, targetDirectory);
                   },
                   requestId);
               response.status = 202;
               response.body = nlohmann::json{{"request-id", requestId}}.dump();
             });
  router.add("POST", "/jobs/:jobid/stop", RouteKind::kMutating,
             [&context](const RestRequest& request, RestResponse& response) {
               std::string requestId;
               std::string targetDirectory;
               cluster::StopMode mode = cluster::StopMode::kSuspend;
               if (!request.body.empty()) {
                 nlohmann::json body = nlohmann::json::parse(request.body);  // malformed: 400
                 if (!body.is_object()) throw RestError(400, "the request body must be a JSON object");
                 if (body.contains("targetDirectory") && !body["targetDirectory"].is_null()) {
                   if (!body["targetDirectory"].is_string())
                     throw RestError(400, "targetDirectory must be a string");
                   targetDirectory = body["targetDirectory"].get<std::string>();
                 }
                 if (body.contains("drain")) {
                   if (!body["drain"].is_boolean()) throw RestError(400, "drain must be true or false");
                   if (body["drain"].get<bool>()) mode = cluster::StopMode::kDrain;
                 }
                 if (body.contains("formatType")) {
                   const nlohmann::json& type = body["formatType"];
                   if (!type.is_string() || (type != "CANONICAL" && type != "NATIVE"))
                     throw RestError(400, "formatType must be CANONICAL or NATIVE");
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
               cluster::Dispatcher& dispatcher = context.dispatcher;
               requestId = context.triggers.add(
                   jobId,
                   [&dispatcher, jobId, targetDirectory, mode] {
                     return dispatcher.stopWithSavepoint(jobId, targetDirectory, mode);
                   },
                   requestId, TriggeredCheckpoints::Kind::kEndsJob);
               response.status = 202;
               response.body = nlohmann::json{{"request-id", requestId}}.dump();
             });
  router.add("GET", "/jobs/:jobid/savepoints/:triggerid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               response.body = triggeredOperationJson(context, job, request.pathParams.at("triggerid"),
                                                      TriggeredOperation::kSavepoint)
                                   .dump();
             });
}

}  // namespace weir::rest
