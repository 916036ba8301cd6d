// KeyedProcessOperator: runs a KeyedProcessFunction with keyed state and
// processing-time timers (KeyedStream::process).
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
    timers_ = std::make_unique<InternalTimerService>(this->context().processingTimeService(), *this->backend_,
                                                     [this](int64_t ts) { onProcessingTime(ts); });
    fn_.open(this->context());
  }
  void processElement(const In& value, Timestamp ts) override {
    this->setKeyOf(value);
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    invokeUserFunction(*this, [&] { fn_.processElement(value, ctx_, collector_); });
  }
  void close() override { fn_.close(); }

 private:
  void onProcessingTime(int64_t timestamp) {
    this->loadCurrentKeyFromBackend();
    collector_.setTimestamp(kNoTimestamp);
    ctx_.ts = kNoTimestamp;
    invokeUserFunction(*this, [&] { fn_.onTimer(timestamp, ctx_, collector_); });
  }

  struct Ctx final : F::Context, TimerService {
    explicit Ctx(KeyedProcessOperator& op) : op(op) {}
    Timestamp timestamp() const override { return ts; }
    const K& getCurrentKey() const override { return op.currentKey_; }
    TimerService& timerService() override { return *this; }
    int64_t currentProcessingTime() const override { return op.timers_->currentProcessingTime(); }
    void registerProcessingTimeTimer(int64_t t) override { op.timers_->registerProcessingTimeTimer(t); }
    void deleteProcessingTimeTimer(int64_t t) override { op.timers_->deleteProcessingTimeTimer(t); }
    KeyedProcessOperator& op;
    Timestamp ts = kNoTimestamp;
  };

  F fn_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
  std::unique_ptr<InternalTimerService> timers_;
};

}  // namespace weir
