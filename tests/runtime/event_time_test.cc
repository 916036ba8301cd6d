// Event time end to end on the embedded cluster: watermarks generated at the
// sources travel through network exchanges in order with the records, and
// event-time timers fire exactly when the watermark passes them, each exactly
// once, checked against an oracle computed from the input alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <weir/weir.h>

namespace weir {
namespace {

using Fired = std::pair<int64_t, int64_t>;  // (timer time, watermark seen when it fired)

// Emits a watermark right after every record: its timestamp - 1.
class Punctuated final : public WatermarkGenerator<int64_t> {
 public:
  void onEvent(const int64_t&, Timestamp ts, WatermarkOutput& out) override { out.emitWatermark(ts - 1); }
  void onPeriodicEmit(WatermarkOutput&) override {}
};

// Registers an event-time timer at value + delay; onTimer emits (timer time, current watermark).
class TimerAtValuePlus final : public KeyedProcessFunction<int64_t, int64_t, Fired> {
 public:
  explicit TimerAtValuePlus(int64_t delay) : delay_(delay) {}
  void processElement(const int64_t& v, Context& ctx, Collector<Fired>&) override {
    ctx.timerService().registerEventTimeTimer(v + delay_);
  }
  void onTimer(int64_t ts, OnTimerContext& ctx, Collector<Fired>& out) override {
    out.collect({ts, ctx.timerService().currentWatermark()});
  }

 private:
  int64_t delay_;
};

TEST(EventTimeTest, WatermarksCrossTheNetworkInOrderWithRecordsAndFireTimersExactlyWhenTheyPass) {
  const std::vector<int64_t> input = {5, 3, 10, 8, 20, 15, 30, 25, 40, 33, 41, 60, 52, 70};
  constexpr int64_t kDelay = 6;
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  env.setBufferTimeout(std::chrono::milliseconds(0));
  auto sink = std::make_shared<CollectSink<Fired>>();
  auto strategy = WatermarkStrategy<int64_t>::forGenerator([](const WatermarkGeneratorContext&) {
                    return std::make_unique<Punctuated>();
                  }).withTimestampAssigner([](const int64_t& v) { return Timestamp(v); });
  env.fromSource(std::shared_ptr<const Source<int64_t, CollectionSplit>>(
                     std::make_shared<const CollectionSource<int64_t>>(input)),
                 strategy, "values")
      .keyBy([](const int64_t& v) { return v % 2; })  // a network exchange
      .process(TimerAtValuePlus(kDelay))
      .sinkTo(sink);
  env.execute("event-time timers");

  // Oracle: the watermarks the source emits, in order, each after its record;
  // a timer fires at the first watermark at or above it that comes after the
  // record that registered it, or at the final watermark.
  std::vector<Fired> expected;
  std::set<std::pair<int64_t, int64_t>> registered;  // (key, time): a second registration is ignored
  for (size_t i = 0; i < input.size(); ++i) {
    const int64_t timer = input[i] + kDelay;
    if (!registered.insert({input[i] % 2, timer}).second) continue;
    int64_t last = kMinWatermark, firedAt = kMaxWatermark;
    for (size_t j = 0; j < input.size(); ++j) {
      const int64_t w = input[j] - 1;
      if (w <= last) continue;  // not an increase: never emitted
      last = w;
      if (j >= i && w >= timer) {
        firedAt = w;
        break;
      }
    }
    expected.push_back({timer, firedAt});
  }
  std::vector<Fired> actual = sink->results()->values();
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual, expected);
}

// Parallel sources with per-split bounded out-of-orderness, a keyed exchange
// between parallel subtasks: every registered timer fires exactly once, never
// before the watermark reached it, and watermarks arrive while the input still
// flows (not only the final one).
TEST(EventTimeTest, ParallelSourcesAdvanceEventTimeDownstreamAndEveryTimerFiresOnce) {
  constexpr int64_t kRecords = 2000;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.setBufferTimeout(std::chrono::milliseconds(5));
  env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
  auto sink = std::make_shared<CollectSink<Fired>>();
  // Event time: the record's value, out of order by up to 7 within each split.
  auto shuffle = [](int64_t i) { return i - (i * 7919) % 8; };
  auto gen = std::make_shared<const DataGeneratorSource<int64_t>>(shuffle, kRecords, 4000.0);
  auto strategy = WatermarkStrategy<int64_t>::forBoundedOutOfOrderness(std::chrono::milliseconds(8))
                      .withTimestampAssigner([](const int64_t& v) { return Timestamp(v); });
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), strategy, "values")
      .keyBy([](const int64_t& v) { return v % 5; })
      .process(TimerAtValuePlus(0))
      .sinkTo(sink);
  env.execute("parallel event time");

  std::map<std::pair<int64_t, int64_t>, int> fired;  // (key, time) -> times fired
  int beforeEnd = 0;
  for (const auto& [timer, watermark] : sink->results()->values()) {
    EXPECT_GE(watermark, timer) << "timer " << timer << " fired before the watermark reached it";
    ++fired[{((timer % 5) + 5) % 5, timer}];
    if (watermark != kMaxWatermark) ++beforeEnd;
  }
  std::set<std::pair<int64_t, int64_t>> expected;
  for (int64_t i = 0; i < kRecords; ++i) {
    const int64_t v = shuffle(i);
    expected.insert({((v % 5) + 5) % 5, v});
  }
  EXPECT_EQ(fired.size(), expected.size());
  for (const auto& key : expected) {
    auto it = fired.find(key);
    ASSERT_NE(it, fired.end()) << "timer " << key.second << " of key " << key.first << " never fired";
    EXPECT_EQ(it->second, 1) << "timer " << key.second << " of key " << key.first << " fired more than once";
  }
  EXPECT_GT(beforeEnd, 0) << "no timer fired before the end of input: watermarks did not flow during the run";
}

TEST(EventTimeTest, ANegativeAutoWatermarkIntervalIsRejectedWithTheKeyNamed) {
  StreamExecutionEnvironment env;
  env.configuration().set("pipeline.auto-watermark-interval", "-5 ms");
  env.fromSequence(1, 3).sinkTo(std::make_shared<CollectSink<int64_t>>());
  try {
    env.execute("bad interval");
    FAIL() << "a negative interval was accepted";
  } catch (const StatusException& e) {
    EXPECT_NE(std::string(e.what()).find("pipeline.auto-watermark-interval"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weir
