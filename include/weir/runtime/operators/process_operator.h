// ProcessOperator: runs a ProcessFunction on a non-keyed stream (DataStream::process).
#pragma once

#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class F>
class ProcessOperator final : public OneInputOperator<typename F::InputType, typename F::OutputType> {
  using In = typename F::InputType;
  using Out = typename F::OutputType;

 public:
  explicit ProcessOperator(F fn) : fn_(std::move(fn)), ctx_(*this) { this->registerUserFunction(fn_); }
  void open() override {
    collector_.setOutput(this->output_);
    fn_.open(this->context());
  }
  void processElement(const In& value, Timestamp ts) override {
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    invokeUserFunction(*this, [&] { fn_.processElement(value, ctx_, collector_); });
  }
  void close() override { fn_.close(); }

 private:
  struct Ctx final : ProcessFunction<In, Out>::Context {
    explicit Ctx(ProcessOperator& op) : op(op) {}
    Timestamp timestamp() const override { return ts; }
    int64_t currentProcessingTime() const override {
      return op.context().processingTimeService().currentProcessingTime();
    }
    Timestamp currentWatermark() const override { return op.currentWatermark(); }
    InputBase* sideOutput(const std::string& tag) const override { return op.sideOutput(tag); }
    ProcessOperator& op;
    Timestamp ts = kNoTimestamp;
  };
  F fn_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
};

}  // namespace weir
