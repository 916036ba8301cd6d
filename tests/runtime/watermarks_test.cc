// Watermarks, piece by piece: the valve that combines channels (minimum over
// active channels, idleness, realignment), the multiplexer that combines a
// source's splits, the built-in generators and strategies, the source
// operator's per-split watermarks, idleness and final watermark,
// assignTimestampsAndWatermarks, two-input operators, and event-time timers of
// a keyed process function.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <weir/weir.h>

#include "testing/operator_harness.h"

namespace weir {
namespace {

using testing::EmittedStatus;
using testing::EmittedWatermark;
using testing::Keyed;
using testing::OperatorHarness;
using testing::RecordingOutput;
using Elements = std::vector<testing::Element<int64_t>>;
using testing::Emitted;

constexpr auto kIdle = WatermarkStatus::kIdle;
constexpr auto kActive = WatermarkStatus::kActive;

// ---- StatusWatermarkValve ----

TEST(StatusWatermarkValveTest, EmitsTheMinimumOverChannelsOnceEveryChannelHasOne) {
  RecordingOutput<int64_t> out;
  StatusWatermarkValve valve(3, out);
  valve.inputWatermark(0, 10);
  valve.inputWatermark(1, 20);
  EXPECT_TRUE(out.watermarks().empty()) << "channel 2 has no watermark yet: event time is unknown";
  valve.inputWatermark(2, 15);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10}));
  valve.inputWatermark(0, 30);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10, 15}));
  valve.inputWatermark(2, 12);  // lower than the channel's last: ignored
  valve.inputWatermark(2, 25);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10, 15, 20}));
  EXPECT_EQ(valve.lastOutputWatermark(), 20);
}

TEST(StatusWatermarkValveTest, AnIdleChannelDoesNotHoldTheMinimumBack) {
  RecordingOutput<int64_t> out;
  StatusWatermarkValve valve(2, out);
  valve.inputWatermark(0, 10);
  valve.inputWatermark(1, 5);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({5}));
  valve.inputWatermarkStatus(1, kIdle);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({5, 10})) << "channel 1 held the minimum and went idle";
  valve.inputWatermark(0, 40);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({5, 10, 40}));
  EXPECT_TRUE(out.statuses().empty()) << "one channel is still active: so is the input";
}

TEST(StatusWatermarkValveTest, AChannelBackFromIdlenessCountsOnlyOnceItCaughtUp) {
  RecordingOutput<int64_t> out;
  StatusWatermarkValve valve(2, out);
  valve.inputWatermark(0, 10);
  valve.inputWatermark(1, 10);
  valve.inputWatermarkStatus(1, kIdle);
  valve.inputWatermark(0, 50);
  valve.inputWatermarkStatus(1, kActive);
  valve.inputWatermark(1, 20);  // behind the input's 50: not aligned, must not pull it back
  valve.inputWatermark(0, 60);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10, 50, 60}));
  valve.inputWatermark(1, 55);  // still behind the input's 60: still left out
  valve.inputWatermark(1, 65);  // caught up: counts again
  valve.inputWatermark(0, 100);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10, 50, 60, 65})) << "channel 1 now holds the minimum";
  valve.inputWatermark(1, 70);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({10, 50, 60, 65, 70}));
}

TEST(StatusWatermarkValveTest, AllChannelsIdleMakesTheInputIdleAfterFlushingTheLargestWatermark) {
  RecordingOutput<int64_t> out;
  StatusWatermarkValve valve(2, out);
  valve.inputWatermark(0, 10);
  valve.inputWatermark(1, 30);
  valve.inputWatermarkStatus(1, kIdle);
  valve.inputWatermarkStatus(0, kIdle);
  EXPECT_EQ(out.elements, Elements({EmittedWatermark{10}, EmittedWatermark{30}, EmittedStatus{kIdle}}));
  valve.inputWatermark(0, 99);  // a watermark on an idle channel is ignored
  valve.inputWatermarkStatus(0, kActive);
  EXPECT_EQ(out.elements, Elements({EmittedWatermark{10}, EmittedWatermark{30}, EmittedStatus{kIdle},
                                    EmittedStatus{kActive}}));
  EXPECT_EQ(valve.lastOutputStatus(), kActive);
}

// ---- WatermarkOutputMultiplexer ----

TEST(WatermarkOutputMultiplexerTest, CombinesOutputsLikeTheValveAndForgetsUnregisteredOnes) {
  RecordingOutput<int64_t> out;
  WatermarkOutputMultiplexer mux(out);
  auto& a = mux.registerOutput("a");
  auto& b = mux.registerOutput("b");
  a.emitWatermark(10);
  EXPECT_TRUE(out.elements.empty()) << "b has no watermark yet";
  b.emitWatermark(4);
  a.emitWatermark(20);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({4}));
  b.markIdle();
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({4, 20}));
  a.markIdle();
  EXPECT_EQ(out.statuses(), std::vector<WatermarkStatus>({kIdle}));
  b.emitWatermark(30);  // emitting makes b active again
  EXPECT_EQ(out.statuses(), std::vector<WatermarkStatus>({kIdle, kActive}));
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({4, 20, 30}));
  auto& c = mux.registerOutput("c");
  c.emitWatermark(25);
  b.emitWatermark(40);
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({4, 20, 30})) << "new split c (25) holds the minimum";
  mux.unregisterOutput("c");
  EXPECT_EQ(out.watermarks(), std::vector<Timestamp>({4, 20, 30, 40}));
}

// ---- generators and strategies ----

class RecordingWatermarkOutput final : public WatermarkOutput {
 public:
  void emitWatermark(Timestamp w) override { watermarks.push_back(w); }
  void markIdle() override { events.push_back("idle"); }
  void markActive() override { events.push_back("active"); }
  std::vector<Timestamp> watermarks;
  std::vector<std::string> events;
};

class FixedClock final : public WatermarkGeneratorContext {
 public:
  int64_t currentProcessingTime() const override { return now; }
  int64_t now = 0;
};

TEST(WatermarkStrategyTest, BoundedOutOfOrdernessTrailsTheLargestTimestampByTheBoundPlusOne) {
  FixedClock clock;
  RecordingWatermarkOutput out;
  auto gen = WatermarkStrategy<int64_t>::forBoundedOutOfOrderness(std::chrono::milliseconds(5))
                 .createWatermarkGenerator(clock);
  gen->onPeriodicEmit(out);
  EXPECT_TRUE(out.watermarks.empty()) << "no record yet: no watermark";
  gen->onEvent(0, 100, out);
  gen->onEvent(0, 90, out);  // out of order: does not lower the maximum
  gen->onPeriodicEmit(out);
  gen->onEvent(0, 120, out);
  gen->onPeriodicEmit(out);
  EXPECT_EQ(out.watermarks, std::vector<Timestamp>({94, 114}));

  RecordingWatermarkOutput mono;
  auto m = WatermarkStrategy<int64_t>::forMonotonousTimestamps().createWatermarkGenerator(clock);
  m->onEvent(0, 7, mono);
  m->onPeriodicEmit(mono);
  EXPECT_EQ(mono.watermarks, std::vector<Timestamp>({6}));
}

TEST(WatermarkStrategyTest, TimestampAssignerTakesTheRecordAndOptionallyItsTimestamp) {
  auto byValue = WatermarkStrategy<int64_t>::noWatermarks().withTimestampAssigner(
      [](const int64_t& v) { return v * 10; });
  EXPECT_EQ(byValue.extractTimestamp(3, 999), 30);
  auto both = WatermarkStrategy<int64_t>::noWatermarks().withTimestampAssigner(
      [](const int64_t& v, Timestamp ts) { return ts + v; });
  EXPECT_EQ(both.extractTimestamp(3, 100), 103);
  EXPECT_EQ(WatermarkStrategy<int64_t>::noWatermarks().extractTimestamp(3, 42), 42) << "no assigner: kept";
  EXPECT_THROW(WatermarkStrategy<int64_t>::forBoundedOutOfOrderness(std::chrono::milliseconds(-1)),
               std::invalid_argument);
  EXPECT_THROW(WatermarkStrategy<int64_t>::noWatermarks().withIdleness(std::chrono::milliseconds(0)),
               std::invalid_argument);
}

TEST(WatermarkStrategyTest, IdlenessMarksIdleAfterTheTimeoutWithoutRecordsAndResumesWithTheNext) {
  FixedClock clock;
  RecordingWatermarkOutput out;
  auto gen = WatermarkStrategy<int64_t>::forMonotonousTimestamps()
                 .withIdleness(std::chrono::milliseconds(100))
                 .createWatermarkGenerator(clock);
  gen->onEvent(0, 10, out);
  clock.now = 50;
  gen->onPeriodicEmit(out);  // records since the last check: active, emits 9
  clock.now = 120;
  gen->onPeriodicEmit(out);  // quiet for 70 ms: still active
  clock.now = 160;
  gen->onPeriodicEmit(out);  // quiet for 110 ms: idle
  clock.now = 400;
  gen->onPeriodicEmit(out);  // still idle: nothing more
  EXPECT_EQ(out.events, std::vector<std::string>({"idle"}));
  EXPECT_EQ(out.watermarks, std::vector<Timestamp>({9, 9}));
  gen->onEvent(0, 20, out);
  gen->onPeriodicEmit(out);
  EXPECT_EQ(out.watermarks, std::vector<Timestamp>({9, 9, 19})) << "a record ends idleness";
}

// ---- SourceOperator: per-split watermarks, idleness, the final watermark ----

// One scripted step of a reader: a record of a split, or the end of a split.
struct Step {
  std::string split;  // "" = the reader's main output
  int64_t value = 0;
  bool release = false;
  bool create = false;  // only create the split's output (a split assigned, nothing read yet)
};

struct ScriptSplit {
  int64_t id = 0;
  bool operator==(const ScriptSplit&) const = default;
};
WEIR_STRUCT(ScriptSplit, id);

// A reader that plays one step per poll from a queue the test fills; then it
// has nothing available, or ends if `end` is set.
struct Script {
  std::deque<Step> steps;
  bool end = false;
};

class ScriptedSource final : public Source<int64_t, ScriptSplit> {
 public:
  explicit ScriptedSource(std::shared_ptr<Script> script) : script_(std::move(script)) {}
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<ScriptSplit>> createEnumerator(
      SplitEnumeratorContext<ScriptSplit>& ctx) const override {
    return std::make_unique<StaticSplitEnumerator<ScriptSplit>>(ctx, std::vector<ScriptSplit>{});
  }
  std::unique_ptr<SourceReader<int64_t, ScriptSplit>> createReader(SourceReaderContext&) const override {
    return std::make_unique<Reader>(script_);
  }

 private:
  class Reader final : public SourceReader<int64_t, ScriptSplit> {
   public:
    explicit Reader(std::shared_ptr<Script> script) : script_(std::move(script)) {}
    InputStatus pollNext(ReaderOutput<int64_t>& out) override {
      if (script_->steps.empty())
        return script_->end ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
      Step s = script_->steps.front();
      script_->steps.pop_front();
      if (s.release) {
        out.releaseOutputForSplit(s.split);
      } else if (s.create) {
        out.createOutputForSplit(s.split);
      } else if (s.split.empty()) {
        out.collect(s.value, 1000 + s.value);  // the source's own timestamp: 1000 + value
      } else {
        out.createOutputForSplit(s.split).collect(s.value, 1000 + s.value);
      }
      return InputStatus::kMoreAvailable;
    }
    void addSplits(std::vector<ScriptSplit>) override {}
    void notifyNoMoreSplits() override {}
    std::vector<ScriptSplit> snapshotState() override { return {}; }

   private:
    std::shared_ptr<Script> script_;
  };
  std::shared_ptr<Script> script_;
};

class SourceWatermarksTest : public ::testing::Test {
 protected:
  void open(std::shared_ptr<const WatermarkStrategy<int64_t>> strategy) {
    harness_ =
        std::make_unique<OperatorHarness<int64_t>>(std::make_unique<SourceOperator<int64_t, ScriptSplit>>(
            std::make_shared<const ScriptedSource>(script_), std::move(strategy)));
    harness_->config().set("pipeline.auto-watermark-interval", "100 ms");
    harness_->open();
  }
  // Plays every queued step.
  InputStatus play() {
    auto& source = static_cast<SourceOperatorBase&>(harness_->op());
    InputStatus s = InputStatus::kMoreAvailable;
    while (s == InputStatus::kMoreAvailable) s = source.emitNext(100);
    return s;
  }
  void add(std::vector<Step> steps) {
    script_->steps.insert(script_->steps.end(), steps.begin(), steps.end());
  }
  RecordingOutput<int64_t>& out() { return harness_->output(); }
  testing::ManualProcessingTimeService& time() { return harness_->time(); }

  std::shared_ptr<Script> script_ = std::make_shared<Script>();
  std::unique_ptr<OperatorHarness<int64_t>> harness_;
};

std::shared_ptr<const WatermarkStrategy<int64_t>> byValue(
    WatermarkStrategy<int64_t> s = WatermarkStrategy<int64_t>::forMonotonousTimestamps()) {
  return std::make_shared<const WatermarkStrategy<int64_t>>(
      s.withTimestampAssigner([](const int64_t& v) { return Timestamp(v); }));
}

TEST_F(SourceWatermarksTest, TheSourceWatermarkIsTheMinimumOverItsSplits) {
  open(byValue());
  add({{"a", 10}, {"b", 5}, {"a", 20}});
  play();
  EXPECT_EQ(out().elements,
            Elements({Emitted<int64_t>{10, 10}, Emitted<int64_t>{5, 5}, Emitted<int64_t>{20, 20}}))
      << "records carry the assigner's timestamp; no watermark before the first periodic emit";
  time().advanceTo(100);
  EXPECT_EQ(out().watermarks(), std::vector<Timestamp>({4})) << "min(a: 19, b: 4)";
  add({{"b", 30}});
  play();
  time().advanceTo(200);
  EXPECT_EQ(out().watermarks(), std::vector<Timestamp>({4, 19})) << "min(a: 19, b: 29)";
  add({{"a", 0, true}});  // split a finished
  play();
  time().advanceTo(300);
  EXPECT_EQ(out().watermarks(), std::vector<Timestamp>({4, 19, 29}));
}

// A reader holding several splits creates their outputs before reading any (as the sequence
// reader does after a restore onto fewer subtasks): a split that has not emitted yet holds the
// watermark back, so the one read first cannot make its records late.
TEST_F(SourceWatermarksTest, ASplitWhoseOutputExistsHoldsTheWatermarkBeforeItsFirstRecord) {
  open(byValue());
  add({{"late", 0, false, true}, {"early", 0, false, true}, {"late", 5000}, {"late", 6000}});
  play();
  time().advanceTo(100);
  EXPECT_TRUE(out().watermarks().empty()) << "'early' has emitted nothing: no watermark may pass its records";
  add({{"early", 1000}});
  play();
  time().advanceTo(200);
  EXPECT_EQ(out().watermarks(), std::vector<Timestamp>({999})) << "min(late: 5999, early: 999)";
  add({{"early", 0, true}});  // finished
  play();
  time().advanceTo(300);
  EXPECT_EQ(out().watermarks(), std::vector<Timestamp>({999, 5999}));
}

TEST_F(SourceWatermarksTest, AnIdleSplitIsLeftOutAndAllIdleMakesTheSourceIdleUntilItsNextRecord) {
  open(byValue(
      WatermarkStrategy<int64_t>::forMonotonousTimestamps().withIdleness(std::chrono::milliseconds(150))));
  add({{"a", 10}, {"b", 5}});
  play();
  time().advanceTo(100);  // a: 9, b: 4
  for (int64_t t = 200; t <= 500; t += 100) {
    add({{"a", t}});  // a keeps going, b is quiet
    play();
    time().advanceTo(t);
  }
  std::vector<Timestamp> w = out().watermarks();
  ASSERT_FALSE(w.empty());
  EXPECT_EQ(w.front(), 4);
  EXPECT_EQ(w.back(), 499) << "b went idle: the watermark follows a alone";
  EXPECT_TRUE(out().statuses().empty());

  out().clear();
  time().advanceTo(1000);  // now a is quiet too
  EXPECT_EQ(out().elements, Elements({EmittedStatus{kIdle}}));
  out().clear();
  add({{"b", 700}});
  play();
  EXPECT_EQ(out().elements, Elements({EmittedStatus{kActive}, Emitted<int64_t>{700, 700}}))
      << "a record on an idle split makes the source active before the record goes out";
}

TEST_F(SourceWatermarksTest, TheEndOfInputEmitsTheMaximumWatermarkAndStopsPeriodicEmission) {
  open(byValue());
  add({{"", 10}});
  script_->end = true;
  EXPECT_EQ(play(), InputStatus::kEndOfInput);
  EXPECT_EQ(out().elements, Elements({Emitted<int64_t>{10, 10}, EmittedWatermark{kMaxWatermark}}));
  out().clear();
  time().advanceTo(1000);
  EXPECT_TRUE(out().elements.empty());
}

TEST_F(SourceWatermarksTest, WithoutAStrategyRecordsKeepTheirTimestampsAndOnlyTheFinalWatermarkIsEmitted) {
  open(nullptr);
  add({{"", 1}, {"x", 2}});
  script_->end = true;
  play();
  time().advanceTo(1000);
  EXPECT_EQ(out().elements, Elements({Emitted<int64_t>{1, 1001}, Emitted<int64_t>{2, 1002},
                                      EmittedWatermark{kMaxWatermark}}));
}

// ---- assignTimestampsAndWatermarks ----

TEST(TimestampsAndWatermarksOperatorTest, AssignsGeneratesAndReplacesUpstreamWatermarksButTheLast) {
  OperatorHarness<int64_t> h(std::make_unique<TimestampsAndWatermarksOperator<int64_t>>(
      WatermarkStrategy<int64_t>::forBoundedOutOfOrderness(std::chrono::milliseconds(10))
          .withTimestampAssigner([](const int64_t& v) { return Timestamp(v); })));
  h.config().set("pipeline.auto-watermark-interval", "50 ms");
  h.open();
  auto& in = h.input<int64_t>();
  in.processElement(100, kNoTimestamp);
  in.processWatermark(500);  // upstream watermark: dropped
  in.processWatermarkStatus(kIdle);
  h.time().advanceTo(50);
  in.processElement(130, 7);
  h.time().advanceTo(100);
  in.processWatermark(kMaxWatermark);  // the end of the input passes
  EXPECT_EQ(h.output().elements,
            Elements({Emitted<int64_t>{100, 100}, EmittedWatermark{89}, Emitted<int64_t>{130, 130},
                      EmittedWatermark{119}, EmittedWatermark{kMaxWatermark}}));
}

// ---- two inputs ----

struct PassBoth final : CoProcessFunction<int64_t, int64_t, int64_t> {
  void processElement1(const int64_t& v, Context&, Collector<int64_t>& out) override { out.collect(v); }
  void processElement2(const int64_t& v, Context&, Collector<int64_t>& out) override { out.collect(v); }
};

TEST(TwoInputWatermarksTest, ATwoInputOperatorForwardsTheMinimumOfItsActiveInputs) {
  OperatorHarness<int64_t> h(std::make_unique<CoProcessOperator<PassBoth>>(PassBoth{}));
  h.open();
  auto& in1 = h.input<int64_t>(1);
  auto& in2 = h.input<int64_t>(2);
  in1.processWatermark(10);
  in2.processWatermark(3);
  in1.processWatermark(20);
  in2.processWatermarkStatus(kIdle);
  in1.processWatermarkStatus(kIdle);
  EXPECT_EQ(h.output().elements, Elements({EmittedWatermark{3}, EmittedWatermark{20}, EmittedStatus{kIdle}}));
}

// ---- event-time timers ----

// Registers an event-time timer at value + 10 for key value % 3; onTimer emits
// (timer time * 1000 + watermark seen at firing), with the timer's time as timestamp.
struct EventTimers final : KeyedProcessFunction<int64_t, int64_t, int64_t> {
  void processElement(const int64_t& v, Context& ctx, Collector<int64_t>&) override {
    ctx.timerService().registerEventTimeTimer(v + 10);
    ctx.timerService().registerEventTimeTimer(v + 10);  // duplicate: ignored
    if (v == 5) ctx.timerService().deleteEventTimeTimer(v + 10);
  }
  void onTimer(int64_t ts, OnTimerContext& ctx, Collector<int64_t>& out) override {
    EXPECT_EQ(ctx.timeDomain(), TimeDomain::kEventTime);
    EXPECT_EQ(ctx.timestamp(), ts);
    EXPECT_EQ(ctx.getCurrentKey(), (ts - 10) % 3) << "the timer runs with the key that registered it";
    out.collect(ts * 1000 + ctx.timerService().currentWatermark());
  }
};

TEST(EventTimeTimersTest, AWatermarkFiresTheDueTimersInTimeOrderBeforeItIsForwarded) {
  auto key = [](const int64_t& v) { return v % 3; };
  OperatorHarness<int64_t> h(
      std::make_unique<KeyedProcessOperator<EventTimers, decltype(key)>>(EventTimers{}, key), Keyed::kYes);
  h.open();
  auto& in = h.input<int64_t>();
  for (int64_t v : {7, 1, 5, 2, 30}) in.processElement(v, v);
  in.processWatermark(11);  // timers 11 (v 1) fires; 12 (v 2), 17 (v 7), 40 (v 30) wait; 15 (v 5) was deleted
  in.processWatermark(17);
  in.processElement(3, 3);  // timer 13 <= the current watermark: fires with the next watermark
  in.processWatermark(18);
  EXPECT_EQ(h.output().elements,
            Elements({Emitted<int64_t>{11 * 1000 + 11, 11}, EmittedWatermark{11},
                      Emitted<int64_t>{12 * 1000 + 17, 12}, Emitted<int64_t>{17 * 1000 + 17, 17},
                      EmittedWatermark{17}, Emitted<int64_t>{13 * 1000 + 18, 13}, EmittedWatermark{18}}));
}

}  // namespace
}  // namespace weir
