// `weir run nexmark`: a Nexmark query over the deterministic Nexmark stream.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <stdexcept>

#include "cli/job_registry.h"
#include "cli/nexmark_options.h"
#include "nexmark/queries.h"

namespace weir::cli {

int runNexmark(const std::vector<std::string>& args, StreamExecutionEnvironment& env, JobRunner& runner) {
  namespace nx = examples::nexmark;
  CLI::App app("Runs a Nexmark query over the deterministic Nexmark event stream (docs/nexmark.md).",
               "weir run nexmark");
  std::string queryName;
  nexmark::NexmarkSourceOptions source;
  nx::ResultSink sink;
  app.add_option("--query", queryName, "The query: " + nx::queryNames())->required();
  addNexmarkStreamOptions(app, source, 1'000'000);
  app.add_option("--splits", source.splits, "Number of source splits (0 = one per source subtask)")
      ->capture_default_str()
      ->check(nonNegativeNumber());
  app.add_option("--throttle", source.maxEventsPerSecond,
                 "Emit at most this many events per second of wall-clock time (0 = as fast as possible)")
      ->capture_default_str()
      ->check(nonNegativeNumber());
  const std::map<std::string, nx::ResultSinkKind> kinds = {{"print", nx::ResultSinkKind::kPrint},
                                                           {"file", nx::ResultSinkKind::kFile},
                                                           {"blackhole", nx::ResultSinkKind::kBlackhole}};
  app.add_option("--sink", sink.kind,
                 "Where results go: print (CSV lines on stdout), file (CSV part files in --output, "
                 "exactly once), blackhole (discarded)")
      ->transform(CLI::CheckedTransformer(kinds, CLI::ignore_case))
      ->default_str("print");
  app.add_option("--output", sink.dir, "Directory of the result files (with --sink file)");
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help, or bad usage
  }
  const nx::Query* query = nx::findQuery(queryName);
  if (query == nullptr) {
    std::fprintf(stderr, "weir: unknown Nexmark query '%s'; the queries are %s\n", queryName.c_str(),
                 nx::queryNames().c_str());
    return 2;
  }
  if (sink.kind == nx::ResultSinkKind::kFile && sink.dir.empty()) {
    std::fprintf(stderr, "weir: --sink file needs --output DIR\n");
    return 2;
  }
  if (sink.kind != nx::ResultSinkKind::kFile && !sink.dir.empty()) {
    std::fprintf(stderr, "weir: --output is only used with --sink file\n");
    return 2;
  }
  try {
    nx::buildNexmarkJob(env, *query, source, sink);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "weir: %s\n", e.what());
    return 2;
  }
  return runner.run(env, std::string("nexmark-") + query->name);
}

}  // namespace weir::cli
