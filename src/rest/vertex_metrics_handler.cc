// GET /jobs/:jobid/vertices/:vertexid/metrics[?get=...]: every subtask's metrics of one
// vertex, named "<subtask index>.<metric>" as in Flink ("0.numRecordsIn").
#include <charconv>

#include "rest/handlers.h"
#include "rest/metric_queries.h"

namespace weir::rest {

void addVertexMetricsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/vertices/:vertexid/metrics", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               const cluster::JobMetrics m = jobMetricsOrThrow(context, request);
               const cluster::VertexMetrics& v = vertexOrThrow(m, request);
               const std::vector<cluster::MetricInfo>& infos = cluster::subtaskMetricInfos();
               std::vector<std::string> names;
               for (size_t s = 0; s < v.subtasks.size(); ++s)
                 for (const cluster::MetricInfo& info : infos)
                   names.push_back(std::to_string(s) + "." + info.name);
               auto valueOf = [&](const std::string& name, double& value) {
                 size_t dot = name.find('.');
                 if (dot == std::string::npos) return false;
                 size_t subtask = 0;
                 auto [end, ec] = std::from_chars(name.data(), name.data() + dot, subtask);
                 if (ec != std::errc() || end != name.data() + dot || subtask >= v.subtasks.size())
                   return false;
                 int i = cluster::metricIndex(infos, std::string_view(name).substr(dot + 1));
                 if (i < 0) return false;
                 value = v.subtasks[subtask][size_t(i)];
                 return true;
               };
               response.body = metricValuesJson(names, requestedMetrics(request), valueOf).dump();
             });
}

}  // namespace weir::rest
