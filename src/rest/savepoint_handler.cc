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
               TriggerBody body(request);
               const std::string targetDirectory = body.optionalString("target-directory");
               // The heap backend writes the same, backend-independent format for both.
               body.requireOneOf("formatType", {"CANONICAL", "NATIVE"});
               if (body.optionalBool("cancel-job"))
                 throw RestError(400, "cancel-job: use POST /jobs/:jobid/stop (stop with a savepoint)");
               cluster::Dispatcher& dispatcher = context.dispatcher;
               const std::string jobId = request.pathParams.at("jobid");
               acceptTrigger(
                   context, request, response,
                   [&dispatcher, jobId, targetDirectory] {
                     return dispatcher.triggerSavepoint(jobId, targetDirectory);
                   },
                   body.triggerId());
             });
  router.add("POST", "/jobs/:jobid/stop", RouteKind::kMutating,
             [&context](const RestRequest& request, RestResponse& response) {
               TriggerBody body(request);
               const std::string targetDirectory = body.optionalString("targetDirectory");
               const cluster::StopMode mode =
                   body.optionalBool("drain") ? cluster::StopMode::kDrain : cluster::StopMode::kSuspend;
               body.requireOneOf("formatType", {"CANONICAL", "NATIVE"});
               cluster::Dispatcher& dispatcher = context.dispatcher;
               const std::string jobId = request.pathParams.at("jobid");
               acceptTrigger(
                   context, request, response,
                   [&dispatcher, jobId, targetDirectory, mode] {
                     return dispatcher.stopWithSavepoint(jobId, targetDirectory, mode);
                   },
                   body.triggerId(), TriggeredCheckpoints::Kind::kEndsJob);
             });
  router.add("GET", "/jobs/:jobid/savepoints/:triggerid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               response.body =
                   triggeredOperationJson(context, request, TriggeredOperation::kSavepoint).dump();
             });
}

}  // namespace weir::rest
