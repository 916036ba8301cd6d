// `weir`: the command-line entry point. One verb per file: run_command.cc is `weir run`.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app("Weir: stateful stream processing with exactly-once state, at native speed.", "weir");
  app.set_version_flag("--version", std::string("weir ") + WEIR_VERSION);
  app.require_subcommand(1);
  weir::cli::RunCommand run(app);
  weir::cli::NexmarkExportCommand nexmarkExport(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (run.selected()) return run.execute();
  if (nexmarkExport.selected()) return nexmarkExport.execute();
  return 0;
}
