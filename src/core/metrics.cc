#include <weir/core/metrics.h>

namespace weir {

// Writer side of the sequence lock: seq_ odd, release fence, values, seq_ even (release).
// Only one thread writes, so the loads of seq_ need no ordering of their own.
void TimeCounter::start(int64_t now) {
  if (startedAt_.load(std::memory_order_relaxed) >= 0) return;
  const uint64_t s = seq_.load(std::memory_order_relaxed);
  seq_.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  startedAt_.store(now, std::memory_order_relaxed);
  seq_.store(s + 2, std::memory_order_release);
}

void TimeCounter::stop(int64_t now) {
  const int64_t started = startedAt_.load(std::memory_order_relaxed);
  if (started < 0) return;
  const uint64_t s = seq_.load(std::memory_order_relaxed);
  seq_.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  accumulated_.store(accumulated_.load(std::memory_order_relaxed) + (now > started ? now - started : 0),
                     std::memory_order_relaxed);
  startedAt_.store(-1, std::memory_order_relaxed);
  seq_.store(s + 2, std::memory_order_release);
}

uint64_t TimeCounter::get(int64_t now) const {
  for (;;) {
    const uint64_t before = seq_.load(std::memory_order_acquire);
    const int64_t accumulated = accumulated_.load(std::memory_order_relaxed);
    const int64_t started = startedAt_.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if ((before & 1) == 0 && seq_.load(std::memory_order_relaxed) == before) {
      return uint64_t(accumulated + (started >= 0 && now > started ? now - started : 0));
    }
  }
}

}  // namespace weir
