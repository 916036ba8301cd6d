// EXPECT: KeySelectorOf
#include <weir/weir.h>
void job(weir::StreamExecutionEnvironment& env) {
  env.fromSequence(1, 10).keyBy([](int64_t) {});
}
