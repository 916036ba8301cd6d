// Automatic failover: a job whose task fails is cancelled, restored from its
// latest completed checkpoint and restarted under its restart strategy. The
// oracle is arithmetic on the input, never the engine's own output: every key
// counts its records in keyed state and emits each running count, so after any
// number of restarts every key must have emitted exactly the counts 1..n (the
// sink is at-least-once, so a count may repeat, but none may be missing and
// none may exceed n).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <weir/weir.h>

#include "testing/fast_restarts.h"
#include "testing/two_speed_sources.h"

namespace weir {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kKeys = 10;
constexpr int64_t kScale = 1'000'000;  // output = key * kScale + count

// Counts records per key; throws once when the job-wide number of processed
// records (counted across attempts) reaches `failAt`.
class CountPerKey final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  CountPerKey(std::shared_ptr<std::atomic<int64_t>> processed, int64_t failAt)
      : processed_(std::move(processed)), failAt_(failAt) {}
  void open(RuntimeContext& ctx) override { count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count")); }
  void processElement(const int64_t&, Context& ctx, Collector<int64_t>& out) override {
    if (processed_->fetch_add(1) + 1 == failAt_) throw std::runtime_error("injected failure");
    int64_t c = count_->value().value_or(0) + 1;
    count_->update(c);
    out.collect(ctx.getCurrentKey() * kScale + c);
  }

 private:
  std::shared_ptr<std::atomic<int64_t>> processed_;
  int64_t failAt_;
  ValueState<int64_t>* count_ = nullptr;
};

// Every key emitted exactly the counts 1..n_k, where n_k comes from the input's
// definition (records 0..n-1, key = record % kKeys).
void expectExactCounts(const std::vector<int64_t>& out, int64_t records) {
  std::map<int64_t, std::set<int64_t>> seen;
  for (int64_t v : out) seen[v / kScale].insert(v % kScale);
  ASSERT_EQ(int64_t(seen.size()), kKeys);
  for (int64_t k = 0; k < kKeys; ++k) {
    int64_t n = records / kKeys + (k < records % kKeys ? 1 : 0);
    const auto& s = seen[k];
    ASSERT_EQ(int64_t(s.size()), n) << "key " << k << ": counts missing";
    EXPECT_EQ(*s.begin(), 1) << "key " << k;
    EXPECT_EQ(*s.rbegin(), n) << "key " << k << ": the count in state is not exact";
  }
}

struct Job {
  std::shared_ptr<CollectSink<int64_t>> sink = std::make_shared<CollectSink<int64_t>>();
  std::shared_ptr<std::atomic<int64_t>> processed = std::make_shared<std::atomic<int64_t>>(0);
};

// numbers (rate-limited) -> keyBy(x % 10) -> count -> sink
Job buildCountingJob(StreamExecutionEnvironment& env, int64_t records, double rate, int64_t failAt) {
  Job job;
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, records, rate);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .uid("numbers")
      .keyBy([](int64_t x) { return x % kKeys; })
      .process(CountPerKey(job.processed, failAt))
      .uid("count")
      .sinkTo(job.sink);
  return job;
}

void configure(StreamExecutionEnvironment& env, const std::string& interval = "30 ms") {
  env.setParallelism(2);
  testing::checkpointAndRestartFast(env, interval, 3, "10 ms");
}

TEST(FailoverTest, UserExceptionRestartsFromTheLatestCheckpointWithExactState) {
  StreamExecutionEnvironment env;
  configure(env);
  constexpr int64_t kRecords = 60'000;
  // 40k records/s: the failure comes after about 0.75 s, many checkpoints later.
  Job job = buildCountingJob(env, kRecords, 40'000, kRecords / 2);
  JobExecutionResult r = env.execute("failover");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  ASSERT_EQ(r.restartCauses.size(), 1u);
  EXPECT_NE(r.restartCauses[0].find("injected failure"), std::string::npos) << r.restartCauses[0];
  EXPECT_EQ(r.progress.restarts, 1);
  EXPECT_GE(r.progress.checkpointsCompleted, 1);
  expectExactCounts(job.sink->results()->values(), kRecords);
  // Restored, not restarted from scratch: far fewer than all records were processed twice.
  EXPECT_LT(job.processed->load(), kRecords + kRecords / 2);
}

TEST(FailoverTest, FailureBeforeAnyCheckpointRestartsFromScratch) {
  StreamExecutionEnvironment env;
  configure(env, "1 h");
  constexpr int64_t kRecords = 20'000;
  Job job = buildCountingJob(env, kRecords, 0, 5'000);
  JobExecutionResult r = env.execute("failover-fresh");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  EXPECT_EQ(r.progress.restarts, 1);
  EXPECT_EQ(r.progress.checkpointsCompleted, 1) << "only the final checkpoint of the bounded job";
  expectExactCounts(job.sink->results()->values(), kRecords);
  EXPECT_GE(job.processed->load(), kRecords + 5'000 - 1) << "nothing to restore: everything is read again";
}

TEST(FailoverTest, RepeatedFailuresAreEachRecovered) {
  StreamExecutionEnvironment env;
  configure(env, "20 ms");
  constexpr int64_t kRecords = 60'000;
  Job job;
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords, 50'000);
  // Three failures at different points, each thrown once (by whichever subtask gets there).
  auto failures = std::make_shared<std::array<std::atomic<bool>, 3>>();
  auto seen = std::make_shared<std::atomic<int64_t>>(0);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .uid("numbers")
      .map([failures, seen](int64_t x) {
        int64_t n = seen->fetch_add(1) + 1;
        for (int i = 0; i < 3; ++i) {
          if (n >= (i + 1) * 15'000 && !(*failures)[size_t(i)].exchange(true))
            throw std::runtime_error("injected failure " + std::to_string(i));
        }
        return x;
      })
      .uid("fail")
      .keyBy([](int64_t x) { return x % kKeys; })
      .process(CountPerKey(job.processed, -1))
      .uid("count")
      .sinkTo(job.sink);
  JobExecutionResult r = env.execute("failover-repeated");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  EXPECT_EQ(r.progress.restarts, 3);
  expectExactCounts(job.sink->results()->values(), kRecords);
  EXPECT_LT(job.processed->load(), kRecords + kRecords / 2) << "each restart must resume, not start over";
}

TEST(FailoverTest, ExhaustedRestartStrategyFailsTheJobWithTheCause) {
  StreamExecutionEnvironment env;
  configure(env);
  env.configuration().set("restart-strategy.fixed-delay.attempts", "1");
  auto always = std::make_shared<std::atomic<int64_t>>(0);
  env.fromSequence(0, 1'000'000)
      .map([always](int64_t x) {
        if (always->fetch_add(1) % 1000 == 999) throw std::runtime_error("always failing");
        return x;
      })
      .sinkTo(std::make_shared<CollectSink<int64_t>>());
  auto client = env.executeAsync("exhausted");
  JobExecutionResult r = client->waitForResult();
  ASSERT_EQ(r.status, JobStatus::kFailed);
  EXPECT_EQ(r.progress.restarts, 1);
  EXPECT_NE(r.failure.find("always failing"), std::string::npos) << r.failure;
  EXPECT_NE(r.failure.find("restart-strategy.fixed-delay.attempts"), std::string::npos) << r.failure;
}

TEST(FailoverTest, NoRestartStrategyFailsAtTheFirstFailure) {
  StreamExecutionEnvironment env;
  configure(env);
  env.configuration().set("restart-strategy.type", "none");
  Job job = buildCountingJob(env, 10'000, 0, 100);
  JobExecutionResult r = env.executeAsync("none")->waitForResult();
  ASSERT_EQ(r.status, JobStatus::kFailed);
  EXPECT_EQ(r.progress.restarts, 0);
  EXPECT_NE(r.failure.find("injected failure"), std::string::npos) << r.failure;
}

TEST(FailoverTest, CancelDuringTheRestartDelayCancelsTheJob) {
  StreamExecutionEnvironment env;
  configure(env);
  env.configuration().set("restart-strategy.fixed-delay.delay", "1 h");
  Job job = buildCountingJob(env, 1'000'000, 0, 100);
  auto client = env.executeAsync("cancel-restarting");
  auto until = std::chrono::steady_clock::now() + 10s;
  while (client->status() != JobStatus::kRestarting && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(client->status(), JobStatus::kRestarting);
  client->cancel();
  JobExecutionResult r = client->waitForResult();
  EXPECT_EQ(r.status, JobStatus::kCanceled);
  EXPECT_EQ(r.progress.restarts, 0);
}

// Two sources of very different speeds feed one keyed operator, through union and
// through connect: alignment must hold back the fast input at each barrier, and
// after a failure both inputs rewind to the same checkpoint.
TEST(FailoverTest, UnionAndConnectOfSourcesOfDifferentSpeedsStayExact) {
  for (bool useConnect : {false, true}) {
    StreamExecutionEnvironment env;
    configure(env, "20 ms");
    constexpr int64_t kFast = 40'000, kSlow = 4'000;
    // Both run for about a second, one ten times faster than the other.
    DataStream<int64_t> both = testing::twoSourcesOfDifferentSpeeds(
        env, kFast, kSlow, useConnect ? testing::JoinInputs::kConnect : testing::JoinInputs::kUnion);
    Job job;
    both.keyBy([](int64_t x) { return x % kKeys; })
        .process(CountPerKey(job.processed, (kFast + kSlow) * 6 / 10))
        .uid("count")
        .sinkTo(job.sink);
    JobExecutionResult r = env.execute(useConnect ? "connect" : "union");
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
    EXPECT_EQ(r.progress.restarts, 1);
    EXPECT_GE(r.progress.checkpointsCompleted, 1) << (useConnect ? "connect" : "union");
    expectExactCounts(job.sink->results()->values(), kFast + kSlow);
    EXPECT_LT(job.processed->load(), (kFast + kSlow) * 3 / 2) << "the restart must resume, not start over";
  }
}

}  // namespace
}  // namespace weir
