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
    env.fromSequence(1, 10000).map([](int64_t x) { return x * 3; }).filter([](int64_t x) { return x % 2 == 0; }).sinkTo(sink);
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

}  // namespace
}  // namespace weir
