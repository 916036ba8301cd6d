// KeyedCoProcessOperator: runs a KeyedCoProcessFunction over two streams keyed
// by the same key type (keyed.connect(otherKeyed).process(f), Flink's
// KeyedCoProcessOperator): each record makes its key current (through the
// key selector of its input), so keyed state and timers are shared by both
// inputs per key. The operator's watermark is the minimum of its inputs'; a
// watermark first fires the event-time timers it makes due, then goes on.
//
// Threading: task thread only.
#pragma once

#include <memory>

#include <weir/api/functions.h>
#include <weir/core/data_io.h>
#include <weir/runtime/internal_timer_service.h>
#include <weir/runtime/operators/keyed_operator.h>
#include <weir/runtime/operators/two_input_operator.h>

namespace weir {

template <class K, class In1, class In2, class Out>
class KeyedCoProcessFunction : public RichFunction {
 public:
  using KeyType = K;
  using FirstInputType = In1;
  using SecondInputType = In2;
  using OutputType = Out;
  using Context = typename KeyedProcessFunction<K, In1, Out>::Context;
  using OnTimerContext = typename KeyedProcessFunction<K, In1, Out>::OnTimerContext;
  virtual void processElement1(const In1& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void processElement2(const In2& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void onTimer(int64_t timestamp, OnTimerContext& ctx, Collector<Out>& out) {
    (void)timestamp, (void)ctx, (void)out;
  }
};

template <class F, class KS1, class KS2>
class KeyedCoProcessOperator final
    : public TwoInputOperator<typename F::FirstInputType, typename F::SecondInputType, typename F::OutputType,
                              KeyedCoProcessOperator<F, KS1, KS2>> {
  using K = typename F::KeyType;
  using In1 = typename F::FirstInputType;
  using In2 = typename F::SecondInputType;
  using Out = typename F::OutputType;

 public:
  KeyedCoProcessOperator(F fn, KS1 key1, KS2 key2)
      : fn_(std::move(fn)), key1_(std::move(key1)), key2_(std::move(key2)), ctx_(*this) {
    this->registerUserFunction(fn_);
  }

  void open() override {
    key_.attach(this->context().keyedStateBackend(), this->context().operatorName());
    collector_.setOutput(this->output_);
    timers_ = std::make_unique<InternalTimerService>(
        this->context().processingTimeService(), key_.backend(),
        [this](int64_t t) { onTimer(t, TimeDomain::kProcessingTime); },
        [this](int64_t t) { onTimer(t, TimeDomain::kEventTime); });
    detail::openFunction(fn_, this->context());
  }
  void close() override { detail::closeFunction(fn_); }

  void processElement1(const In1& value, Timestamp ts) {
    key_.set(key1_(value));
    prepare(ts);
    invokeUserFunction(*this, [&] { fn_.processElement1(value, ctx_, collector_); });
  }
  void processElement2(const In2& value, Timestamp ts) {
    key_.set(key2_(value));
    prepare(ts);
    invokeUserFunction(*this, [&] { fn_.processElement2(value, ctx_, collector_); });
  }

 private:
  void onWatermark(Timestamp watermark) override {
    timers_->advanceWatermark(watermark);
    TwoInputOperator<In1, In2, Out, KeyedCoProcessOperator>::onWatermark(watermark);
  }
  struct Ctx final : F::OnTimerContext, detail::InternalTimerServiceAdapter {
    explicit Ctx(KeyedCoProcessOperator& op) : InternalTimerServiceAdapter(op.timers_), op(op) {}
    Timestamp timestamp() const override { return ts; }
    const K& getCurrentKey() const override { return op.key_.get(); }
    TimerService& timerService() override { return *this; }
    TimeDomain timeDomain() const override { return domain; }
    InputBase* sideOutput(const std::string& tag) const override {
      return op.StreamOperator::sideOutput(tag);
    }
    KeyedCoProcessOperator& op;
    Timestamp ts = kNoTimestamp;
    TimeDomain domain = TimeDomain::kProcessingTime;
  };

  void prepare(Timestamp ts) {
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
  }
  void onTimer(int64_t t, TimeDomain domain) {
    key_.loadFromBackend();
    const Timestamp ts = domain == TimeDomain::kEventTime ? t : kNoTimestamp;
    prepare(ts);
    ctx_.domain = domain;
    invokeUserFunction(*this, [&] { fn_.onTimer(t, ctx_, collector_); });
  }

  F fn_;
  KS1 key1_;
  KS2 key2_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
  detail::CurrentKey<K> key_;
  std::unique_ptr<InternalTimerService> timers_;
};

}  // namespace weir
