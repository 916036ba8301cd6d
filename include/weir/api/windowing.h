// Windows of a keyed stream (Flink's windowing API): what a window is, which
// windows a record belongs to (WindowAssigner), when a window emits (Trigger),
// and the function that turns a window's contents into output
// (ProcessWindowFunction; reduce and aggregate are in WindowedStream).
//
//   keyed.window(TumblingEventTimeWindows::of(1min))
//        .allowedLateness(10s)
//        .sideOutputLateData(lateTag)
//        .aggregate(CountBids{});
//
// Assigners: tumbling, sliding and session windows on event time and on
// processing time, and global windows (one window per key, for count
// windows). Time windows are [start, end) in milliseconds; a window emits with
// timestamp end - 1 (its maxTimestamp).
//
// Triggers: EventTimeTrigger (fires when the watermark passes the window's
// end; the default of event-time assigners), ProcessingTimeTrigger (when the
// clock does; the default of processing-time assigners), CountTrigger (every
// n records), PurgingTrigger (wraps another: every firing also clears the
// window), NeverTrigger (the default of global windows). A trigger keeps its
// timers through its Context and may keep one 64-bit value per window
// (CountTrigger's count); both are checkpointed with the window.
//
// Threading: assigners and triggers are immutable and shared by all subtasks
// (their methods are const); a ProcessWindowFunction is copied per subtask and
// runs on its task thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <weir/api/functions.h>
#include <weir/core/serializer.h>

namespace weir {

// [start, end) in milliseconds of event or processing time.
struct TimeWindow {
  int64_t start = 0;
  int64_t end = 0;
  // The last timestamp that belongs to the window; what it emits carries this timestamp.
  Timestamp maxTimestamp() const { return end - 1; }
  // Whether the two overlap or touch (session windows that touch merge).
  bool intersects(const TimeWindow& o) const { return start <= o.end && end >= o.start; }
  TimeWindow cover(const TimeWindow& o) const { return {std::min(start, o.start), std::max(end, o.end)}; }
  bool operator==(const TimeWindow&) const = default;
  auto operator<=>(const TimeWindow&) const = default;

  // The start of the window of `size` (shifted by `offset`) that holds `timestamp`.
  static int64_t windowStart(int64_t timestamp, int64_t offset, int64_t size) {
    const int64_t remainder = (timestamp - offset) % size;
    return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
  }
};
WEIR_STRUCT(TimeWindow, start, end);

// The one window of a key that never ends (count windows).
struct GlobalWindow {
  uint8_t unused = 0;  // a struct needs a field to serialize
  Timestamp maxTimestamp() const { return std::numeric_limits<int64_t>::max(); }
  bool operator==(const GlobalWindow&) const { return true; }
};
WEIR_STRUCT(GlobalWindow, unused);

// ---- triggers ----

// What a trigger decides for a window; the window operator acts on it.
enum class TriggerResult {
  kContinue,      // nothing to do
  kFire,          // emit the window's contents now; keep them
  kPurge,         // drop the contents without emitting
  kFireAndPurge,  // emit, then drop the contents
};

template <class W>
class Trigger {
 public:
  // What a trigger may do for the window it is called for.
  class Context {
   public:
    virtual ~Context() = default;
    virtual int64_t currentProcessingTime() const = 0;
    virtual Timestamp currentWatermark() const = 0;
    // Timers of this window: onEventTime / onProcessingTime run when they fire.
    virtual void registerEventTimeTimer(int64_t time) = 0;
    virtual void deleteEventTimeTimer(int64_t time) = 0;
    virtual void registerProcessingTimeTimer(int64_t time) = 0;
    virtual void deleteProcessingTimeTimer(int64_t time) = 0;
    // A value the trigger keeps for this window (0 at first; in onMerge, the
    // sum of the merged windows' values). Checkpointed with the window.
    virtual int64_t& value() = 0;
  };

  virtual ~Trigger() = default;
  // A record with timestamp `timestamp` was added to `window`.
  virtual TriggerResult onElement(Timestamp timestamp, const W& window, Context& ctx) const = 0;
  // A timer this trigger registered for `window` fired.
  virtual TriggerResult onEventTime(int64_t time, const W& window, Context& ctx) const = 0;
  virtual TriggerResult onProcessingTime(int64_t time, const W& window, Context& ctx) const = 0;
  // Whether the trigger supports merging windows (sessions), and what to do
  // for the window that several were merged into (register its timers).
  virtual bool canMerge() const { return false; }
  virtual void onMerge(const W& window, Context& ctx) const {
    (void)window, (void)ctx;
    throw std::logic_error(describe() + " does not support merging windows");
  }
  // The window is removed: delete the timers this trigger registered for it.
  virtual void clear(const W& window, Context& ctx) const = 0;
  virtual std::string describe() const = 0;
};

// Fires once the watermark passes the window's end, and again for each late
// record that is still within the allowed lateness.
template <class W>
class EventTimeTrigger final : public Trigger<W> {
 public:
  using Ctx = typename Trigger<W>::Context;
  static std::shared_ptr<const Trigger<W>> create() { return std::make_shared<const EventTimeTrigger>(); }
  TriggerResult onElement(Timestamp, const W& w, Ctx& ctx) const override {
    if (w.maxTimestamp() <= ctx.currentWatermark()) return TriggerResult::kFire;  // a late firing
    ctx.registerEventTimeTimer(w.maxTimestamp());
    return TriggerResult::kContinue;
  }
  TriggerResult onEventTime(int64_t time, const W& w, Ctx&) const override {
    return time == w.maxTimestamp() ? TriggerResult::kFire : TriggerResult::kContinue;
  }
  TriggerResult onProcessingTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  bool canMerge() const override { return true; }
  void onMerge(const W& w, Ctx& ctx) const override {
    if (w.maxTimestamp() > ctx.currentWatermark()) ctx.registerEventTimeTimer(w.maxTimestamp());
  }
  void clear(const W& w, Ctx& ctx) const override { ctx.deleteEventTimeTimer(w.maxTimestamp()); }
  std::string describe() const override { return "EventTimeTrigger"; }
};

// Fires when the processing-time clock passes the window's end.
template <class W>
class ProcessingTimeTrigger final : public Trigger<W> {
 public:
  using Ctx = typename Trigger<W>::Context;
  static std::shared_ptr<const Trigger<W>> create() {
    return std::make_shared<const ProcessingTimeTrigger>();
  }
  TriggerResult onElement(Timestamp, const W& w, Ctx& ctx) const override {
    ctx.registerProcessingTimeTimer(w.maxTimestamp());
    return TriggerResult::kContinue;
  }
  TriggerResult onEventTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  TriggerResult onProcessingTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kFire; }
  bool canMerge() const override { return true; }
  void onMerge(const W& w, Ctx& ctx) const override {
    if (w.maxTimestamp() > ctx.currentProcessingTime()) ctx.registerProcessingTimeTimer(w.maxTimestamp());
  }
  void clear(const W& w, Ctx& ctx) const override { ctx.deleteProcessingTimeTimer(w.maxTimestamp()); }
  std::string describe() const override { return "ProcessingTimeTrigger"; }
};

// Fires every `count` records of a window (it does not purge: wrap it in a
// PurgingTrigger for tumbling count windows).
template <class W>
class CountTrigger final : public Trigger<W> {
 public:
  using Ctx = typename Trigger<W>::Context;
  explicit CountTrigger(int64_t count) : count_(count) {
    if (count < 1) throw std::invalid_argument("CountTrigger: the count must be at least 1");
  }
  static std::shared_ptr<const Trigger<W>> of(int64_t count) {
    return std::make_shared<const CountTrigger>(count);
  }
  TriggerResult onElement(Timestamp, const W&, Ctx& ctx) const override {
    if (++ctx.value() < count_) return TriggerResult::kContinue;
    ctx.value() = 0;
    return TriggerResult::kFire;
  }
  TriggerResult onEventTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  TriggerResult onProcessingTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  bool canMerge() const override { return true; }
  void onMerge(const W&, Ctx&) const override {}  // the merged count is the sum
  void clear(const W&, Ctx& ctx) const override { ctx.value() = 0; }
  std::string describe() const override { return "CountTrigger(" + std::to_string(count_) + ")"; }

 private:
  int64_t count_;
};

// Turns every firing of `inner` into fire-and-purge.
template <class W>
class PurgingTrigger final : public Trigger<W> {
 public:
  using Ctx = typename Trigger<W>::Context;
  explicit PurgingTrigger(std::shared_ptr<const Trigger<W>> inner) : inner_(std::move(inner)) {
    if (!inner_) throw std::invalid_argument("PurgingTrigger needs a trigger to wrap");
  }
  static std::shared_ptr<const Trigger<W>> of(std::shared_ptr<const Trigger<W>> inner) {
    return std::make_shared<const PurgingTrigger>(std::move(inner));
  }
  TriggerResult onElement(Timestamp ts, const W& w, Ctx& ctx) const override {
    return purging(inner_->onElement(ts, w, ctx));
  }
  TriggerResult onEventTime(int64_t t, const W& w, Ctx& ctx) const override {
    return purging(inner_->onEventTime(t, w, ctx));
  }
  TriggerResult onProcessingTime(int64_t t, const W& w, Ctx& ctx) const override {
    return purging(inner_->onProcessingTime(t, w, ctx));
  }
  bool canMerge() const override { return inner_->canMerge(); }
  void onMerge(const W& w, Ctx& ctx) const override { inner_->onMerge(w, ctx); }
  void clear(const W& w, Ctx& ctx) const override { inner_->clear(w, ctx); }
  std::string describe() const override { return "PurgingTrigger(" + inner_->describe() + ")"; }

 private:
  static TriggerResult purging(TriggerResult r) {
    return r == TriggerResult::kFire ? TriggerResult::kFireAndPurge : r;
  }
  std::shared_ptr<const Trigger<W>> inner_;
};

// Never fires (global windows without a trigger of their own).
template <class W>
class NeverTrigger final : public Trigger<W> {
 public:
  using Ctx = typename Trigger<W>::Context;
  TriggerResult onElement(Timestamp, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  TriggerResult onEventTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  TriggerResult onProcessingTime(int64_t, const W&, Ctx&) const override { return TriggerResult::kContinue; }
  bool canMerge() const override { return true; }
  void onMerge(const W&, Ctx&) const override {}
  void clear(const W&, Ctx&) const override {}
  std::string describe() const override { return "NeverTrigger"; }
};

// ---- assigners ----

template <class W>
class WindowAssigner {
 public:
  using WindowType = W;
  virtual ~WindowAssigner() = default;
  // Appends the windows a record with event timestamp `timestamp` belongs to;
  // `now` is the processing time. Throws std::runtime_error when an event-time
  // assigner gets a record without a timestamp.
  virtual void assignWindows(Timestamp timestamp, int64_t now, std::vector<W>& out) const = 0;
  virtual bool isEventTime() const = 0;
  // Merging assigners (sessions) merge windows that intersect.
  virtual bool isMerging() const { return false; }
  virtual std::shared_ptr<const Trigger<W>> defaultTrigger() const = 0;
  virtual std::string describe() const = 0;
};

namespace detail {
inline int64_t positiveMillis(std::chrono::milliseconds d, const char* what) {
  if (d.count() <= 0) throw std::invalid_argument(std::string(what) + " must be positive");
  return d.count();
}
inline Timestamp requireTimestamp(Timestamp ts, const std::string& assigner) {
  if (ts == kNoTimestamp) {
    throw std::runtime_error(
        assigner +
        " got a record without a timestamp: give the source a WatermarkStrategy with a "
        "timestamp assigner (fromSource(source, strategy, name)) or call "
        "assignTimestampsAndWatermarks before the window, or use processing-time windows");
  }
  return ts;
}

class TumblingWindows : public WindowAssigner<TimeWindow> {
 public:
  TumblingWindows(std::chrono::milliseconds size, std::chrono::milliseconds offset, bool eventTime)
      : size_(positiveMillis(size, "a tumbling window's size")),
        offset_(offset.count() % size_),
        eventTime_(eventTime) {}
  void assignWindows(Timestamp ts, int64_t now, std::vector<TimeWindow>& out) const override {
    const int64_t t = eventTime_ ? requireTimestamp(ts, describe()) : now;
    const int64_t start = TimeWindow::windowStart(t, offset_, size_);
    out.push_back({start, start + size_});
  }
  bool isEventTime() const override { return eventTime_; }
  std::shared_ptr<const Trigger<TimeWindow>> defaultTrigger() const override {
    return eventTime_ ? EventTimeTrigger<TimeWindow>::create() : ProcessingTimeTrigger<TimeWindow>::create();
  }
  std::string describe() const override {
    return std::string(eventTime_ ? "TumblingEventTimeWindows" : "TumblingProcessingTimeWindows") + "(" +
           std::to_string(size_) + " ms)";
  }

 private:
  int64_t size_, offset_;
  bool eventTime_;
};

class SlidingWindows : public WindowAssigner<TimeWindow> {
 public:
  SlidingWindows(std::chrono::milliseconds size, std::chrono::milliseconds slide,
                 std::chrono::milliseconds offset, bool eventTime)
      : size_(positiveMillis(size, "a sliding window's size")),
        slide_(positiveMillis(slide, "a sliding window's slide")),
        offset_(offset.count() % slide_),
        eventTime_(eventTime) {}
  void assignWindows(Timestamp ts, int64_t now, std::vector<TimeWindow>& out) const override {
    const int64_t t = eventTime_ ? requireTimestamp(ts, describe()) : now;
    for (int64_t start = TimeWindow::windowStart(t, offset_, slide_); start > t - size_; start -= slide_)
      out.push_back({start, start + size_});
  }
  bool isEventTime() const override { return eventTime_; }
  std::shared_ptr<const Trigger<TimeWindow>> defaultTrigger() const override {
    return eventTime_ ? EventTimeTrigger<TimeWindow>::create() : ProcessingTimeTrigger<TimeWindow>::create();
  }
  std::string describe() const override {
    return std::string(eventTime_ ? "SlidingEventTimeWindows" : "SlidingProcessingTimeWindows") + "(" +
           std::to_string(size_) + " ms, " + std::to_string(slide_) + " ms)";
  }

 private:
  int64_t size_, slide_, offset_;
  bool eventTime_;
};

class SessionWindows : public WindowAssigner<TimeWindow> {
 public:
  SessionWindows(std::chrono::milliseconds gap, bool eventTime)
      : gap_(positiveMillis(gap, "a session window's gap")), eventTime_(eventTime) {}
  void assignWindows(Timestamp ts, int64_t now, std::vector<TimeWindow>& out) const override {
    const int64_t t = eventTime_ ? requireTimestamp(ts, describe()) : now;
    out.push_back({t, t + gap_});
  }
  bool isEventTime() const override { return eventTime_; }
  bool isMerging() const override { return true; }
  std::shared_ptr<const Trigger<TimeWindow>> defaultTrigger() const override {
    return eventTime_ ? EventTimeTrigger<TimeWindow>::create() : ProcessingTimeTrigger<TimeWindow>::create();
  }
  std::string describe() const override {
    return std::string(eventTime_ ? "EventTimeSessionWindows" : "ProcessingTimeSessionWindows") + "(gap " +
           std::to_string(gap_) + " ms)";
  }

 private:
  int64_t gap_;
  bool eventTime_;
};
}  // namespace detail

struct TumblingEventTimeWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> of(
      std::chrono::milliseconds size, std::chrono::milliseconds offset = std::chrono::milliseconds(0)) {
    return std::make_shared<const detail::TumblingWindows>(size, offset, true);
  }
};
struct TumblingProcessingTimeWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> of(
      std::chrono::milliseconds size, std::chrono::milliseconds offset = std::chrono::milliseconds(0)) {
    return std::make_shared<const detail::TumblingWindows>(size, offset, false);
  }
};
struct SlidingEventTimeWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> of(
      std::chrono::milliseconds size, std::chrono::milliseconds slide,
      std::chrono::milliseconds offset = std::chrono::milliseconds(0)) {
    return std::make_shared<const detail::SlidingWindows>(size, slide, offset, true);
  }
};
struct SlidingProcessingTimeWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> of(
      std::chrono::milliseconds size, std::chrono::milliseconds slide,
      std::chrono::milliseconds offset = std::chrono::milliseconds(0)) {
    return std::make_shared<const detail::SlidingWindows>(size, slide, offset, false);
  }
};
struct EventTimeSessionWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> withGap(std::chrono::milliseconds gap) {
    return std::make_shared<const detail::SessionWindows>(gap, true);
  }
};
struct ProcessingTimeSessionWindows {
  static std::shared_ptr<const WindowAssigner<TimeWindow>> withGap(std::chrono::milliseconds gap) {
    return std::make_shared<const detail::SessionWindows>(gap, false);
  }
};

// One window per key, for count windows; never fires unless given a trigger.
class GlobalWindows final : public WindowAssigner<GlobalWindow> {
 public:
  static std::shared_ptr<const WindowAssigner<GlobalWindow>> create() {
    return std::make_shared<const GlobalWindows>();
  }
  void assignWindows(Timestamp, int64_t, std::vector<GlobalWindow>& out) const override { out.push_back({}); }
  bool isEventTime() const override { return false; }
  std::shared_ptr<const Trigger<GlobalWindow>> defaultTrigger() const override {
    return std::make_shared<const NeverTrigger<GlobalWindow>>();
  }
  std::string describe() const override { return "GlobalWindows"; }
};

// ---- window functions ----

// Emits the output of a window from all its contents (or, after reduce or
// aggregate, from the one pre-aggregated value). `elements` is valid for the
// call only.
template <class In, class Out, class K, class W>
class ProcessWindowFunction : public RichFunction {
 public:
  using InputType = In;
  using OutputType = Out;
  using KeyType = K;
  using WindowType = W;
  class Context : public detail::SideOutputContext {
   public:
    virtual const W& window() const = 0;
    virtual int64_t currentProcessingTime() const = 0;
    virtual Timestamp currentWatermark() const = 0;

   protected:
    Timestamp sideOutputTimestamp() const override { return window().maxTimestamp(); }
  };
  virtual void process(const K& key, Context& ctx, std::span<const In> elements, Collector<Out>& out) = 0;
};

}  // namespace weir
