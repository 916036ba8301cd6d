// Regression tests for failure and cancellation paths found in review: each
// once hung, crashed or aborted the process instead of ending the job cleanly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <weir/weir.h>

namespace weir {
namespace {

using namespace std::chrono_literals;

// A sink that is slow (so that its inputs are backpressured) and may throw.
class SlowSink final : public Sink<int64_t> {
 public:
  explicit SlowSink(int64_t throwAt = -1) : throwAt_(throwAt) {}
  std::unique_ptr<SinkWriter<int64_t>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>(throwAt_);
  }

 private:
  class Writer final : public SinkWriter<int64_t> {
   public:
    explicit Writer(int64_t throwAt) : throwAt_(throwAt) {}
    void write(const int64_t&, Timestamp) override {
      if (++n_ == throwAt_) throw std::runtime_error("sink gave up");
      std::this_thread::sleep_for(100us);
    }

   private:
    int64_t throwAt_;
    int64_t n_ = 0;
  };
  int64_t throwAt_;
};

JobExecutionResult waitWithDeadline(JobClient& client) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!isGloballyTerminal(client.status()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(isGloballyTerminal(client.status())) << "job did not end";
  return client.waitForResult();
}

// Credit-based mode: tearing down a job whose gates had borrowed every floating
// buffer deadlocked (a channel recycling into its pool under its own lock) and
// used the transport after it was freed.
TEST(FailurePathsTest, CancelBackpressuredCreditBasedJobEnds) {
  for (int round = 0; round < 3; ++round) {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    env.configuration().set("taskmanager.network.local-channel-mode", "credit-based");
    env.configuration().set("taskmanager.memory.segment-size", "4kb");
    env.fromSequence(1, 10'000'000)
        .rebalance()
        .map([](int64_t x) { return x; })
        .sinkTo(std::make_shared<SlowSink>());
    auto client = env.executeAsync("credit-cancel");
    std::this_thread::sleep_for(150ms);
    client->cancel();
    EXPECT_EQ(waitWithDeadline(*client).status, JobStatus::kCanceled);
    client.reset();  // the teardown itself must not hang or crash
  }
}

TEST(FailurePathsTest, FailingBackpressuredCreditBasedJobEnds) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.configuration().set("taskmanager.network.local-channel-mode", "credit-based");
  env.configuration().set("taskmanager.memory.segment-size", "4kb");
  env.fromSequence(1, 10'000'000)
      .rebalance()
      .map([](int64_t x) { return x; })
      .sinkTo(std::make_shared<SlowSink>(500));
  try {
    env.execute("credit-fail");
    FAIL() << "expected a failure";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("sink gave up"), std::string::npos) << e.what();
  }
}

// A reader that says "more available" without emitting kept the task inside the
// source forever: no mails, no cancellation.
class IdlePollingSource final : public Source<int64_t, NumberSequenceSplit> {
 public:
  Boundedness boundedness() const override { return Boundedness::kContinuousUnbounded; }
  std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit>& ctx) const override {
    return std::make_unique<StaticSplitEnumerator<NumberSequenceSplit>>(ctx,
                                                                        std::vector<NumberSequenceSplit>{});
  }
  std::unique_ptr<SourceReader<int64_t, NumberSequenceSplit>> createReader(
      SourceReaderContext&) const override {
    return std::make_unique<Reader>();
  }

 private:
  class Reader final : public SourceReader<int64_t, NumberSequenceSplit> {
   public:
    InputStatus pollNext(ReaderOutput<int64_t>&) override { return InputStatus::kMoreAvailable; }
    void addSplits(std::vector<NumberSequenceSplit>) override {}
    void notifyNoMoreSplits() override {}
    std::vector<NumberSequenceSplit> snapshotState() override { return {}; }
  };
};

TEST(FailurePathsTest, CancelSourceThatPollsWithoutEmitting) {
  StreamExecutionEnvironment env;
  env.fromSource(
         std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(std::make_shared<IdlePollingSource>()),
         "idle")
      .sinkTo(std::make_shared<CollectSink<int64_t>>());
  auto client = env.executeAsync("idle-source");
  std::this_thread::sleep_for(100ms);
  client->cancel();
  EXPECT_EQ(waitWithDeadline(*client).status, JobStatus::kCanceled);
}

// A key selector that changes its answer across the exchange aborted the process.
TEST(FailurePathsTest, NonDeterministicKeySelectorFailsTheJob) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto counter = std::make_shared<std::atomic<int64_t>>(0);
  env.fromSequence(1, 100000)
      .keyBy([counter](int64_t x) { return x + counter->fetch_add(1); })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .sinkTo(std::make_shared<CollectSink<int64_t>>());
  try {
    env.execute("nondeterministic-key");
    FAIL() << "expected a failure";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("key selector must return the same key"), std::string::npos)
        << e.what();
  }
}

// A function whose copy throws (the operator factory runs on the task thread)
// crashed the process in the failure path.
std::atomic<bool> gCopiesThrow{false};
struct ThrowingCopy {
  ThrowingCopy() = default;
  ThrowingCopy(const ThrowingCopy&) {
    if (gCopiesThrow.load()) throw std::runtime_error("cannot copy this function");
  }
  int64_t operator()(int64_t x) const { return x; }
};

TEST(FailurePathsTest, OperatorFactoryThrowingFailsTheJob) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.fromSequence(1, 1000).map(ThrowingCopy{}).sinkTo(std::make_shared<CollectSink<int64_t>>());
  gCopiesThrow = true;  // from now on, only the task threads copy the function
  try {
    env.execute("throwing-factory");
    gCopiesThrow = false;
    FAIL() << "expected a failure";
  } catch (const JobExecutionException& e) {
    gCopiesThrow = false;
    EXPECT_NE(std::string(e.what()).find("cannot copy this function"), std::string::npos) << e.what();
  }
}

// open() that throws half-way must still get close(), which releases what open acquired.
class OpenThrows final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  OpenThrows(std::shared_ptr<std::atomic<int>> opens, std::shared_ptr<std::atomic<int>> closes)
      : opens_(std::move(opens)), closes_(std::move(closes)) {}
  void open(RuntimeContext&) override {
    opens_->fetch_add(1);
    throw std::runtime_error("open failed");
  }
  void close() override { closes_->fetch_add(1); }
  void processElement(const int64_t&, Context&, Collector<int64_t>&) override {}

 private:
  std::shared_ptr<std::atomic<int>> opens_, closes_;
};

TEST(FailurePathsTest, OperatorWhoseOpenThrowsIsClosed) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto opens = std::make_shared<std::atomic<int>>(0), closes = std::make_shared<std::atomic<int>>(0);
  env.fromSequence(1, 10)
      .keyBy([](int64_t x) { return x; })
      .process(OpenThrows(opens, closes))
      .sinkTo(std::make_shared<CollectSink<int64_t>>());
  EXPECT_THROW(env.execute("open-throws"), JobExecutionException);
  // The first failure cancels the other subtask, which may not have reached open().
  EXPECT_GE(opens->load(), 1);
  EXPECT_EQ(closes->load(), opens->load()) << "every function whose open() ran must be closed";
}

}  // namespace
}  // namespace weir
