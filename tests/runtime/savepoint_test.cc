// Savepoints of a running job: triggered while it runs at parallelism 2, the
// savepoint is a directory of its own that outlives the job (whose checkpoints are
// deleted with it), restores after being moved, at parallelism 3, 1 and 4, with
// every key's count continuing exactly (the counting oracle of counting_job.h).
// Refusals name what to do: no directory, checkpointing off. Claim modes: a claimed
// restored checkpoint is deleted once subsumed, an unclaimed one never.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "testing/counting_job.h"
#include "testing/temp_dir.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Waits for savepoint `id` of the job to end; its path, or empty (with a test failure).
std::string awaitSavepoint(JobClient& client, int64_t id) {
  for (int i = 0; i < 2000; ++i) {
    cluster::CheckpointStatsSnapshot stats = cluster::jobMasterOf(client)->checkpointCoordinator()->stats();
    if (const cluster::CheckpointStats* s = stats.find(id);
        s && s->status != cluster::CheckpointStatus::kInProgress) {
      EXPECT_EQ(s->status, cluster::CheckpointStatus::kCompleted) << s->failureMessage;
      EXPECT_TRUE(s->isSavepoint);
      EXPECT_TRUE(stats.latestSavepoint && stats.latestSavepoint->id == id);
      return s->status == cluster::CheckpointStatus::kCompleted ? s->externalPath : "";
    }
    std::this_thread::sleep_for(5ms);
  }
  ADD_FAILURE() << "savepoint " << id << " did not end";
  return "";
}

TEST(SavepointTest, ASavepointOutlivesItsJobMovesAndRestoresAtOtherParallelisms) {
  testing::TempDir dir;
  std::string savepoint;
  {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", dir.file("checkpoints"));
    env.configuration().set("execution.checkpointing.savepoint-dir", dir.file("savepoints"));
    testing::buildJob(env, 60000);  // about 2 s for all records: cancelled well before the end
    auto client = env.executeAsync("first");
    while (client->progress().checkpointsCompleted < 2 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(5ms);
    Result<int64_t> id = cluster::jobMasterOf(*client)->triggerSavepoint("");
    ASSERT_TRUE(id.isOk()) << id.status().toString();
    savepoint = awaitSavepoint(*client, *id);
    ASSERT_FALSE(savepoint.empty());
    EXPECT_EQ(fs::path(savepoint).parent_path(), fs::path(dir.file("savepoints")));
    EXPECT_EQ(
        fs::path(savepoint).filename().string().rfind("savepoint-" + client->jobId().substr(0, 6) + "-", 0),
        0u)
        << savepoint;
    client->cancel();
    EXPECT_EQ(client->waitForResult().status, JobStatus::kCanceled);
    EXPECT_FALSE(fs::exists(dir.file("checkpoints") + "/" + client->jobId() + "/chk-1"))
        << "the job's own checkpoints go with it (no retention configured)";
  }
  ASSERT_TRUE(fs::exists(savepoint + "/_metadata")) << "the savepoint must outlive its job";
  const std::string moved = dir.file("moved");
  fs::rename(savepoint, moved);

  for (int parallelism : {3, 1, 4}) {
    SCOPED_TRACE("restored at parallelism " + std::to_string(parallelism));
    StreamExecutionEnvironment env;
    env.setParallelism(parallelism);
    env.configuration().set("execution.state-recovery.path", moved);
    auto second = testing::buildJob(env, 0);
    JobExecutionResult r = env.execute("restored");
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
    testing::expectCountsContinueExactly(second->results()->values());
  }
}

// Every key's counts over both runs are exactly 1..kRecords/kKeys, each once: nothing the
// stopped run emitted is emitted again, nothing is lost.
void expectEveryCountOnce(const std::vector<std::pair<int64_t, int64_t>>& first,
                          const std::vector<std::pair<int64_t, int64_t>>& second) {
  std::map<int64_t, std::vector<int64_t>> perKey;
  for (auto& [k, n] : first) perKey[k].push_back(n);
  for (auto& [k, n] : second) perKey[k].push_back(n);
  ASSERT_EQ(int64_t(perKey.size()), testing::kKeys);
  for (auto& [k, counts] : perKey) {
    std::sort(counts.begin(), counts.end());
    std::vector<int64_t> want(size_t(testing::kRecords / testing::kKeys));
    for (size_t i = 0; i < want.size(); ++i) want[i] = int64_t(i) + 1;
    ASSERT_EQ(counts, want) << "key " << k;
  }
}

class StopWithSavepointTest : public ::testing::TestWithParam<cluster::StopMode> {};

TEST_P(StopWithSavepointTest, TheJobFinishesAndResumesWithEveryCountOnce) {
  testing::TempDir dir;
  std::string savepoint;
  std::vector<std::pair<int64_t, int64_t>> first;
  {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    auto sink = testing::buildJob(env, 60000);
    auto client = env.executeAsync("stopped");
    while (client->progress().checkpointsCompleted < 2 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(5ms);
    Result<int64_t> id = cluster::jobMasterOf(*client)->stopWithSavepoint(dir.file("sp"), GetParam());
    ASSERT_TRUE(id.isOk()) << id.status().toString();
    JobExecutionResult r = client->waitForResult();
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
    savepoint = awaitSavepoint(*client, *id);
    ASSERT_FALSE(savepoint.empty());
    first = sink->results()->values();
    ASSERT_LT(int64_t(first.size()), testing::kRecords) << "stopped before the end of its input";
    ASSERT_GT(first.size(), 0u);
  }
  StreamExecutionEnvironment env;
  env.setParallelism(3);
  env.configuration().set("execution.state-recovery.path", savepoint);
  auto second = testing::buildJob(env, 0);
  JobExecutionResult r = env.execute("resumed");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  expectEveryCountOnce(first, second->results()->values());
}

INSTANTIATE_TEST_SUITE_P(Modes, StopWithSavepointTest,
                         ::testing::Values(cluster::StopMode::kSuspend, cluster::StopMode::kDrain),
                         [](const ::testing::TestParamInfo<cluster::StopMode>& info) {
                           return std::string(info.param == cluster::StopMode::kDrain ? "Drain" : "NoDrain");
                         });

// The latest chk-N directory of `jobId` under `checkpoints` (empty if none).
std::string latestCheckpointDir(const std::string& checkpoints, const std::string& jobId) {
  std::string latest;
  int64_t latestId = -1;
  for (const auto& e : fs::directory_iterator(fs::path(checkpoints) / jobId)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("chk-", 0) != 0 || !fs::exists(e.path() / "_metadata")) continue;
    if (int64_t id = std::stoll(name.substr(4)); id > latestId) {
      latestId = id;
      latest = e.path().string();
    }
  }
  return latest;
}

// Started from a retained checkpoint of an earlier job: claimed, that checkpoint is
// deleted once the new job's own checkpoints subsume it; unclaimed, it stays for good.
// Either way every key's count continues exactly.
class ClaimModeTest : public ::testing::TestWithParam<cluster::ClaimMode> {};

TEST_P(ClaimModeTest, TheRestoredCheckpointIsDeletedOnlyWhenClaimed) {
  testing::TempDir dir;
  const std::string checkpoints = dir.file("checkpoints");
  std::string restored;
  {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", checkpoints);
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    testing::buildJob(env, 60000);
    auto client = env.executeAsync("first");
    while (client->progress().checkpointsCompleted < 2 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(5ms);
    client->cancel();
    ASSERT_EQ(client->waitForResult().status, JobStatus::kCanceled);
    restored = latestCheckpointDir(checkpoints, client->jobId());
  }
  ASSERT_FALSE(restored.empty());
  const bool claim = GetParam() == cluster::ClaimMode::kClaim;

  StreamExecutionEnvironment env;
  env.setParallelism(3);
  env.configuration().set("execution.checkpointing.interval", "40 ms");
  env.configuration().set("execution.checkpointing.dir", checkpoints);
  env.configuration().set("execution.state-recovery.path", restored);
  env.configuration().set("execution.state-recovery.claim-mode", claim ? "claim" : "NO_CLAIM");
  auto second = testing::buildJob(env, 60000);
  auto client = env.executeAsync("second");
  while (client->progress().checkpointsCompleted < 2 && !isGloballyTerminal(client->status()))
    std::this_thread::sleep_for(5ms);
  ASSERT_FALSE(isGloballyTerminal(client->status())) << "the job must still run to show subsumption";
  EXPECT_EQ(fs::exists(restored), !claim) << restored;
  JobExecutionResult r = client->waitForResult();
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  testing::expectCountsContinueExactly(second->results()->values());
  EXPECT_EQ(fs::exists(restored + "/_metadata"), !claim) << "the job never deletes what it did not claim";
  EXPECT_FALSE(fs::exists(checkpoints + "/" + client->jobId() + "/chk-1")) << "a finished job's own go";
}

INSTANTIATE_TEST_SUITE_P(Modes, ClaimModeTest,
                         ::testing::Values(cluster::ClaimMode::kNoClaim, cluster::ClaimMode::kClaim),
                         [](const ::testing::TestParamInfo<cluster::ClaimMode>& info) {
                           return info.param == cluster::ClaimMode::kClaim ? "Claim" : "NoClaim";
                         });

TEST(SavepointTest, RefusalsSayWhatToDo) {
  testing::TempDir dir;
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    testing::buildJob(env, 20000);
    auto client = env.executeAsync("no savepoint dir");
    Result<int64_t> id = cluster::jobMasterOf(*client)->triggerSavepoint("");
    ASSERT_FALSE(id.isOk());
    EXPECT_NE(id.status().message().find("set execution.checkpointing.savepoint-dir"), std::string::npos)
        << id.status().message();
    client->cancel();
    client->waitForResult();
  }
  {
    StreamExecutionEnvironment env;
    testing::buildJob(env, 20000);
    auto client = env.executeAsync("no checkpointing");
    Result<int64_t> id = cluster::jobMasterOf(*client)->triggerSavepoint(dir.str());
    ASSERT_FALSE(id.isOk());
    EXPECT_NE(id.status().message().find("execution.checkpointing.interval"), std::string::npos)
        << id.status().message();
    client->cancel();
    client->waitForResult();
  }
}

}  // namespace
}  // namespace weir
