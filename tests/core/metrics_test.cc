// Counter and TimeCounter: accumulated time with an interval still in progress
// included, start/stop pairs that tolerate repeats, and the scoped guard.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include <weir/core/metrics.h>

namespace weir {
namespace {

TEST(TimeCounterTest, AccumulatesClosedIntervalsAndTheOneInProgress) {
  TimeCounter t;
  EXPECT_EQ(t.get(100), 0u);
  t.start(100);
  EXPECT_TRUE(t.isRunning());
  EXPECT_EQ(t.get(130), 30u) << "the running interval counts up to the reading";
  t.stop(150);
  EXPECT_FALSE(t.isRunning());
  EXPECT_EQ(t.get(1000), 50u) << "a stopped counter does not grow";
  t.start(200);
  t.stop(260);
  EXPECT_EQ(t.get(300), 110u);
}

TEST(TimeCounterTest, RepeatedStartsAndStopsAreIgnored) {
  TimeCounter t;
  t.stop(10);  // never started
  EXPECT_EQ(t.get(20), 0u);
  t.start(100);
  t.start(150);  // already running: the first start stands
  t.stop(200);
  t.stop(300);
  EXPECT_EQ(t.get(400), 100u);
}

TEST(TimeCounterTest, AReadingBeforeTheStartCountsNothingOfIt) {
  TimeCounter t;
  t.start(500);
  EXPECT_EQ(t.get(400), 0u);
}

// A reader's `now` is taken before its reading; the writer's times are its own clock
// readings. Accumulated time must never go backwards between two readings, even when one
// falls between a stop()'s clock reading and its update.
TEST(TimeCounterTest, ReadingsNeverGoBackwardsWhileTheWriterStartsAndStops) {
  TimeCounter t;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 200'000; ++i) {
      t.start();
      t.stop();
    }
    done = true;
  });
  uint64_t last = 0;
  uint64_t readings = 0;
  while (!done.load()) {
    const uint64_t v = t.get(TimeCounter::nowNanos());
    if (v < last) {
      ADD_FAILURE() << "reading " << readings << " went backwards: " << v << " after " << last;
      break;
    }
    last = v;
    ++readings;
  }
  writer.join();
}

TEST(TimeCounterTest, ScopedGuardStopsOnException) {
  TimeCounter t;
  try {
    ScopedTimeCounter guard(&t);
    EXPECT_TRUE(t.isRunning());
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(t.isRunning());
  ScopedTimeCounter none(nullptr);  // a null counter is allowed and does nothing
}

TEST(CounterTest, Counts) {
  Counter c;
  c.inc();
  c.inc(41);
  EXPECT_EQ(c.get(), 42u);
}

}  // namespace
}  // namespace weir
