// `weir stop [--savepointPath dir] [--drain] <jobId>`: stop-with-savepoint (POST
// /jobs/:jobid/stop), then wait until the job ended.
#include <cstdio>

#include "cli/commands.h"

namespace weir::cli {

StopCommand::StopCommand(CLI::App& app)
    : JobCommand(app, "stop", "Stop a running job with a savepoint (it ends FINISHED)", true) {
  cmd_->add_option("-p,--savepointPath", savepointDirectory_,
                   "Where the savepoint goes (default: execution.checkpointing.savepoint-dir)");
  cmd_->add_flag("-d,--drain", drain_,
                 "End the sources' input first: the maximum watermark fires every event-time timer");
  cmd_->add_option("--type", type_,
                   "canonical (default) or native; the heap backend writes the same for both")
      ->check(CLI::IsMember({"canonical", "native"}));
  cmd_->add_option("--timeout", timeoutSeconds_, "Seconds to wait for the job to end after its savepoint")
      ->check(CLI::NonNegativeNumber);
}

int StopCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  return stopJobWithSavepoint(*rest, options_, jobId_, savepointDirectory_, drain_ ? Drain::kYes : Drain::kNo,
                              type_, timeoutSeconds_);
}

int stopJobWithSavepoint(const RestClient& rest, const JobCommandOptions& options, const std::string& jobId,
                         const std::string& savepointDirectory, Drain drain, const std::string& type,
                         int timeoutSeconds) {
  nlohmann::json body{{"drain", drain == Drain::kYes},
                      {"formatType", type == "native" ? "NATIVE" : "CANONICAL"}};
  if (!savepointDirectory.empty()) body["targetDirectory"] = savepointDirectory;
  Result<nlohmann::json> triggered = rest.post("/jobs/" + jobId + "/stop", body.dump());
  if (!triggered.isOk()) return reportError(triggered.status());
  if (!options.json) {
    std::printf("Suspending job %s%s.\n", jobId.c_str(), drain == Drain::kYes ? " after draining it" : "");
  }
  nlohmann::json answer;
  Result<std::string> location = awaitSavepoint(rest, jobId, (*triggered)["request-id"], answer);
  if (!location.isOk()) {
    if (options.json && !answer.is_null()) std::printf("%s\n", answer.dump(2).c_str());
    return reportError(location.status());
  }
  if (!options.json) std::printf("Savepoint completed. Path: %s\n", location->c_str());
  // The job ends once its tasks committed the savepoint; `weir run` exits with it.
  Result<std::string> ended = waitForJobEnd(rest, jobId, "RUNNING", timeoutSeconds);
  if (!ended.isOk()) return reportError(ended.status());
  const std::string& state = *ended;
  if (options.json) {
    std::printf("%s\n",
                nlohmann::json{{"jid", jobId}, {"state", state}, {"savepoint", *location}}.dump(2).c_str());
  } else if (state == "ENDED") {
    std::printf("Job %s ended (its `weir run` has exited).\n", jobId.c_str());
  } else {
    std::printf("Job %s is %s.\n", jobId.c_str(), state.c_str());
  }
  return state == "FINISHED" || state == "ENDED" ? 0 : 1;
}

}  // namespace weir::cli
