// `weir checkpoint <jobId>`: triggers a checkpoint now and waits for its outcome.
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.h"

namespace weir::cli {

CheckpointCommand::CheckpointCommand(CLI::App& app)
    : JobCommand(app, "checkpoint", "Trigger a checkpoint of a running job and wait for it", true) {}

int CheckpointCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  Result<nlohmann::json> triggered = rest->post("/jobs/" + jobId_ + "/checkpoints");
  if (!triggered.isOk()) return reportError(triggered.status());
  const std::string requestId = (*triggered)["request-id"];
  for (;;) {
    Result<nlohmann::json> status = rest->get("/jobs/" + jobId_ + "/checkpoints/" + requestId);
    if (!status.isOk()) return reportError(status.status());
    if ((*status)["status"]["id"] == "COMPLETED") {
      const nlohmann::json& op = (*status)["operation"];
      if (op.contains("failure-cause")) {
        if (options_.json) std::printf("%s\n", status->dump(2).c_str());
        std::fprintf(stderr, "weir: the checkpoint failed: %s\n",
                     op["failure-cause"]["stack-trace"].get<std::string>().c_str());
        return 1;
      }
      const int64_t id = op["checkpointId"];
      Result<nlohmann::json> details =
          rest->get("/jobs/" + jobId_ + "/checkpoints/details/" + std::to_string(id));
      if (options_.json) {
        std::printf("%s\n", (details.isOk() ? *details : *status).dump(2).c_str());
      } else if (details.isOk()) {
        std::printf("Checkpoint %lld completed in %s (%s): %s\n", static_cast<long long>(id),
                    humanMillis((*details)["end_to_end_duration"]).c_str(),
                    humanBytes((*details)["state_size"].get<double>()).c_str(),
                    (*details)["external_path"].get<std::string>().c_str());
      } else {
        std::printf("Checkpoint %lld completed.\n", static_cast<long long>(id));
      }
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace weir::cli
