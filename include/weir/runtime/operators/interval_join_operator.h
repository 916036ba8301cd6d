// IntervalJoinOperator: joins two keyed streams on event time
// (KeyedStream::intervalJoin, Flink's IntervalJoinOperator): a left record a
// and a right record b of the same key join when
//   a.timestamp + lower <= b.timestamp <= a.timestamp + upper,
// and the pair goes to a ProcessJoinFunction with timestamp max(a, b).
//
// Each side's records wait in a per-key buffer (by timestamp) for as long as a
// record of the other side could still join them: a left record until the
// watermark passes its timestamp + upper (its timestamp if upper < 0), a right
// record until it passes its timestamp - lower (its timestamp if lower > 0).
// The operator's watermark is the minimum of its inputs'; a record behind it is
// late and dropped (and counted), since its partners may be gone already.
//
// State: the buffers of each key in keyed state "_internal/interval-join"
// and the cleanup times as event-time timers, both checkpointed.
//
// Threading: task thread only.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <weir/api/functions.h>
#include <weir/core/data_io.h>
#include <weir/runtime/internal_timer_service.h>
#include <weir/runtime/operators/keyed_operator.h>
#include <weir/runtime/operators/two_input_operator.h>
#include <weir/state/heap_internal_state.h>

namespace weir {

inline constexpr std::string_view kIntervalJoinStateName = "_internal/interval-join";

template <class A, class B, class Out>
class ProcessJoinFunction : public RichFunction {
 public:
  using LeftType = A;
  using RightType = B;
  using OutputType = Out;
  class Context : public detail::SideOutputContext {
   public:
    virtual Timestamp leftTimestamp() const = 0;
    virtual Timestamp rightTimestamp() const = 0;
    // The joined pair's timestamp: the larger of the two.
    virtual Timestamp timestamp() const = 0;

   protected:
    Timestamp sideOutputTimestamp() const override { return timestamp(); }
  };
  virtual void processElement(const A& left, const B& right, Context& ctx, Collector<Out>& out) = 0;
};

template <class K, class F, class KSA, class KSB>
class IntervalJoinOperator final
    : public TwoInputOperator<typename F::LeftType, typename F::RightType, typename F::OutputType,
                              IntervalJoinOperator<K, F, KSA, KSB>> {
  using A = typename F::LeftType;
  using B = typename F::RightType;
  using Out = typename F::OutputType;
  // Per key: left and right records by timestamp.
  using Buffers = std::pair<std::map<int64_t, std::vector<A>>, std::map<int64_t, std::vector<B>>>;
  using State = detail::HeapInternalState<Buffers>;

 public:
  IntervalJoinOperator(F fn, KSA leftKey, KSB rightKey, int64_t lower, int64_t upper)
      : fn_(std::move(fn)),
        leftKey_(std::move(leftKey)),
        rightKey_(std::move(rightKey)),
        lower_(lower),
        upper_(upper),
        ctx_(*this) {
    this->registerUserFunction(fn_);
  }

  void open() override {
    key_.attach(this->context().keyedStateBackend(), this->context().operatorName());
    collector_.setOutput(this->output_);
    state_ = &State::of(key_.backend(), kIntervalJoinStateName);
    timers_ = std::make_unique<InternalTimerService>(
        this->context().processingTimeService(), key_.backend(), [](int64_t) {},
        [this](int64_t t) { cleanUp(t); });
    detail::openFunction(fn_, this->context());
  }
  void close() override { detail::closeFunction(fn_); }

  void processElement1(const A& a, Timestamp ts) {
    if (!accept(ts)) return;
    key_.set(leftKey_(a));
    Buffers& b = state_->getOrCreate();
    b.first[ts].push_back(a);
    for (auto it = b.second.lower_bound(ts + lower_); it != b.second.end() && it->first <= ts + upper_;
         ++it) {
      for (const B& r : it->second) emit(a, r, ts, it->first);
    }
    timers_->registerEventTimeTimer(upper_ > 0 ? ts + upper_ : ts);
  }
  void processElement2(const B& r, Timestamp ts) {
    if (!accept(ts)) return;
    key_.set(rightKey_(r));
    Buffers& b = state_->getOrCreate();
    b.second[ts].push_back(r);
    for (auto it = b.first.lower_bound(ts - upper_); it != b.first.end() && it->first <= ts - lower_; ++it) {
      for (const A& a : it->second) emit(a, r, it->first, ts);
    }
    timers_->registerEventTimeTimer(lower_ < 0 ? ts - lower_ : ts);
  }
  uint64_t numLateRecordsDropped() const { return lateDropped_; }

 private:
  void onWatermark(Timestamp watermark) override {
    timers_->advanceWatermark(watermark);
    TwoInputOperator<A, B, Out, IntervalJoinOperator>::onWatermark(watermark);
  }
  struct Ctx final : F::Context {
    explicit Ctx(IntervalJoinOperator& op) : op(op) {}
    Timestamp leftTimestamp() const override { return left; }
    Timestamp rightTimestamp() const override { return right; }
    Timestamp timestamp() const override { return std::max(left, right); }
    InputBase* sideOutput(const std::string& tag) const override {
      return op.StreamOperator::sideOutput(tag);
    }
    IntervalJoinOperator& op;
    Timestamp left = 0, right = 0;
  };

  // False for a late record (dropped); throws for one without a timestamp.
  bool accept(Timestamp ts) {
    if (ts == kNoTimestamp) {
      throw std::runtime_error(
          "interval join got a record without a timestamp: interval joins work on event time; give the "
          "sources a WatermarkStrategy with a timestamp assigner");
    }
    const Timestamp wm = timers_->currentWatermark();
    if (wm != kMinWatermark && ts < wm) {
      ++lateDropped_;
      return false;
    }
    return true;
  }
  void emit(const A& a, const B& b, Timestamp ta, Timestamp tb) {
    ctx_.left = ta;
    ctx_.right = tb;
    collector_.setTimestamp(std::max(ta, tb));
    invokeUserFunction(*this, [&] { fn_.processElement(a, b, ctx_, collector_); });
  }
  // Drops the records of the current key that can no longer join anything at watermark `t`.
  void cleanUp(int64_t t) {
    Buffers* b = state_->find();
    if (b == nullptr) return;
    const int64_t leftUpTo = upper_ > 0 ? t - upper_ : t;   // left ts whose cleanup time is <= t
    const int64_t rightUpTo = lower_ < 0 ? t + lower_ : t;  // right ts whose cleanup time is <= t
    b->first.erase(b->first.begin(), b->first.upper_bound(leftUpTo));
    b->second.erase(b->second.begin(), b->second.upper_bound(rightUpTo));
    if (b->first.empty() && b->second.empty()) state_->erase();
  }

  F fn_;
  KSA leftKey_;
  KSB rightKey_;
  const int64_t lower_, upper_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
  detail::CurrentKey<K> key_;
  State* state_ = nullptr;
  std::unique_ptr<InternalTimerService> timers_;
  uint64_t lateDropped_ = 0;
};

}  // namespace weir
