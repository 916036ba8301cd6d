#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include <weir/core/options.h>

#include "cli/commands.h"
#include "cli/job_registry.h"

namespace weir::cli {

RunCommand::RunCommand(CLI::App& app) {
  cmd_ = app.add_subcommand("run", "Run a built-in job on an embedded local cluster");
  cmd_->add_option("job", job_, "The job to run (see --list)");
  cmd_->add_flag("--list", list_, "List the built-in jobs");
  cmd_->add_option("-p,--parallelism", parallelism_, "Default parallelism of the job's operators")
      ->check(CLI::PositiveNumber);
  cmd_->add_option("-c,--config", configFile_, "YAML configuration file (Flink key names)")
      ->check(CLI::ExistingFile);
  cmd_->add_option("-D", dynamicProperties_, "Set a configuration value: -D key=value (repeatable)")
      ->allow_extra_args(false);
  cmd_->add_flag("--no-progress", noProgress_, "Do not show the live progress line");
  cmd_->add_option("-s,--fromSavepoint", restorePath_,
                   "Start from a retained checkpoint: its chk-N directory or _metadata file");
  cmd_->add_flag("-n,--allow-non-restored-state", allowNonRestoredState_,
                 "Start even if the checkpoint has state for operators the job no longer has");
  cmd_->add_option("--claim-mode,--claimMode", claimMode_,
                   "Who owns the snapshot of -s: no_claim (you; the default: the job never deletes it) or "
                   "claim (the job: deleted once subsumed, like its own checkpoints)");
  // Everything after the job name belongs to the job: `weir run wordcount --help` is the job's help.
  cmd_->prefix_command();
}

int RunCommand::execute() {
  if (list_ || job_.empty()) {
    std::printf("Built-in jobs (weir run <job> --help for a job's options):\n");
    for (const BuiltinJob& j : builtinJobs())
      std::printf("  %-12s %s\n", j.name.c_str(), j.description.c_str());
    return job_.empty() && !list_ ? 2 : 0;
  }
  const BuiltinJob* job = nullptr;
  for (const BuiltinJob& j : builtinJobs())
    if (j.name == job_) job = &j;
  if (job == nullptr) {
    std::fprintf(stderr, "weir: unknown job '%s'; `weir run --list` shows the built-in jobs\n", job_.c_str());
    return 2;
  }

  Result<StreamExecutionEnvironment> created =
      StreamExecutionEnvironment::fromConfiguration(configFile_, dynamicProperties_);
  if (!created.isOk()) {
    std::fprintf(stderr, "weir: %s\n", created.status().message().c_str());
    return 2;
  }
  StreamExecutionEnvironment env = std::move(created).value();
  if (parallelism_ > 0) env.setParallelism(parallelism_);
  if (!restorePath_.empty()) env.configuration().set(options::kStateRecoveryPath.key, restorePath_);
  if (allowNonRestoredState_) env.configuration().set(options::kIgnoreUnclaimedState.key, "true");
  if (!claimMode_.empty()) {
    if (restorePath_.empty() && !env.configuration().get(options::kStateRecoveryPath)) {
      std::fprintf(stderr, "weir: --claim-mode needs a snapshot to start from (-s <path>)\n");
      return 2;
    }
    env.configuration().set(options::kStateRecoveryClaimMode.key, claimMode_);
  }

  spdlog::set_level(spdlog::level::warn);
  try {
    env.parallelism();  // validates parallelism.default early, with a clear message
    JobRunner runner(JobRunner::Options{!noProgress_});
    return job->main(cmd_->remaining(), env, runner);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "weir: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weir: %s\n", e.what());
    return 1;
  }
}

}  // namespace weir::cli
