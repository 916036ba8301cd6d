// GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics[?get=...]: one
// subtask's metrics.
#include "rest/handlers.h"
#include "rest/metric_queries.h"

namespace weir::rest {

void addSubtaskMetricsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               const cluster::JobMetrics m = jobMetricsOrThrow(context, request);
               const cluster::VertexMetrics& v = vertexOrThrow(m, request);
               const int64_t subtask = integerParam(request, "subtaskindex");
               if (subtask >= int64_t(v.subtasks.size())) {
                 throw RestError(404, "vertex " + v.id + " (" + v.name + ") has " +
                                          std::to_string(v.subtasks.size()) + " subtasks, no subtask " +
                                          std::to_string(subtask));
               }
               const std::vector<cluster::MetricInfo>& infos = cluster::subtaskMetricInfos();
               std::vector<std::string> names;
               for (const cluster::MetricInfo& info : infos) names.push_back(info.name);
               auto valueOf = [&](const std::string& name, double& value) {
                 int i = cluster::metricIndex(infos, name);
                 if (i < 0) return false;
                 value = v.subtasks[size_t(subtask)][size_t(i)];
                 return true;
               };
               response.body = metricValuesJson(names, requestedMetrics(request), valueOf).dump();
             });
}

}  // namespace weir::rest
