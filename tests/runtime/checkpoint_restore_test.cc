// Restoring a job from a retained checkpoint (`weir run -s`): keyed state,
// source positions and the split enumerator continue exactly where the
// checkpoint was taken. The oracle is arithmetic: key k of a sequence 0..N-1
// sees exactly N / kKeys records, and a restored run must count on from the
// checkpointed count to exactly that, with no gap and no repetition. Restores into
// a changed job are refused clearly: a missing operator, a changed max parallelism,
// keyed state for an operator no longer keyed (at deploy), a state registered with
// another type (the job fails without restarting), a bad claim mode.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <weir/weir.h>

#include "checkpoint/metadata.h"
#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
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

// The counting job's 'count' state registered with another type (a string).
class CountAsText final : public KeyedProcessFunction<int64_t, int64_t, std::string> {
 public:
  void open(RuntimeContext& ctx) override {
    count_ = &ctx.getState(ValueStateDescriptor<std::string>("count"));
  }
  void processElement(const int64_t&, Context&, Collector<std::string>& out) override {
    count_->update(count_->value().value_or("") + "1");
    out.collect(*count_->value());
  }

 private:
  ValueState<std::string>* count_ = nullptr;
};

struct Fixture {
  Fixture() {
    dir = fs::temp_directory_path() / ("weir-restore-" + std::to_string(::getpid()));
    fs::remove_all(dir);
  }
  ~Fixture() { fs::remove_all(dir); }

  // Runs the job until it has checkpointed a few times, cancels it, returns the retained checkpoint.
  std::string runAndCancel(int parallelism, int maxParallelism = 0) {
    StreamExecutionEnvironment env;
    env.setParallelism(parallelism);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", dir.string());
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    first = buildJob(env, 60000, maxParallelism);  // about 2 s for all records: cancelled well before the end
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

// The message a restore is refused with when the job is submitted; a failure if it was deployed.
std::string refusalOf(StreamExecutionEnvironment& env) {
  try {
    env.executeAsync("refused");
  } catch (const StatusException& e) {
    return e.what();
  }
  ADD_FAILURE() << "the job was deployed";
  return "";
}

// A job that sets no max parallelism adopts the checkpoint's (here 16, not the default 128):
// key groups keep their meaning, so the keyed state restores at another parallelism.
TEST(CheckpointRestoreTest, AJobWithoutMaxParallelismAdoptsTheCheckpoints) {
  Fixture f;
  std::string chk = f.runAndCancel(2, /*maxParallelism=*/16);
  ASSERT_FALSE(chk.empty());
  StreamExecutionEnvironment env;
  env.setParallelism(3);
  env.configuration().set("execution.state-recovery.path", chk);
  auto second = buildJob(env, 0);
  auto client = env.executeAsync("adopts");
  ASSERT_EQ(client->waitForResult().status, JobStatus::kFinished);
  expectCountsContinueExactly(second->results()->values());
  bool adopted = false;
  for (const graph::JobVertex& v : cluster::jobMasterOf(*client)->jobGraph().vertices)
    adopted |= v.name.find("KeyedProcess") != std::string::npos && v.maxParallelism == 16;
  EXPECT_TRUE(adopted) << "the keyed vertex runs with the checkpoint's 16 key groups";
}

// Adopting cannot help when the job now runs more subtasks than the checkpoint has key groups.
TEST(CheckpointRestoreTest, AParallelismAboveTheCheckpointsMaxParallelismIsRefused) {
  Fixture f;
  std::string chk = f.runAndCancel(2, /*maxParallelism=*/2);
  ASSERT_FALSE(chk.empty());
  StreamExecutionEnvironment env;
  env.setParallelism(3);
  env.configuration().set("execution.state-recovery.path", chk);
  buildJob(env, 0);
  const std::string m = refusalOf(env);
  EXPECT_NE(m.find("operator 'count' now runs at parallelism 3"), std::string::npos) << m;
  EXPECT_NE(m.find("split into 2 key groups"), std::string::npos) << m;
}

// An unaligned checkpoint as the counting job's (numbers -> count -> sink, all at parallelism 2)
// would leave it: 'holder' with in-flight data of its first input channel. Returns its chk-5.
std::string writeUnalignedCheckpoint(const fs::path& jobDir, const std::string& holder) {
  checkpoint::CheckpointMetadata md;
  md.checkpointId = 5;
  md.jobId = "0123456789abcdef0123456789abcdef";
  md.jobName = "unaligned";
  for (const char* id : {"numbers", "count", "sink"}) {
    checkpoint::OperatorState os;
    os.operatorId = id;
    os.operatorName = id;
    os.parallelism = 2;
    if (os.operatorId == holder) {
      checkpoint::ChannelStateHandle h;
      h.stream.relativePath = "chk-5/channels";
      h.stream.size = 100;
      h.inputChannels.push_back({0, 1, 12, 88});
      os.subtaskStates[0].channelState.push_back(h);
    }
    md.operators.push_back(os);
  }
  fs::create_directories(jobDir / "chk-5");
  std::ofstream(jobDir / "chk-5" / "_metadata", std::ios::binary) << checkpoint::serializeMetadata(md);
  return (jobDir / "chk-5").string();
}

// In-flight data is restored only where its channels are as they were: the operator holding it
// still first in its task, and it and the operators at the other end keep their parallelism.
TEST(CheckpointRestoreTest, InFlightDataIsRefusedWhereItsChannelsChanged) {
  Fixture f;
  struct Case {
    const char* holder;
    int numbers, count, sink;
    const char* want;
  };
  const Case cases[] = {
      {"count", 2, 3, 3,
       "operator 'count' holds in-flight data at parallelism 2, and the job now runs it at 3"},
      {"count", 3, 2, 2, "from its input 'numbers', which ran at parallelism 2 and now runs at 3"},
      {"count", 2, 2, 1, "for its output 'sink', which ran at parallelism 2 and now runs at 1"},
      {"sink", 2, 2, 2,
       "operator 'sink' holds in-flight data as the first operator of its task, and is "
       "now chained behind 'count'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    const std::string chk = writeUnalignedCheckpoint(f.dir / c.holder, c.holder);
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    env.fromSequence(1, 10)
        .uid("numbers")
        .setParallelism(c.numbers)
        .keyBy([](int64_t x) { return x % 3; })
        .reduce([](int64_t a, int64_t b) { return a + b; })
        .uid("count")
        .setParallelism(c.count)
        .sinkTo(std::make_shared<CollectSink<int64_t>>())
        .uid("sink")
        .setParallelism(c.sink);
    const std::string m = refusalOf(env);
    EXPECT_NE(m.find(c.want), std::string::npos) << m;
    EXPECT_NE(m.find("rescale from a savepoint or an aligned checkpoint"), std::string::npos) << m;
  }
}

TEST(CheckpointRestoreTest, MismatchesAreRefusedClearly) {
  Fixture f;
  std::string chk = f.runAndCancel(1);
  ASSERT_FALSE(chk.empty());
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    buildJob(env, 0, /*maxParallelism=*/64);
    const std::string m = refusalOf(env);
    EXPECT_NE(m.find("max parallelism cannot change"), std::string::npos) << m;
    EXPECT_NE(m.find("set it to 128 again, or leave it unset"), std::string::npos) << m;
  }
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    env.fromSequence(1, 10).uid("other").sinkTo(std::make_shared<CollectSink<int64_t>>());
    const std::string m = refusalOf(env);
    // The first operator with state it finds ('numbers' or 'count') is named.
    EXPECT_TRUE(m.find("'count'") != std::string::npos || m.find("'numbers'") != std::string::npos) << m;
    EXPECT_NE(m.find("which this job does not have"), std::string::npos) << m;
    EXPECT_NE(m.find("ignore-unclaimed-state"), std::string::npos) << m;
  }
  {
    // 'count' is no longer keyed: refused before any task runs.
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    auto gen =
        std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, testing::kRecords, 0);
    env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
        .uid("numbers")
        .map([](const int64_t& x) { return x; })
        .uid("count")
        .sinkTo(std::make_shared<CollectSink<int64_t>>())
        .uid("sink");
    const std::string m = refusalOf(env);
    EXPECT_NE(m.find("keyed state for operator 'count'"), std::string::npos) << m;
    EXPECT_NE(m.find("not keyed in this job"), std::string::npos) << m;
  }
  {
    // 'count' holds a string now: the job fails once, naming the state and both
    // serializers, and is not restarted (a restart would restore the same state).
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("execution.state-recovery.path", chk);
    env.configuration().set("execution.checkpointing.interval", "1 s");
    env.configuration().set("restart-strategy.type", "fixed-delay");
    env.configuration().set("restart-strategy.fixed-delay.attempts", "1000");
    env.configuration().set("restart-strategy.fixed-delay.delay", "10 ms");
    auto gen =
        std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, testing::kRecords, 0);
    env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
        .uid("numbers")
        .keyBy([](int64_t x) { return x % testing::kKeys; })
        .process(CountAsText{})
        .uid("count")
        .sinkTo(std::make_shared<CollectSink<std::string>>())
        .uid("sink");
    JobExecutionResult r = env.executeAsync("changed state type")->waitForResult();
    EXPECT_EQ(r.status, JobStatus::kFailed);
    EXPECT_NE(r.failure.find("keyed state 'count'"), std::string::npos) << r.failure;
    EXPECT_NE(r.failure.find("operator 'KeyedProcess' (subtask "), std::string::npos) << r.failure;
    EXPECT_NE(r.failure.find("cannot restore its state"), std::string::npos) << r.failure;
    EXPECT_NE(r.failure.find("not restarted"), std::string::npos) << r.failure;
    EXPECT_TRUE(r.restartCauses.empty())
        << r.restartCauses.size() << " restarts, first: " << r.restartCauses[0];
  }
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", chk);
    env.configuration().set("execution.state-recovery.claim-mode", "LEGACY");
    buildJob(env, 0);
    const std::string m = refusalOf(env);
    EXPECT_NE(m.find("execution.state-recovery.claim-mode"), std::string::npos) << m;
    EXPECT_NE(m.find("NO_CLAIM, CLAIM"), std::string::npos) << m;
  }
  {
    StreamExecutionEnvironment env;
    env.configuration().set("execution.state-recovery.path", f.dir.string() + "/nope");
    buildJob(env, 0);
    const std::string m = refusalOf(env);
    EXPECT_NE(m.find("nope"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace weir
