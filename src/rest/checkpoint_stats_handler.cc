// GET /jobs/:jobid/checkpoints: counts, summary, latest and history of the job's checkpoints.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

void addCheckpointStatsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/checkpoints", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               requireCheckpointing(job);
               response.body = checkpointStatsJson(*job.checkpoints, job.details).dump();
             });
}

}  // namespace weir::rest
