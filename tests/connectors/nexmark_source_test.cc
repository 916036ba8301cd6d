// NexmarkSource: split layout, the enumerator's assignment, readers that emit
// each split in event-time order through per-split outputs, independence of
// the stream from splits and readers, snapshot/restore of split positions
// (directly and through a job with an injected failure), and the throttle.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <weir/connectors/nexmark/nexmark_source.h>
#include <weir/weir.h>

namespace weir::nexmark {
namespace {

class FakeReaderContext final : public SourceReaderContext {
 public:
  explicit FakeReaderContext(int index = 0, int parallelism = 1) : index_(index), parallelism_(parallelism) {}
  int indexOfSubtask() const override { return index_; }
  int parallelism() const override { return parallelism_; }
  void sendSplitRequest() override { ++splitRequests; }
  int64_t currentTimeMillis() const override { return now; }
  void wakeUpAt(int64_t ts) override { wakeUps.push_back(ts); }
  void wakeUp() override {}
  int splitRequests = 0;
  int64_t now = 0;
  std::vector<int64_t> wakeUps;

 private:
  int index_, parallelism_;
};

struct Emitted {
  std::string split;
  Event event;
  Timestamp timestamp;
};

// Records what was emitted, and through which split's output.
class RecordingOutput final : public ReaderOutput<Event> {
 public:
  class SplitOutput final : public ReaderOutput<Event> {
   public:
    SplitOutput(RecordingOutput& parent, std::string id) : parent_(parent), id_(std::move(id)) {}
    void collect(const Event& v) override { collect(v, kNoTimestamp); }
    void collect(const Event& v, Timestamp ts) override { parent_.records.push_back({id_, v, ts}); }

   private:
    RecordingOutput& parent_;
    std::string id_;
  };
  void collect(const Event& v) override { collect(v, kNoTimestamp); }
  void collect(const Event& v, Timestamp ts) override { records.push_back({"", v, ts}); }
  ReaderOutput<Event>& createOutputForSplit(const std::string& id) override {
    auto& slot = outputs_[id];
    if (!slot) slot = std::make_unique<SplitOutput>(*this, id);
    return *slot;
  }
  void releaseOutputForSplit(const std::string& id) override { released.insert(id); }
  std::vector<Emitted> records;
  std::set<std::string> released;

 private:
  std::map<std::string, std::unique_ptr<SplitOutput>> outputs_;
};

class RecordingEnumeratorContext final : public SplitEnumeratorContext<NexmarkSplit> {
 public:
  explicit RecordingEnumeratorContext(int parallelism) : parallelism_(parallelism) {}
  int currentParallelism() const override { return parallelism_; }
  void assignSplit(const NexmarkSplit& split, int subtask) override { assigned[subtask].push_back(split); }
  void signalNoMoreSplits(int subtask) override { noMore.insert(subtask); }
  std::map<int, std::vector<NexmarkSplit>> assigned;
  std::set<int> noMore;

 private:
  int parallelism_;
};

NexmarkSourceOptions options(int64_t events, int32_t splits = 0, uint64_t seed = 3) {
  NexmarkSourceOptions o;
  o.events = events;
  o.splits = splits;
  o.generator.seed = seed;
  o.generator.eventsPerSecond = 1000;  // 1 ms per event: easy to read
  return o;
}

// Polls until the end of input, or until `limit` records were emitted.
void drain(SourceReader<Event, NexmarkSplit>& reader, RecordingOutput& out, size_t limit = SIZE_MAX) {
  for (int guard = 0; guard < 1'000'000 && out.records.size() < limit; ++guard)
    if (reader.pollNext(out) == InputStatus::kEndOfInput) return;
}

TEST(NexmarkSourceTest, SplitsPartitionTheEventNumbersRoundRobin) {
  auto splits = makeNexmarkSplits(10, 3);
  ASSERT_EQ(splits.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(splits[k].index, k);
    EXPECT_EQ(splits[k].count, 3);
    EXPECT_EQ(splits[k].next, k);
    EXPECT_EQ(splits[k].end, 10);
  }
  EXPECT_EQ(makeNexmarkSplits(2, 5).size(), 2u);         // no empty splits
  EXPECT_EQ(makeNexmarkSplits(0, 2)[1].end, INT64_MAX);  // unbounded
}

TEST(NexmarkSourceTest, EnumeratorGivesSplitKToSubtaskKModParallelismThenNoMore) {
  NexmarkSource source(options(100, 5));
  RecordingEnumeratorContext ctx(2);
  auto enumerator = source.createEnumerator(ctx);
  enumerator->handleSplitRequest(1);
  ASSERT_EQ(ctx.assigned[1].size(), 2u);
  EXPECT_EQ(ctx.assigned[1][0].index, 1);
  EXPECT_EQ(ctx.assigned[1][1].index, 3);
  EXPECT_TRUE(ctx.noMore.count(1));
  EXPECT_EQ(enumerator->snapshotState().size(), 3u);  // 0, 2, 4 wait for subtask 0
  enumerator->handleSplitRequest(0);
  EXPECT_EQ(ctx.assigned[0].size(), 3u);
  EXPECT_TRUE(enumerator->snapshotState().empty());
}

// Every reader/split layout yields, per reader, the events of its splits in increasing
// event-number order, each through its split's output with its dateTime as timestamp;
// together they are exactly events 0..N-1.
TEST(NexmarkSourceTest, SameStreamWhateverTheSplitsAndReaders) {
  constexpr int64_t kEvents = 3001;
  const NexmarkGenerator g(options(kEvents).generator);
  for (auto [splits, readers] : std::vector<std::pair<int, int>>{{1, 1}, {2, 2}, {3, 1}, {7, 3}, {4, 4}}) {
    NexmarkSource source(options(kEvents, splits));
    RecordingEnumeratorContext ectx(readers);
    auto enumerator = source.createEnumerator(ectx);
    std::vector<bool> seen(kEvents, false);
    for (int r = 0; r < readers; ++r) {
      FakeReaderContext ctx(r, readers);
      auto reader = source.createReader(ctx);
      reader->start();
      EXPECT_EQ(ctx.splitRequests, 1);
      enumerator->handleSplitRequest(r);
      reader->addSplits(ectx.assigned[r]);
      RecordingOutput out;
      // Before "no more splits" the reader waits: it may not know all its splits yet.
      EXPECT_EQ(reader->pollNext(out), InputStatus::kNothingAvailable);
      reader->notifyNoMoreSplits();
      drain(*reader, out);
      std::vector<int64_t> expected;
      for (int64_t n = 0; n < kEvents; ++n)
        if (n % splits % readers == r) expected.push_back(n);
      ASSERT_EQ(out.records.size(), expected.size()) << splits << " splits, reader " << r;
      std::map<std::string, Timestamp> lastOfSplit;
      for (size_t i = 0; i < expected.size(); ++i) {
        const int64_t n = expected[i];
        const Emitted& rec = out.records[i];
        ASSERT_EQ(rec.event, g.generate(n)) << "event " << n;
        ASSERT_EQ(rec.split, (NexmarkSplit{int32_t(n % splits), splits, 0, 0}.id()));
        ASSERT_EQ(rec.timestamp, rec.event.dateTime());
        ASSERT_EQ(rec.timestamp, g.timestampOf(n));
        ASSERT_GE(rec.timestamp, lastOfSplit[rec.split]);  // nondecreasing per split
        lastOfSplit[rec.split] = rec.timestamp;
        seen[size_t(n)] = true;
      }
      EXPECT_EQ(out.released.size(), ectx.assigned[r].size());  // finished splits release their outputs
      EXPECT_TRUE(reader->snapshotState().empty());
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), kEvents) << splits << " splits";
  }
}

// A snapshot taken mid-stream, restored into new readers (one, or split across two), yields
// exactly the events not yet emitted.
TEST(NexmarkSourceTest, RestoredSplitPositionsYieldExactlyTheRemainingEvents) {
  constexpr int64_t kEvents = 5000;
  const NexmarkGenerator g(options(kEvents).generator);
  NexmarkSource source(options(kEvents, 3));
  FakeReaderContext ctx;
  auto reader = source.createReader(ctx);
  reader->start();
  reader->addSplits(makeNexmarkSplits(kEvents, 3));
  reader->notifyNoMoreSplits();
  RecordingOutput before;
  drain(*reader, before, 1700);
  std::vector<NexmarkSplit> snapshot = reader->snapshotState();
  ASSERT_EQ(snapshot.size(), 3u);
  // The snapshot is a value: the first reader going on does not change it.
  RecordingOutput ignored;
  drain(*reader, ignored);

  for (int readers : {1, 2}) {
    std::multiset<int64_t> times;
    std::vector<Event> events;
    for (const Emitted& r : before.records) events.push_back(r.event);
    for (int r = 0; r < readers; ++r) {
      FakeReaderContext rctx(r, readers);
      auto restored = source.createReader(rctx);
      std::vector<NexmarkSplit> mine;
      for (size_t i = 0; i < snapshot.size(); ++i)
        if (int(i) % readers == r) mine.push_back(snapshot[i]);
      restored->addSplits(mine);  // as the source operator does with its restored list state
      restored->start();
      restored->notifyNoMoreSplits();
      RecordingOutput after;
      drain(*restored, after);
      for (const Emitted& e : after.records) events.push_back(e.event);
    }
    ASSERT_EQ(int64_t(events.size()), kEvents) << readers << " readers";
    // Every event exactly once: compare as sorted serialized bytes.
    std::vector<std::string> got, want;
    for (const Event& e : events) got.push_back(serializeToString(e));
    for (int64_t n = 0; n < kEvents; ++n) want.push_back(serializeToString(g.generate(n)));
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_TRUE(got == want) << readers << " readers: duplicated or missing events after restore";
  }
}

TEST(NexmarkSourceTest, ThrottleAsksToBeWokenInsteadOfSleeping) {
  NexmarkSourceOptions o = options(10'000, 1);
  o.maxEventsPerSecond = 1000;  // one event per ms
  NexmarkSource source(o);
  FakeReaderContext ctx;
  ctx.now = 5000;
  auto reader = source.createReader(ctx);
  reader->start();
  reader->addSplits(makeNexmarkSplits(10'000, 1));
  reader->notifyNoMoreSplits();
  RecordingOutput out;
  EXPECT_EQ(reader->pollNext(out), InputStatus::kMoreAvailable);
  EXPECT_EQ(out.records.size(), 1u);  // the first event is due at once
  EXPECT_EQ(reader->pollNext(out), InputStatus::kNothingAvailable);
  ASSERT_EQ(ctx.wakeUps.size(), 1u);
  EXPECT_EQ(ctx.wakeUps[0], 5001);
  ctx.now = 5100;  // 100 ms later: 100 more are due
  for (int i = 0; i < 10; ++i) (void)reader->pollNext(out);
  EXPECT_EQ(out.records.size(), 101u);
}

TEST(NexmarkSourceTest, InvalidOptionsAreRejectedWithTheParameter) {
  NexmarkSourceOptions o = options(-1);
  try {
    NexmarkSource s(o);
    FAIL() << "negative events accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("number of events"), std::string::npos) << e.what();
  }
  o = options(10);
  o.maxEventsPerSecond = -5;
  EXPECT_THROW(NexmarkSource{o}, std::invalid_argument);
}

// Through the engine: parallelism 2, checkpoints, a failure in the middle; keyed counts per
// event kind restored from the checkpoint come out exact (every event counted exactly once).
class CountPerType final : public KeyedProcessFunction<int, Event, std::pair<int, int64_t>> {
 public:
  explicit CountPerType(std::shared_ptr<std::atomic<int64_t>> processed) : processed_(std::move(processed)) {}
  void open(RuntimeContext& ctx) override { count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count")); }
  void processElement(const Event& e, Context& ctx, Collector<std::pair<int, int64_t>>& out) override {
    if (processed_->fetch_add(1) + 1 == 12'000) throw std::runtime_error("injected failure");
    const int64_t c = count_->value().value_or(0) + 1;
    count_->update(c);
    (void)e;
    out.collect({ctx.getCurrentKey(), c});
  }

 private:
  std::shared_ptr<std::atomic<int64_t>> processed_;
  ValueState<int64_t>* count_ = nullptr;
};

TEST(NexmarkSourceTest, JobWithFailureRestoresSplitPositionsExactlyOnce) {
  constexpr int64_t kEvents = 24'000;
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto& c = env.configuration();
  c.set("execution.checkpointing.interval", "30 ms");
  c.set("restart-strategy.type", "fixed-delay");
  c.set("restart-strategy.fixed-delay.attempts", "2");
  c.set("restart-strategy.fixed-delay.delay", "10 ms");
  NexmarkSourceOptions o = options(kEvents, 4);
  o.maxEventsPerSecond = 30'000;  // about 0.8 s: many checkpoints before and after the failure
  auto processed = std::make_shared<std::atomic<int64_t>>(0);
  auto sink = std::make_shared<CollectSink<std::pair<int, int64_t>>>();
  env.fromSource(std::shared_ptr<const Source<Event, NexmarkSplit>>(std::make_shared<NexmarkSource>(o)),
                 nexmarkWatermarks(), "nexmark")
      .uid("nexmark")
      .keyBy([](const Event& e) { return int(e.type); })
      .process(CountPerType(processed))
      .uid("count")
      .sinkTo(sink);
  JobExecutionResult r = env.execute("nexmark-failover");
  ASSERT_EQ(r.status, JobStatus::kFinished) << r.failure;
  ASSERT_EQ(r.progress.restarts, 1);
  EXPECT_GE(r.progress.checkpointsCompleted, 1);
  std::map<int, std::set<int64_t>> counts;
  for (auto [type, count] : sink->results()->values()) counts[type].insert(count);
  const NexmarkGenerator::Counts expected = NexmarkGenerator::countsOf(kEvents);
  const std::map<int, int64_t> want = {{int(EventType::kPerson), expected.persons},
                                       {int(EventType::kAuction), expected.auctions},
                                       {int(EventType::kBid), expected.bids}};
  for (auto [type, n] : want) {
    ASSERT_EQ(int64_t(counts[type].size()), n) << "type " << type << ": counts missing";
    EXPECT_EQ(*counts[type].rbegin(), n) << "type " << type << ": the count in state is not exact";
  }
  EXPECT_LT(processed->load(), kEvents + kEvents / 2);  // restored, not restarted from scratch
}

}  // namespace
}  // namespace weir::nexmark
