// Side outputs: records a process function emits with ctx.output(tag, v) reach
// the consumers of getSideOutput(tag), chained or across the network, with
// their timestamps; a side output nobody reads is dropped; one id cannot be
// used with two types.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <weir/weir.h>

namespace weir {
namespace {

const OutputTag<std::string> kOdd("odd");
const OutputTag<int64_t> kUnread("unread");

class SplitEvenOdd final : public ProcessFunction<int64_t, int64_t> {
 public:
  void processElement(const int64_t& v, Context& ctx, Collector<int64_t>& out) override {
    if (v % 2 == 0) {
      out.collect(v);
    } else {
      ctx.output(kOdd, "odd-" + std::to_string(v));
      ctx.output(kUnread, v);
    }
  }
};

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SideOutputTest, RecordsReachTheSideOutputsConsumersChainedAndOverTheNetwork) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto evens = std::make_shared<CollectSink<int64_t>>();
  auto chained = std::make_shared<CollectSink<std::string>>();
  auto remote = std::make_shared<CollectSink<std::string>>();
  auto split = env.fromSequence(1, 100).process(SplitEvenOdd());
  split.sinkTo(evens);
  split.getSideOutput(kOdd).sinkTo(chained);  // forward: chained
  split.getSideOutput(kOdd)
      .map([](const std::string& s) { return s + "!"; })
      .setParallelism(1)  // rebalance: over the network
      .sinkTo(remote)
      .setParallelism(1);
  env.execute("side outputs");

  std::vector<int64_t> expectedEvens;
  std::vector<std::string> expectedOdds, expectedRemote;
  for (int64_t v = 1; v <= 100; ++v) {
    if (v % 2 == 0) {
      expectedEvens.push_back(v);
    } else {
      expectedOdds.push_back("odd-" + std::to_string(v));
      expectedRemote.push_back("odd-" + std::to_string(v) + "!");
    }
  }
  EXPECT_EQ(sorted(evens->results()->values()), sorted(expectedEvens));
  EXPECT_EQ(sorted(chained->results()->values()), sorted(expectedOdds));
  EXPECT_EQ(sorted(remote->results()->values()), sorted(expectedRemote));
}

class KeyedSideOutput final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void processElement(const int64_t& v, Context& ctx, Collector<int64_t>&) override {
    ctx.output(kOdd, std::to_string(ctx.getCurrentKey()) + ":" + std::to_string(v));
  }
};

TEST(SideOutputTest, KeyedProcessFunctionsEmitToSideOutputsToo) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto side = std::make_shared<CollectSink<std::string>>();
  auto main = std::make_shared<CollectSink<int64_t>>();
  auto op = env.fromSequence(1, 10).keyBy([](const int64_t& v) { return v % 3; }).process(KeyedSideOutput());
  op.sinkTo(main);
  op.getSideOutput(kOdd).sinkTo(side);
  env.execute("keyed side output");
  std::vector<std::string> expected;
  for (int64_t v = 1; v <= 10; ++v) expected.push_back(std::to_string(v % 3) + ":" + std::to_string(v));
  EXPECT_EQ(sorted(side->results()->values()), sorted(expected));
  EXPECT_TRUE(main->results()->values().empty());
}

TEST(SideOutputTest, OneIdWithTwoTypesIsRejected) {
  StreamExecutionEnvironment env;
  auto op = env.fromSequence(1, 10).process(SplitEvenOdd());
  op.getSideOutput(OutputTag<std::string>("x"));
  EXPECT_THROW(op.getSideOutput(OutputTag<int64_t>("x")), std::invalid_argument);
  EXPECT_THROW(OutputTag<int64_t>(""), std::invalid_argument);
}

}  // namespace
}  // namespace weir
