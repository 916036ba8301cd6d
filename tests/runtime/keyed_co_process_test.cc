// Two streams keyed by the same key type, connected: a KeyedCoProcessFunction
// sees both with keyed state and timers shared per key (here: the sum of the
// first input's values and the count of the second input's records per key,
// reported by an event-time timer when both inputs are done), checked against
// arithmetic on the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <weir/weir.h>

namespace weir {
namespace {

using Report = std::tuple<int64_t, int64_t, int64_t>;  // key, sum of input 1, count of input 2

class SumAndCount final : public KeyedCoProcessFunction<int64_t, int64_t, int64_t, Report> {
 public:
  void open(RuntimeContext& ctx) override {
    sum_ = &ctx.getState(ValueStateDescriptor<int64_t>("sum"));
    count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count"));
  }
  void processElement1(const int64_t& v, Context& ctx, Collector<Report>&) override {
    sum_->update(sum_->value().value_or(0) + v);
    ctx.timerService().registerEventTimeTimer(1'000'000);
  }
  void processElement2(const int64_t&, Context& ctx, Collector<Report>&) override {
    count_->update(count_->value().value_or(0) + 1);
    ctx.timerService().registerEventTimeTimer(1'000'000);
  }
  void onTimer(int64_t, OnTimerContext& ctx, Collector<Report>& out) override {
    EXPECT_EQ(ctx.timeDomain(), TimeDomain::kEventTime);
    out.collect({ctx.getCurrentKey(), sum_->value().value_or(0), count_->value().value_or(0)});
  }

 private:
  ValueState<int64_t>* sum_ = nullptr;
  ValueState<int64_t>* count_ = nullptr;
};

TEST(KeyedCoProcessTest, BothInputsShareKeyedStateAndTimersPerKey) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto sink = std::make_shared<CollectSink<Report>>();
  auto strategy = WatermarkStrategy<int64_t>::forMonotonousTimestamps().withTimestampAssigner(
      [](const int64_t& v) { return Timestamp(v); });
  auto first = env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(
                                  std::make_shared<const NumberSequenceSource>(1, 300)),
                              strategy, "first")
                   .keyBy([](const int64_t& v) { return v % 4; });
  auto second = env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(
                                   std::make_shared<const NumberSequenceSource>(1, 90)),
                               strategy, "second")
                    .keyBy([](const int64_t& v) { return (v / 10) % 4; });
  first.connect(second).process(SumAndCount{}).sinkTo(sink);
  env.execute("keyed co-process");

  std::map<int64_t, std::pair<int64_t, int64_t>> want;
  for (int64_t v = 1; v <= 300; ++v) want[v % 4].first += v;
  for (int64_t v = 1; v <= 90; ++v) want[(v / 10) % 4].second += 1;
  std::vector<Report> expected;
  for (const auto& [k, sc] : want) expected.emplace_back(k, sc.first, sc.second);
  std::vector<Report> got = sink->results()->values();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace weir
