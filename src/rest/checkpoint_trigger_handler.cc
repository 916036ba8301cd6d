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
               TriggerBody body(request);
               // Every type is a full checkpoint with the heap backend.
               body.requireOneOf("checkpointType", {"CONFIGURED", "FULL", "INCREMENTAL"});
               cluster::Dispatcher& dispatcher = context.dispatcher;
               const std::string jobId = request.pathParams.at("jobid");
               acceptTrigger(
                   context, request, response,
                   [&dispatcher, jobId] { return dispatcher.triggerCheckpoint(jobId); }, body.triggerId());
             });
  router.add("GET", "/jobs/:jobid/checkpoints/:triggerid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               response.body =
                   triggeredOperationJson(context, request, TriggeredOperation::kCheckpoint).dump();
             });
}

}  // namespace weir::rest
