// WindowOperator: keyed windows (KeyedStream::window, Flink's WindowOperator).
//
// Per record: the assigner names the record's windows; a window whose cleanup
// time (end - 1 + allowed lateness on event time, end - 1 on processing time)
// the watermark has passed is skipped; otherwise the record is added to the
// window's contents and the trigger decides (fire, purge, both, nothing). A
// record skipped by all its windows because it is later than the allowed
// lateness goes to the late-data side output if there is one, else it is
// dropped and counted. Merging assigners (sessions) merge the new window with
// every window of the key it intersects: contents are merged (reduce,
// aggregate's merge, or concatenation), trigger values summed, the merged
// windows' timers replaced by the trigger's onMerge.
//
// Timers: the trigger's timers and the cleanup timers are timers of the
// key (InternalTimerService, deduplicated per key and time); each window
// records which times its trigger registered, so that when a key's timer fires
// exactly the windows that asked for that time see onEventTime /
// onProcessingTime (as with Flink's per-window timers), and a time is only
// deleted from the key when no other window of the key still needs it. At its
// cleanup time a window is removed with its contents and its trigger's timers.
// A window that fires emits with timestamp end - 1.
//
// State: per key, the vector of its live windows (window, contents, trigger
// value, the trigger's timer times) in one keyed state,
// "_internal/window-contents"; the timers are timer state. Both go into
// checkpoints like any keyed state, so windows and their pending firings
// survive failures and rescaling.
//
// Contents policies (what a window keeps and how it becomes output):
// ReduceWindowContents (one value, folded with a reduce function),
// AggregateWindowContents (an AggregateFunction's accumulator) and
// ListWindowContents (every record, for a ProcessWindowFunction without
// pre-aggregation). Emitters: PassThroughEmitter (the reduce/aggregate result
// is the output) and ProcessWindowEmitter (a ProcessWindowFunction makes it).
//
// Threading: task thread only.
#pragma once

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <weir/api/windowing.h>
#include <weir/runtime/internal_timer_service.h>
#include <weir/runtime/operators/keyed_operator.h>
#include <weir/state/heap_internal_state.h>

namespace weir {

// The state name of a window operator's windows (reserved: user states cannot use it).
inline constexpr std::string_view kWindowContentsStateName = "_internal/window-contents";

namespace detail {

// The times a trigger registered for one window: sorted and unique. Up to two
// live inline (a window usually has one timer), so the check on every record
// ("is this timer registered already?") reads no other memory than the window's.
class TimerTimes {
 public:
  // False if `t` was there already.
  bool insert(int64_t t) {
    if (spilled()) return insertInto(spill_, t);
    const auto end = inline_ + size_;
    auto it = std::lower_bound(inline_, end, t);
    if (it != end && *it == t) return false;
    if (size_ < kInline) {
      std::copy_backward(it, end, end + 1);
      *it = t;
      ++size_;
      return true;
    }
    spill_.assign(inline_, end);
    size_ = kSpilled;
    return insertInto(spill_, t);
  }
  // False if `t` was not there.
  bool erase(int64_t t) {
    if (spilled()) {
      auto it = std::lower_bound(spill_.begin(), spill_.end(), t);
      if (it == spill_.end() || *it != t) return false;
      spill_.erase(it);
      return true;
    }
    const auto end = inline_ + size_;
    auto it = std::lower_bound(inline_, end, t);
    if (it == end || *it != t) return false;
    std::copy(it + 1, end, it);
    --size_;
    return true;
  }
  bool contains(int64_t t) const {
    if (spilled()) return std::binary_search(spill_.begin(), spill_.end(), t);
    return std::binary_search(inline_, inline_ + size_, t);
  }
  std::vector<int64_t> toVector() const {
    return spilled() ? spill_ : std::vector<int64_t>(inline_, inline_ + size_);
  }
  void assign(const std::vector<int64_t>& sorted) {
    if (sorted.size() <= kInline) {
      spill_.clear();
      std::copy(sorted.begin(), sorted.end(), inline_);
      size_ = uint8_t(sorted.size());
    } else {
      spill_ = sorted;
      size_ = kSpilled;
    }
  }

 private:
  static constexpr uint8_t kInline = 2;
  static constexpr uint8_t kSpilled = 0xFF;
  bool spilled() const { return size_ == kSpilled; }
  static bool insertInto(std::vector<int64_t>& v, int64_t t) {
    auto it = std::lower_bound(v.begin(), v.end(), t);
    if (it != v.end() && *it == t) return false;
    v.insert(it, t);
    return true;
  }
  int64_t inline_[kInline] = {};
  uint8_t size_ = 0;
  std::vector<int64_t> spill_;
};

// One live window of a key.
template <class W, class Acc>
struct WindowEntry {
  W window{};
  std::optional<Acc> contents;  // empty after a purge, or before the first record
  int64_t triggerValue = 0;
  TimerTimes eventTimers;  // times the trigger registered for this window
  TimerTimes processingTimers;
};

}  // namespace detail

template <class W, class Acc>
struct TypeSerializer<detail::WindowEntry<W, Acc>, void> {
  using E = detail::WindowEntry<W, Acc>;
  static void serialize(const E& e, DataOutput& out) {
    TypeSerializer<W>::serialize(e.window, out);
    TypeSerializer<std::optional<Acc>>::serialize(e.contents, out);
    TypeSerializer<int64_t>::serialize(e.triggerValue, out);
    TypeSerializer<std::vector<int64_t>>::serialize(e.eventTimers.toVector(), out);
    TypeSerializer<std::vector<int64_t>>::serialize(e.processingTimers.toVector(), out);
  }
  static void deserialize(E& e, DataInput& in) {
    TypeSerializer<W>::deserialize(e.window, in);
    TypeSerializer<std::optional<Acc>>::deserialize(e.contents, in);
    TypeSerializer<int64_t>::deserialize(e.triggerValue, in);
    std::vector<int64_t> times;
    for (detail::TimerTimes* t : {&e.eventTimers, &e.processingTimers}) {
      TypeSerializer<std::vector<int64_t>>::deserialize(times, in);
      if (std::adjacent_find(times.begin(), times.end(), std::greater_equal<int64_t>()) != times.end())
        throw SerializationError("a window's timer times are not strictly increasing");
      t->assign(times);
    }
  }
  static std::string name() {
    return "window<" + TypeSerializer<W>::name() + "," + TypeSerializer<std::optional<Acc>>::name() + ">";
  }
  static constexpr uint32_t kVersion = 1;
};

namespace detail {

// Reduce: the contents are the reduction of the window's records so far.
template <class T, class F>
struct ReduceWindowContents {
  using In = T;
  using Acc = T;
  using Result = T;
  F fn;
  void add(std::optional<Acc>& acc, const T& value) const {
    if (acc) {
      *acc = fn(*acc, value);
    } else {
      acc = value;
    }
  }
  void merge(std::optional<Acc>& into, std::optional<Acc>& from) const {
    if (!from) return;
    if (into) {
      *into = fn(*into, *from);
    } else {
      into = std::move(from);
    }
  }
  template <class Use>
  void withResult(const Acc& acc, Use&& use) const {
    use(std::span<const T>(&acc, 1));
  }
};

// Aggregate: the contents are an AggregateFunction's accumulator.
template <class AggF>
struct AggregateWindowContents {
  using In = typename AggF::InputType;
  using Acc = typename AggF::AccumulatorType;
  using Result = typename AggF::OutputType;
  AggF fn;
  void add(std::optional<Acc>& acc, const In& value) const {
    if (!acc) acc = fn.createAccumulator();
    fn.add(value, *acc);
  }
  void merge(std::optional<Acc>& into, std::optional<Acc>& from) const {
    if (!from) return;
    if (into) {
      into = fn.merge(*into, *from);
    } else {
      into = std::move(from);
    }
  }
  template <class Use>
  void withResult(const Acc& acc, Use&& use) const {
    const Result r = fn.getResult(acc);
    use(std::span<const Result>(&r, 1));
  }
};

// Every record, for a ProcessWindowFunction that sees them all.
template <class T>
struct ListWindowContents {
  using In = T;
  using Acc = std::vector<T>;
  using Result = T;
  void add(std::optional<Acc>& acc, const T& value) const {
    if (!acc) acc.emplace();
    acc->push_back(value);
  }
  void merge(std::optional<Acc>& into, std::optional<Acc>& from) const {
    if (!from) return;
    if (into) {
      into->insert(into->end(), from->begin(), from->end());
    } else {
      into = std::move(from);
    }
  }
  template <class Use>
  void withResult(const Acc& acc, Use&& use) const {
    use(std::span<const T>(acc.data(), acc.size()));
  }
};

// The window's result is the output.
template <class R>
struct PassThroughEmitter {
  using Out = R;
  struct Context {};  // no function, nothing to see
};

// A ProcessWindowFunction makes the output from the window's result(s).
template <class PWF>
struct ProcessWindowEmitter {
  using Out = typename PWF::OutputType;
  using Context = typename PWF::Context;
  PWF fn;
};

}  // namespace detail

template <class K, class W, class Contents, class Emitter, class KeySelector>
class WindowOperator final
    : public KeyedOperatorBase<K, typename Contents::In, typename Emitter::Out, KeySelector> {
  using In = typename Contents::In;
  using Acc = typename Contents::Acc;
  using Result = typename Contents::Result;
  using Out = typename Emitter::Out;
  using Base = KeyedOperatorBase<K, In, Out, KeySelector>;
  using Entry = detail::WindowEntry<W, Acc>;
  using Entries = std::vector<Entry>;
  using State = detail::HeapInternalState<Entries>;

 public:
  WindowOperator(KeySelector selector, std::shared_ptr<const WindowAssigner<W>> assigner,
                 std::shared_ptr<const Trigger<W>> trigger, int64_t allowedLateness, Contents contents,
                 Emitter emitter, std::string lateDataTag)
      : Base(std::move(selector)),
        assigner_(std::move(assigner)),
        trigger_(std::move(trigger)),
        lateness_(allowedLateness),
        contents_(std::move(contents)),
        emitter_(std::move(emitter)),
        lateDataTag_(std::move(lateDataTag)),
        processCtx_(*this) {
    if constexpr (isProcess) this->registerUserFunction(emitter_.fn);
  }

  void open() override {
    Base::open();
    collector_.setOutput(this->output_);
    state_ = &State::of(*this->backend_, kWindowContentsStateName);
    timers_ = std::make_unique<InternalTimerService>(
        this->context().processingTimeService(), *this->backend_,
        [this](int64_t t) { onTimer(t, TimeDomain::kProcessingTime); },
        [this](int64_t t) { onTimer(t, TimeDomain::kEventTime); });
    if (!lateDataTag_.empty()) lateOutput_ = this->sideOutput(lateDataTag_);
    if constexpr (isProcess) detail::openFunction(emitter_.fn, this->context());
  }
  void close() override {
    if constexpr (isProcess) detail::closeFunction(emitter_.fn);
  }

  void processElement(const In& value, Timestamp ts) override {
    this->setKeyOf(value);
    assigned_.clear();
    const int64_t now = assigner_->isEventTime() ? 0 : timers_->currentProcessingTime();
    assigner_->assignWindows(ts, now, assigned_);
    bool added = false;
    Entries& es = state_->getOrCreate();
    for (const W& w : assigned_) {
      size_t i;
      created_ = false;
      if (assigner_->isMerging()) {
        i = mergeInto(es, w);
        if (isWindowLate(es[i].window)) {
          removeWindow(es, i);
          continue;
        }
      } else {
        if (isWindowLate(w)) continue;
        i = findOrAdd(es, w);
      }
      added = true;
      invokeUserFunction(*this, [&] { contents_.add(es[i].contents, value); });
      TriggerCtx ctx(*this, es, i);
      const TriggerResult r =
          invokeUserFunction(*this, [&] { return trigger_->onElement(ts, es[i].window, ctx); });
      act(es, i, r);
      // A window's cleanup time never changes: its timer was registered when the window was made.
      if (created_) registerCleanupTimer(es[i].window);
    }
    if (es.empty()) state_->erase();
    if (!added && isElementLate(ts)) {
      if (lateOutput_ != nullptr) {
        inputCast<In>(lateOutput_)->processElement(value, ts);
      } else {
        ++lateRecordsDropped_;
      }
    }
  }

  void processWatermark(Timestamp watermark) override {
    timers_->advanceWatermark(watermark);
    Base::processWatermark(watermark);
  }

  // Records dropped for being later than the allowed lateness (without a late-data side output).
  uint64_t numLateRecordsDropped() const { return lateRecordsDropped_; }

 private:
  static constexpr bool isProcess = !std::is_same_v<Emitter, detail::PassThroughEmitter<Out>>;

  // The trigger's view of window `index` of the current key.
  class TriggerCtx final : public Trigger<W>::Context {
   public:
    TriggerCtx(WindowOperator& op, Entries& entries, size_t index)
        : op_(op), entries_(entries), entry_(&entries[index]) {}
    // For a window already taken out of `entries` (merged away).
    TriggerCtx(WindowOperator& op, Entries& entries, Entry& detached)
        : op_(op), entries_(entries), entry_(&detached) {}
    int64_t currentProcessingTime() const override { return op_.timers_->currentProcessingTime(); }
    Timestamp currentWatermark() const override { return op_.timers_->currentWatermark(); }
    void registerEventTimeTimer(int64_t t) override {
      if (entry_->eventTimers.insert(t)) op_.timers_->registerEventTimeTimer(t);
    }
    void deleteEventTimeTimer(int64_t t) override {
      if (entry_->eventTimers.erase(t) && !op_.keyNeeds(entries_, entry_, TimeDomain::kEventTime, t))
        op_.timers_->deleteEventTimeTimer(t);
    }
    void registerProcessingTimeTimer(int64_t t) override {
      if (entry_->processingTimers.insert(t)) op_.timers_->registerProcessingTimeTimer(t);
    }
    void deleteProcessingTimeTimer(int64_t t) override {
      if (entry_->processingTimers.erase(t) &&
          !op_.keyNeeds(entries_, entry_, TimeDomain::kProcessingTime, t))
        op_.timers_->deleteProcessingTimeTimer(t);
    }
    int64_t& value() override { return entry_->triggerValue; }

   private:
    WindowOperator& op_;
    Entries& entries_;
    Entry* entry_;
  };

  // What a ProcessWindowFunction sees.
  struct ProcessCtx final : Emitter::Context {
    explicit ProcessCtx(WindowOperator& op) : op(op) {}
    const W& window() const { return *w; }
    int64_t currentProcessingTime() const { return op.timers_->currentProcessingTime(); }
    Timestamp currentWatermark() const { return op.timers_->currentWatermark(); }
    InputBase* sideOutput(const std::string& tag) const { return op.sideOutput(tag); }
    WindowOperator& op;
    const W* w = nullptr;
  };

  TimeDomain cleanupDomain() const {
    return assigner_->isEventTime() ? TimeDomain::kEventTime : TimeDomain::kProcessingTime;
  }
  // When a window's state goes: kMaxWatermark = never (global windows).
  int64_t cleanupTime(const W& w) const {
    const int64_t max = w.maxTimestamp();
    if (!assigner_->isEventTime()) return max;
    return max > std::numeric_limits<int64_t>::max() - lateness_ ? std::numeric_limits<int64_t>::max()
                                                                 : max + lateness_;
  }
  bool isWindowLate(const W& w) const {
    return assigner_->isEventTime() && cleanupTime(w) <= timers_->currentWatermark();
  }
  bool isElementLate(Timestamp ts) const {
    const Timestamp wm = timers_->currentWatermark();
    return assigner_->isEventTime() && ts != kNoTimestamp &&
           wm > std::numeric_limits<int64_t>::min() + lateness_ && ts <= wm - lateness_;
  }
  void registerCleanupTimer(const W& w) {
    const int64_t t = cleanupTime(w);
    if (t == std::numeric_limits<int64_t>::max()) return;
    if (assigner_->isEventTime()) {
      timers_->registerEventTimeTimer(t);
    } else {
      timers_->registerProcessingTimeTimer(t);
    }
  }
  // Whether a window of the key other than `except` still needs a timer at `t` in `domain`.
  bool keyNeeds(const Entries& entries, const Entry* except, TimeDomain domain, int64_t t) const {
    for (const Entry& e : entries) {
      if (&e == except) continue;
      const auto& times = domain == TimeDomain::kEventTime ? e.eventTimers : e.processingTimers;
      if (times.contains(t)) return true;
      if (domain == cleanupDomain() && cleanupTime(e.window) == t) return true;
    }
    return false;
  }
  void deleteCleanupTimer(const Entries& entries, const W& w) {
    const int64_t t = cleanupTime(w);
    if (t == std::numeric_limits<int64_t>::max() || keyNeeds(entries, nullptr, cleanupDomain(), t)) return;
    if (assigner_->isEventTime()) {
      timers_->deleteEventTimeTimer(t);
    } else {
      timers_->deleteProcessingTimeTimer(t);
    }
  }

  size_t findOrAdd(Entries& es, const W& w) {
    for (size_t i = 0; i < es.size(); ++i)
      if (es[i].window == w) return i;
    es.push_back(Entry{w, std::nullopt, 0, {}, {}});
    created_ = true;
    return es.size() - 1;
  }

  // Sessions: merges `w` with every window of the key it intersects; returns the index of the result.
  size_t mergeInto(Entries& es, const W& w) {
    if constexpr (std::is_same_v<W, TimeWindow>) {
      W merged = w;
      std::vector<size_t> hits;
      for (size_t i = 0; i < es.size(); ++i) {
        if (es[i].window.intersects(w)) hits.push_back(i);
      }
      if (hits.empty()) return findOrAdd(es, w);
      for (size_t i : hits) merged = merged.cover(es[i].window);
      if (hits.size() == 1 && es[hits[0]].window == merged) return hits[0];  // w lies inside one window
      // Take the merged windows out, build the result, then replace their timers.
      Entries old;
      for (size_t k = hits.size(); k-- > 0;) {
        old.push_back(std::move(es[hits[k]]));
        es.erase(es.begin() + std::ptrdiff_t(hits[k]));
      }
      // Contents in window order, so that a ProcessWindowFunction sees a session's records in time order.
      std::sort(old.begin(), old.end(), [](const Entry& a, const Entry& b) { return a.window < b.window; });
      Entry result{merged, std::nullopt, 0, {}, {}};
      for (Entry& o : old) {
        invokeUserFunction(*this, [&] { contents_.merge(result.contents, o.contents); });
        result.triggerValue += o.triggerValue;
      }
      es.push_back(std::move(result));
      created_ = true;
      const size_t index = es.size() - 1;
      {
        TriggerCtx ctx(*this, es, index);
        invokeUserFunction(*this, [&] { trigger_->onMerge(es[index].window, ctx); });
      }
      for (Entry& o : old) {
        TriggerCtx ctx(*this, es, o);
        invokeUserFunction(*this, [&] { trigger_->clear(o.window, ctx); });
        deleteCleanupTimer(es, o.window);
      }
      return index;
    } else {
      return findOrAdd(es, w);
    }
  }

  // Removes window `i` with its contents and its timers.
  void removeWindow(Entries& es, size_t i) {
    Entry gone = std::move(es[i]);
    es.erase(es.begin() + std::ptrdiff_t(i));
    TriggerCtx ctx(*this, es, gone);
    invokeUserFunction(*this, [&] { trigger_->clear(gone.window, ctx); });
    deleteCleanupTimer(es, gone.window);
  }

  void act(Entries& es, size_t i, TriggerResult r) {
    if (r == TriggerResult::kFire || r == TriggerResult::kFireAndPurge) emit(es[i]);
    if (r == TriggerResult::kPurge || r == TriggerResult::kFireAndPurge) es[i].contents.reset();
  }

  void emit(const Entry& e) {
    if (!e.contents) return;
    collector_.setTimestamp(e.window.maxTimestamp());
    invokeUserFunction(*this, [&] {
      contents_.withResult(*e.contents, [&](std::span<const Result> results) {
        if constexpr (isProcess) {
          processCtx_.w = &e.window;
          emitter_.fn.process(this->currentKey(), processCtx_, results, collector_);
        } else {
          for (const Result& r : results) collector_.collect(r);
        }
      });
    });
  }

  void onTimer(int64_t t, TimeDomain domain) {
    this->loadCurrentKeyFromBackend();
    Entries* es = state_->find();
    if (es == nullptr) return;
    for (size_t i = 0; i < es->size();) {
      auto& times = domain == TimeDomain::kEventTime ? (*es)[i].eventTimers : (*es)[i].processingTimers;
      if (times.erase(t)) {
        TriggerCtx ctx(*this, *es, i);
        const TriggerResult r = invokeUserFunction(*this, [&] {
          return domain == TimeDomain::kEventTime ? trigger_->onEventTime(t, (*es)[i].window, ctx)
                                                  : trigger_->onProcessingTime(t, (*es)[i].window, ctx);
        });
        act(*es, i, r);
      }
      if (domain == cleanupDomain() && cleanupTime((*es)[i].window) == t) {
        removeWindow(*es, i);  // the key's timer at t already fired: nothing else to delete at t
        continue;
      }
      ++i;
    }
    if (es->empty()) state_->erase();
  }

  std::shared_ptr<const WindowAssigner<W>> assigner_;
  std::shared_ptr<const Trigger<W>> trigger_;
  int64_t lateness_;
  Contents contents_;
  Emitter emitter_;
  std::string lateDataTag_;
  ProcessCtx processCtx_;
  InputBase* lateOutput_ = nullptr;
  State* state_ = nullptr;  // owned by the backend
  std::unique_ptr<InternalTimerService> timers_;
  TimestampedCollector<Out> collector_;
  std::vector<W> assigned_;
  bool created_ = false;  // the last findOrAdd / mergeInto made a new window
  uint64_t lateRecordsDropped_ = 0;
};

}  // namespace weir
