// GET /jobs/:jobid/metrics[?get=...]: the job's metrics (restarts, uptime, checkpoint counts
// and the latest checkpoint's figures).
#include "rest/handlers.h"
#include "rest/metric_queries.h"

namespace weir::rest {

void addJobMetricsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/metrics", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               const cluster::JobMetrics m = jobMetricsOrThrow(context, request);
               const std::vector<cluster::MetricInfo>& infos = cluster::jobMetricInfos();
               std::vector<std::string> names;
               for (size_t i = 0; i < infos.size(); ++i)
                 if (m.job[i]) names.push_back(infos[i].name);
               auto valueOf = [&](const std::string& name, double& value) {
                 int i = cluster::metricIndex(infos, name);
                 if (i < 0 || !m.job[size_t(i)]) return false;
                 value = *m.job[size_t(i)];
                 return true;
               };
               response.body = metricValuesJson(names, requestedMetrics(request), valueOf).dump();
             });
}

}  // namespace weir::rest
