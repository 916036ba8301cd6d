// GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics[?get=...&agg=min,max,avg,sum&subtasks=0,2-3]:
// metrics aggregated over a vertex's subtasks (Flink's AggregatingSubtasksMetricsHandler).
#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "rest/handlers.h"
#include "rest/metric_queries.h"

namespace weir::rest {

namespace {

const std::vector<std::string> kAggregates = {"min", "max", "avg", "sum"};

int parseIndex(const std::string& text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    throw RestError(400, "subtasks must list indexes and ranges such as 0,2-3, not '" + text + "'");
  }
  return value;
}

// The subtasks to aggregate: all, or those `subtasks=` names (ones the vertex lacks are ignored).
std::vector<size_t> selectedSubtasks(const RestRequest& request, size_t parallelism) {
  const std::string text = request.queryOr("subtasks", "");
  std::vector<size_t> all;
  if (text.empty()) {
    for (size_t s = 0; s < parallelism; ++s) all.push_back(s);
    return all;
  }
  std::set<size_t> chosen;
  for (const std::string& part : commaList(text)) {
    size_t dash = part.find('-');
    int from = parseIndex(part.substr(0, dash));
    int to = dash == std::string::npos ? from : parseIndex(part.substr(dash + 1));
    for (int s = from; s <= to && size_t(s) < parallelism; ++s) chosen.insert(size_t(s));
  }
  return {chosen.begin(), chosen.end()};
}

}  // namespace

void addAggregatedSubtaskMetricsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/vertices/:vertexid/subtasks/metrics", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               const cluster::JobMetrics m = jobMetricsOrThrow(context, request);
               const cluster::VertexMetrics& v = vertexOrThrow(m, request);
               const std::vector<cluster::MetricInfo>& infos = cluster::subtaskMetricInfos();
               std::vector<std::string> aggregates = commaList(request.queryOr("agg", ""));
               if (aggregates.empty()) aggregates = kAggregates;
               for (const std::string& a : aggregates) {
                 if (std::find(kAggregates.begin(), kAggregates.end(), a) == kAggregates.end())
                   throw RestError(400, "agg must list some of min, max, avg, sum, not '" + a + "'");
               }
               const std::vector<size_t> subtasks = selectedSubtasks(request, v.subtasks.size());
               const std::vector<std::string> requested = requestedMetrics(request);
               nlohmann::json out = nlohmann::json::array();
               if (requested.empty()) {
                 for (const cluster::MetricInfo& info : infos) out.push_back({{"id", info.name}});
               }
               for (const std::string& name : requested) {
                 int i = cluster::metricIndex(infos, name);
                 if (i < 0 || subtasks.empty()) continue;
                 double min = std::numeric_limits<double>::infinity(), max = -min, sum = 0;
                 for (size_t s : subtasks) {
                   double x = v.subtasks[s][size_t(i)];
                   min = std::min(min, x);
                   max = std::max(max, x);
                   sum += x;
                 }
                 nlohmann::json entry = {{"id", name}};
                 for (const std::string& a : aggregates) {
                   if (a == "min") entry["min"] = min;
                   if (a == "max") entry["max"] = max;
                   if (a == "avg") entry["avg"] = sum / double(subtasks.size());
                   if (a == "sum") entry["sum"] = sum;
                 }
                 out.push_back(std::move(entry));
               }
               response.body = out.dump();
             });
}

}  // namespace weir::rest
