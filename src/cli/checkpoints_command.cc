// `weir checkpoints <jobId>`: the job's checkpoint counts, summary and history.
#include <cstdio>

#include "cli/commands.h"

namespace weir::cli {

CheckpointsCommand::CheckpointsCommand(CLI::App& app)
    : JobCommand(app, "checkpoints", "Show a job's checkpoints: counts, summary and history", true) {}

int CheckpointsCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  Result<nlohmann::json> stats = rest->get("/jobs/" + jobId_ + "/checkpoints");
  if (!stats.isOk()) return reportError(stats.status());
  if (options_.json) {
    std::printf("%s\n", stats->dump(2).c_str());
    return 0;
  }
  const nlohmann::json& s = *stats;
  const nlohmann::json& c = s["counts"];
  std::printf(
      "Checkpoints of job %s: %lld triggered, %lld completed, %lld failed, %lld in progress, %lld "
      "restored\n\n",
      jobId_.c_str(), static_cast<long long>(c["total"].get<int64_t>()),
      static_cast<long long>(c["completed"].get<int64_t>()),
      static_cast<long long>(c["failed"].get<int64_t>()),
      static_cast<long long>(c["in_progress"].get<int64_t>()),
      static_cast<long long>(c["restored"].get<int64_t>()));
  if (c["completed"].get<int64_t>() > 0) {
    auto duration = [](const nlohmann::json& v) { return humanMillis(int64_t(v.get<double>())); };
    auto bytes = [](const nlohmann::json& v) { return humanBytes(v.get<double>()); };
    const nlohmann::json& e2e = s["summary"]["end_to_end_duration"];
    const nlohmann::json& size = s["summary"]["state_size"];
    printTable({"SUMMARY", "MIN", "AVG", "P50", "P99", "MAX"},
               {{"duration", duration(e2e["min"]), duration(e2e["avg"]), duration(e2e["p50"]),
                 duration(e2e["p99"]), duration(e2e["max"])},
                {"state size", bytes(size["min"]), bytes(size["avg"]), bytes(size["p50"]), bytes(size["p99"]),
                 bytes(size["max"])}});
    std::printf("\n");
  }
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& h : s["history"]) {
    rows.push_back({std::to_string(h["id"].get<int64_t>()), h["status"], localTime(h["trigger_timestamp"]),
                    humanMillis(h["end_to_end_duration"]), humanBytes(h["state_size"].get<double>()),
                    std::to_string(h["num_acknowledged_subtasks"].get<int>()) + "/" +
                        std::to_string(h["num_subtasks"].get<int>())});
  }
  if (!rows.empty())
    printTable({"ID", "STATUS", "TRIGGERED", "DURATION", "STATE SIZE", "ACKNOWLEDGED"}, rows);
  const nlohmann::json& latest = s["latest"];
  if (latest["completed"].is_object())
    std::printf("\nLatest completed: %s\n", latest["completed"]["external_path"].get<std::string>().c_str());
  if (latest["failed"].is_object()) {
    std::printf("Latest failed: %lld: %s\n", static_cast<long long>(latest["failed"]["id"].get<int64_t>()),
                latest["failed"]["failure_message"].get<std::string>().c_str());
  }
  if (latest["restored"].is_object()) {
    std::printf("Restored from: %lld (%s)\n", static_cast<long long>(latest["restored"]["id"].get<int64_t>()),
                latest["restored"]["external_path"].get<std::string>().c_str());
  }
  return 0;
}

}  // namespace weir::cli
