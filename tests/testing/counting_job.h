// The counting job of the restore and savepoint tests: a rate-limited sequence
// 0..kRecords-1 keyed by x % kKeys into a per-key counter. The oracle is
// arithmetic: key k sees exactly kRecords / kKeys records, and a restored run
// must count on from the restored count to exactly that, with no gap and no
// repetition. For tests only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <weir/weir.h>

namespace weir::testing {

inline constexpr int64_t kRecords = 120000;
inline constexpr int64_t kKeys = 40;

class CountPerKey final : public KeyedProcessFunction<int64_t, int64_t, std::pair<int64_t, int64_t>> {
 public:
  void open(RuntimeContext& ctx) override { count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count")); }
  void processElement(const int64_t&, Context& ctx, Collector<std::pair<int64_t, int64_t>>& out) override {
    int64_t n = count_->value().value_or(0) + 1;
    count_->update(n);
    out.collect({ctx.getCurrentKey(), n});
  }

 private:
  ValueState<int64_t>* count_ = nullptr;
};

using Results = CollectSink<std::pair<int64_t, int64_t>>;

// `maxParallelism` 0 sets none on the counting operator (the default applies, and a
// restore adopts the checkpoint's).
inline std::shared_ptr<Results> buildJob(StreamExecutionEnvironment& env, double rate,
                                         int maxParallelism = 0) {
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords, rate);
  auto sink = std::make_shared<Results>();
  auto counts = env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
                    .uid("numbers")
                    .keyBy([](int64_t x) { return x % kKeys; })
                    .process(CountPerKey{})
                    .uid("count");
  if (maxParallelism > 0) counts.setMaxParallelism(maxParallelism);
  counts.sinkTo(sink).uid("sink");
  return sink;
}

inline void expectCountsContinueExactly(const std::vector<std::pair<int64_t, int64_t>>& second) {
  std::map<int64_t, std::vector<int64_t>> perKey;
  for (auto& [k, n] : second) perKey[k].push_back(n);
  ASSERT_EQ(int64_t(perKey.size()), kKeys);
  int64_t processedAgain = 0;
  for (auto& [k, counts] : perKey) {
    std::sort(counts.begin(), counts.end());
    ASSERT_EQ(counts.back(), kRecords / kKeys) << "key " << k << ": final count";
    for (size_t i = 1; i < counts.size(); ++i) ASSERT_EQ(counts[i], counts[i - 1] + 1) << "key " << k;
    EXPECT_GT(counts.front(), 1) << "key " << k << " restarted from zero: its state was not restored";
    processedAgain += int64_t(counts.size());
  }
  EXPECT_LT(processedAgain, kRecords) << "the source must resume from its checkpointed positions";
}

}  // namespace weir::testing
