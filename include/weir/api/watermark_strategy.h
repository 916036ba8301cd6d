// WatermarkStrategy<T>: how a stream gets its event timestamps and watermarks
// (Flink's WatermarkStrategy, TimestampAssigner and WatermarkGenerator).
//
// A TimestampAssigner reads a record's event time. A WatermarkGenerator sees
// every record with its timestamp (onEvent) and is asked periodically, every
// `pipeline.auto-watermark-interval` (200 ms by default; 0 turns periodic
// emission off), to emit its watermark (onPeriodicEmit). A watermark W says
// "no record with a timestamp <= W is expected any more"; records that still
// come are late.
//
// Built-in strategies:
//   forBoundedOutOfOrderness(d)  records may arrive up to d late: W = max timestamp seen - d - 1
//   forMonotonousTimestamps()    timestamps never decrease: W = max timestamp seen - 1
//   noWatermarks()               timestamps only, event time never advances (until end of input)
//   forGenerator(factory)        a custom WatermarkGenerator
// and two modifiers: withTimestampAssigner(f) (f(record) or f(record, recordTimestamp);
// without one the record keeps the timestamp its source gave it) and
// withIdleness(timeout): an output that has seen no record for `timeout` is
// marked idle, so that it does not hold back the watermark of the streams it
// is combined with; its next record makes it active again.
//
// A source with a strategy runs one generator per split (when its reader
// uses per-split outputs, see ReaderOutput::createOutputForSplit) and emits
// the minimum over its active splits; at the end of a bounded input it emits
// kMaxWatermark so that every event-time timer and window fires.
//
// Threading: a strategy is an immutable value shared by all subtasks; each
// generator it creates is used by one task thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weir/runtime/stream_operator.h>

namespace weir {

// Where a WatermarkGenerator puts its watermarks.
class WatermarkOutput {
 public:
  virtual ~WatermarkOutput() = default;
  // Event time has reached `watermark`; a value not above the last one is ignored.
  // Makes an idle output active again.
  virtual void emitWatermark(Timestamp watermark) = 0;
  // No records are expected for a while: leave this output out of the minimum.
  virtual void markIdle() = 0;
  // Take part in the minimum again.
  virtual void markActive() = 0;
};

// What a generator may ask of the task that runs it.
class WatermarkGeneratorContext {
 public:
  virtual ~WatermarkGeneratorContext() = default;
  // Milliseconds since the epoch, on the task's processing-time clock.
  virtual int64_t currentProcessingTime() const = 0;
};

template <class T>
class WatermarkGenerator {
 public:
  virtual ~WatermarkGenerator() = default;
  // Every record, with the timestamp the strategy assigned it.
  virtual void onEvent(const T& event, Timestamp eventTimestamp, WatermarkOutput& output) = 0;
  // Every auto-watermark interval.
  virtual void onPeriodicEmit(WatermarkOutput& output) = 0;
};

// W = (largest timestamp seen) - maxOutOfOrderness - 1, from the first record on.
template <class T>
class BoundedOutOfOrdernessWatermarks final : public WatermarkGenerator<T> {
 public:
  explicit BoundedOutOfOrdernessWatermarks(std::chrono::milliseconds maxOutOfOrderness)
      : outOfOrderness_(maxOutOfOrderness.count()) {
    if (outOfOrderness_ < 0) throw std::invalid_argument("the maximum out-of-orderness must not be negative");
  }
  void onEvent(const T&, Timestamp ts, WatermarkOutput&) override {
    maxTimestamp_ = std::max(maxTimestamp_, ts);
  }
  void onPeriodicEmit(WatermarkOutput& output) override {
    if (maxTimestamp_ == kMinWatermark) return;  // no record yet: nothing is known
    output.emitWatermark(maxTimestamp_ - outOfOrderness_ - 1);
  }

 private:
  int64_t outOfOrderness_;
  Timestamp maxTimestamp_ = kMinWatermark;
};

template <class T>
class NoWatermarksGenerator final : public WatermarkGenerator<T> {
 public:
  void onEvent(const T&, Timestamp, WatermarkOutput&) override {}
  void onPeriodicEmit(WatermarkOutput&) override {}
};

// Wraps a generator: marks the output idle once no record came for `timeout`
// (measured between periodic emits, so the record path never reads a clock).
template <class T>
class WatermarksWithIdleness final : public WatermarkGenerator<T> {
 public:
  WatermarksWithIdleness(std::unique_ptr<WatermarkGenerator<T>> inner, std::chrono::milliseconds timeout,
                         const WatermarkGeneratorContext& context)
      : inner_(std::move(inner)), timeout_(timeout.count()), context_(context) {
    if (timeout_ <= 0) throw std::invalid_argument("the idleness timeout must be positive");
  }
  void onEvent(const T& event, Timestamp ts, WatermarkOutput& output) override {
    inner_->onEvent(event, ts, output);
    ++events_;
  }
  void onPeriodicEmit(WatermarkOutput& output) override {
    const int64_t now = context_.currentProcessingTime();
    if (events_ != eventsAtLastCheck_) {
      eventsAtLastCheck_ = events_;
      quietSince_ = now;
      idle_ = false;
    } else if (quietSince_ == kNever) {
      quietSince_ = now;
    }
    if (!idle_ && now - quietSince_ >= timeout_) {
      idle_ = true;
      output.markIdle();
    }
    if (!idle_) inner_->onPeriodicEmit(output);
  }

 private:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
  std::unique_ptr<WatermarkGenerator<T>> inner_;
  int64_t timeout_;
  const WatermarkGeneratorContext& context_;
  uint64_t events_ = 0;
  uint64_t eventsAtLastCheck_ = 0;
  int64_t quietSince_ = kNever;
  bool idle_ = false;
};

template <class T>
class WatermarkStrategy {
 public:
  // The event time of a record, given the timestamp it came with (kNoTimestamp if none).
  using TimestampAssigner = std::function<Timestamp(const T& record, Timestamp recordTimestamp)>;
  using GeneratorFactory =
      std::function<std::unique_ptr<WatermarkGenerator<T>>(const WatermarkGeneratorContext& context)>;

  static WatermarkStrategy forBoundedOutOfOrderness(std::chrono::milliseconds maxOutOfOrderness) {
    if (maxOutOfOrderness.count() < 0)
      throw std::invalid_argument(
          "forBoundedOutOfOrderness: the maximum out-of-orderness must not be negative");
    return forGenerator([maxOutOfOrderness](const WatermarkGeneratorContext&) {
      return std::make_unique<BoundedOutOfOrdernessWatermarks<T>>(maxOutOfOrderness);
    });
  }
  static WatermarkStrategy forMonotonousTimestamps() {
    return forBoundedOutOfOrderness(std::chrono::milliseconds(0));
  }
  static WatermarkStrategy noWatermarks() {
    return forGenerator(
        [](const WatermarkGeneratorContext&) { return std::make_unique<NoWatermarksGenerator<T>>(); });
  }
  static WatermarkStrategy forGenerator(GeneratorFactory factory) {
    if (!factory) throw std::invalid_argument("forGenerator: the generator factory is empty");
    WatermarkStrategy s;
    s.factory_ = std::move(factory);
    return s;
  }

  // f(record) or f(record, recordTimestamp), returning the record's event time in milliseconds.
  template <class F>
  WatermarkStrategy withTimestampAssigner(F f) const {
    WatermarkStrategy s = *this;
    if constexpr (std::is_invocable_r_v<Timestamp, const F&, const T&, Timestamp>) {
      s.assigner_ = std::move(f);
    } else {
      static_assert(
          std::is_invocable_r_v<Timestamp, const F&, const T&>,
          "withTimestampAssigner expects f(const T&) or f(const T&, Timestamp) returning a Timestamp");
      s.assigner_ = [f = std::move(f)](const T& record, Timestamp) { return Timestamp(f(record)); };
    }
    return s;
  }
  WatermarkStrategy withIdleness(std::chrono::milliseconds timeout) const {
    if (timeout.count() <= 0) throw std::invalid_argument("withIdleness: the timeout must be positive");
    WatermarkStrategy s = *this;
    s.idleness_ = timeout;
    return s;
  }

  std::unique_ptr<WatermarkGenerator<T>> createWatermarkGenerator(
      const WatermarkGeneratorContext& context) const {
    auto generator = factory_(context);
    if (idleness_.count() > 0)
      return std::make_unique<WatermarksWithIdleness<T>>(std::move(generator), idleness_, context);
    return generator;
  }
  // The record's event time: the assigner's, or the timestamp it came with.
  Timestamp extractTimestamp(const T& record, Timestamp recordTimestamp) const {
    return assigner_ ? assigner_(record, recordTimestamp) : recordTimestamp;
  }
  std::chrono::milliseconds idleness() const { return idleness_; }

 private:
  WatermarkStrategy() = default;
  GeneratorFactory factory_;
  TimestampAssigner assigner_;
  std::chrono::milliseconds idleness_{0};
};

}  // namespace weir
