// The built-in example jobs that `weir run <job>` knows, and JobRunner, which
// submits a job, shows its progress on a terminal and prints a summary.
//
// A job receives its own arguments (everything after the job name) and an
// environment already configured from -c/-D/-p; it defines the dataflow and
// calls runner.run(env, name). Thread: the CLI's main thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <weir/api/environment.h>

namespace weir::cli {

// While a job runs, JobRunner also serves the REST API on rest.address:rest.port
// (unless rest.enabled is false), so that `weir list`, `weir checkpoints` and the
// dashboard can watch and steer it.
class JobRunner {
 public:
  struct Options {
    bool progress = true;  // show the live progress line (only if stderr is a terminal)
  };
  explicit JobRunner(Options options) : options_(options) {}
  // Executes the job; returns the process exit code (0 when the job FINISHED).
  int run(StreamExecutionEnvironment& env, const std::string& jobName);

 private:
  Options options_;
};

struct BuiltinJob {
  std::string name;
  std::string description;
  // Parses `args` (the job's own options), builds the job and runs it with `runner`.
  std::function<int(const std::vector<std::string>& args, StreamExecutionEnvironment& env, JobRunner& runner)>
      main;
};

const std::vector<BuiltinJob>& builtinJobs();

}  // namespace weir::cli
