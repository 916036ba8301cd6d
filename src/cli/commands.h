// CLI verbs. Each verb registers its options on the main CLI11 app in its
// constructor and runs in execute(). One verb per file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include <weir/connectors/nexmark/nexmark_source.h>

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

}  // namespace weir::cli
