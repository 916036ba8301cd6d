// What the metric handlers share: Flink's metric query parameters and answers.
//
//   ?get=a,b      the metrics to return; without it, the list of available ids
//   ?agg=min,max  which aggregates of several subtasks (min, max, avg, sum)
//   ?subtasks=0,2-3  which subtasks to aggregate (all by default)
//
// Single values are strings (`{"id": "numRestarts", "value": "2"}`), aggregates
// numbers, as in Flink. Names that do not exist are left out of the answer
// (Flink does the same, so a dashboard asking for a metric an older server
// lacks still gets the others).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cluster/job_metrics.h"
#include "rest/rest_context.h"
#include "rest/router.h"

namespace weir::rest {

// The metrics of the job named by :jobid (404 if unknown).
cluster::JobMetrics jobMetricsOrThrow(const RestContext& context, const RestRequest& request);
// The vertex named by :vertexid, by its 32-hex id (404 if the job has none such).
const cluster::VertexMetrics& vertexOrThrow(const cluster::JobMetrics& metrics, const RestRequest& request);
// `text` split at commas, empty parts dropped.
std::vector<std::string> commaList(const std::string& text);
// The `get` parameter split at commas; empty when absent.
std::vector<std::string> requestedMetrics(const RestRequest& request);
// A metric value as Flink's REST API writes it: "12", "0.25", "NaN".
std::string metricValueText(double value);
// `[{"id": name}...]` for every name, or `[{"id", "value"}...]` for the requested ones
// that `valueOf` knows (it returns false for an unknown name).
template <class ValueOf>
nlohmann::json metricValuesJson(const std::vector<std::string>& names,
                                const std::vector<std::string>& requested, ValueOf valueOf) {
  nlohmann::json out = nlohmann::json::array();
  if (requested.empty()) {
    for (const std::string& n : names) out.push_back({{"id", n}});
    return out;
  }
  for (const std::string& n : requested) {
    double v = 0;
    if (valueOf(n, v)) out.push_back({{"id", n}, {"value", metricValueText(v)}});
  }
  return out;
}

}  // namespace weir::rest
