// Restoring a job from a retained checkpoint (`weir run -s`): keyed state,
// source positions and the split enumerator continue exactly where the
// checkpoint was taken. The oracle is arithmetic: key k of a sequence 0..N-1
// sees exactly N / kKeys records, and a restored run must count on from the
// checkpointed count to exactly that, with no gap and no repetition.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <weir/weir.h>

#include "testing/checkpoint_dirs.h"
#include "testing/counting_job.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::buildJob;
using testing::expectCountsContinueExactly;
using testing::latestCheckpoint;
using testing::Results;

struct Fixture {
  Fixture() {
    dir = fs::temp_directory_path() / ("weir-restore-" + std::to_string(::getpid()));
    fs::remove_all(dir);
  }
  ~Fixture() { fs::remove_all(dir); }

  // Runs the job until it has checkpointed a few times, cancels it, returns the retained checkpoint.
  std::string runAndCancel(int parallelism) {
    StreamExecutionEnvironment env;
    env.setParallelism(parallelism);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", dir.string());
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    first = buildJob(env, 60000);  // about 2 s for all records: cancelled well before the end
    auto client = env.executeAsync("first");
    while (client->progress().checkpointsCompleted < 3 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(5ms);
    client->cancel();
    EXPECT_EQ(client->waitForResult().status, JobStatus::kCanceled);
    return latestCheckpoint((dir / client->jobId()).string());
  }

  fs::path dir;
  std::shared_ptr<Results> first;
};

TEST(CheckpointRestoreTest, ResumesKeyedStateAndSourcePositionsExactly) {
  Fixture f;
  std::string chk = f.runAndCancel(2);
  ASSERT_FALSE(chk.empty());

  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.configuration().set("execution.state-recovery.path", chk);
  auto second = buildJob(env, 0);
  env.execute("second");
  expectCountsContinueExactly(second->results()->values());
}

TEST(CheckpointRestoreTest, ResumesFromTheMetadataFileAtAnotherParallelism) {
  Fixture f;
  std::string chk = f.runAndCancel(2);
  ASSERT_FALSE(chk.empty());
  StreamExecutionEnvironment env;
  env.setParallelism(3);  // key groups and source splits are redistributed
  env.configuration().set("execution.state-recovery.path", chk + "/_metadata");
  auto second = buildJob(env, 0);
  env.execute("rescaled");
  expectCountsContinueExactly(second->results()->values());
}

TEST(CheckpointRestoreTest, MismatchesAreRefusedClearly) {
  Fixture f;
  std::string chk = f.runAndCancel(1);
  ASSERT_FALSE(chk.empty());
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    buildJob(env, 0, /*maxParallelism=*/64);
    try {
      env.executeAsync("changed max parallelism");
      FAIL();
    } catch (const StatusException& e) {
      EXPECT_NE(std::string(e.what()).find("max parallelism cannot change"), std::string::npos) << e.what();
    }
  }
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    env.fromSequence(1, 10).uid("other").sinkTo(std::make_shared<CollectSink<int64_t>>());
    try {
      env.executeAsync("other job");
      FAIL();
    } catch (const StatusException& e) {
      // The first operator with state it finds ('numbers' or 'count') is named.
      std::string m = e.what();
      EXPECT_TRUE(m.find("'count'") != std::string::npos || m.find("'numbers'") != std::string::npos) << m;
      EXPECT_NE(m.find("which this job does not have"), std::string::npos) << m;
      EXPECT_NE(std::string(e.what()).find("ignore-unclaimed-state"), std::string::npos) << e.what();
    }
  }
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", f.dir.string() + "/nope");
    buildJob(env, 0);
    try {
      env.executeAsync("missing");
      FAIL();
    } catch (const StatusException& e) {
      EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace weir
