// EXPECT: flatMap cannot deduce the output type
#include <weir/weir.h>
void job(weir::StreamExecutionEnvironment& env) {
  env.fromSequence(1, 10).flatMap([](const auto& v, auto& out) { out.collect(v); });
}
