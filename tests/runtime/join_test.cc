// Joins on event time: the interval join operator on its own (bounds, buffers
// dropped once the watermark passes them, late records), and interval and
// window joins as whole parallel jobs against brute-force oracles over the
// input.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <weir/weir.h>

#include "testing/operator_harness.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
using testing::Keyed;
using testing::OperatorHarness;

using Pair = std::pair<int64_t, int64_t>;  // (left value, right value)

struct PairUp final : ProcessJoinFunction<int64_t, int64_t, Pair> {
  void processElement(const int64_t& a, const int64_t& b, Context& ctx, Collector<Pair>& out) override {
    EXPECT_EQ(ctx.timestamp(), std::max(ctx.leftTimestamp(), ctx.rightTimestamp()));
    out.collect({a, b});
  }
};

struct Mod10 {
  int64_t operator()(const int64_t& v) const { return v % 10; }
};

TEST(IntervalJoinOperatorTest, JoinsWithinTheBoundsAndForgetsRecordsTheWatermarkHasPassed) {
  using Op = IntervalJoinOperator<int64_t, PairUp, Mod10, Mod10>;
  OperatorHarness<Pair> h(std::make_unique<Op>(PairUp{}, Mod10{}, Mod10{}, -2, 3), Keyed::kYes);
  h.open();
  auto& left = h.input<int64_t>(1);
  auto& right = h.input<int64_t>(2);
  // Key 1: left 1@10 joins right records at 8..13.
  left.processElement(1, 10);
  right.processElement(11, 7);   // too early
  right.processElement(21, 8);   // joins
  right.processElement(31, 13);  // joins
  right.processElement(41, 14);  // too late for 10, but waits for later left records
  left.processElement(51, 12);   // joins 41@14 (12+3 >= 14) and 31@13 and 21@... 8 < 10: no; 11@7 no
  right.processElement(2, 10);   // another key: nothing
  std::vector<Pair> got = h.output().values();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, std::vector<Pair>({{1, 21}, {1, 31}, {51, 31}, {51, 41}}));

  // Watermark 20 on both inputs: left records up to 17 (ts + 3 <= 20) and right up to 18 are gone.
  left.processWatermark(20);
  right.processWatermark(20);
  EXPECT_EQ(h.output().watermarks(), std::vector<Timestamp>({20}));
  h.output().clear();
  right.processElement(61, 21);  // would have joined left 51@12 only if it were still buffered: 12+3 < 21
  left.processElement(71, 22);   // joins 61@21
  right.processElement(81, 15);  // late (15 < 20): dropped
  EXPECT_EQ(h.output().values(), std::vector<Pair>({{71, 61}}));
  EXPECT_EQ(static_cast<Op&>(h.op()).numLateRecordsDropped(), 1u);
}

TEST(IntervalJoinOperatorTest, ARecordWithoutTimestampIsAnActionableError) {
  using Op = IntervalJoinOperator<int64_t, PairUp, Mod10, Mod10>;
  OperatorHarness<Pair> h(std::make_unique<Op>(PairUp{}, Mod10{}, Mod10{}, 0, 1), Keyed::kYes);
  h.open();
  EXPECT_THROW(h.input<int64_t>(1).processElement(1, kNoTimestamp), std::runtime_error);
}

// Both sides: N records each, spread over 5 keys, event time 10 * i (+3 on the right).
constexpr int64_t kN = 1500;

std::shared_ptr<const Source<int64_t, NumberSequenceSplit>> numbers() {
  return std::make_shared<const DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kN, 20'000.0);
}
WatermarkStrategy<int64_t> eventTime(int64_t offset) {
  return WatermarkStrategy<int64_t>::forBoundedOutOfOrderness(5ms).withTimestampAssigner(
      [offset](const int64_t& v) { return Timestamp(10 * v + offset); });
}

TEST(JoinTest, AParallelIntervalJoinEqualsTheBruteForceJoin) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
  auto sink = std::make_shared<CollectSink<Pair>>();
  auto key = [](const int64_t& v) { return v % 5; };
  auto left = env.fromSource(numbers(), eventTime(0), "left").keyBy(key);
  auto right = env.fromSource(numbers(), eventTime(3), "right").keyBy(key);
  left.intervalJoin(right).between(-15ms, 25ms).upperBoundExclusive().process(PairUp{}).sinkTo(sink);
  env.execute("interval join");

  std::vector<Pair> want;
  for (int64_t a = 0; a < kN; ++a) {
    for (int64_t b = 0; b < kN; ++b) {
      const int64_t ta = 10 * a, tb = 10 * b + 3;
      if (a % 5 == b % 5 && ta - 15 <= tb && tb < ta + 25) want.push_back({a, b});
    }
  }
  std::vector<Pair> got = sink->results()->values();
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(got, want);
}

TEST(JoinTest, AParallelWindowJoinEqualsTheBruteForceJoinPerWindow) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
  auto sink = std::make_shared<CollectSink<std::string>>();
  auto left = env.fromSource(numbers(), eventTime(0), "left");
  auto right = env.fromSource(numbers(), eventTime(3), "right");
  left.join(right)
      .where([](const int64_t& v) { return v % 7; })
      .equalTo([](const int64_t& v) { return (v * 3) % 7; })
      .window(TumblingEventTimeWindows::of(100ms))
      .apply([](const int64_t& a, const int64_t& b) { return std::to_string(a) + "-" + std::to_string(b); })
      .sinkTo(sink);
  env.execute("window join");

  std::vector<std::string> want;
  for (int64_t a = 0; a < kN; ++a) {
    for (int64_t b = 0; b < kN; ++b) {
      if (a % 7 == (b * 3) % 7 && (10 * a) / 100 == (10 * b + 3) / 100)
        want.push_back(std::to_string(a) + "-" + std::to_string(b));
    }
  }
  std::vector<std::string> got = sink->results()->values();
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(got, want);
}

TEST(JoinTest, AnIntervalWithTheLowerBoundAboveTheUpperIsRejected) {
  StreamExecutionEnvironment env;
  auto a = env.fromSequence(1, 2).keyBy([](const int64_t& v) { return v; });
  auto b = env.fromSequence(1, 2).keyBy([](const int64_t& v) { return v; });
  EXPECT_THROW(a.intervalJoin(b).between(5ms, 4ms), std::invalid_argument);
  EXPECT_THROW(a.intervalJoin(b).between(5ms, 5ms).lowerBoundExclusive(), std::invalid_argument);
}

}  // namespace
}  // namespace weir
