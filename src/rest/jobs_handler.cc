// GET /jobs: ids and states; GET /jobs/overview: one line per job.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

void addJobsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs", RouteKind::kReadOnly, [&context](const RestRequest&, RestResponse& response) {
    nlohmann::json jobs = nlohmann::json::array();
    for (const cluster::JobDetails& d : context.dispatcher.jobs())
      jobs.push_back({{"id", d.jobId}, {"status", jobStatusName(d.status)}});
    response.body = nlohmann::json{{"jobs", std::move(jobs)}}.dump();
  });
  router.add("GET", "/jobs/overview", RouteKind::kReadOnly,
             [&context](const RestRequest&, RestResponse& response) {
               nlohmann::json jobs = nlohmann::json::array();
               for (const cluster::JobDetails& d : context.dispatcher.jobs())
                 jobs.push_back(jobOverviewJson(d));
               response.body = nlohmann::json{{"jobs", std::move(jobs)}}.dump();
             });
}

}  // namespace weir::rest
