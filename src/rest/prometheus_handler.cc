// GET /metrics: every running job's metrics in the Prometheus text format (0.0.4),
// for a Prometheus server to scrape.
//
// Names: weir_jobmanager_numRunningJobs, weir_job_<metric> with labels job_id and
// job_name, weir_task_<metric> with job_id, job_name, task_id (the vertex id),
// task_name and subtask_index; a '.' in a metric name becomes '_'
// (buffers.inPoolUsage -> weir_task_buffers_inPoolUsage). Ended jobs are not
// exported (as Flink's reporters drop a job's metrics when it ends).
#include <fmt/format.h>

#include <cmath>

#include "rest/handlers.h"
#include "rest/metric_queries.h"

namespace weir::rest {

namespace {

// A label value with backslash, double quote and newline escaped, as the format requires.
std::string labelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string sampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return metricValueText(v);
}

std::string familyName(const std::string& scope, const char* metric) {
  std::string name = "weir_" + scope + "_" + metric;
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

void header(std::string& out, const std::string& name, const cluster::MetricInfo& info) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, info.help, name,
                 info.type == cluster::MetricType::kCounter ? "counter" : "gauge");
}

}  // namespace

std::string prometheusText(const std::vector<cluster::JobMetrics>& jobs) {
  std::string out;
  out += "# HELP weir_jobmanager_numRunningJobs Jobs the cluster runs now.\n";
  out += "# TYPE weir_jobmanager_numRunningJobs gauge\n";
  out += fmt::format("weir_jobmanager_numRunningJobs {}\n", jobs.size());
  const std::vector<cluster::MetricInfo>& jobInfos = cluster::jobMetricInfos();
  for (size_t i = 0; i < jobInfos.size(); ++i) {
    const std::string name = familyName("job", jobInfos[i].name);
    bool any = false;
    for (const cluster::JobMetrics& j : jobs) {
      if (!j.job[i]) continue;
      if (!any) header(out, name, jobInfos[i]);
      any = true;
      fmt::format_to(std::back_inserter(out), "{}{{job_id=\"{}\",job_name=\"{}\"}} {}\n", name,
                     labelValue(j.jobId), labelValue(j.jobName), sampleValue(*j.job[i]));
    }
  }
  const std::vector<cluster::MetricInfo>& taskInfos = cluster::subtaskMetricInfos();
  for (size_t i = 0; i < taskInfos.size(); ++i) {
    const std::string name = familyName("task", taskInfos[i].name);
    bool any = false;
    for (const cluster::JobMetrics& j : jobs) {
      const std::string jobLabels =
          "job_id=\"" + labelValue(j.jobId) + "\",job_name=\"" + labelValue(j.jobName) + "\"";
      for (const cluster::VertexMetrics& v : j.vertices) {
        for (size_t s = 0; s < v.subtasks.size(); ++s) {
          if (!any) header(out, name, taskInfos[i]);
          any = true;
          fmt::format_to(std::back_inserter(out),
                         "{}{{{},task_id=\"{}\",task_name=\"{}\",subtask_index=\"{}\"}} {}\n", name,
                         jobLabels, v.id, labelValue(v.name), s, sampleValue(v.subtasks[s][i]));
        }
      }
    }
  }
  return out;
}

void addPrometheusRoutes(Router& router, RestContext& context) {
  router.add("GET", "/metrics", RouteKind::kReadOnly, [&context](const RestRequest&, RestResponse& response) {
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    response.body = prometheusText(context.dispatcher.runningJobMetrics());
  });
}

}  // namespace weir::rest
