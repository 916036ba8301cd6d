// PATCH /jobs/:jobid?mode=cancel: cancels the job (202; poll GET /jobs/:jobid for CANCELED).
#include "rest/handlers.h"

namespace weir::rest {

void addJobCancelRoutes(Router& router, RestContext& context) {
  router.add(
      "PATCH", "/jobs/:jobid", RouteKind::kMutating,
      [&context](const RestRequest& request, RestResponse& response) {
        const std::string mode = request.queryOr("mode", "cancel");
        if (mode != "cancel") {
          throw RestError(
              400,
              "mode '" + mode +
                  "' is not supported; use mode=cancel, or POST /jobs/:jobid/stop to stop with a savepoint");
        }
        Status s = context.dispatcher.cancel(request.pathParams.at("jobid"));
        if (s.code() == StatusCode::kNotFound) throw RestError(404, s.message());
        if (!s.isOk()) throw RestError(409, s.message());
        response.status = 202;
        response.body = "{}";
      });
}

}  // namespace weir::rest
