// CLI verbs. Each verb registers its options on the main CLI11 app in its
// constructor and runs in execute(). One verb per file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include <weir/connectors/nexmark/nexmark_source.h>

#include "cli/rest_client.h"

namespace weir::cli {

// weir run <job> [-p N] [-c FILE] [-D key=value]... [job options]
class RunCommand {
 public:
  explicit RunCommand(CLI::App& app);
  bool selected() const { return cmd_->parsed(); }
  int execute();

 private:
  CLI::App* cmd_;
  std::string job_;
  int parallelism_ = 0;
  std::string configFile_;
  std::vector<std::string> dynamicProperties_;
  bool list_ = false;
  bool noProgress_ = false;
  std::string restorePath_;
  bool allowNonRestoredState_ = false;
  std::string claimMode_;
};

// weir nexmark-export --events N --dir DIR [--rate R] [--seed S] [--base-time MS]
class NexmarkExportCommand {
 public:
  explicit NexmarkExportCommand(CLI::App& app);
  bool selected() const { return cmd_->parsed(); }
  int execute();

 private:
  CLI::App* cmd_;
  std::string dir_;
  nexmark::NexmarkSourceOptions options_;  // the stream's parameters (splits and throttle unused)
};

// weir inspect <path> [--verify] [--json]: what a checkpoint or savepoint holds.
class InspectCommand {
 public:
  explicit InspectCommand(CLI::App& app);
  bool selected() const { return cmd_->parsed(); }
  int execute();

 private:
  CLI::App* cmd_;
  std::string path_;
  bool verify_ = false;
  bool json_ = false;
};

// The verbs that talk to a running job through its REST API. Each registers
// --jobmanager, -c, --token and --json (JobCommandOptions).
class JobCommand {
 public:
  bool selected() const { return cmd_->parsed(); }

 protected:
  // `needsJobId`: the verb takes <jobId> as its positional argument.
  JobCommand(CLI::App& app, const std::string& name, const std::string& description, bool needsJobId);
  // The client for --jobmanager/-c/--token; InvalidArgument for a bad address or -c file.
  Result<RestClient> client() const;
  CLI::App* cmd_;
  JobCommandOptions options_;
  std::string jobId_;
};

// weir list: the jobs of the cluster.
class ListCommand : public JobCommand {
 public:
  explicit ListCommand(CLI::App& app);
  int execute();
};

// weir status <jobId>: the job's state and its vertices.
class StatusCommand : public JobCommand {
 public:
  explicit StatusCommand(CLI::App& app);
  int execute();
};

// weir cancel <jobId>: cancels the job and waits until it has ended.
// weir cancel --with-savepoint [dir] <jobId>: Flink's deprecated form of `weir stop`.
class CancelCommand : public JobCommand {
 public:
  explicit CancelCommand(CLI::App& app);
  int execute();

 private:
  int timeoutSeconds_ = 60;
  CLI::Option* withSavepoint_ = nullptr;
  std::string savepointDirectory_;
};

// weir stop [--savepointPath dir] [--drain] [--type canonical|native] <jobId>: a savepoint,
// after which the job ends FINISHED (--drain: first every event-time timer fires).
class StopCommand : public JobCommand {
 public:
  explicit StopCommand(CLI::App& app);
  int execute();

 private:
  std::string savepointDirectory_;
  bool drain_ = false;
  std::string type_ = "canonical";
  int timeoutSeconds_ = 600;
};

// What `weir stop` and `weir cancel --with-savepoint` do: POST /jobs/:jobid/stop, wait for
// the savepoint and then (up to `timeoutSeconds`) for the job to end; prints the path.
enum class Drain { kNo, kYes };
int stopJobWithSavepoint(const RestClient& rest, const JobCommandOptions& options, const std::string& jobId,
                         const std::string& savepointDirectory, Drain drain, const std::string& type,
                         int timeoutSeconds);
// Polls GET /jobs/:jobid until the job is CANCELED, FAILED or FINISHED, for at most
// `timeoutSeconds`: its last state (`state` if never read), or "ENDED" when the server
// vanished (`weir run` exits with its job, so it ended; how is no longer known).
Result<std::string> waitForJobEnd(const RestClient& rest, const std::string& jobId, std::string state,
                                  int timeoutSeconds);
// Polls GET /jobs/:jobid/savepoints/:requestId until the savepoint ended: its location, or
// its failure as a FailedPrecondition; `json` receives the last answer.
Result<std::string> awaitSavepoint(const RestClient& rest, const std::string& jobId,
                                   const std::string& requestId, nlohmann::json& json);

// weir checkpoint <jobId>: triggers a checkpoint and waits for its outcome.
class CheckpointCommand : public JobCommand {
 public:
  explicit CheckpointCommand(CLI::App& app);
  int execute();
};

// weir savepoint <jobId> [targetDirectory] [--type canonical|native]: triggers a
// savepoint and prints its path once complete.
// weir savepoint --dispose <path>: deletes that savepoint (on this machine's file system).
class SavepointCommand : public JobCommand {
 public:
  explicit SavepointCommand(CLI::App& app);
  int execute();

 private:
  int dispose();
  std::string targetDirectory_;
  std::string type_ = "canonical";
  std::string disposePath_;
};

// weir checkpoints <jobId>: counts, summary and history of the job's checkpoints.
class CheckpointsCommand : public JobCommand {
 public:
  explicit CheckpointsCommand(CLI::App& app);
  int execute();
};

// weir metrics <jobId> [--vertex ID]: the job's metrics and each vertex's rates,
// busy and backpressured time; with --vertex, every subtask of one vertex.
class MetricsCommand : public JobCommand {
 public:
  explicit MetricsCommand(CLI::App& app);
  int execute();

 private:
  std::string vertex_;
};

}  // namespace weir::cli
