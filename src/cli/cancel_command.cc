// `weir cancel <jobId>`: asks the job to cancel and waits (up to --timeout) until it ended.
#include <cstdio>

#include "cli/commands.h"

namespace weir::cli {

CancelCommand::CancelCommand(CLI::App& app) : JobCommand(app, "cancel", "Cancel a running job", true) {
  cmd_->add_option("--timeout", timeoutSeconds_, "Seconds to wait for the job to end (0: do not wait)")
      ->check(CLI::NonNegativeNumber);
  withSavepoint_ = cmd_->add_option("-s,--withSavepoint,--with-savepoint", savepointDirectory_,
                                    "Deprecated (as in Flink): stop with a savepoint, into this directory or "
                                    "execution.checkpointing.savepoint-dir; same as `weir stop`")
                       ->expected(0, 1);
}

int CancelCommand::execute() {
  Result<RestClient> rest = client();
  if (!rest.isOk()) return reportError(rest.status());
  if (withSavepoint_->count() > 0) {
    std::fprintf(stderr, "weir: cancel --with-savepoint is deprecated; use weir stop\n");
    return stopJobWithSavepoint(*rest, options_, jobId_, savepointDirectory_, Drain::kNo, "canonical",
                                timeoutSeconds_);
  }
  Result<nlohmann::json> r = rest->patch("/jobs/" + jobId_ + "?mode=cancel");
  if (!r.isOk()) return reportError(r.status());
  if (!options_.json) std::printf("Cancelling job %s.\n", jobId_.c_str());
  Result<std::string> ended = waitForJobEnd(*rest, jobId_, "CANCELLING", timeoutSeconds_);
  if (!ended.isOk()) return reportError(ended.status());
  const std::string& state = *ended;
  if (options_.json) {
    std::printf("%s\n", nlohmann::json{{"jid", jobId_}, {"state", state}}.dump(2).c_str());
  } else if (state == "ENDED") {
    std::printf("Job %s ended (its `weir run` has exited).\n", jobId_.c_str());
  } else {
    std::printf("Job %s is %s.\n", jobId_.c_str(), state.c_str());
  }
  return state == "CANCELED" || state == "ENDED" || timeoutSeconds_ == 0 ? 0 : 1;
}

}  // namespace weir::cli
