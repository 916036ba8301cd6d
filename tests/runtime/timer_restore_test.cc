// Timers survive a restore from a retained checkpoint, at another parallelism:
// the first job registers one timer per key (at a fixed time T) and is
// cancelled before T; the second job starts from its checkpoint with more
// subtasks, registers nothing, and must fire every key's timer exactly once,
// with that key current (its keyed state says which timestamp it armed).
// Processing time: the second job starts after T and the timers fire
// promptly. Event time: T is far ahead of the records' event time, so the
// timers fire with the final watermark at the end of the second job's input.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <weir/weir.h>

#include "testing/checkpoint_dirs.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::latestCheckpoint;

constexpr int64_t kRecords = 60000;
constexpr int64_t kKeys = 40;
constexpr int64_t kArmed = 0;  // second field of the output when a key arms its timer

using Out = std::pair<int64_t, int64_t>;

int64_t wallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The first record of each key registers a timer at `fireAt` and remembers it in
// keyed state, emitting (key, kArmed). onTimer emits (key, timestamp), or
// (key, -timestamp) when the current key's state does not hold that timestamp
// (the timer ran with another key current).
class ArmOnce final : public KeyedProcessFunction<int64_t, int64_t, Out> {
 public:
  ArmOnce(int64_t fireAt, TimeDomain domain) : fireAt_(fireAt), domain_(domain) {}
  void open(RuntimeContext& ctx) override {
    armedAt_ = &ctx.getState(ValueStateDescriptor<int64_t>("armed-at"));
  }
  void processElement(const int64_t&, Context& ctx, Collector<Out>& out) override {
    if (armedAt_->value().has_value()) return;
    armedAt_->update(fireAt_);
    if (domain_ == TimeDomain::kProcessingTime) {
      ctx.timerService().registerProcessingTimeTimer(fireAt_);
    } else {
      ctx.timerService().registerEventTimeTimer(fireAt_);
    }
    out.collect({ctx.getCurrentKey(), kArmed});
  }
  void onTimer(int64_t timestamp, OnTimerContext& ctx, Collector<Out>& out) override {
    bool right = armedAt_->value() == timestamp && ctx.timeDomain() == domain_;
    out.collect({ctx.getCurrentKey(), right ? timestamp : -timestamp});
  }

 private:
  int64_t fireAt_;
  TimeDomain domain_;
  ValueState<int64_t>* armedAt_ = nullptr;
};

std::shared_ptr<CollectSink<Out>> buildJob(StreamExecutionEnvironment& env, int64_t fireAt, double rate,
                                           TimeDomain domain) {
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords, rate);
  auto sink = std::make_shared<CollectSink<Out>>();
  // Event time = the record's value: far below fireAt, so only the final watermark reaches it.
  auto strategy = WatermarkStrategy<int64_t>::forMonotonousTimestamps().withTimestampAssigner(
      [](const int64_t& v) { return Timestamp(v); });
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), strategy, "numbers")
      .uid("numbers")
      .keyBy([](int64_t x) { return x % kKeys; })
      .process(ArmOnce(fireAt, domain))
      .uid("arm-once")
      .sinkTo(sink)
      .uid("sink");
  return sink;
}

class TimerRestoreTest : public ::testing::TestWithParam<TimeDomain> {};

TEST_P(TimerRestoreTest, PendingTimersFireOnceWithTheirKeysAfterARestoreAtAnotherParallelism) {
  const TimeDomain domain = GetParam();
  const fs::path dir = fs::temp_directory_path() / ("weir-timer-restore-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const int64_t fireAt = wallClockMillis() + 2000;

  std::string chk;
  {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", dir.string());
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    auto first = buildJob(env, fireAt, 30000, domain);  // about 2 s for all records: cancelled well before
    auto client = env.executeAsync("arm");
    while (client->progress().checkpointsCompleted < 3 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(5ms);
    client->cancel();
    ASSERT_EQ(client->waitForResult().status, JobStatus::kCanceled);
    ASSERT_LT(wallClockMillis(), fireAt) << "the first job ran past the timers' time: machine too slow";
    std::map<int64_t, int> armed;
    for (const auto& [key, ts] : first->results()->values()) {
      ASSERT_EQ(ts, kArmed) << "key " << key << ": a timer fired in the first job";
      ++armed[key];
    }
    ASSERT_EQ(int64_t(armed.size()), kKeys) << "every key armed its timer before the checkpoints";
    chk = latestCheckpoint(dir / client->jobId());
  }
  ASSERT_FALSE(chk.empty());

  // The job is down while processing-time timers become due.
  if (domain == TimeDomain::kProcessingTime)
    std::this_thread::sleep_for(std::chrono::milliseconds(fireAt - wallClockMillis() + 20));

  StreamExecutionEnvironment env;
  env.setParallelism(3);  // key groups move between subtasks
  env.configuration().set("execution.state-recovery.path", chk);
  auto second = buildJob(env, fireAt, 60000, domain);
  env.execute("restored");

  std::map<int64_t, std::vector<int64_t>> firedPerKey;
  for (const auto& [key, ts] : second->results()->values()) {
    ASSERT_NE(ts, kArmed) << "key " << key << " armed again: its keyed state was not restored";
    firedPerKey[key].push_back(ts);
  }
  for (int64_t key = 0; key < kKeys; ++key) {
    auto it = firedPerKey.find(key);
    ASSERT_NE(it, firedPerKey.end()) << "key " << key << ": its restored timer never fired";
    EXPECT_EQ(it->second, std::vector<int64_t>{fireAt})
        << "key " << key << ": fired more than once, or with another key current (negative)";
  }
  EXPECT_EQ(int64_t(firedPerKey.size()), kKeys);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(BothDomains, TimerRestoreTest,
                         ::testing::Values(TimeDomain::kProcessingTime, TimeDomain::kEventTime),
                         [](const auto& info) {
                           return info.param == TimeDomain::kEventTime ? "EventTime" : "ProcessingTime";
                         });

}  // namespace
}  // namespace weir
