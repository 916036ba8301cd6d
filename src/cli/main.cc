// `weir`: the command-line entry point. One verb per file: run_command.cc is `weir run`,
// list_command.cc `weir list`, and so on.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app("Weir: stateful stream processing with exactly-once state, at native speed.", "weir");
  app.set_version_flag("--version", std::string("weir ") + WEIR_VERSION);
  app.require_subcommand(1);
  weir::cli::RunCommand run(app);
  weir::cli::NexmarkExportCommand nexmarkExport(app);
  weir::cli::ListCommand list(app);
  weir::cli::StatusCommand status(app);
  weir::cli::CancelCommand cancel(app);
  weir::cli::CheckpointCommand checkpoint(app);
  weir::cli::CheckpointsCommand checkpoints(app);
  weir::cli::SavepointCommand savepoint(app);
  weir::cli::StopCommand stop(app);
  weir::cli::InspectCommand inspect(app);
  weir::cli::MetricsCommand metrics(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (run.selected()) return run.execute();
  if (nexmarkExport.selected()) return nexmarkExport.execute();
  if (list.selected()) return list.execute();
  if (status.selected()) return status.execute();
  if (cancel.selected()) return cancel.execute();
  if (checkpoint.selected()) return checkpoint.execute();
  if (checkpoints.selected()) return checkpoints.execute();
  if (savepoint.selected()) return savepoint.execute();
  if (stop.selected()) return stop.execute();
  if (inspect.selected()) return inspect.execute();
  if (metrics.selected()) return metrics.execute();
  return 0;
}
