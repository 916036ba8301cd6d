// EXPECT: MapFunctionOf
#include <weir/weir.h>
void job(weir::StreamExecutionEnvironment& env) {
  env.fromSequence(1, 10).map([](const std::string& s) { return s.size(); });
}
