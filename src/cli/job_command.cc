// What the job verbs (list, status, cancel, checkpoint, checkpoints) share.
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

}  // namespace weir::cli
