// EXPECT: flatMap expects a function (const T& value, weir::Collector<Out>& out)
#include <weir/weir.h>
void job(weir::StreamExecutionEnvironment& env) {
  env.fromSequence(1, 10).flatMap<int64_t>([](int64_t v) { return v; });
}
