// Periodic aligned checkpoints of whole jobs: the coordinator completes them
// only when every task acknowledged, writes the metadata, keeps num-retained
// checkpoints and deletes the rest, aborts timed-out ones (deleting their
// files) and fails the job past the tolerable number of failures.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <weir/weir.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"
#include "testing/temp_dir.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using testing::TempDir;

std::vector<std::string> checkpointDirs(const std::string& jobDir) {
  std::vector<std::string> dirs;
  if (!fs::exists(jobDir)) return dirs;
  for (auto& e : fs::directory_iterator(jobDir)) {
    std::string n = e.path().filename().string();
    if (n.rfind("chk-", 0) == 0) dirs.push_back(n);
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// A keyed job fed at a bounded rate so that it runs long enough to checkpoint.
// `slowSink`: a sink taking 1 ms per record, so that barriers queue behind records.
void buildKeyedJob(StreamExecutionEnvironment& env, bool slowSink = false) {
  auto gen =
      std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 1'000'000'000, 20000);
  auto sums = env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
                  .uid("numbers")
                  .keyBy([](int64_t x) { return x % 100; })
                  .reduce([](int64_t a, int64_t b) { return a + b; })
                  .uid("sum");
  if (slowSink) {
    sums.map([](int64_t x) {
          std::this_thread::sleep_for(1ms);
          return x;
        })
        .disableChaining()
        .sinkTo(std::make_shared<CollectSink<int64_t>>());
    return;
  }
  sums.sinkTo(std::make_shared<CollectSink<int64_t>>()).uid("sink");
}

JobExecutionResult runFor(StreamExecutionEnvironment& env, std::chrono::milliseconds d, std::string* jobId) {
  auto client = env.executeAsync("checkpointed");
  *jobId = client->jobId();
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until && !isGloballyTerminal(client->status()))
    std::this_thread::sleep_for(10ms);
  client->cancel();
  return client->waitForResult();
}

TEST(CheckpointingTest, RetainedCheckpointHasMetadataWithEveryOperatorsState) {
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto& c = env.configuration();
  c.set("execution.checkpointing.interval", "50 ms");
  c.set("execution.checkpointing.dir", dir.str());
  c.set("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
  c.set("execution.checkpointing.data-inline-threshold", "0");
  buildKeyedJob(env);
  std::string jobId;
  JobExecutionResult r = runFor(env, 800ms, &jobId);
  ASSERT_EQ(r.status, JobStatus::kCanceled) << r.failure;

  std::string jobDir = dir.str() + "/" + jobId;
  auto dirs = checkpointDirs(jobDir);
  ASSERT_EQ(dirs.size(), 1u) << "num-retained is 1: older checkpoints must be deleted";
  auto resolved = checkpoint::resolveCheckpointPath(jobDir + "/" + dirs[0]);
  ASSERT_TRUE(resolved.isOk()) << resolved.status().toString();
  auto md = checkpoint::deserializeMetadata(resolved->metadataBytes, dirs[0]);
  ASSERT_TRUE(md.isOk()) << md.status().toString();
  EXPECT_GE(md->checkpointId, 2) << "several checkpoints should have completed in 800 ms at a 50 ms interval";
  EXPECT_EQ(md->jobId, jobId);

  const checkpoint::OperatorState* sum = nullptr;
  const checkpoint::OperatorState* source = nullptr;
  for (auto& op : md->operators) {
    if (op.operatorId == "sum") sum = &op;
    if (op.operatorId == "numbers") source = &op;
  }
  ASSERT_NE(sum, nullptr);
  ASSERT_NE(source, nullptr);
  // Keyed state of both subtasks, covering all 128 key groups between them.
  ASSERT_EQ(sum->subtaskStates.size(), 2u);
  int groups = 0;
  for (auto& [i, s] : sum->subtaskStates) {
    ASSERT_EQ(s.keyedState.size(), 1u);
    groups += s.keyedState[0].range.size();
    // The state file exists and matches its recorded size and checksum.
    auto storage = checkpoint::createFileSystemCheckpointStorage(dir.str(), jobId, 0);
    ASSERT_TRUE(storage.isOk());
    auto bytes = (*storage)->createReader()->readAll(s.keyedState[0].stream);
    ASSERT_TRUE(bytes.isOk()) << bytes.status().toString();
  }
  EXPECT_EQ(groups, 128);
  // The source's reader positions are operator state.
  ASSERT_FALSE(source->subtaskStates.empty());
  bool hasSplits = false;
  for (auto& [i, s] : source->subtaskStates)
    for (auto& h : s.operatorState) hasSplits |= h.states.count("SourceReaderState") > 0;
  EXPECT_TRUE(hasSplits);
}

TEST(CheckpointingTest, NumRetainedKeepsThatManyAndFinishedJobsCleanUp) {
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto& c = env.configuration();
  c.set("execution.checkpointing.interval", "30 ms");
  c.set("state.checkpoints.dir", dir.str());  // Flink's legacy key
  c.set("state.checkpoints.num-retained", "3");
  c.set("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
  buildKeyedJob(env);
  std::string jobId;
  ASSERT_EQ(runFor(env, 800ms, &jobId).status, JobStatus::kCanceled);
  EXPECT_EQ(checkpointDirs(dir.str() + "/" + jobId).size(), 3u);

  // NO_EXTERNALIZED_CHECKPOINTS (the default): nothing is left once the job ends.
  StreamExecutionEnvironment env2;
  env2.configuration().set("execution.checkpointing.interval", "30 ms");
  env2.configuration().set("execution.checkpointing.dir", dir.str());
  buildKeyedJob(env2);
  ASSERT_EQ(runFor(env2, 400ms, &jobId).status, JobStatus::kCanceled);
  EXPECT_TRUE(checkpointDirs(dir.str() + "/" + jobId).empty());
}

TEST(CheckpointingTest, TimeoutsAbortCleanlyAndFailTheJobPastTheTolerance) {
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto& c = env.configuration();
  c.set("execution.checkpointing.interval", "20 ms");
  c.set("execution.checkpointing.timeout", "10 ms");  // barriers queue behind slow records for longer
  c.set("execution.checkpointing.tolerable-failed-checkpoints", "2");
  // Exceeding the tolerance is a job failure that the restart strategy handles (see
  // failover_test); without restarts the job fails with that cause.
  c.set("restart-strategy.type", "none");
  c.set("execution.checkpointing.dir", dir.str());
  c.set("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
  buildKeyedJob(env, /*slowSink=*/true);
  std::string jobId;
  JobExecutionResult r = runFor(env, 5000ms, &jobId);
  ASSERT_EQ(r.status, JobStatus::kFailed);
  EXPECT_NE(r.failure.find("tolerable-failed-checkpoints"), std::string::npos) << r.failure;
  EXPECT_TRUE(checkpointDirs(dir.str() + "/" + jobId).empty()) << "aborted checkpoints must leave no files";
}

TEST(CheckpointingTest, AnUnknownModeIsRejectedClearly) {
  StreamExecutionEnvironment env;
  env.configuration().set("execution.checkpointing.interval", "1 s");
  env.configuration().set("execution.checkpointing.mode", "SOMETIMES");
  buildKeyedJob(env);
  try {
    env.executeAsync("bad-mode");
    FAIL();
  } catch (const StatusException& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("SOMETIMES"), std::string::npos) << what;
    EXPECT_NE(what.find("AT_LEAST_ONCE"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace weir
