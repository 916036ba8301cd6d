// CoProcessOperator: a two-input operator running a CoProcessFunction
// (ConnectedStreams::process, and map/flatMap over connected streams).
//
// Records of both inputs arrive on the task thread, interleaved in whatever
// order the network delivers them; the function sees one at a time. The
// operator's watermark is the minimum of its two inputs' (an idle input does
// not count), forwarded when it advances.
#pragma once

#include <weir/runtime/operators/one_input_operator.h>
#include <weir/runtime/status_watermark_valve.h>

namespace weir {

template <class F>
class CoProcessOperator final : public StreamOperator {
  using In1 = typename F::FirstInputType;
  using In2 = typename F::SecondInputType;
  using Out = typename F::OutputType;

 public:
  explicit CoProcessOperator(F fn)
      : fn_(std::move(fn)),
        port1_(*this),
        port2_(*this),
        ctx_(*this),
        combined_(*this),
        valve_(2, combined_) {
    this->registerUserFunction(fn_);
  }

  int numberOfInputs() const override { return 2; }
  InputBase* input(int index) override {
    return index == 1 ? static_cast<InputBase*>(&port1_) : static_cast<InputBase*>(&port2_);
  }
  void setOutput(InputBase* output) override { output_ = inputCast<Out>(output); }

  void open() override {
    collector_.setOutput(output_);
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
  // Input `input` (1 or 2) reached `watermark` / changed status.
  void processWatermark(int input, Timestamp watermark) { valve_.inputWatermark(input - 1, watermark); }
  void processWatermarkStatus(int input, WatermarkStatus status) {
    valve_.inputWatermarkStatus(input - 1, status);
  }

 private:
  // Receives the valve's combined watermark and status.
  struct Combined final : InputBase {
    explicit Combined(CoProcessOperator& op) : op(op) {}
    void processWatermark(Timestamp watermark) override {
      op.currentWatermark_ = watermark;
      op.output_->processWatermark(watermark);
      op.forwardWatermarkToSideOutputs(watermark);
    }
    void processWatermarkStatus(WatermarkStatus status) override {
      op.output_->processWatermarkStatus(status);
      op.forwardWatermarkStatusToSideOutputs(status);
    }
    CoProcessOperator& op;
  };
  struct Ctx final : CoProcessFunction<In1, In2, Out>::Context {
    explicit Ctx(CoProcessOperator& op) : op(op) {}
    Timestamp timestamp() const override { return ts; }
    int64_t currentProcessingTime() const override {
      return op.context().processingTimeService().currentProcessingTime();
    }
    Timestamp currentWatermark() const override { return op.currentWatermark_; }
    InputBase* sideOutput(const std::string& tag) const override { return op.sideOutput(tag); }
    CoProcessOperator& op;
    Timestamp ts = kNoTimestamp;
  };

  F fn_;
  TwoInputPort<In1, CoProcessOperator, 1> port1_;
  TwoInputPort<In2, CoProcessOperator, 2> port2_;
  Ctx ctx_;
  TimestampedCollector<Out> collector_;
  Input<Out>* output_ = nullptr;
  Combined combined_;
  StatusWatermarkValve valve_;
  Timestamp currentWatermark_ = kMinWatermark;
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
