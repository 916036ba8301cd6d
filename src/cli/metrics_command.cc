// `weir metrics <jobId> [--vertex ID]`: the job's metrics, then one line per vertex
// (records in and out per second summed over its subtasks, the busiest and the
// most backpressured subtask, the fullest output pool), as the dashboard shows
// them; with --vertex (its id or its position in `weir status`), every subtask
// of that vertex. --json prints the values as the REST API gives them.
#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "cli/commands.h"

namespace weir::cli {

namespace {

// "1.2 M", "35.0 k", "12"
std::string humanCount(double n) {
  if (n >= 1e9) return fmt::format("{:.1f} G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f} M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f} k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string percent(double fraction) { return fmt::format("{:.0f} %", fraction * 100); }
std::string msPerSecond(double v) { return fmt::format("{:.0f} ms/s", v); }

// "a,b,c" of every id an id listing names.
std::string idList(const nlohmann::json& listing) {
  std::string ids;
  for (const nlohmann::json& m : listing) ids += (ids.empty() ? "" : ",") + m["id"].get<std::string>();
  return ids;
}

// {"id": ..., "value": "..."} answers as name -> number.
std::map<std::string, double> valuesByName(const nlohmann::json& answer) {
  std::map<std::string, double> out;
  for (const nlohmann::json& m : answer) out[m["id"]] = std::stod(m["value"].get<std::string>());
  return out;
}

}  // namespace

MetricsCommand::MetricsCommand(CLI::App& app)
    : JobCommand(app, "metrics", "Show a job's metrics: throughput, busy and backpressured time, checkpoints",
                 true) {
  cmd_->add_option("--vertex", vertex_,
                   "Show every subtask of this vertex (its id, or its position in weir status)");
}

int MetricsCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  const std::string job = "/jobs/" + jobId_;
  Result<nlohmann::json> details = rest->get(job);
  if (!details.isOk()) return reportError(details.status());
  Result<nlohmann::json> jobNames = rest->get(job + "/metrics");
  if (!jobNames.isOk()) return reportError(jobNames.status());
  Result<nlohmann::json> jobValues = rest->get(job + "/metrics?get=" + idList(*jobNames));
  if (!jobValues.isOk()) return reportError(jobValues.status());
  const nlohmann::json& vertices = (*details)["vertices"];

  if (!vertex_.empty()) {
    const nlohmann::json* chosen = nullptr;
    for (size_t i = 0; i < vertices.size(); ++i) {
      if (vertices[i]["id"] == vertex_ || std::to_string(i) == vertex_) chosen = &vertices[i];
    }
    if (chosen == nullptr) {
      return reportError(Status::notFound("job " + jobId_ + " has no vertex '" + vertex_ + "' (weir status " +
                                          jobId_ + " lists them)"));
    }
    const std::string path = job + "/vertices/" + (*chosen)["id"].get<std::string>() + "/metrics";
    Result<nlohmann::json> names = rest->get(path);
    if (!names.isOk()) return reportError(names.status());
    Result<nlohmann::json> values = rest->get(path + "?get=" + idList(*names));
    if (!values.isOk()) return reportError(values.status());
    if (options_.json) {
      std::printf("%s\n", values->dump(2).c_str());
      return 0;
    }
    std::map<std::string, double> v = valuesByName(*values);
    std::printf("Vertex %s (%s)\n\n", (*chosen)["name"].get<std::string>().c_str(),
                (*chosen)["id"].get<std::string>().c_str());
    std::vector<std::vector<std::string>> rows;
    for (int s = 0; s < (*chosen)["parallelism"].get<int>(); ++s) {
      auto at = [&](const char* name) { return v[std::to_string(s) + "." + name]; };
      rows.push_back({std::to_string(s), humanCount(at("numRecordsIn")), humanCount(at("numRecordsOut")),
                      humanCount(at("numRecordsInPerSecond")) + "/s",
                      humanCount(at("numRecordsOutPerSecond")) + "/s", msPerSecond(at("busyTimeMsPerSecond")),
                      msPerSecond(at("idleTimeMsPerSecond")), msPerSecond(at("backPressuredTimeMsPerSecond")),
                      percent(at("buffers.inPoolUsage")), percent(at("buffers.outPoolUsage"))});
    }
    printTable({"SUBTASK", "RECORDS IN", "RECORDS OUT", "IN", "OUT", "BUSY", "IDLE", "BACKPRESSURED",
                "IN POOL", "OUT POOL"},
               rows);
    return 0;
  }

  // Per vertex: the aggregates the overview needs.
  const std::string wanted =
      "numRecordsInPerSecond,numRecordsOutPerSecond,busyTimeMsPerSecond,idleTimeMsPerSecond,"
      "backPressuredTimeMsPerSecond,buffers.outPoolUsage,numRecordsIn,numRecordsOut";
  nlohmann::json perVertex = nlohmann::json::array();
  for (const nlohmann::json& vertex : vertices) {
    Result<nlohmann::json> agg = rest->get(job + "/vertices/" + vertex["id"].get<std::string>() +
                                           "/subtasks/metrics?get=" + wanted + "&agg=min,max,avg,sum");
    if (!agg.isOk()) return reportError(agg.status());
    nlohmann::json metrics = nlohmann::json::object();
    for (const nlohmann::json& m : *agg) {
      nlohmann::json a = m;
      a.erase("id");
      metrics[m["id"].get<std::string>()] = a;
    }
    perVertex.push_back({{"id", vertex["id"]},
                         {"name", vertex["name"]},
                         {"parallelism", vertex["parallelism"]},
                         {"metrics", metrics}});
  }
  if (options_.json) {
    nlohmann::json jobMetrics = nlohmann::json::object();
    for (const auto& [name, value] : valuesByName(*jobValues)) jobMetrics[name] = value;
    std::printf("%s\n", nlohmann::json{{"job", jobMetrics}, {"vertices", perVertex}}.dump(2).c_str());
    return 0;
  }
  std::printf("Job %s (%s): %s\n\n", jobId_.c_str(), (*details)["name"].get<std::string>().c_str(),
              (*details)["state"].get<std::string>().c_str());
  std::vector<std::vector<std::string>> jobRows;
  for (const nlohmann::json& m : *jobValues) jobRows.push_back({m["id"], m["value"]});
  printTable({"JOB METRIC", "VALUE"}, jobRows);
  std::printf("\n");
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& v : perVertex) {
    const nlohmann::json& m = v["metrics"];
    auto agg = [&](const char* name, const char* a) {
      return m.contains(name) ? m[name][a].get<double>() : 0.0;
    };
    rows.push_back({v["name"], std::to_string(v["parallelism"].get<int>()),
                    humanCount(agg("numRecordsInPerSecond", "sum")) + "/s",
                    humanCount(agg("numRecordsOutPerSecond", "sum")) + "/s",
                    msPerSecond(agg("busyTimeMsPerSecond", "max")),
                    msPerSecond(agg("backPressuredTimeMsPerSecond", "max")),
                    msPerSecond(agg("idleTimeMsPerSecond", "avg")),
                    percent(agg("buffers.outPoolUsage", "max"))});
  }
  printTable({"VERTEX", "PARALLELISM", "RECORDS IN", "RECORDS OUT", "BUSY (MAX)", "BACKPRESSURED (MAX)",
              "IDLE (AVG)", "OUT POOL (MAX)"},
             rows);
  return 0;
}

}  // namespace weir::cli
