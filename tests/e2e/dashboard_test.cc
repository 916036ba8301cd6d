// The web dashboard in a real browser: headless Chromium (Debian's `chromium`)
// loads the page served by a running `weir run` and the test reads the DOM the
// page's script built from the REST API: the jobs list names the job, the job
// page draws its three vertices, the checkpoint tab's history table fills with
// completed checkpoints (and its summary appears), a selected checkpoint shows
// every subtask's figures, and the exceptions and configuration tabs render.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include "e2e/test_util.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
using testing::BackgroundWeir;
using testing::runShell;
using testing::shellQuote;
using testing::TempDir;

std::string weir() { return std::string(WEIR_BINARY); }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

class DashboardE2E : public ::testing::Test {
 protected:
  // The DOM of `url` after its script ran, from headless Chromium; retried (the page
  // fetches asynchronously) until `ready` holds or 10 attempts failed.
  std::string domOf(const std::string& url, const std::function<bool(const std::string&)>& ready) {
    std::string dom;
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto r = runShell(
          "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
          " --user-data-dir=" +
          shellQuote(dir_.file("chromium-profile")) + " --virtual-time-budget=3000 --dump-dom " +
          shellQuote(url) + " 2>/dev/null");
      dom = r.output;
      if (r.exitCode == 0 && ready(dom)) return dom;
      std::this_thread::sleep_for(500ms);
    }
    return dom;
  }
  TempDir dir_;
};

TEST_F(DashboardE2E, ShowsTheRunningJobAndFillsTheCheckpointTable) {
  ASSERT_EQ(runShell("command -v chromium").exitCode, 0)
      << "headless Chromium is missing: run scripts/install-deps.sh (Debian package 'chromium')";
  BackgroundWeir w = testing::startWeirInBackground(
      // A long history: the checkpoint the test selects must still be in it a few seconds later.
      "--no-progress -p 2 -D execution.checkpointing.interval=200ms -D web.checkpoints.history=1000"
      " -D execution.checkpointing.dir=" +
          shellQuote(dir_.file("ckpt")) +
          " nexmark --query q5 --events 1000000000 --throttle 50000 --sink blackhole",
      dir_.file("job.log"));
  ASSERT_TRUE(w.error.empty()) << w.error;
  const std::string base = "http://" + w.jobManager + "/";
  // At least three completed checkpoints before the browser looks.
  auto completed = [&] {
    auto r = runShell(weir() + " checkpoints --json -m " + w.jobManager + " " + w.jobId + " 2>/dev/null");
    return r.exitCode == 0 ? nlohmann::json::parse(r.output)["counts"]["completed"].get<int64_t>()
                           : int64_t(-1);
  };
  int64_t done = -1;
  for (int i = 0; i < 100 && (done = completed()) < 3; ++i) std::this_thread::sleep_for(100ms);
  ASSERT_GE(done, 3);

  std::string jobs = domOf(base, [&](const std::string& d) { return d.find(w.jobId) != std::string::npos; });
  EXPECT_NE(jobs.find("data-job-id=\"" + w.jobId + "\""), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("nexmark-q5"), std::string::npos) << jobs;

  const std::string job = base + "#/jobs/" + w.jobId;
  std::string overview =
      domOf(job, [](const std::string& d) { return d.find("id=\"job-graph\"") != std::string::npos; });
  EXPECT_NE(overview.find("id=\"job-graph\""), std::string::npos) << overview;
  EXPECT_EQ(count(overview, "<g data-vertex-id="), 3u) << "one box per vertex: " << overview;
  EXPECT_NE(overview.find("q5-count-per-window"), std::string::npos) << overview;
  EXPECT_NE(overview.find("Backpressured"), std::string::npos) << overview;

  auto historyFilled = [](const std::string& d) { return count(d, "data-status=\"COMPLETED\"") >= 3; };
  std::string checkpoints = domOf(job + "/checkpoints", historyFilled);
  EXPECT_NE(checkpoints.find("id=\"checkpoint-history\""), std::string::npos) << checkpoints;
  EXPECT_GE(count(checkpoints, "data-status=\"COMPLETED\""), 3u) << checkpoints;
  EXPECT_NE(checkpoints.find("id=\"checkpoint-summary\""), std::string::npos) << checkpoints;
  EXPECT_NE(checkpoints.find("id=\"checkpoint-chart\""), std::string::npos) << checkpoints;

  // The newest completed checkpoint the table shows, selected: every vertex's subtasks.
  const std::string marker = "data-checkpoint-id=\"";
  const size_t at = checkpoints.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string id =
      checkpoints.substr(at + marker.size(), checkpoints.find('"', at + marker.size()) - at - marker.size());
  std::string detail = domOf(job + "/checkpoints/" + id, [](const std::string& d) {
    return count(d, "class=\"checkpoint-subtasks\"") == 3;
  });
  EXPECT_EQ(count(detail, "class=\"checkpoint-subtasks\""), 3u) << detail;
  EXPECT_GE(count(detail, "<td>completed</td>"), 6u) << "3 vertices of 2 subtasks: " << detail;

  std::string exceptions = domOf(
      job + "/exceptions", [](const std::string& d) { return d.find("No failures.") != std::string::npos; });
  EXPECT_NE(exceptions.find("No failures."), std::string::npos) << exceptions;
  std::string configuration = domOf(job + "/configuration", [](const std::string& d) {
    return d.find("id=\"configuration\"") != std::string::npos;
  });
  EXPECT_NE(configuration.find("execution.checkpointing.interval"), std::string::npos) << configuration;

  EXPECT_EQ(runShell(weir() + " cancel -m " + w.jobManager + " " + w.jobId).exitCode, 0);
  EXPECT_TRUE(testing::waitForExit(w.pid));
}

}  // namespace
}  // namespace weir
