// Helpers for end-to-end tests: temporary directories, running the weir
// binary, running shell pipelines as independent oracles.
#pragma once

#include <string>
#include <vector>

#include "testing/temp_dir.h"  // TempDir

namespace weir::testing {

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `command` with /bin/sh, capturing its output.
CommandResult runShell(const std::string& command);

// "<weir binary> run" with the REST server on a free port: e2e tests run several
// jobs at once, and each `weir run` serves the REST API (default port 8081).
inline std::string weirRun() { return std::string(WEIR_BINARY) + " run -D rest.port=0"; }

// Quotes `s` for /bin/sh.
std::string shellQuote(const std::string& s);

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);
// Every line of every regular file in `dir` whose name does not start with '.'.
std::vector<std::string> readLinesOfVisibleFiles(const std::string& dir);

// A `weir run` started in the background, with the REST address and the job id it
// printed. `error` says why it could not be started (empty on success).
struct BackgroundWeir {
  std::string pid;
  std::string jobManager;  // host:port of its REST API
  std::string jobId;
  std::string error;
};
// Runs `weirRun() + " " + arguments` in the background with stderr to `logFile` and
// waits (up to 10 s) until it printed its REST address and job id.
BackgroundWeir startWeirInBackground(const std::string& arguments, const std::string& logFile);
// Waits up to 10 s for the process to end by itself; kills it otherwise. True if it ended.
bool waitForExit(const std::string& pid);

}  // namespace weir::testing
