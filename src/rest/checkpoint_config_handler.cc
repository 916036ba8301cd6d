// GET /jobs/:jobid/checkpoints/config: how the job checkpoints.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

void addCheckpointConfigRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/checkpoints/config", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               requireCheckpointing(job);
               response.body = checkpointConfigJson(*job.checkpointConfig).dump();
             });
}

}  // namespace weir::rest
