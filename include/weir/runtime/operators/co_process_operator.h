// CoProcessOperator: a two-input operator running a CoProcessFunction
// (ConnectedStreams::process, and map/flatMap over connected streams).
//
// Records of both inputs arrive on the task thread, interleaved in whatever
// order the network delivers them; the function sees one at a time. The
// operator's watermark is the minimum of its two inputs' (an idle input does
// not count), forwarded when it advances.
#pragma once

#include <weir/runtime/operators/two_input_operator.h>

namespace weir {

template <class F>
class CoProcessOperator final
    : public TwoInputOperator<typename F::FirstInputType, typename F::SecondInputType, typename F::OutputType,
                              CoProcessOperator<F>> {
  using In1 = typename F::FirstInputType;
  using In2 = typename F::SecondInputType;
  using Out = typename F::OutputType;

 public:
  explicit CoProcessOperator(F fn) : fn_(std::move(fn)), ctx_(*this) { this->registerUserFunction(fn_); }

  void open() override {
    collector_.setOutput(this->output_);
    fn_.open(this->context());
  }
  void processElement1(const In1& value, Timestamp ts) {
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    invokeUserFunction(*this, [&] { fn_.processElement1(value, ctx_, collector_); });
  }
  void processElement2(const In2& value, Timestamp ts) {
    collector_.setTimestamp(ts);
    ctx_.ts = ts;
    invokeUserFunction(*this, [&] { fn_.processElement2(value, ctx_, collector_); });
  }
  void close() override { fn_.close(); }

 private:
  struct Ctx final : CoProcessFunction<In1, In2, Out>::Context {
    explicit Ctx(CoProcessOperator& op) : op(op) {}
    Timestamp timestamp() const override { return ts; }
    int64_t currentProcessingTime() const override {
      return op.context().processingTimeService().currentProcessingTime();
    }
    Timestamp currentWatermark() const override { return op.currentWatermark(); }
    InputBase* sideOutput(const std::string& tag) const override { return op.sideOutput(tag); }
    CoProcessOperator& op;
    Timestamp ts = kNoTimestamp;
  };

  F fn_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
};

// Adapts two lambdas (In1 -> Out, In2 -> Out) to a CoProcessFunction (CoMap).
template <class In1, class In2, class Out, class F1, class F2>
class CoMapAdapter final : public CoProcessFunction<In1, In2, Out> {
 public:
  CoMapAdapter(F1 f1, F2 f2) : f1_(std::move(f1)), f2_(std::move(f2)) {}
  void processElement1(const In1& v, typename CoMapAdapter::Context&, Collector<Out>& out) override {
    out.collect(f1_(v));
  }
  void processElement2(const In2& v, typename CoMapAdapter::Context&, Collector<Out>& out) override {
    out.collect(f2_(v));
  }

 private:
  F1 f1_;
  F2 f2_;
};

// Adapts two lambdas (In_i, Collector<Out>&) to a CoProcessFunction (CoFlatMap).
template <class In1, class In2, class Out, class F1, class F2>
class CoFlatMapAdapter final : public CoProcessFunction<In1, In2, Out> {
 public:
  CoFlatMapAdapter(F1 f1, F2 f2) : f1_(std::move(f1)), f2_(std::move(f2)) {}
  void processElement1(const In1& v, typename CoFlatMapAdapter::Context&, Collector<Out>& out) override {
    f1_(v, out);
  }
  void processElement2(const In2& v, typename CoFlatMapAdapter::Context&, Collector<Out>& out) override {
    f2_(v, out);
  }

 private:
  F1 f1_;
  F2 f2_;
};

}  // namespace weir
