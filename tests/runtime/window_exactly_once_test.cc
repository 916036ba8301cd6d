// Windows survive failures exactly once: a job with event-time windows
// (tumbling with aggregate + process, and sessions with reduce) writes to the
// exactly-once FileSink while a user exception is injected before the windows
// (their contents and timers must come back from the checkpoint) or after them
// (their firings must not be committed twice). The committed output must equal
// the output of a run without failure, computed from the input alone. The same
// windowed job rescaled 2 -> 3 -> 1 -> 4 through savepoints (stop with a savepoint)
// and through retained checkpoints (cancel) commits exactly that output too.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "testing/checkpoint_dirs.h"
#include "testing/committed_files.h"
#include "testing/fast_restarts.h"
#include "testing/temp_dir.h"

namespace weir {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr int64_t kRecords = 40'000;
constexpr int64_t kKeys = 7;
constexpr int64_t kWindowMs = 1000;

struct CountAndSum final
    : AggregateFunction<int64_t, std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> {
  std::pair<int64_t, int64_t> createAccumulator() const override { return {0, 0}; }
  void add(const int64_t& v, std::pair<int64_t, int64_t>& acc) const override {
    acc.first += 1;
    acc.second += v;
  }
  std::pair<int64_t, int64_t> getResult(const std::pair<int64_t, int64_t>& acc) const override { return acc; }
  std::pair<int64_t, int64_t> merge(const std::pair<int64_t, int64_t>& a,
                                    const std::pair<int64_t, int64_t>& b) const override {
    return {a.first + b.first, a.second + b.second};
  }
};

// "key,start,count,sum"
struct Render final : ProcessWindowFunction<std::pair<int64_t, int64_t>, std::string, int64_t, TimeWindow> {
  void process(const int64_t& key, Context& ctx, std::span<const std::pair<int64_t, int64_t>> r,
               Collector<std::string>& out) override {
    out.collect(std::to_string(key) + "," + std::to_string(ctx.window().start) + "," +
                std::to_string(r[0].first) + "," + std::to_string(r[0].second));
  }
};

enum class Inject { kNone, kBeforeWindow, kAfterWindow };

// Passes records through and throws once, at the `after`-th record it sees.
template <class T>
struct ThrowOnce {
  std::shared_ptr<std::atomic<int64_t>> seen;
  std::shared_ptr<std::atomic<bool>> done;
  int64_t after;  // <= 0: never
  T operator()(const T& v) const {
    if (after > 0 && seen->fetch_add(1) + 1 == after && !done->exchange(true))
      throw std::runtime_error("injected user exception");
    return v;
  }
};

std::multiset<std::string> expected() {
  std::map<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> windows;  // (key, start) -> (count, sum)
  for (int64_t i = 0; i < kRecords; ++i) {
    auto& w = windows[{i % kKeys, i / kWindowMs * kWindowMs}];
    w.first += 1;
    w.second += i;
  }
  std::multiset<std::string> out;
  for (const auto& [k, v] : windows)
    out.insert(std::to_string(k.first) + "," + std::to_string(k.second) + "," + std::to_string(v.first) +
               "," + std::to_string(v.second));
  return out;
}

class WindowExactlyOnceTest : public ::testing::TestWithParam<Inject> {};

TEST_P(WindowExactlyOnceTest, CommittedWindowResultsEqualTheRunWithoutFailure) {
  const Inject inject = GetParam();
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  testing::checkpointAndRestartFast(env, "30 ms");
  env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
  auto seen = std::make_shared<std::atomic<int64_t>>(0);
  auto done = std::make_shared<std::atomic<bool>>(false);
  // Event time = the record's value; each source split is in order.
  auto gen =
      std::make_shared<const DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords, 50'000.0);
  auto strategy = WatermarkStrategy<int64_t>::forMonotonousTimestamps().withTimestampAssigner(
      [](const int64_t& v) { return Timestamp(v); });
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), strategy, "numbers")
      .uid("numbers")
      .map(ThrowOnce<int64_t>{seen, done, inject == Inject::kBeforeWindow ? kRecords / 2 : 0})
      .uid("before")
      .keyBy([](const int64_t& v) { return v % kKeys; })
      .window(TumblingEventTimeWindows::of(std::chrono::milliseconds(kWindowMs)))
      .aggregate(CountAndSum{}, Render{})
      .uid("windows")
      .map(ThrowOnce<std::string>{seen, done, inject == Inject::kAfterWindow ? 150 : 0})
      .uid("after")
      .sinkTo(std::make_shared<FileSink<std::string>>(dir.str()))
      .uid("files");
  JobExecutionResult r = env.execute("windows exactly once");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  if (inject != Inject::kNone) {
    EXPECT_TRUE(done->load()) << "the failure was never injected";
    EXPECT_EQ(r.progress.restarts, 1);
  }
  std::multiset<std::string> got = testing::committedLines(dir.str());
  std::multiset<std::string> want = expected();
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "the committed window results differ from a run without failure";
}

std::string injectName(const ::testing::TestParamInfo<Inject>& info) {
  static const char* const kNames[] = {"NoFailure", "BeforeTheWindows", "AfterTheWindows"};
  return kNames[int(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Failures, WindowExactlyOnceTest,
                         ::testing::Values(Inject::kNone, Inject::kBeforeWindow, Inject::kAfterWindow),
                         injectName);

// Sessions: per key, records come in bursts separated by gaps longer than the
// session gap; each burst is one session. Checked against the bursts.
TEST(WindowExactlyOnceTest, SessionWindowsMergeAcrossARestartAndCommitEachSessionOnce) {
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  testing::checkpointAndRestartFast(env, "30 ms");
  env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
  auto seen = std::make_shared<std::atomic<int64_t>>(0);
  auto done = std::make_shared<std::atomic<bool>>(false);
  // Record i has event time 10 * i: within a burst of 50 records consecutive records are 10 ms
  // apart per ... key (i % 3); bursts of 300 records are followed by a 100-record silence
  // (records i with (i / 100) % 4 == 3 are dropped by the filter): a 1000 ms gap per key.
  auto gen =
      std::make_shared<const DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 12'000, 40'000.0);
  auto strategy = WatermarkStrategy<int64_t>::forMonotonousTimestamps().withTimestampAssigner(
      [](const int64_t& v) { return Timestamp(10 * v); });
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), strategy, "numbers")
      .filter([](const int64_t& i) { return (i / 100) % 4 != 3; })
      .map(ThrowOnce<int64_t>{seen, done, 4000})
      .keyBy([](const int64_t& v) { return v % 3; })
      .window(EventTimeSessionWindows::withGap(std::chrono::milliseconds(200)))
      .reduce([](const int64_t& a, const int64_t& b) { return a + b; })
      .map([](const int64_t& sum) { return std::to_string(sum); })
      .sinkTo(std::make_shared<FileSink<std::string>>(dir.str()));
  JobExecutionResult r = env.execute("sessions exactly once");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  EXPECT_TRUE(done->load());

  std::map<std::pair<int64_t, int64_t>, int64_t> sessions;  // (key, burst) -> sum
  for (int64_t i = 0; i < 12'000; ++i) {
    if ((i / 100) % 4 == 3) continue;
    sessions[{i % 3, i / 400}] += i;
  }
  std::multiset<std::string> want;
  for (const auto& [k, sum] : sessions) want.insert(std::to_string(sum));
  EXPECT_EQ(testing::committedLines(dir.str()), want);
}

enum class Handover { kSavepoint, kRetainedCheckpoint };

// Four runs at parallelism 2, 3, 1 and 4 into one FileSink directory, each but the
// last ended after two checkpoints of its own (stopped with a savepoint, or cancelled
// and resumed from its retained checkpoint) and the next started from that; the
// window contents and timers are redistributed by key group each time.
class WindowRescaleTest : public ::testing::TestWithParam<Handover> {};

TEST_P(WindowRescaleTest, RescaledTwiceDownAndUpEveryWindowIsCommittedOnce) {
  TempDir dir;
  const std::string checkpoints = dir.file("checkpoints");
  std::string restoreFrom;
  const int parallelisms[] = {2, 3, 1, 4};
  for (int run = 0; run < 4; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " at parallelism " + std::to_string(parallelisms[run]));
    const bool last = run == 3;
    StreamExecutionEnvironment env;
    env.setParallelism(parallelisms[run]);
    env.configuration().set("execution.checkpointing.interval", "40 ms");
    env.configuration().set("execution.checkpointing.dir", checkpoints);
    env.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION");
    env.configuration().set("pipeline.auto-watermark-interval", "10 ms");
    if (!restoreFrom.empty()) env.configuration().set("execution.state-recovery.path", restoreFrom);
    auto gen = std::make_shared<const DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords,
                                                                    last ? 0.0 : 20'000.0);
    auto strategy = WatermarkStrategy<int64_t>::forMonotonousTimestamps().withTimestampAssigner(
        [](const int64_t& v) { return Timestamp(v); });
    env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), strategy, "numbers")
        .uid("numbers")
        .keyBy([](const int64_t& v) { return v % kKeys; })
        .window(TumblingEventTimeWindows::of(std::chrono::milliseconds(kWindowMs)))
        .aggregate(CountAndSum{}, Render{})
        .uid("windows")
        .sinkTo(std::make_shared<FileSink<std::string>>(dir.file("out")))
        .uid("files");
    auto client = env.executeAsync("rescaled windows");
    if (last) {
      JobExecutionResult r = client->waitForResult();
      ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
      break;
    }
    while (client->progress().checkpointsCompleted < 2 && !isGloballyTerminal(client->status()))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_FALSE(isGloballyTerminal(client->status())) << "the run must end before its input does";
    if (GetParam() == Handover::kSavepoint) {
      cluster::JobMaster* master = cluster::jobMasterOf(*client);
      Result<int64_t> id = master->stopWithSavepoint(dir.file("savepoints"), cluster::StopMode::kSuspend);
      ASSERT_TRUE(id.isOk()) << id.status().toString();
      JobExecutionResult r = client->waitForResult();
      ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
      const cluster::CheckpointStatsSnapshot stats = master->checkpointCoordinator()->stats();
      const cluster::CheckpointStats* sp = stats.find(*id);
      ASSERT_TRUE(sp != nullptr && sp->status == cluster::CheckpointStatus::kCompleted);
      restoreFrom = sp->externalPath;
    } else {
      client->cancel();
      ASSERT_EQ(client->waitForResult().status, JobStatus::kCanceled);
      restoreFrom = testing::latestCheckpoint(checkpoints + "/" + client->jobId());
    }
    ASSERT_FALSE(restoreFrom.empty());
  }
  std::multiset<std::string> got = testing::committedLines(dir.file("out"));
  std::multiset<std::string> want = expected();
  EXPECT_EQ(got.size(), want.size());
  if (got != want) {
    std::vector<std::string> extra, missing;
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
    std::string files;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("out")))
      files += e.path().filename().string() + " ";
    ADD_FAILURE() << "the committed window results differ from a run without rescaling: " << extra.size()
                  << " extra (first: " << (extra.empty() ? "" : extra[0]) << "), " << missing.size()
                  << " missing (first: " << (missing.empty() ? "" : missing[0]) << "); files: " << files;
  }
}

INSTANTIATE_TEST_SUITE_P(Handovers, WindowRescaleTest,
                         ::testing::Values(Handover::kSavepoint, Handover::kRetainedCheckpoint),
                         [](const ::testing::TestParamInfo<Handover>& info) {
                           return std::string(info.param == Handover::kSavepoint ? "Savepoint"
                                                                                 : "RetainedCheckpoint");
                         });

}  // namespace
}  // namespace weir
