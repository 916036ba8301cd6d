// GET /jobs/:jobid/config: the job's configuration, secrets masked.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"

namespace weir::rest {

void addJobConfigRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/config", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               response.body = nlohmann::json{{"jid", job.details.jobId},
                                              {"name", job.details.name},
                                              {"execution-config", {{"user-config", job.configuration}}}}
                                   .dump();
             });
}

}  // namespace weir::rest
