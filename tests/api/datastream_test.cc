// End-to-end behaviour of the DataStream API on the embedded cluster, checked
// against results computed directly in the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include <weir/weir.h>

namespace weir {
namespace {

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(DataStreamTest, MapFilterOverSequenceAtSeveralParallelisms) {
  for (int p : {1, 2, 4}) {
    StreamExecutionEnvironment env;
    env.setParallelism(p);
    auto sink = std::make_shared<CollectSink<int64_t>>();
    env.fromSequence(1, 10000)
        .map([](int64_t x) { return x * 3; })
        .filter([](int64_t x) { return x % 2 == 0; })
        .sinkTo(sink);
    env.execute("map-filter");
    std::vector<int64_t> expected;
    for (int64_t x = 1; x <= 10000; ++x)
      if ((x * 3) % 2 == 0) expected.push_back(x * 3);
    EXPECT_EQ(sorted(sink->results()->values()), expected) << "parallelism " << p;
  }
}

TEST(DataStreamTest, KeyedSumMatchesDirectComputation) {
  StreamExecutionEnvironment env;
  env.setParallelism(3);
  auto sink = std::make_shared<CollectSink<std::pair<int64_t, int64_t>>>();
  env.fromSequence(0, 9999)
      .map([](int64_t x) { return std::pair<int64_t, int64_t>(x % 7, x); })
      .keyBy([](const std::pair<int64_t, int64_t>& p) { return p.first; })
      .sum(&std::pair<int64_t, int64_t>::second)
      .sinkTo(sink);
  env.execute("keyed-sum");
  std::map<int64_t, int64_t> finalSum, expected;
  std::map<int64_t, size_t> count;
  for (auto& [k, v] : sink->results()->values()) {
    finalSum[k] = std::max(finalSum[k], v);
    ++count[k];
  }
  for (int64_t x = 0; x < 10000; ++x) expected[x % 7] += x;
  EXPECT_EQ(finalSum, expected);
  size_t total = 0;
  for (auto& [k, n] : count) total += n;
  EXPECT_EQ(total, 10000u);
}

TEST(DataStreamTest, UserExceptionFailsJobWithOperatorAndMessage) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto sink = std::make_shared<CollectSink<int64_t>>();
  env.fromSequence(1, 100000)
      .map([](int64_t x) {
        if (x == 5000) throw std::runtime_error("bad record 5000");
        return x;
      })
      .name("Exploder")
      .sinkTo(sink);
  try {
    env.execute("exploding");
    FAIL() << "expected a failure";
  } catch (const JobExecutionException& e) {
    EXPECT_EQ(e.result().status, JobStatus::kFailed);
    std::string msg = e.what();
    EXPECT_NE(msg.find("Exploder"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad record 5000"), std::string::npos) << msg;
  }
}

TEST(DataStreamTest, ReadmeExampleCountsWords) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto results = std::make_shared<CollectSink<std::pair<std::string, int64_t>>>();
  env.fromElements<std::string>("to be", "or not", "to be")
      .flatMap([](const std::string& line, Collector<std::string>& out) {
        size_t s = 0, e;
        while ((e = line.find(' ', s)) != std::string::npos) {
          out.collect(line.substr(s, e - s));
          s = e + 1;
        }
        out.collect(line.substr(s));
      })
      .map([](const std::string& w) { return std::pair<std::string, int64_t>(w, 1); })
      .keyBy([](const auto& p) { return p.first; })
      .sum(&std::pair<std::string, int64_t>::second)
      .sinkTo(results);
  env.execute("words");
  std::map<std::string, int64_t> last;
  for (auto& [w, n] : results->results()->values()) last[w] = std::max(last[w], n);
  EXPECT_EQ(last, (std::map<std::string, int64_t>{{"to", 2}, {"be", 2}, {"or", 1}, {"not", 1}}));
}

TEST(DataStreamTest, UnionOfTwoSourcesDeliversEveryRecordOnce) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto sink = std::make_shared<CollectSink<int64_t>>();
  auto a = env.fromSequence(0, 999);
  auto b = env.fromSequence(1000, 2999).setParallelism(3);
  a.unionWith(b).map([](int64_t x) { return x; }).sinkTo(sink);
  env.execute("union");
  std::vector<int64_t> expected(3000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(sorted(sink->results()->values()), expected);
}

TEST(DataStreamTest, ConnectMapsBothInputsToOneType) {
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto sink = std::make_shared<CollectSink<std::string>>();
  auto numbers = env.fromSequence(1, 500);
  auto words = env.fromElements<std::string>("a", "b", "c");
  numbers.connect(words)
      .map([](int64_t x) { return "n" + std::to_string(x); }, [](const std::string& w) { return "w" + w; })
      .sinkTo(sink);
  env.execute("connect");
  auto v = sink->results()->values();
  EXPECT_EQ(v.size(), 503u);
  EXPECT_EQ(std::count_if(v.begin(), v.end(), [](const std::string& s) { return s[0] == 'w'; }), 3);
}

TEST(DataStreamTest, PartitionersDeliverEveryRecord) {
  for (int mode = 0; mode < 4; ++mode) {
    StreamExecutionEnvironment env;
    env.setParallelism(2);
    auto sink = std::make_shared<CollectSink<int64_t>>();
    auto s = env.fromSequence(1, 5000);
    DataStream<int64_t> parted = mode == 0   ? s.rebalance()
                                 : mode == 1 ? s.rescale()
                                 : mode == 2 ? s.shuffle()
                                             : s.broadcast();
    parted.map([](int64_t x) { return x; }).setParallelism(4).sinkTo(sink).setParallelism(4);
    env.execute("partitioners");
    std::vector<int64_t> expected;
    for (int copy = 0; copy < (mode == 3 ? 4 : 1); ++copy)
      for (int64_t x = 1; x <= 5000; ++x) expected.push_back(x);
    EXPECT_EQ(sorted(sink->results()->values()), sorted(expected)) << "mode " << mode;
  }
}

// Keyed state is scoped per key: a KeyedProcessFunction sees only its key's list.
class KeepLastThree final : public KeyedProcessFunction<int64_t, int64_t, std::string> {
 public:
  void open(RuntimeContext& ctx) override { seen_ = &ctx.getListState(ListStateDescriptor<int64_t>("seen")); }
  void processElement(const int64_t& x, Context& ctx, Collector<std::string>& out) override {
    seen_->add(x);
    auto all = seen_->get();
    if (all.size() > 3) seen_->update(std::vector<int64_t>(all.end() - 3, all.end()));
    if (ctx.getCurrentKey() != x % 10) throw std::runtime_error("wrong current key");
    out.collect(std::to_string(ctx.getCurrentKey()) + ":" + std::to_string(seen_->get().size()));
  }

 private:
  ListState<int64_t>* seen_ = nullptr;
};

TEST(DataStreamTest, KeyedListStateIsScopedPerKey) {
  StreamExecutionEnvironment env;
  env.setParallelism(3);
  auto sink = std::make_shared<CollectSink<std::string>>();
  env.fromSequence(0, 99)
      .setParallelism(1)
      .keyBy([](int64_t x) { return x % 10; })
      .process(KeepLastThree{})
      .sinkTo(sink);
  env.execute("keyed-list");
  std::map<std::string, int> n;
  for (auto& v : sink->results()->values()) ++n[v];
  // Each of the 10 keys sees 10 records in order: sizes 1, 2, then 3 eight times.
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(n[std::to_string(k) + ":1"], 1);
    EXPECT_EQ(n[std::to_string(k) + ":2"], 1);
    EXPECT_EQ(n[std::to_string(k) + ":3"], 8);
  }
}

TEST(DataStreamTest, JobWithoutSinkIsRejectedClearly) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).map([](int64_t x) { return x; });
  try {
    env.execute("no-sink");
    FAIL();
  } catch (const StatusException& e) {
    EXPECT_NE(std::string(e.what()).find("no sink"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weir
