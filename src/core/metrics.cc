#include <weir/core/metrics.h>

namespace weir {

// The sequence lock uses sequentially consistent operations throughout: start/stop
// run only when a task begins or ends a wait, never per record, so their cost does
// not matter, and without fences the reasoning (and ThreadSanitizer) stays simple.
// A reader that sees an even seq_ before and the same seq_ after reading both
// values read them between two updates.
//
// The writer reads the clock after making seq_ odd. A stop's time read before that would
// let a reader whose consistent reading falls between the clock read and the update count
// the running interval past that stop time, and a later reader, seeing the stop, get less:
// accumulated time would go backwards. Read after, the stop time is later than the `now`
// of every reader that still saw the interval running.
void TimeCounter::begin(int64_t now) {
  if (startedAt_.load() >= 0) return;
  const uint64_t s = seq_.load();
  seq_.store(s + 1);
  startedAt_.store(now == kReadClock ? nowNanos() : now);
  seq_.store(s + 2);
}

void TimeCounter::end(int64_t now) {
  const int64_t started = startedAt_.load();
  if (started < 0) return;
  const uint64_t s = seq_.load();
  seq_.store(s + 1);
  const int64_t at = now == kReadClock ? nowNanos() : now;
  accumulated_.store(accumulated_.load() + (at > started ? at - started : 0));
  startedAt_.store(-1);
  seq_.store(s + 2);
}

uint64_t TimeCounter::get(int64_t now) const {
  for (;;) {
    const uint64_t before = seq_.load();
    const int64_t accumulated = accumulated_.load();
    const int64_t started = startedAt_.load();
    if ((before & 1) == 0 && seq_.load() == before) {
      return uint64_t(accumulated + (started >= 0 && now > started ? now - started : 0));
    }
  }
}

}  // namespace weir
