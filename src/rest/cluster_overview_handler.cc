// GET /overview: the cluster at a glance; GET /config: what the dashboard needs to know.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"

namespace weir::rest {

void addClusterOverviewRoutes(Router& router, RestContext& context) {
  router.add("GET", "/overview", RouteKind::kReadOnly,
             [&context](const RestRequest&, RestResponse& response) {
               int running = 0, finished = 0, cancelled = 0, failed = 0, slots = 0;
               for (const cluster::JobDetails& d : context.dispatcher.jobs()) {
                 switch (d.status) {
                   case JobStatus::kFinished:
                     ++finished;
                     break;
                   case JobStatus::kCanceled:
                     ++cancelled;
                     break;
                   case JobStatus::kFailed:
                     ++failed;
                     break;
                   default:
                     ++running;
                     for (const cluster::VertexDetails& v : d.vertices) slots += v.parallelism;
                 }
               }
               // One process runs every task: one "task manager" whose slots are the running tasks.
               response.body = nlohmann::json{{"taskmanagers", 1},         {"slots-total", slots},
                                              {"slots-available", 0},      {"jobs-running", running},
                                              {"jobs-finished", finished}, {"jobs-cancelled", cancelled},
                                              {"jobs-failed", failed},     {"weir-version", context.version}}
                                   .dump();
             });
  router.add("GET", "/config", RouteKind::kReadOnly, [&context](const RestRequest&, RestResponse& response) {
    response.body = nlohmann::json{{"refresh-interval", 1000},
                                   {"timezone-name", "UTC"},
                                   {"timezone-offset", 0},
                                   {"weir-version", context.version},
                                   {"features", {{"web-submit", false}, {"web-cancel", true}}}}
                        .dump();
  });
}

}  // namespace weir::rest
