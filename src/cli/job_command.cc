// What the job verbs (list, status, cancel, checkpoint, checkpoints) share.
#include <chrono>
#include <thread>

#include "cli/commands.h"

namespace weir::cli {

JobCommand::JobCommand(CLI::App& app, const std::string& name, const std::string& description,
                       bool needsJobId) {
  cmd_ = app.add_subcommand(name, description);
  if (needsJobId) cmd_->add_option("jobId", jobId_, "The job's id (`weir list` shows it)")->required();
  options_.addTo(*cmd_);
}

Result<RestClient> JobCommand::client() const {
  Result<JobManagerAddress> address = options_.address();
  if (!address.isOk()) return address.status();
  return RestClient(std::move(address).value());
}

Result<std::string> waitForJobEnd(const RestClient& rest, const std::string& jobId, std::string state,
                                  int timeoutSeconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  while (std::chrono::steady_clock::now() < until) {
    Result<nlohmann::json> job = rest.get("/jobs/" + jobId);
    if (!job.isOk()) {
      if (job.status().code() != StatusCode::kIOError) return job.status();
      return std::string("ENDED");
    }
    state = (*job)["state"];
    if (state == "CANCELED" || state == "FAILED" || state == "FINISHED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return state;
}

}  // namespace weir::cli
