// EXPECT: no TypeSerializer for this type
#include <weir/weir.h>
struct Point {
  int x, y;
};
void job(weir::StreamExecutionEnvironment& env) {
  env.fromSequence(1, 10).map([](int64_t v) { return Point{int(v), 0}; });
}
