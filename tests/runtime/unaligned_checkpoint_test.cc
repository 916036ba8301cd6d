// Unaligned checkpoints end to end (execution.checkpointing.unaligned.enabled),
// under heavy backpressure: a source far faster than a slow operator, small
// network buffers, three exchanges (rebalance into a single map, keyBy, rebalance
// into the slow operator). Failures are injected while unaligned checkpoints run
// and again right after the restart, while the restored in-flight data is being
// replayed. The oracle is arithmetic on the input: a two-phase-commit sink must
// have committed exactly what a run without failure commits (every key's running
// counts 1..n, each once), and the keyed operator checks that each source's
// records of a key still arrive in increasing order (per-channel order kept
// through persisting and replaying in-flight data); a violation would show up in
// the committed output.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "testing/checkpoint_dirs.h"
#include "testing/committed_files.h"
#include "testing/fast_restarts.h"
#include "testing/temp_dir.h"
#include "testing/two_speed_sources.h"

namespace weir {
namespace {

constexpr int64_t kKeys = 7;
constexpr int64_t kScale = 1'000'000;
constexpr int64_t kOutOfOrder = -1;  // emitted when a source's records of a key arrive out of order

// Where each source split starts: a split is read in order by one source subtask, so
// its records of a key must arrive in increasing order wherever they went.
std::vector<int64_t> splitStarts(int64_t count, int64_t offset = 0) {
  std::vector<int64_t> starts;
  for (const NumberSequenceSplit& s : splitNumberSequence(0, count - 1, 2)) starts.push_back(offset + s.from);
  return starts;
}

// Counts per key; emits key * kScale + count. Keeps, per key and source split, the
// last value seen, and emits kOutOfOrder when a split's values do not increase.
class CountInOrder final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  explicit CountInOrder(std::vector<int64_t> splitStarts) : starts_(std::move(splitStarts)) {}
  void open(RuntimeContext& ctx) override {
    count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count"));
    for (size_t i = 0; i < starts_.size(); ++i)
      last_.push_back(&ctx.getState(ValueStateDescriptor<int64_t>("last-" + std::to_string(i))));
  }
  void processElement(const int64_t& x, Context& ctx, Collector<int64_t>& out) override {
    size_t split = size_t(std::upper_bound(starts_.begin(), starts_.end(), x) - starts_.begin()) - 1;
    ValueState<int64_t>& last = *last_[split];
    if (x <= last.value().value_or(-1)) out.collect(kOutOfOrder);
    last.update(x);
    int64_t c = count_->value().value_or(0) + 1;
    count_->update(c);
    out.collect(ctx.getCurrentKey() * kScale + c);
  }

 private:
  std::vector<int64_t> starts_;
  ValueState<int64_t>* count_ = nullptr;
  std::vector<ValueState<int64_t>*> last_;
};

// Records processed per restart attempt (job-wide), and where to fail: {attempt, n}
// throws at the attempt's n-th record. Counting per attempt keeps a failure meant for
// the replay after a restart from being spent while the failed attempt is cancelled.
struct FailurePlan {
  std::array<std::atomic<int64_t>, 8> processed{};
  std::set<std::pair<int, int64_t>> failAt;
  int64_t total() const {
    int64_t n = 0;
    for (const auto& p : processed) n += p.load();
    return n;
  }
};

// Spends `micros` per record, and fails as planned.
class SlowAndFail final : public ProcessFunction<int64_t, int64_t> {
 public:
  SlowAndFail(int64_t micros, std::shared_ptr<FailurePlan> plan) : micros_(micros), plan_(std::move(plan)) {}
  void open(RuntimeContext& ctx) override { attempt_ = std::min(ctx.attemptNumber(), 7); }
  void processElement(const int64_t& x, Context&, Collector<int64_t>& out) override {
    const int64_t n = plan_->processed[size_t(attempt_)].fetch_add(1) + 1;
    if (plan_->failAt.count({attempt_, n})) throw std::runtime_error("injected failure");
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros_);
    while (std::chrono::steady_clock::now() < until) {
    }
    out.collect(x);
  }

 private:
  int64_t micros_;
  std::shared_ptr<FailurePlan> plan_;
  int attempt_ = 0;
};

std::multiset<int64_t> expectedOutput(int64_t records) {
  std::multiset<int64_t> out;
  std::map<int64_t, int64_t> counts;
  for (int64_t i = 0; i < records; ++i) out.insert((i % kKeys) * kScale + ++counts[i % kKeys]);
  return out;
}

struct JobRun {
  JobExecutionResult result;
  cluster::CheckpointStatsSnapshot stats;
  int64_t processed = 0;
};

// The job under test, into `env` (parallelism 2, slow-map at `slowParallelism`).
// `timeout`: execution.checkpointing.aligned-checkpoint-timeout ("0 ms": unaligned from the start).
void buildJob(StreamExecutionEnvironment& env, const std::string& out, const std::string& channelMode,
              const std::string& timeout, int64_t records, std::shared_ptr<FailurePlan> plan,
              int slowParallelism = 2) {
  env.setParallelism(2);
  testing::checkpointAndRestartFast(env, "15 ms", 3);
  Configuration& c = env.configuration();
  c.set("execution.checkpointing.unaligned.enabled", "true");
  c.set("execution.checkpointing.aligned-checkpoint-timeout", timeout);
  c.set("taskmanager.memory.segment-size", "4 kb");
  c.set("taskmanager.network.memory.buffers-per-channel", "1");
  c.set("taskmanager.network.memory.floating-buffers-per-gate", "1");
  c.set("taskmanager.network.local-channel-mode", channelMode);
  c.set("execution.buffer-timeout", "1 ms");
  c.set("web.checkpoints.history", "1000");
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, records, 1e9);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .uid("numbers")
      .rebalance()
      .map([](const int64_t& x) { return x; })
      .uid("funnel")
      .setParallelism(1)
      .keyBy([](int64_t x) { return x % kKeys; })
      .process(CountInOrder(splitStarts(records)))
      .uid("count")
      .rebalance()
      .process(SlowAndFail(40, std::move(plan)))
      .uid("slow-map")
      .setParallelism(slowParallelism)
      .sinkTo(std::make_shared<FileSink<int64_t>>(out))
      .uid("files")
      .setParallelism(slowParallelism);
}

JobRun runJob(const std::string& out, const std::string& channelMode, const std::string& timeout,
              int64_t records, std::set<std::pair<int, int64_t>> failAt) {
  StreamExecutionEnvironment env;
  auto plan = std::make_shared<FailurePlan>();
  plan->failAt = std::move(failAt);
  buildJob(env, out, channelMode, timeout, records, plan);
  std::unique_ptr<JobClient> client = env.executeAsync("unaligned");
  JobRun run;
  run.result = client->waitForResult();
  run.stats = cluster::jobMasterOf(*client)->checkpointCoordinator()->stats();
  run.processed = plan->total();
  return run;
}

// What the FileSink committed in `dir` is exactly a run without failure's output, in order.
void expectCommittedExactly(const std::string& dir, int64_t records) {
  std::multiset<int64_t> got;
  for (const std::string& line : testing::committedLines(dir)) got.insert(std::stoll(line));
  EXPECT_EQ(got.count(kOutOfOrder), 0u) << "a source's records of a key arrived out of order";
  got.erase(kOutOfOrder);
  const std::multiset<int64_t> want = expectedOutput(records);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "the committed output differs from a run without failure";
}

void expectExactlyOnce(const JobRun& run, const std::string& dir, int64_t records, int restarts) {
  ASSERT_EQ(run.result.status, JobStatus::kFinished) << run.result.failure;
  EXPECT_EQ(run.result.progress.restarts, restarts);
  expectCommittedExactly(dir, records);
  // The checkpoints were unaligned and held in-flight data.
  int unaligned = 0;
  uint64_t persisted = 0;
  for (const cluster::CheckpointStats& s : run.stats.history) {
    if (s.status != cluster::CheckpointStatus::kCompleted) continue;
    unaligned += s.unaligned ? 1 : 0;
    persisted += s.persistedData;
  }
  EXPECT_GE(unaligned, 1);
  EXPECT_GT(persisted, 0u) << "no checkpoint persisted in-flight data: the test did not backpressure";
}

// (channel mode, aligned-checkpoint timeout)
class UnalignedCheckpointTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  const std::string& channelMode() const { return std::get<0>(GetParam()); }
  const std::string& timeout() const { return std::get<1>(GetParam()); }
};

TEST_P(UnalignedCheckpointTest, CommittedOutputIsExactAfterFailuresDuringCheckpointsAndRecovery) {
  testing::TempDir dir;
  constexpr int64_t kRecords = 20'000;
  // The first failure while unaligned checkpoints run; the second at the restarted
  // attempt's 300th record: while the restored in-flight data is replayed.
  JobRun run = runJob(dir.str(), channelMode(), timeout(), kRecords, {{0, kRecords * 4 / 10}, {1, 300}});
  expectExactlyOnce(run, dir.str(), kRecords, 2);
  EXPECT_LT(run.processed, 2 * kRecords) << "the restarts must resume from checkpoints, not start over";
}

TEST_P(UnalignedCheckpointTest, WithoutFailureTheOutputIsExact) {
  testing::TempDir dir;
  constexpr int64_t kRecords = 10'000;
  JobRun run = runJob(dir.str(), channelMode(), timeout(), kRecords, {});
  expectExactlyOnce(run, dir.str(), kRecords, 0);
}

INSTANTIATE_TEST_SUITE_P(ChannelModes, UnalignedCheckpointTest,
                         ::testing::Combine(::testing::Values("pointer", "credit-based"),
                                            ::testing::Values("0 ms", "5 ms")),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
                           return std::string(std::get<0>(info.param) == "pointer" ? "Pointer"
                                                                                   : "CreditBased") +
                                  (std::get<1>(info.param) == "0 ms" ? "Unaligned" : "AlignedTimeout5ms");
                         });

// A job cancelled while backpressured right after an unaligned checkpoint that persisted
// in-flight data, resumed from it (the new job replays that data first): the output of both
// runs together is exact. The same checkpoint is refused with slow-map at another parallelism.
TEST(UnalignedCheckpointResumeTest, ResumedFromARetainedUnalignedCheckpointTheOutputIsExact) {
  testing::TempDir dir;
  constexpr int64_t kRecords = 20'000;
  const std::string checkpoints = dir.file("checkpoints");
  const std::string out = dir.file("out");
  std::string chk;
  {
    StreamExecutionEnvironment env;
    buildJob(env, out, "credit-based", "0 ms", kRecords, std::make_shared<FailurePlan>());
    env.configuration().set("execution.checkpointing.dir", checkpoints);
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    // Checkpoints only when asked, so that the one found holding in-flight data is the newest.
    env.configuration().set("execution.checkpointing.interval", "1 h");
    std::unique_ptr<JobClient> client = env.executeAsync("first");
    cluster::JobMaster* master = cluster::jobMasterOf(*client);
    bool withData = false;
    while (!withData && !isGloballyTerminal(client->status())) {
      Result<int64_t> id = master->triggerCheckpoint();
      if (!id.isOk()) {  // the tasks are not all running yet
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      for (;;) {
        const cluster::CheckpointStatsSnapshot stats = master->checkpointCoordinator()->stats();
        const cluster::CheckpointStats* s = stats.find(*id);
        if (s != nullptr && s->status != cluster::CheckpointStatus::kInProgress) {
          withData = s->status == cluster::CheckpointStatus::kCompleted && s->persistedData > 0;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    ASSERT_TRUE(withData) << "no checkpoint with in-flight data before the job ended";
    client->cancel();
    ASSERT_EQ(client->waitForResult().status, JobStatus::kCanceled);
    chk = testing::latestCheckpoint(checkpoints + "/" + client->jobId());
    ASSERT_FALSE(chk.empty());
  }
  {
    StreamExecutionEnvironment env;
    buildJob(env, out, "credit-based", "0 ms", kRecords, std::make_shared<FailurePlan>(), /*slow=*/3);
    env.configuration().set("execution.state-recovery.path", chk);
    try {
      env.executeAsync("rescaled");
      FAIL() << "deployed at another parallelism with in-flight data";
    } catch (const StatusException& e) {
      EXPECT_NE(std::string(e.what()).find("holds in-flight data"), std::string::npos) << e.what();
    }
  }
  {
    StreamExecutionEnvironment env;
    buildJob(env, out, "credit-based", "0 ms", kRecords, std::make_shared<FailurePlan>());
    env.configuration().set("execution.state-recovery.path", chk);
    JobExecutionResult r = env.execute("resumed");
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  }
  expectCommittedExactly(out, kRecords);  // both runs' output together
}

// Unions and two-input operators: the same exactly-once counts with unaligned checkpoints.
TEST(UnalignedCheckpointJoinTest, UnionAndConnectStayExact) {
  for (testing::JoinInputs join : {testing::JoinInputs::kUnion, testing::JoinInputs::kConnect}) {
    SCOPED_TRACE(join == testing::JoinInputs::kUnion ? "union" : "connect");
    testing::TempDir dir;
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    testing::checkpointAndRestartFast(env, "15 ms", 3);
    env.configuration().set("execution.checkpointing.unaligned.enabled", "true");
    env.configuration().set("taskmanager.memory.segment-size", "4 kb");
    env.configuration().set("taskmanager.network.memory.buffers-per-channel", "1");
    env.configuration().set("taskmanager.network.memory.floating-buffers-per-gate", "1");
    constexpr int64_t kFast = 20'000, kSlow = 2'000, kTotal = kFast + kSlow;
    auto plan = std::make_shared<FailurePlan>();
    plan->failAt = {{0, kTotal / 2}};
    std::vector<int64_t> starts = splitStarts(kFast);
    for (int64_t s : splitStarts(kSlow, kFast)) starts.push_back(s);
    testing::twoSourcesOfDifferentSpeeds(env, kFast, kSlow, join)
        .keyBy([](int64_t x) { return x % kKeys; })
        .process(CountInOrder(starts))
        .uid("count")
        .rebalance()
        .process(SlowAndFail(20, plan))
        .uid("slow-map")
        .sinkTo(std::make_shared<FileSink<int64_t>>(dir.str()))
        .uid("files");
    JobExecutionResult r = env.execute("unaligned-join");
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
    EXPECT_EQ(r.progress.restarts, 1);
    expectCommittedExactly(dir.str(), kTotal);
  }
}

TEST(UnalignedCheckpointConfigTest, AtLeastOnceModeRejectsUnalignedCheckpoints) {
  StreamExecutionEnvironment env;
  env.configuration().set("execution.checkpointing.interval", "1 s");
  env.configuration().set("execution.checkpointing.mode", "AT_LEAST_ONCE");
  env.configuration().set("execution.checkpointing.unaligned.enabled", "true");
  env.fromSequence(1, 10).sinkTo(std::make_shared<DiscardingSink<int64_t>>());
  try {
    env.execute("bad-config");
    FAIL() << "the job was deployed";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("requires execution.checkpointing.mode EXACTLY_ONCE"),
              std::string::npos)
        << e.what();
  }
}

TEST(UnalignedCheckpointConfigTest, RejectsFewerThanOneSubtaskPerChannelStateFile) {
  StreamExecutionEnvironment env;
  env.configuration().set("execution.checkpointing.interval", "1 s");
  env.configuration().set("execution.checkpointing.unaligned.enabled", "true");
  env.configuration().set("execution.checkpointing.unaligned.max-subtasks-per-channel-state-file", "0");
  env.fromSequence(1, 10).sinkTo(std::make_shared<DiscardingSink<int64_t>>());
  try {
    env.execute("bad-config");
    FAIL() << "the job was deployed";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("max-subtasks-per-channel-state-file must be at least 1"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace weir
