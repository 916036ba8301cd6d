// Two rate-limited sources of very different speeds joined into one stream, for
// failure tests of operators with several inputs: "fast" emits 0..fast-1 at
// `fast` records/s and "slow" emits fast..fast+slow-1 at `slow` records/s, so
// both run for about a second and every number is distinct. They are joined by
// union, or by connect into a two-input operator that forwards both.
#pragma once

#include <cstdint>
#include <memory>

#include <weir/weir.h>

namespace weir::testing {

enum class JoinInputs { kUnion, kConnect };

inline DataStream<int64_t> twoSourcesOfDifferentSpeeds(StreamExecutionEnvironment& env, int64_t fast,
                                                       int64_t slow, JoinInputs join) {
  class Forward final : public CoProcessFunction<int64_t, int64_t, int64_t> {
   public:
    void processElement1(const int64_t& x, Context&, Collector<int64_t>& out) override { out.collect(x); }
    void processElement2(const int64_t& x, Context&, Collector<int64_t>& out) override { out.collect(x); }
  };
  auto fastGen =
      std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, fast, double(fast));
  auto slowGen = std::make_shared<DataGeneratorSource<int64_t>>([fast](int64_t i) { return fast + i; }, slow,
                                                                double(slow));
  auto fastStream =
      env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(fastGen), "fast")
          .uid("fast");
  auto slowStream =
      env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(slowGen), "slow")
          .uid("slow");
  if (join == JoinInputs::kConnect) return fastStream.connect(slowStream).process(Forward{}).uid("connect");
  return fastStream.unionWith(slowStream);
}

}  // namespace weir::testing
