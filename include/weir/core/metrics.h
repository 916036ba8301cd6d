// Metric primitives that the record path updates and any thread may read.
//
// Counter: a count with one writer (a task thread) and any number of readers
// (metrics, progress). Relaxed ordering: readers only need an eventually
// current value, and the writer must not pay for a locked instruction.
//
// TimeCounter: accumulated wall time of one activity (waiting for input,
// waiting for an output buffer, running), measured by one writer thread with
// start()/stop() and read by any thread, an interval still in progress
// included (Flink's TimerGauge), so that a task blocked for a minute shows as
// blocked while it is. The writer only calls it when it starts or stops
// waiting, never per record.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace weir {

class Counter {
 public:
  void inc(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class TimeCounter {
 public:
  // A monotonic clock in nanoseconds, the time base of start/stop/get.
  static int64_t nowNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // REQUIRES: the writer thread; not started. A second start() without stop() is ignored.
  void start() { begin(kReadClock); }
  // REQUIRES: the writer thread. Without a start() it does nothing.
  void stop() { end(kReadClock); }
  // The same at a given time (>= 0), for tests. Readings stay monotonic only if these
  // times are not older than the readers' (start() and stop() read the clock themselves
  // once readers can no longer take the old state for consistent, see metrics.cc).
  void start(int64_t now) { begin(now); }
  void stop(int64_t now) { end(now); }
  bool isRunning() const { return startedAt_.load() >= 0; }
  // Total nanoseconds between start() and stop() calls, plus the running interval up to
  // `now`. Never less than a reading that finished before this one began, if each reader's
  // `now` is taken before its call.
  uint64_t get(int64_t now = nowNanos()) const;

 private:
  static constexpr int64_t kReadClock = -1;
  void begin(int64_t now);
  void end(int64_t now);

  // A sequence lock: the writer makes seq_ odd while it updates the two values, so a reader
  // that saw the same even seq_ before and after reading them read a consistent pair.
  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> accumulated_{0};
  std::atomic<int64_t> startedAt_{-1};  // -1: not running
};

// Starts `c` for the lifetime of the scope (exceptions included).
class ScopedTimeCounter {
 public:
  explicit ScopedTimeCounter(TimeCounter* c) : c_(c) {
    if (c_ != nullptr) c_->start();
  }
  ~ScopedTimeCounter() {
    if (c_ != nullptr) c_->stop();
  }
  ScopedTimeCounter(const ScopedTimeCounter&) = delete;
  ScopedTimeCounter& operator=(const ScopedTimeCounter&) = delete;

 private:
  TimeCounter* c_;
};

}  // namespace weir
