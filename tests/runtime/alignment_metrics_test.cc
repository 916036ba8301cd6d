// Per-checkpoint alignment figures (Flink's processed_data and persisted_data): an
// aligned checkpoint of a backpressured task with two inputs processes the data of
// the input whose barrier is still queued while it waits (processed > 0) and
// persists nothing; an unaligned one persists in-flight data.
#include <gtest/gtest.h>

#include <chrono>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "testing/fast_restarts.h"
#include "testing/spinning_sink.h"
#include "testing/two_speed_sources.h"

namespace weir {
namespace {

struct Totals {
  int completed = 0;
  uint64_t processed = 0;
  uint64_t persisted = 0;
};

enum class Barriers { kAligned, kUnaligned };

Totals runUnionIntoSlowSink(Barriers barriers) {
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  testing::checkpointAndRestartFast(env, "20 ms", 0);
  Configuration& c = env.configuration();
  c.set("execution.checkpointing.unaligned.enabled", barriers == Barriers::kUnaligned ? "true" : "false");
  c.set("taskmanager.memory.segment-size", "4 kb");
  c.set("web.checkpoints.history", "1000");
  // The fast source's channel backs up behind the slow sink; the slow one's barrier
  // arrives first, and the task processes the fast channel's queue until its barrier.
  testing::twoSourcesOfDifferentSpeeds(env, 20'000, 1'000, testing::JoinInputs::kUnion)
      .map([](const int64_t& x) { return x; })
      .sinkTo(std::make_shared<testing::SpinningSink>(std::chrono::microseconds(100)));
  std::unique_ptr<JobClient> client = env.executeAsync("alignment-metrics");
  JobExecutionResult r = client->waitForResult();
  EXPECT_EQ(r.status, JobStatus::kFinished) << r.failure;
  Totals t;
  for (const cluster::CheckpointStats& s :
       cluster::jobMasterOf(*client)->checkpointCoordinator()->stats().history) {
    if (s.status != cluster::CheckpointStatus::kCompleted) continue;
    ++t.completed;
    t.processed += s.processedData;
    t.persisted += s.persistedData;
  }
  return t;
}

TEST(AlignmentMetricsTest, AlignedCheckpointsCountTheDataProcessedWhileAligning) {
  Totals t = runUnionIntoSlowSink(Barriers::kAligned);
  ASSERT_GE(t.completed, 3);
  EXPECT_GT(t.processed, 0u) << "no checkpoint processed data while aligning";
  EXPECT_EQ(t.persisted, 0u) << "aligned checkpoints persist no in-flight data";
}

TEST(AlignmentMetricsTest, UnalignedCheckpointsPersistInFlightData) {
  Totals t = runUnionIntoSlowSink(Barriers::kUnaligned);
  ASSERT_GE(t.completed, 3);
  EXPECT_GT(t.persisted, 0u) << "no checkpoint persisted in-flight data";
}

}  // namespace
}  // namespace weir
