#include "rest/metric_queries.h"

#include <fmt/format.h>

#include <cmath>

namespace weir::rest {

cluster::JobMetrics jobMetricsOrThrow(const RestContext& context, const RestRequest& request) {
  Result<cluster::JobMetrics> metrics = context.dispatcher.metrics(request.pathParams.at("jobid"));
  if (!metrics.isOk()) throw RestError(404, metrics.status().message());
  return std::move(metrics).value();
}

const cluster::VertexMetrics& vertexOrThrow(const cluster::JobMetrics& metrics, const RestRequest& request) {
  const std::string& id = request.pathParams.at("vertexid");
  for (const cluster::VertexMetrics& v : metrics.vertices) {
    if (v.id == id) return v;
  }
  throw RestError(404, "job " + metrics.jobId + " has no vertex " + id + " (GET /jobs/" + metrics.jobId +
                           " lists the vertex ids)");
}

std::vector<std::string> commaList(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

std::vector<std::string> requestedMetrics(const RestRequest& request) {
  return commaList(request.queryOr("get", ""));
}

std::string metricValueText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) return fmt::format("{}", int64_t(value));
  return fmt::format("{}", value);
}

}  // namespace weir::rest
