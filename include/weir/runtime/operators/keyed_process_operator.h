// KeyedProcessOperator: runs a KeyedProcessFunction with keyed state and
// processing-time and event-time timers (KeyedStream::process).
//
// A watermark first fires the event-time timers it makes due, then goes on
// downstream, so that what the timers emit precedes it.
#pragma once

#include <memory>

#include <weir/runtime/internal_timer_service.h>
#include <weir/runtime/operators/keyed_operator.h>

namespace weir {

template <class F, class KeySelector>
class KeyedProcessOperator final : public KeyedOperatorBase<typename F::KeyType, typename F::InputType,
                                                            typename F::OutputType, KeySelector> {
  using K = typename F::KeyType;
  using In = typename F::InputType;
  using Out = typename F::OutputType;
  using Base = KeyedOperatorBase<K, In, Out, KeySelector>;

 public:
  KeyedProcessOperator(F fn, KeySelector selector)
      : Base(std::move(selector)), fn_(std::move(fn)), ctx_(*this) {
    this->registerUserFunction(fn_);
  }

  void open() override {
    Base::open();
    collector_.setOutput(this->output_);
    timers_ = std::make_unique<InternalTimerService>(
        this->context().processingTimeService(), *this->backend_,
        [this](int64_t ts) { onTimer(ts, TimeDomain::kProcessingTime); },
        [this](int64_t ts) { onTimer(ts, TimeDomain::kEventTime); });
    fn_.open(this->context());
  }
  void processElement(const In& value, Timestamp ts) override {
    this->setKeyOf(value);
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    invokeUserFunction(*this, [&] { fn_.processElement(value, ctx_, collector_); });
  }
  void processWatermark(Timestamp watermark) override {
    timers_->advanceWatermark(watermark);
    Base::processWatermark(watermark);
  }
  void close() override { fn_.close(); }

 private:
  void onTimer(int64_t timestamp, TimeDomain domain) {
    this->loadCurrentKeyFromBackend();
    // Flink's rule: what an event-time timer emits carries the timer's time.
    const Timestamp ts = domain == TimeDomain::kEventTime ? timestamp : kNoTimestamp;
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    ctx_.domain = domain;
    invokeUserFunction(*this, [&] { fn_.onTimer(timestamp, ctx_, collector_); });
  }

  struct Ctx final : F::OnTimerContext, detail::InternalTimerServiceAdapter {
    explicit Ctx(KeyedProcessOperator& op) : InternalTimerServiceAdapter(op.timers_), op(op) {}
    Timestamp timestamp() const override { return ts; }
    const K& getCurrentKey() const override { return op.currentKey(); }
    TimerService& timerService() override { return *this; }
    TimeDomain timeDomain() const override { return domain; }
    InputBase* sideOutput(const std::string& tag) const override { return op.sideOutput(tag); }
    KeyedProcessOperator& op;
    Timestamp ts = kNoTimestamp;
    TimeDomain domain = TimeDomain::kProcessingTime;
  };

  F fn_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
  std::unique_ptr<InternalTimerService> timers_;
};

}  // namespace weir
