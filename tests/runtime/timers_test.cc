// Processing-time timers of a KeyedProcessFunction, end to end on the embedded
// cluster: registered per key, deduplicated, deletable, and fired on the task
// thread with the key that registered them as the current key (and its state).
//
// Semantics observed (and relied on here): a bounded job ends as soon as its
// input ends. Processing-time timers still pending at that moment are dropped,
// not fired early and not waited for (ProcessingTimeService: "Callbacks still
// pending when the task ends are dropped"). So a test that wants timers to fire
// must keep input flowing until they are due: the rate-limited
// DataGeneratorSource below registers timers with its first records and then
// keeps sending records that register nothing for several hundred milliseconds.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <weir/weir.h>

namespace weir {
namespace {

using KeyAndTimestamp = std::pair<int64_t, int64_t>;

constexpr int64_t kPerSplit = 100;       // records per source subtask (two splits of 100)
constexpr int64_t kArmingPerSplit = 10;  // the first 10 records of each split register a timer
constexpr int64_t kDelayMs = 10;

bool arms(int64_t record) { return record % kPerSplit < kArmingPerSplit; }

// For each arming record (its own key): registers a timer at now + 10 ms twice
// (deduplicated), and one at now + 15 ms that it deletes again. Stores the
// timestamp in keyed state. onTimer emits (current key, timestamp), or a
// negative timestamp if the key's state does not hold that timestamp (the timer
// ran with the wrong current key).
class ArmTimer final : public KeyedProcessFunction<int64_t, int64_t, KeyAndTimestamp> {
 public:
  void open(RuntimeContext& ctx) override {
    armedAt_ = &ctx.getState(ValueStateDescriptor<int64_t>("armed-at"));
  }
  void processElement(const int64_t& value, Context& ctx, Collector<KeyAndTimestamp>&) override {
    if (!arms(value)) return;
    int64_t at = ctx.timerService().currentProcessingTime() + kDelayMs;
    armedAt_->update(at);
    ctx.timerService().registerProcessingTimeTimer(at);
    ctx.timerService().registerProcessingTimeTimer(at);  // same (key, timestamp): ignored
    ctx.timerService().registerProcessingTimeTimer(at + 5);
    ctx.timerService().deleteProcessingTimeTimer(at + 5);
  }
  void onTimer(int64_t timestamp, OnTimerContext& ctx, Collector<KeyAndTimestamp>& out) override {
    bool stateMatches = armedAt_->value() == timestamp;
    out.collect({ctx.getCurrentKey(), stateMatches ? timestamp : -timestamp});
  }

 private:
  ValueState<int64_t>* armedAt_ = nullptr;
};

TEST(ProcessingTimeTimersTest, EveryKeyFiresExactlyOnceWithItsOwnKey) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.setBufferTimeout(std::chrono::milliseconds(5));
  auto sink = std::make_shared<CollectSink<KeyAndTimestamp>>();
  // 400 records/s over 2 subtasks: each split takes ~500 ms; its arming records come
  // in the first ~50 ms, so their timers are due long before the input ends.
  auto source =
      std::make_shared<const DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 2 * kPerSplit, 400.0);
  auto start = std::chrono::steady_clock::now();
  env.fromSource<int64_t, NumberSequenceSplit>(source, "Paced Source")
      .keyBy([](const int64_t& x) { return x; })
      .process(ArmTimer())
      .sinkTo(sink);
  env.execute("timers");
  auto elapsed = std::chrono::steady_clock::now() - start;

  std::map<int64_t, std::vector<int64_t>> firedPerKey;
  for (const auto& [key, ts] : sink->results()->values()) firedPerKey[key].push_back(ts);
  std::map<int64_t, std::vector<int64_t>> unexpected;
  for (const auto& [key, stamps] : firedPerKey) {
    if (!arms(key)) unexpected[key] = stamps;
  }
  EXPECT_TRUE(unexpected.empty()) << "timers fired for " << unexpected.size() << " keys that registered none";
  for (int64_t key = 0; key < 2 * kPerSplit; ++key) {
    if (!arms(key)) continue;
    auto it = firedPerKey.find(key);
    ASSERT_NE(it, firedPerKey.end()) << "key " << key << ": its timer never fired (job took "
                                     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                                     << " ms)";
    ASSERT_EQ(it->second.size(), 1u) << "key " << key
                                     << ": fired more than once (deduplication or deletion is broken)";
    EXPECT_GT(it->second[0], 0) << "key " << key << ": onTimer ran with another key's state";
  }
}

// Only what is guaranteed: a timer that is not due before the input ends does not
// fire, and it does not keep the job alive.
class FarFutureTimer final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void processElement(const int64_t&, Context& ctx, Collector<int64_t>&) override {
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 3'600'000);
  }
  void onTimer(int64_t, OnTimerContext& ctx, Collector<int64_t>& out) override {
    out.collect(ctx.getCurrentKey());
  }
};

TEST(ProcessingTimeTimersTest, TimersPendingAtEndOfInputAreDroppedAndDoNotDelayTheJob) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto sink = std::make_shared<CollectSink<int64_t>>();
  auto start = std::chrono::steady_clock::now();
  env.fromSequence(1, 50)
      .keyBy([](const int64_t& x) { return x % 5; })
      .process(FarFutureTimer())
      .sinkTo(sink);
  env.execute("pending timers");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(sink->results()->size(), 0u);
}

}  // namespace
}  // namespace weir
