// The window operator on its own (OperatorHarness): tumbling, sliding and
// session windows on event time, processing-time windows, count windows,
// reduce / aggregate / process and their combinations, allowed lateness with
// late firings, late data to a side output or dropped, and the bookkeeping of
// timers shared by several windows of one key.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <weir/weir.h>

#include "testing/operator_harness.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
using testing::Emitted;
using testing::EmittedWatermark;
using testing::Keyed;
using testing::OperatorHarness;
using testing::RecordingOutput;

// A record: (key, value); its event time is given separately.
struct KV {
  int64_t key = 0;
  int64_t value = 0;
  bool operator==(const KV&) const = default;
};
WEIR_STRUCT(KV, key, value);

struct KeyOf {
  int64_t operator()(const KV& kv) const { return kv.key; }
};
auto sumValues = [](const KV& a, const KV& b) { return KV{a.key, a.value + b.value}; };
using SumValues = decltype(sumValues);

// Counts records: (count, sum) accumulator, "key:count:sum" can't be made here (no key): emits count * 1000 +
// sum.
struct CountAndSum final : AggregateFunction<KV, std::pair<int64_t, int64_t>, int64_t> {
  std::pair<int64_t, int64_t> createAccumulator() const override { return {0, 0}; }
  void add(const KV& v, std::pair<int64_t, int64_t>& acc) const override {
    acc.first += 1;
    acc.second += v.value;
  }
  int64_t getResult(const std::pair<int64_t, int64_t>& acc) const override {
    return acc.first * 1000 + acc.second;
  }
  std::pair<int64_t, int64_t> merge(const std::pair<int64_t, int64_t>& a,
                                    const std::pair<int64_t, int64_t>& b) const override {
    return {a.first + b.first, a.second + b.second};
  }
};

// "key [start,end) v1 v2 ..." from all of a window's records.
struct Describe final : ProcessWindowFunction<KV, std::string, int64_t, TimeWindow> {
  void process(const int64_t& key, Context& ctx, std::span<const KV> elements,
               Collector<std::string>& out) override {
    std::string s = std::to_string(key) + " [" + std::to_string(ctx.window().start) + "," +
                    std::to_string(ctx.window().end) + ")";
    for (const KV& e : elements) s += " " + std::to_string(e.value);
    out.collect(s);
  }
};

template <class Out, class W, class Contents, class Emitter>
std::unique_ptr<OperatorHarness<Out>> harness(std::shared_ptr<const WindowAssigner<W>> assigner,
                                              Contents contents, Emitter emitter, int64_t lateness = 0,
                                              std::shared_ptr<const Trigger<W>> trigger = nullptr,
                                              std::string lateTag = "") {
  if (!trigger) trigger = assigner->defaultTrigger();
  auto op = std::make_unique<WindowOperator<int64_t, W, Contents, Emitter, KeyOf>>(
      KeyOf{}, assigner, trigger, lateness, std::move(contents), std::move(emitter), std::move(lateTag));
  return std::make_unique<OperatorHarness<Out>>(std::move(op), Keyed::kYes);
}

using ReduceKV = detail::ReduceWindowContents<KV, SumValues>;

TEST(WindowOperatorTest, TumblingEventTimeReduceFiresWhenTheWatermarkPassesTheEnd) {
  auto h =
      harness<KV>(TumblingEventTimeWindows::of(10ms), ReduceKV{sumValues}, detail::PassThroughEmitter<KV>{});
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, 0);
  in.processElement({2, 10}, 3);
  in.processElement({1, 2}, 9);
  in.processElement({1, 100}, 10);  // next window
  in.processWatermark(8);
  EXPECT_EQ(h->output().values(), std::vector<KV>{}) << "window [0,10) ends at 9";
  in.processWatermark(9);
  in.processWatermark(30);
  using E = std::vector<testing::Element<KV>>;
  EXPECT_EQ(h->output().elements, E({EmittedWatermark{8}, Emitted<KV>{{1, 3}, 9}, Emitted<KV>{{2, 10}, 9},
                                     EmittedWatermark{9}, Emitted<KV>{{1, 100}, 19}, EmittedWatermark{30}}));
}

TEST(WindowOperatorTest, SlidingWindowsCountEachRecordInEveryWindowThatHoldsIt) {
  auto h =
      harness<int64_t>(SlidingEventTimeWindows::of(10ms, 5ms), detail::AggregateWindowContents<CountAndSum>{},
                       detail::PassThroughEmitter<int64_t>{});
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, 2);   // [-5,5) [0,10)
  in.processElement({1, 2}, 7);   // [0,10) [5,15)
  in.processElement({1, 4}, 12);  // [5,15) [10,20)
  in.processWatermark(100);
  // Firing order: by window end. [-5,5): 1 record sum 1; [0,10): 2, 3; [5,15): 2, 6; [10,20): 1, 4.
  EXPECT_EQ(h->output().values(), std::vector<int64_t>({1001, 2003, 2006, 1004}));
}

TEST(WindowOperatorTest, SessionsMergeAndAProcessFunctionSeesAllTheirRecords) {
  auto h = harness<std::string>(EventTimeSessionWindows::withGap(5ms), detail::ListWindowContents<KV>{},
                                detail::ProcessWindowEmitter<Describe>{});
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, 0);   // [0,5)
  in.processElement({1, 2}, 20);  // [20,25)
  in.processElement({1, 3}, 10);  // [10,15)
  in.processElement({1, 4}, 3);   // [3,8): merges with [0,5) -> [0,8)
  in.processElement({1, 5}, 7);   // [7,12): bridges [0,8) and [10,15) -> [0,15)
  in.processElement({2, 9}, 1);   // another key
  in.processWatermark(14);
  in.processWatermark(100);
  EXPECT_EQ(h->output().values(), std::vector<std::string>({"2 [1,6) 9", "1 [0,15) 1 4 3 5", "1 [20,25) 2"}))
      << "merged windows' records in window order, then the record that merged them";
}

TEST(WindowOperatorTest, AllowedLatenessFiresAgainForLateRecordsAndSendsTooLateOnesToTheSideOutput) {
  auto h =
      harness<KV>(TumblingEventTimeWindows::of(10ms), ReduceKV{sumValues}, detail::PassThroughEmitter<KV>{},
                  /*lateness=*/5, std::shared_ptr<const Trigger<TimeWindow>>(), "late");
  RecordingOutput<KV> late;
  h->op().setSideOutput("late", &late);
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, 5);
  in.processWatermark(10);        // [0,10) fires: 1
  in.processElement({1, 2}, 6);   // late but within 5 ms: fires again with 3
  in.processWatermark(14);        // cleanup of [0,10) at 9 + 5 = 14
  in.processElement({1, 4}, 7);   // too late: side output
  in.processElement({1, 8}, 12);  // on time for [10,20)
  in.processWatermark(19);
  EXPECT_EQ(h->output().values(), std::vector<KV>({{1, 1}, {1, 3}, {1, 8}}));
  EXPECT_EQ(late.values(), std::vector<KV>({{1, 4}}));
  EXPECT_EQ(late.elements[2], (testing::Element<KV>{Emitted<KV>{{1, 4}, 7}})) << "with its own timestamp";
  EXPECT_EQ(late.watermarks(), std::vector<Timestamp>({10, 14, 19})) << "side outputs get the watermarks too";
}

TEST(WindowOperatorTest, TooLateRecordsWithoutASideOutputAreDroppedAndCounted) {
  using Op = WindowOperator<int64_t, TimeWindow, ReduceKV, detail::PassThroughEmitter<KV>, KeyOf>;
  auto h =
      harness<KV>(TumblingEventTimeWindows::of(10ms), ReduceKV{sumValues}, detail::PassThroughEmitter<KV>{});
  h->open();
  auto& in = h->input<KV>();
  in.processWatermark(50);
  in.processElement({1, 1}, 5);
  in.processElement({1, 1}, 49);  // window [40,50) ends at 49 <= 50: late as well
  in.processElement({1, 1}, 51);
  EXPECT_EQ(static_cast<Op&>(h->op()).numLateRecordsDropped(), 2u);
  in.processWatermark(60);
  EXPECT_EQ(h->output().values(), std::vector<KV>({{1, 1}}));
}

TEST(WindowOperatorTest, ProcessingTimeWindowsFireWhenTheClockPassesTheirEnd) {
  auto h = harness<KV>(TumblingProcessingTimeWindows::of(100ms), ReduceKV{sumValues},
                       detail::PassThroughEmitter<KV>{});
  h->time().advanceTo(1000);
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, kNoTimestamp);
  h->time().advanceTo(1050);
  in.processElement({1, 2}, kNoTimestamp);
  h->time().advanceTo(1098);
  EXPECT_TRUE(h->output().values().empty());
  h->time().advanceTo(1099);
  EXPECT_EQ(h->output().values(), std::vector<KV>({{1, 3}}));
  h->time().advanceTo(1100);
  in.processElement({1, 4}, kNoTimestamp);  // the next window
  h->time().advanceTo(1200);
  EXPECT_EQ(h->output().elements,
            (std::vector<testing::Element<KV>>{Emitted<KV>{{1, 3}, 1099}, Emitted<KV>{{1, 4}, 1199}}));
}

TEST(WindowOperatorTest, CountWindowsFireEveryNRecordsOfAKeyAndPurge) {
  auto trigger = PurgingTrigger<GlobalWindow>::of(CountTrigger<GlobalWindow>::of(3));
  auto h =
      harness<KV>(GlobalWindows::create(), ReduceKV{sumValues}, detail::PassThroughEmitter<KV>{}, 0, trigger);
  h->open();
  auto& in = h->input<KV>();
  for (int64_t v = 1; v <= 7; ++v) in.processElement({v % 2, v}, kNoTimestamp);
  // key 1: 1, 3, 5 -> 9; 7 pending. key 0: 2, 4, 6 -> 12.
  EXPECT_EQ(h->output().values(), std::vector<KV>({{1, 9}, {0, 12}}));
}

struct WithKeyAndWindow final : ProcessWindowFunction<KV, std::string, int64_t, TimeWindow> {
  void process(const int64_t& key, Context& ctx, std::span<const KV> results,
               Collector<std::string>& out) override {
    ASSERT_EQ(results.size(), 1u);
    out.collect(std::to_string(key) + "@" + std::to_string(ctx.window().start) + "=" +
                std::to_string(results[0].value) + " wm " + std::to_string(ctx.currentWatermark()));
  }
};

TEST(WindowOperatorTest, ReduceThenProcessSeesTheOneResultWithKeyAndWindow) {
  auto h = harness<std::string>(TumblingEventTimeWindows::of(10ms), ReduceKV{sumValues},
                                detail::ProcessWindowEmitter<WithKeyAndWindow>{});
  h->open();
  auto& in = h->input<KV>();
  in.processElement({3, 1}, 11);
  in.processElement({3, 2}, 12);
  in.processWatermark(25);
  EXPECT_EQ(h->output().values(), std::vector<std::string>({"3@10=3 wm 25"}));
}

TEST(WindowOperatorTest, ATimeSharedByTwoWindowsOfAKeyStaysUntilNeitherNeedsIt) {
  // Window [0,10) is cleaned up at 9 + 5 = 14, the very time window [5,15)'s trigger fires:
  // the key has one timer at 14 for both. Cleaning [0,10) must not delete it.
  auto h =
      harness<int64_t>(SlidingEventTimeWindows::of(10ms, 5ms), detail::AggregateWindowContents<CountAndSum>{},
                       detail::PassThroughEmitter<int64_t>{}, /*lateness=*/5);
  h->open();
  auto& in = h->input<KV>();
  in.processElement({1, 1}, 7);  // [0,10) and [5,15)
  in.processWatermark(9);        // [0,10) fires
  in.processElement({1, 2}, 8);  // late for [0,10) (fires again), on time for [5,15)
  in.processWatermark(14);       // [0,10) cleaned up, [5,15) fires
  EXPECT_EQ(h->output().values(), std::vector<int64_t>({1001, 2003, 2003}));
}

TEST(WindowOperatorTest, AnEventTimeWindowGivenARecordWithoutTimestampFailsWithAnActionableMessage) {
  auto h =
      harness<KV>(TumblingEventTimeWindows::of(10ms), ReduceKV{sumValues}, detail::PassThroughEmitter<KV>{});
  h->open();
  try {
    h->input<KV>().processElement({1, 1}, kNoTimestamp);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("WatermarkStrategy"), std::string::npos) << e.what();
  }
}

TEST(WindowedStreamTest, MisconfiguredWindowsAreRejectedWhenTheJobIsBuilt) {
  StreamExecutionEnvironment env;
  auto keyed = env.fromElements<int64_t>(1, 2, 3).keyBy([](const int64_t& v) { return v; });
  EXPECT_THROW(keyed.window(TumblingProcessingTimeWindows::of(10ms)).allowedLateness(5ms),
               std::invalid_argument);
  EXPECT_THROW(keyed.window(TumblingEventTimeWindows::of(0ms)), std::invalid_argument);
  EXPECT_THROW(keyed.window(TumblingEventTimeWindows::of(10ms)).allowedLateness(-1ms), std::invalid_argument);
  EXPECT_THROW(keyed.window(EventTimeSessionWindows::withGap(5ms))
                   .trigger(std::make_shared<const CountTrigger<TimeWindow>>(2))
                   .trigger(nullptr),
               std::invalid_argument);
  EXPECT_THROW(keyed.countWindow(0), std::invalid_argument);
}

}  // namespace
}  // namespace weir
