// Exactly-once output: the FileSink (two-phase commit on checkpoints) under
// failures injected at every stage of a checkpoint. The committed output (the
// files whose names do not begin with '.') must equal the output of a run
// without failure exactly: same lines, each exactly once. The oracle is
// arithmetic on the input.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <weir/weir.h>

#include "testing/committed_files.h"
#include "testing/fast_restarts.h"
#include "testing/temp_dir.h"

namespace weir {

// An operator-state element whose serialization fails on demand: it is serialized
// in the asynchronous part of a snapshot.
struct Poison {
  int64_t value = 0;
};
inline std::atomic<bool> gPoisonArmed{false};

template <>
struct TypeSerializer<Poison> {
  static void serialize(const Poison& p, DataOutput& out) {
    if (gPoisonArmed.exchange(false)) throw std::runtime_error("injected failure while writing the snapshot");
    out.writeRaw(p.value);
  }
  static void deserialize(Poison& p, DataInput& in) { p.value = in.readRaw<int64_t>(); }
  static std::string name() { return "test.Poison"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 8;
};

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kKeys = 7;
constexpr int64_t kScale = 1'000'000;

using testing::TempDir;

// Committed lines, and the number of hidden (uncommitted) files.
std::multiset<int64_t> committed(const std::string& dir, int* hidden = nullptr) {
  std::multiset<int64_t> out;
  for (const std::string& line : testing::committedLines(dir, hidden)) out.insert(std::stoll(line));
  return out;
}

// What a run without failure commits: every key emits its running counts 1..n.
std::multiset<int64_t> expectedOutput(int64_t records) {
  std::multiset<int64_t> out;
  std::map<int64_t, int64_t> counts;
  for (int64_t i = 0; i < records; ++i) {
    int64_t k = i % kKeys;
    out.insert(k * kScale + ++counts[k]);
  }
  return out;
}

class CountPerKey final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void open(RuntimeContext& ctx) override { count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count")); }
  void processElement(const int64_t&, Context& ctx, Collector<int64_t>& out) override {
    int64_t c = count_->value().value_or(0) + 1;
    count_->update(c);
    out.collect(ctx.getCurrentKey() * kScale + c);
  }

 private:
  ValueState<int64_t>* count_ = nullptr;
};

enum class Inject {
  kNone,
  kUserException,  // a record makes a user function throw
  kSyncPhase,      // a function's snapshotState throws at the barrier
  kAsyncPhase,     // writing a snapshot fails after the sink pre-committed (same task)
  kNotification,   // notifyCheckpointComplete throws (the sink may have committed)
};

// Passes records through; fails once at the configured point (after `after` records
// or at the second checkpoint after that).
class Injector final : public CheckpointedFunction, public CheckpointListener {
 public:
  Injector(Inject what, std::shared_ptr<std::atomic<int64_t>> seen, std::shared_ptr<std::atomic<bool>> done,
           int64_t after)
      : what_(what), seen_(std::move(seen)), done_(std::move(done)), after_(after) {}
  int64_t operator()(int64_t x) const {
    if (seen_->fetch_add(1) + 1 == after_ && what_ == Inject::kUserException && !done_->exchange(true))
      throw std::runtime_error("injected user exception");
    return x;
  }
  void initializeState(FunctionInitializationContext& ctx) override {
    poison_ = &ctx.runtimeContext().operatorStateStore().getListState(ListStateDescriptor<Poison>("poison"));
  }
  void snapshotState(int64_t) override {
    poison_->update({Poison{seen_->load()}});
    if (!due()) return;
    if (what_ == Inject::kSyncPhase && !done_->exchange(true))
      throw std::runtime_error("injected failure in snapshotState");
    if (what_ == Inject::kAsyncPhase && !done_->exchange(true)) gPoisonArmed = true;
  }
  void notifyCheckpointComplete(int64_t) override {
    if (what_ == Inject::kNotification && due() && !done_->exchange(true))
      throw std::runtime_error("injected failure in notifyCheckpointComplete");
  }

 private:
  bool due() const { return seen_->load() >= after_; }
  Inject what_;
  std::shared_ptr<std::atomic<int64_t>> seen_;
  std::shared_ptr<std::atomic<bool>> done_;
  int64_t after_;
  ListState<Poison>* poison_ = nullptr;
};

JobExecutionResult runJob(const std::string& out, Inject what, int64_t records) {
  gPoisonArmed = false;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  testing::checkpointAndRestartFast(env, "25 ms");
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, records, 50'000);
  auto seen = std::make_shared<std::atomic<int64_t>>(0);
  auto done = std::make_shared<std::atomic<bool>>(false);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .uid("numbers")
      .keyBy([](int64_t x) { return x % kKeys; })
      .process(CountPerKey{})
      .uid("count")
      // Chained with the sink: a failure of this task's snapshot comes after the sink's pre-commit.
      .map(Injector(what, seen, done, records / 2))
      .uid("inject")
      .sinkTo(std::make_shared<FileSink<int64_t>>(out))
      .uid("files");
  JobExecutionResult r = env.execute("exactly-once");
  if (what != Inject::kNone) {
    EXPECT_TRUE(done->load()) << "the failure was never injected";
  }
  return r;
}

class ExactlyOnceSinkTest : public ::testing::TestWithParam<Inject> {};

TEST_P(ExactlyOnceSinkTest, CommittedOutputEqualsTheRunWithoutFailure) {
  TempDir dir;
  constexpr int64_t kRecords = 40'000;
  JobExecutionResult r = runJob(dir.str(), GetParam(), kRecords);
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  EXPECT_EQ(r.progress.restarts, GetParam() == Inject::kNone ? 0 : 1);
  int hidden = 0;
  std::multiset<int64_t> got = committed(dir.str(), &hidden);
  std::multiset<int64_t> want = expectedOutput(kRecords);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "the committed output differs from a run without failure";
  if (GetParam() == Inject::kNone) {
    EXPECT_EQ(hidden, 0) << "a finished job leaves no in-progress file";
  }
}

std::string injectName(const ::testing::TestParamInfo<Inject>& info) {
  static const char* const kNames[] = {"NoFailure", "UserException", "SyncPhase", "AsyncPhase",
                                       "Notification"};
  return kNames[int(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Failures, ExactlyOnceSinkTest,
                         ::testing::Values(Inject::kNone, Inject::kUserException, Inject::kSyncPhase,
                                           Inject::kAsyncPhase, Inject::kNotification),
                         injectName);

TEST(ExactlyOnceSinkTest, WithoutCheckpointingTheOutputIsCommittedAtTheEnd) {
  TempDir dir;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  env.fromSequence(1, 1000).sinkTo(std::make_shared<FileSink<int64_t>>(dir.str()));
  ASSERT_EQ(env.execute("no-checkpoints").status, JobStatus::kFinished);
  int hidden = 0;
  std::multiset<int64_t> got = committed(dir.str(), &hidden);
  EXPECT_EQ(got.size(), 1000u);
  EXPECT_EQ(hidden, 0);
}

TEST(ExactlyOnceSinkTest, CommitIsIdempotentAndALostFileIsAClearError) {
  TempDir dir;
  PartFileWriter w(dir.str(), 0);
  FileTransaction t = w.begin();
  w.append(t, "a");
  w.preCommit(t);
  EXPECT_TRUE(fs::exists(t.inProgressPath));
  EXPECT_TRUE(fs::path(t.inProgressPath).filename().string().starts_with("."));
  w.commit(t);
  w.commit(t);  // again, as after a restore
  EXPECT_TRUE(fs::exists(t.finalPath));
  fs::remove(t.finalPath);
  try {
    w.commit(t);
    FAIL() << "a transaction whose files are gone must not commit silently";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(t.finalPath), std::string::npos) << e.what();
  }
  FileTransaction empty = w.begin();
  w.preCommit(empty);
  w.commit(empty);  // no records: no file
  EXPECT_FALSE(fs::exists(empty.finalPath));
  FileTransaction aborted = w.begin();
  w.append(aborted, "b");
  w.abort(aborted);
  w.abort(aborted);
  EXPECT_FALSE(fs::exists(aborted.inProgressPath));
  // A checkpoint records the transaction just begun (no data yet); records written
  // into it before a crash leave a file, which aborting the recorded copy deletes.
  FileTransaction live = w.begin();
  const FileTransaction recorded = live;
  w.append(live, "c");
  w.preCommit(live);
  ASSERT_TRUE(fs::exists(live.inProgressPath));
  w.abort(recorded);
  EXPECT_FALSE(fs::exists(live.inProgressPath));
}

}  // namespace
}  // namespace weir
