// Job control from outside: a job started with `weir run` is listed, described,
// checkpointed on request, measured and cancelled through the `weir` CLI, which
// talks to the job's REST API; checkpoint statistics grow while it runs, and what
// the CLI reports is checked against the checkpoint directories on disk.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "e2e/test_util.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
using testing::BackgroundWeir;
using testing::runShell;
using testing::shellQuote;
using testing::startWeirInBackground;
using testing::TempDir;
using testing::waitForExit;
namespace fs = std::filesystem;

std::string weir() { return std::string(WEIR_BINARY); }

TEST(JobControlE2E, ListStatusCheckpointAndCancelThroughTheCli) {
  TempDir dir;
  const std::string ckpt = dir.file("ckpt");
  BackgroundWeir w = startWeirInBackground(
      "--no-progress -p 2 -D execution.checkpointing.interval=200ms -D "
      "execution.checkpointing.num-retained=1000"
      " -D execution.checkpointing.dir=" +
          shellQuote(ckpt) + " nexmark --query q5 --events 1000000000 --throttle 50000 --sink blackhole",
      dir.file("job.log"));
  ASSERT_TRUE(w.error.empty()) << w.error;
  const std::string jm = " -m " + w.jobManager;
  const std::string& jobId = w.jobId;

  auto list = runShell(weir() + " list" + jm);
  ASSERT_EQ(list.exitCode, 0) << list.output;
  EXPECT_NE(list.output.find(jobId), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("nexmark-q5"), std::string::npos) << list.output;

  auto status = runShell(weir() + " status" + jm + " " + jobId);
  ASSERT_EQ(status.exitCode, 0) << status.output;
  EXPECT_NE(status.output.find("RUNNING"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("Source: nexmark-source"), std::string::npos) << status.output;

  // Checkpoint statistics grow while the job runs.
  auto completed = [&] {
    auto r = runShell(weir() + " checkpoints --json" + jm + " " + jobId + " 2>/dev/null");
    if (r.exitCode != 0) return int64_t(-1);
    return nlohmann::json::parse(r.output)["counts"]["completed"].get<int64_t>();
  };
  int64_t first = -1;
  for (int i = 0; i < 100 && (first = completed()) < 2; ++i) std::this_thread::sleep_for(100ms);
  ASSERT_GE(first, 2);
  int64_t later = first;
  for (int i = 0; i < 100 && (later = completed()) <= first; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_GT(later, first);

  // A checkpoint on request, and its files where the CLI says they are.
  auto triggered = runShell(weir() + " checkpoint" + jm + " " + jobId);
  ASSERT_EQ(triggered.exitCode, 0) << triggered.output;
  // "Checkpoint N completed in ... (...): file:///.../chk-N"
  const std::string& t = triggered.output;
  ASSERT_EQ(t.rfind("Checkpoint ", 0), 0u) << t;
  const std::string id = t.substr(11, t.find(' ', 11) - 11);
  const size_t file = t.find(": file://");
  ASSERT_NE(file, std::string::npos) << t;
  const std::string path = t.substr(file + 9, t.find('\n', file) - file - 9);
  EXPECT_EQ(fs::path(path), fs::path(ckpt) / jobId / ("chk-" + id));
  EXPECT_TRUE(fs::exists(fs::path(path) / "_metadata")) << path;

  auto table = runShell(weir() + " checkpoints" + jm + " " + jobId);
  ASSERT_EQ(table.exitCode, 0) << table.output;
  EXPECT_NE(table.output.find("COMPLETED"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("Latest completed: file://"), std::string::npos) << table.output;

  // Metrics: the job's checkpoint counts, and records flowing over both exchanges of
  // source -> count per window -> hottest.
  nlohmann::json metrics;
  auto flowing = [&] {
    auto r = runShell(weir() + " metrics --json" + jm + " " + jobId + " 2>/dev/null");
    if (r.exitCode != 0) return false;
    metrics = nlohmann::json::parse(r.output);
    return metrics["vertices"].size() == 3 &&
           metrics["vertices"][1]["metrics"]["numRecordsInPerSecond"]["sum"].get<double>() > 0;
  };
  bool isFlowing = false;
  for (int i = 0; i < 100 && !(isFlowing = flowing()); ++i) std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(isFlowing) << metrics.dump(2);
  EXPECT_GE(metrics["job"]["numberOfCompletedCheckpoints"].get<double>(), double(later)) << metrics.dump(2);
  EXPECT_EQ(metrics["job"]["numRestarts"].get<double>(), 0);
  EXPECT_GT(metrics["vertices"][0]["metrics"]["numRecordsOut"]["sum"].get<double>(), 0) << metrics.dump(2);
  auto overview = runShell(weir() + " metrics" + jm + " " + jobId);
  ASSERT_EQ(overview.exitCode, 0) << overview.output;
  EXPECT_NE(overview.output.find("BACKPRESSURED (MAX)"), std::string::npos) << overview.output;
  EXPECT_NE(overview.output.find("lastCheckpointDuration"), std::string::npos) << overview.output;
  auto perSubtask = runShell(weir() + " metrics --vertex 1" + jm + " " + jobId);
  ASSERT_EQ(perSubtask.exitCode, 0) << perSubtask.output;
  EXPECT_NE(perSubtask.output.find("SUBTASK"), std::string::npos) << perSubtask.output;
  EXPECT_NE(perSubtask.output.find("q5-count-per-window"), std::string::npos) << perSubtask.output;
  auto noVertex = runShell(weir() + " metrics --vertex nope" + jm + " " + jobId);
  EXPECT_EQ(noVertex.exitCode, 2);
  EXPECT_NE(noVertex.output.find("has no vertex 'nope'"), std::string::npos) << noVertex.output;

  auto unknown = runShell(weir() + " status" + jm + " 0123456789abcdef0123456789abcdef");
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.output.find("not known"), std::string::npos) << unknown.output;

  // A savepoint on request: "Savepoint completed. Path: <dir>/savepoint-<id prefix>-<random>".
  auto savepoint = runShell(weir() + " savepoint" + jm + " " + jobId + " " + shellQuote(dir.file("sp")));
  ASSERT_EQ(savepoint.exitCode, 0) << savepoint.output;
  const size_t at = savepoint.output.find("Savepoint completed. Path: ");
  ASSERT_NE(at, std::string::npos) << savepoint.output;
  const std::string spPath = savepoint.output.substr(at + 27, savepoint.output.find('\n', at) - at - 27);
  EXPECT_EQ(fs::path(spPath).parent_path(), fs::path(dir.file("sp")));
  EXPECT_TRUE(fs::exists(fs::path(spPath) / "_metadata")) << spPath;
  // Dispose refuses a checkpoint (its job owns it).
  auto refused = runShell(weir() + " savepoint --dispose " + shellQuote(path));
  EXPECT_NE(refused.exitCode, 0) << refused.output;
  EXPECT_NE(refused.output.find("not a savepoint"), std::string::npos) << refused.output;
  EXPECT_TRUE(fs::exists(fs::path(path) / "_metadata"));

  auto cancel = runShell(weir() + " cancel" + jm + " " + jobId);
  EXPECT_EQ(cancel.exitCode, 0) << cancel.output;
  // CANCELED if the CLI saw it before `weir run` exited, else "ended" (the server is gone).
  EXPECT_TRUE(cancel.output.find("is CANCELED") != std::string::npos ||
              cancel.output.find("ended (its `weir run` has exited)") != std::string::npos)
      << cancel.output;
  // `weir run` ends with its job.
  EXPECT_TRUE(waitForExit(w.pid)) << "weir run did not end after its job was cancelled";
  EXPECT_NE(testing::readFile(dir.file("job.log")).find("CANCELED"), std::string::npos)
      << testing::readFile(dir.file("job.log"));

  // The savepoint outlives the job; dispose deletes it and nothing else.
  ASSERT_TRUE(fs::exists(fs::path(spPath) / "_metadata"));
  auto disposed = runShell(weir() + " savepoint --dispose " + shellQuote(spPath));
  EXPECT_EQ(disposed.exitCode, 0) << disposed.output;
  EXPECT_NE(disposed.output.find("disposed"), std::string::npos) << disposed.output;
  EXPECT_FALSE(fs::exists(spPath));
  EXPECT_TRUE(fs::exists(dir.file("sp")));
}

TEST(JobControlE2E, NoJobManagerGivesAnActionableError) {
  auto r = runShell(weir() + " list -m 127.0.0.1:1");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find("--jobmanager"), std::string::npos) << r.output;
  r = runShell(weir() + " list -m nohost");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.output.find("host:port"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace weir
