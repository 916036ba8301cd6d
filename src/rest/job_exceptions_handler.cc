// GET /jobs/:jobid/exceptions: the root cause of a failed job and the history of failures.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

void addJobExceptionsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/exceptions", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               response.body = jobExceptionsJson(jobOrThrow(context, request).exceptions).dump();
             });
}

}  // namespace weir::rest
