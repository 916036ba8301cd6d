// GET /jobs/:jobid: state, times, vertices with parallelism, status and records in and out.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

void addJobDetailsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               response.body = jobDetailsJson(jobOrThrow(context, request).details).dump();
             });
}

}  // namespace weir::rest
