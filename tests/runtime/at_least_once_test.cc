// At-least-once checkpoints (execution.checkpointing.mode: AT_LEAST_ONCE): tasks
// never block a channel at a barrier, and after failures nothing is lost. The
// oracle is the input's definition: every number the two sources produce must
// reach the sink at least once (duplicates are allowed), and nothing else may.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "testing/fast_restarts.h"
#include "testing/two_speed_sources.h"

namespace weir {
namespace {

// Passes records on; throws when the job-wide number of processed records (counted
// across attempts) reaches one of `failAt`.
class PassOnAndFail final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  PassOnAndFail(std::shared_ptr<std::atomic<int64_t>> processed, std::set<int64_t> failAt)
      : processed_(std::move(processed)), failAt_(std::move(failAt)) {}
  void processElement(const int64_t& x, Context&, Collector<int64_t>& out) override {
    if (failAt_.count(processed_->fetch_add(1) + 1)) throw std::runtime_error("injected failure");
    out.collect(x);
  }

 private:
  std::shared_ptr<std::atomic<int64_t>> processed_;
  std::set<int64_t> failAt_;
};

TEST(AtLeastOnceTest, NothingIsLostAcrossFailuresThroughUnionAndConnect) {
  for (bool useConnect : {false, true}) {
    SCOPED_TRACE(useConnect ? "connect" : "union");
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    testing::checkpointAndRestartFast(env, "20 ms", 3);
    env.configuration().set("execution.checkpointing.mode", "AT_LEAST_ONCE");
    constexpr int64_t kFast = 40'000, kSlow = 4'000, kTotal = kFast + kSlow;
    DataStream<int64_t> both = testing::twoSourcesOfDifferentSpeeds(
        env, kFast, kSlow, useConnect ? testing::JoinInputs::kConnect : testing::JoinInputs::kUnion);
    auto processed = std::make_shared<std::atomic<int64_t>>(0);
    auto sink = std::make_shared<CollectSink<int64_t>>();
    both.keyBy([](int64_t x) { return x % 10; })
        .process(PassOnAndFail(processed, {kTotal * 4 / 10, kTotal * 7 / 10}))
        .uid("pass")
        .sinkTo(sink);
    std::unique_ptr<JobClient> client = env.executeAsync("at-least-once");
    std::optional<cluster::CheckpointConfigInfo> config = cluster::jobMasterOf(*client)->checkpointConfig();
    ASSERT_TRUE(config.has_value());
    EXPECT_EQ(config->mode, "at_least_once");
    JobExecutionResult r = client->waitForResult();
    ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
    EXPECT_EQ(r.progress.restarts, 2);
    EXPECT_GE(r.progress.checkpointsCompleted, 1);

    const std::vector<int64_t> out = sink->results()->values();
    std::set<int64_t> distinct(out.begin(), out.end());
    ASSERT_EQ(int64_t(distinct.size()), kTotal) << "records were lost (or invented)";
    EXPECT_EQ(*distinct.begin(), 0);
    EXPECT_EQ(*distinct.rbegin(), kTotal - 1);
    EXPECT_GE(int64_t(out.size()), kTotal);
    EXPECT_LT(processed->load(), 2 * kTotal) << "the restarts must resume from checkpoints, not start over";
  }
}

}  // namespace
}  // namespace weir
