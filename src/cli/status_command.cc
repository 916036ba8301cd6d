// `weir status <jobId>`: the job's state, times and vertices.
#include <cstdio>

#include "cli/commands.h"

namespace weir::cli {

StatusCommand::StatusCommand(CLI::App& app)
    : JobCommand(app, "status", "Show a job's state and its vertices", true) {}

int StatusCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  Result<nlohmann::json> job = rest->get("/jobs/" + jobId_);
  if (!job.isOk()) return reportError(job.status());
  if (options_.json) {
    std::printf("%s\n", job->dump(2).c_str());
    return 0;
  }
  const nlohmann::json& j = *job;
  std::printf("Job %s (%s): %s\n", j["jid"].get<std::string>().c_str(), j["name"].get<std::string>().c_str(),
              j["state"].get<std::string>().c_str());
  std::printf("  started %s, running for %s, restarts %lld\n\n", localTime(j["start-time"]).c_str(),
              humanMillis(j["duration"]).c_str(), static_cast<long long>(j["restarts"].get<int64_t>()));
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& v : j["vertices"]) {
    rows.push_back({v["name"], std::to_string(v["parallelism"].get<int>()), v["status"],
                    std::to_string(v["metrics"]["read-records"].get<uint64_t>()),
                    std::to_string(v["metrics"]["write-records"].get<uint64_t>()), v["id"]});
  }
  printTable({"VERTEX", "PARALLELISM", "STATUS", "RECORDS IN", "RECORDS OUT", "ID"}, rows);
  return 0;
}

}  // namespace weir::cli
