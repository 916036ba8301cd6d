// `weir savepoint <jobId> [targetDirectory] [--type canonical|native]`: triggers a
// savepoint and waits for its path; `weir savepoint --dispose <path>`: deletes one.
#include <chrono>
#include <cstdio>
#include <thread>

#include "checkpoint/checkpoint_storage.h"
#include "cli/commands.h"

namespace weir::cli {

SavepointCommand::SavepointCommand(CLI::App& app)
    : JobCommand(app, "savepoint", "Trigger a savepoint of a running job, or dispose of one", false) {
  cmd_->add_option("jobId", jobId_, "The job's id (`weir list` shows it)");
  cmd_->add_option("targetDirectory", targetDirectory_,
                   "Where the savepoint directory goes (default: execution.checkpointing.savepoint-dir)");
  cmd_->add_option("--type", type_,
                   "canonical (default) or native; the heap backend writes the same for both")
      ->check(CLI::IsMember({"canonical", "native"}));
  cmd_->add_option("-d,--dispose", disposePath_,
                   "Delete the savepoint at this path (its directory or _metadata) and nothing else");
}

int SavepointCommand::execute() {
  if (!disposePath_.empty()) {
    if (!jobId_.empty()) return reportError(Status::invalidArgument("--dispose takes a path, not a job id"));
    return dispose();
  }
  if (jobId_.empty())
    return reportError(Status::invalidArgument("name the job: weir savepoint <jobId> [targetDirectory]"));
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  nlohmann::json body{{"formatType", type_ == "native" ? "NATIVE" : "CANONICAL"}};
  if (!targetDirectory_.empty()) body["target-directory"] = targetDirectory_;
  Result<nlohmann::json> triggered = rest->post("/jobs/" + jobId_ + "/savepoints", body.dump());
  if (!triggered.isOk()) return reportError(triggered.status());
  const std::string requestId = (*triggered)["request-id"];
  if (!options_.json) std::printf("Triggering savepoint for job %s.\n", jobId_.c_str());
  nlohmann::json answer;
  Result<std::string> location = awaitSavepoint(*rest, jobId_, requestId, answer);
  if (options_.json && !answer.is_null()) std::printf("%s\n", answer.dump(2).c_str());
  if (!location.isOk()) return reportError(location.status());
  if (!options_.json) {
    std::printf("Savepoint completed. Path: %s\n", location->c_str());
    std::printf("Resume with: weir run -s %s <job>\n", location->c_str());
  }
  return 0;
}

Result<std::string> awaitSavepoint(const RestClient& rest, const std::string& jobId,
                                   const std::string& requestId, nlohmann::json& json) {
  for (;;) {
    Result<nlohmann::json> status = rest.get("/jobs/" + jobId + "/savepoints/" + requestId);
    if (!status.isOk()) return status.status();
    json = *status;
    if (json["status"]["id"] == "COMPLETED") {
      const nlohmann::json& op = json["operation"];
      if (op.contains("failure-cause")) {
        return Status::failedPrecondition("the savepoint failed: " +
                                          op["failure-cause"]["stack-trace"].get<std::string>());
      }
      return op["location"].get<std::string>();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int SavepointCommand::dispose() {
  Result<checkpoint::DisposedSavepoint> done = checkpoint::disposeSavepoint(disposePath_);
  if (!done.isOk()) return reportError(done.status());
  if (options_.json) {
    std::printf("%s\n", nlohmann::json{{"directory", done->directory},
                                       {"files_deleted", done->filesDeleted},
                                       {"directory_removed", done->directoryRemoved},
                                       {"left_over", done->leftOver}}
                            .dump(2)
                            .c_str());
    return 0;
  }
  std::printf("Savepoint %s disposed (%d files deleted).\n", done->directory.c_str(), done->filesDeleted);
  if (!done->directoryRemoved) {
    std::printf("The directory stays: it holds %zu entries the savepoint did not write:",
                done->leftOver.size());
    for (const std::string& f : done->leftOver) std::printf(" %s", f.c_str());
    std::printf("\n");
  }
  return 0;
}

}  // namespace weir::cli
