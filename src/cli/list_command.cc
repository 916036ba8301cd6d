// `weir list`: the jobs of a running `weir run`, as a table or JSON.
#include <cstdio>

#include "cli/commands.h"

namespace weir::cli {

ListCommand::ListCommand(CLI::App& app)
    : JobCommand(app, "list", "List the jobs of a running cluster", false) {}

int ListCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  Result<nlohmann::json> overview = rest->get("/jobs/overview");
  if (!overview.isOk()) return reportError(overview.status());
  if (options_.json) {
    std::printf("%s\n", overview->dump(2).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& j : (*overview)["jobs"]) {
    rows.push_back({j["jid"], j["name"], j["state"], localTime(j["start-time"]), humanMillis(j["duration"]),
                    std::to_string(j["tasks"]["RUNNING"].get<int>()) + "/" +
                        std::to_string(j["tasks"]["total"].get<int>())});
  }
  if (rows.empty()) {
    std::printf("No jobs.\n");
    return 0;
  }
  printTable({"JOB ID", "NAME", "STATE", "STARTED", "DURATION", "TASKS RUNNING"}, rows);
  return 0;
}

}  // namespace weir::cli
