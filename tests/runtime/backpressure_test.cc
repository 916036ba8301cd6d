// Backpressure: a sink slower than its source must stall the source instead of
// letting records pile up. The number of records in flight (emitted by the
// source, not yet received by the sink) must stay within what the bounded
// network buffers can hold, for the whole run, whatever the input size.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <weir/weir.h>

#include "testing/spinning_sink.h"

namespace weir {
namespace {

TEST(BackpressureTest, InFlightRecordsStayBoundedBySlowSink) {
  const int64_t kRecords = 60000;
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  env.configuration().set("taskmanager.memory.segment-size", "4kb");
  env.fromSequence(1, kRecords)
      .rebalance()
      .map([](int64_t x) { return x; })
      .sinkTo(std::make_shared<testing::SpinningSink>(std::chrono::microseconds(20)));
  auto client = env.executeAsync("backpressure");
  uint64_t maxInFlight = 0;
  int samples = 0;
  while (!isGloballyTerminal(client->status())) {
    JobProgress p = client->progress();
    if (p.sourceRecordsOut > p.sinkRecordsIn)
      maxInFlight = std::max(maxInFlight, p.sourceRecordsOut - p.sinkRecordsIn);
    ++samples;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  JobExecutionResult r = client->waitForResult();
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  EXPECT_EQ(r.progress.sinkRecordsIn, uint64_t(kRecords));
  ASSERT_GT(samples, 20) << "the job ended too fast to observe backpressure";
  // One exchange, one producer and one consumer: the partition's pool holds
  // 1 * buffers-per-channel (2) + floating (8) = 10 buffers of 4 KiB; a record
  // takes 4 (length) + 1 (tag) + 8 bytes, so at most ~3150 records sit in
  // buffers, plus one source batch and the consumer's current buffer.
  const uint64_t kBound = 10 * (4096 / 13) + 2 * 256 + 4096 / 13;
  std::printf("max records in flight: %llu (bound %llu)\n", (unsigned long long)maxInFlight,
              (unsigned long long)kBound);
  EXPECT_LE(maxInFlight, kBound) << "records in flight exceeded what bounded buffers can hold";
  EXPECT_GT(maxInFlight, 100u) << "the source never got ahead: the test did not exercise backpressure";
}

}  // namespace
}  // namespace weir
