// TaskMetricsSampler: counters become per-second rates over the sampling window,
// the time a task spends waiting becomes idle and backpressured milliseconds per
// second, busy time is the rest, and a reader never sees torn or decreasing
// times while a task thread flips its counters (run under ThreadSanitizer).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cluster/job_metrics.h"

namespace weir::cluster {
namespace {

using Table = TaskMetricsSampler::TaskMetricsTable;

Table oneTask(std::shared_ptr<runtime::TaskIOMetrics>& m) {
  m = std::make_shared<runtime::TaskIOMetrics>();
  return Table{{m}};
}

TEST(TaskMetricsSamplerTest, RatesAreTheCountsSinceTheFirstSampleOverTheElapsedTime) {
  std::shared_ptr<runtime::TaskIOMetrics> m;
  const int64_t before = TimeCounter::nowNanos();
  TaskMetricsSampler sampler(oneTask(m));  // the first sample: all zero
  const int64_t after = TimeCounter::nowNanos();
  m->numRecordsIn.inc(1000);
  m->numBytesOut.inc(64000);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t readBefore = TimeCounter::nowNanos();
  std::vector<double> v;
  sampler.read(0, 0, v);
  const int64_t readAfter = TimeCounter::nowNanos();
  ASSERT_EQ(v.size(), size_t(kNumSubtaskMetrics));
  EXPECT_EQ(v[kNumRecordsIn], 1000);
  EXPECT_EQ(v[kNumBytesOut], 64000);
  // The window runs from the first sample (between `before` and `after`) to the read.
  const double longest = double(readAfter - before) / 1e9, shortest = double(readBefore - after) / 1e9;
  EXPECT_GE(v[kNumRecordsInPerSecond], 1000 / longest);
  EXPECT_LE(v[kNumRecordsInPerSecond], 1000 / shortest);
  EXPECT_GE(v[kNumBytesOutPerSecond], 64000 / longest);
  EXPECT_EQ(v[kNumRecordsOutPerSecond], 0);
}

TEST(TaskMetricsSamplerTest, AWaitingTaskIsAllIdleOrAllBackpressured) {
  std::shared_ptr<runtime::TaskIOMetrics> idle, blocked;
  idle = std::make_shared<runtime::TaskIOMetrics>();
  blocked = std::make_shared<runtime::TaskIOMetrics>();
  idle->running.start();
  idle->idle.start();
  blocked->running.start();
  blocked->backPressured.start();
  TaskMetricsSampler sampler(Table{{idle, blocked}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<double> a, b;
  sampler.read(0, 0, a);
  sampler.read(0, 1, b);
  // Both intervals span the whole window. Each counter is read at its own moment, so the
  // ratios are exact up to the microseconds between two reads (5 % leaves room for a
  // reader descheduled for 10 ms on a loaded machine).
  EXPECT_NEAR(a[kIdleTimeMsPerSecond], 1000, 50);
  EXPECT_NEAR(a[kBusyTimeMsPerSecond], 0, 50);
  EXPECT_EQ(a[kBackPressuredTimeMsPerSecond], 0);
  EXPECT_NEAR(b[kBackPressuredTimeMsPerSecond], 1000, 50);
  EXPECT_NEAR(b[kBusyTimeMsPerSecond], 0, 50);
  EXPECT_GE(a[kAccumulatedIdleTime], 200);
  EXPECT_GE(b[kAccumulatedBackPressuredTime], 200);
}

TEST(TaskMetricsSamplerTest, ARunningTaskThatNeverWaitsIsAllBusy) {
  std::shared_ptr<runtime::TaskIOMetrics> m;
  Table t = oneTask(m);
  m->running.start();
  TaskMetricsSampler sampler(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<double> v;
  sampler.read(0, 0, v);
  EXPECT_NEAR(v[kBusyTimeMsPerSecond], 1000, 50);
  EXPECT_EQ(v[kIdleTimeMsPerSecond], 0);
  EXPECT_GE(v[kAccumulatedBusyTime], 200);
  m->running.stop();
}

TEST(TaskMetricsSamplerTest, AnEndedTaskHasNoTimeRates) {
  std::shared_ptr<runtime::TaskIOMetrics> m;
  Table t = oneTask(m);
  m->running.start();
  m->running.stop();
  m->lastCheckpointAlignmentNanos = 1234;
  m->lastCheckpointStartDelayNanos = 5678;
  TaskMetricsSampler sampler(t);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<double> v;
  sampler.read(0, 0, v);
  EXPECT_EQ(v[kBusyTimeMsPerSecond], 0);
  EXPECT_EQ(v[kIdleTimeMsPerSecond], 0);
  EXPECT_EQ(v[kBackPressuredTimeMsPerSecond], 0);
  EXPECT_EQ(v[kCheckpointAlignmentTime], 1234);
  EXPECT_EQ(v[kCheckpointStartDelayNanos], 5678);
}

// A task thread flips between busy, idle and backpressured as fast as it can while
// another thread reads: every reading keeps busy + idle + backpressured within the
// running time, and accumulated times never go down.
TEST(TaskMetricsSamplerTest, ConcurrentReadingsAreConsistent) {
  std::shared_ptr<runtime::TaskIOMetrics> m;
  Table t = oneTask(m);
  TaskMetricsSampler sampler(t);
  std::atomic<bool> stop{false};
  std::thread task([&] {
    ScopedTimeCounter running(&m->running);
    int i = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      ScopedTimeCounter waiting(++i % 2 == 0 ? &m->idle : &m->backPressured);
      m->numRecordsIn.inc();
    }
  });
  // Stops and joins the task thread however the test ends (a failed ASSERT returns early).
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StopAndJoin() {
      stop = true;
      thread.join();
    }
  } stopAndJoin{stop, task};
  double lastIdle = 0, lastBackPressured = 0;
  // At least 2000 readings, and on until the task flipped its counters 1000 times (on a
  // loaded machine the task thread may start late).
  for (int i = 0; i < 2000 || m->numRecordsIn.get() < 1000; ++i) {
    TaskTimes times = taskTimesOf(*m);
    if (times.idle + times.backPressured > times.running) {
      ADD_FAILURE() << "reading " << i << ": idle " << times.idle << " + backpressured "
                    << times.backPressured << " > running " << times.running;
      break;
    }
    std::vector<double> v;
    sampler.read(0, 0, v);
    ASSERT_GE(v[kAccumulatedIdleTime], lastIdle);
    ASSERT_GE(v[kAccumulatedBackPressuredTime], lastBackPressured);
    lastIdle = v[kAccumulatedIdleTime];
    lastBackPressured = v[kAccumulatedBackPressuredTime];
    for (int k : {kBusyTimeMsPerSecond, kIdleTimeMsPerSecond, kBackPressuredTimeMsPerSecond}) {
      ASSERT_GE(v[size_t(k)], 0);
      ASSERT_LE(v[size_t(k)], 1000);
    }
  }
}

}  // namespace
}  // namespace weir::cluster
