// TwoInputOperator<In1, In2, Out, Derived>: what every two-input operator
// shares (co-process, keyed co-process, interval join): its two typed input
// ports, its output, and its event time. The operator's watermark is the
// minimum of its two inputs' (an idle input does not count, see
// StatusWatermarkValve); when it advances, onWatermark runs: operators with
// event-time logic override it to fire what it makes due and then call the
// base, which forwards it to the output and the side outputs.
//
// CRTP: the ports call Derived::processElement1 / processElement2 directly.
// Threading: task thread only.
#pragma once

#include <weir/runtime/operators/one_input_operator.h>
#include <weir/runtime/status_watermark_valve.h>

namespace weir {

template <class In1, class In2, class Out, class Derived>
class TwoInputOperator : public StreamOperator {
 public:
  int numberOfInputs() const override { return 2; }
  InputBase* input(int index) override {
    return index == 1 ? static_cast<InputBase*>(&port1_) : static_cast<InputBase*>(&port2_);
  }
  void setOutput(InputBase* output) override { output_ = inputCast<Out>(output); }

  // Input `input` (1 or 2) reached `watermark` / changed status.
  void processWatermark(int input, Timestamp watermark) { valve_.inputWatermark(input - 1, watermark); }
  void processWatermarkStatus(int input, WatermarkStatus status) {
    valve_.inputWatermarkStatus(input - 1, status);
  }
  // The combined watermark (kMinWatermark before the first).
  Timestamp currentWatermark() const { return currentWatermark_; }

 protected:
  TwoInputOperator()
      : port1_(static_cast<Derived&>(*this)),
        port2_(static_cast<Derived&>(*this)),
        combined_(*this),
        valve_(2, combined_) {}

  // The combined watermark advanced to `watermark`.
  virtual void onWatermark(Timestamp watermark) {
    currentWatermark_ = watermark;
    output_->processWatermark(watermark);
    this->forwardWatermarkToSideOutputs(watermark);
  }

  Input<Out>* output_ = nullptr;

 private:
  struct Combined final : InputBase {
    explicit Combined(TwoInputOperator& op) : op(op) {}
    void processWatermark(Timestamp watermark) override { op.onWatermark(watermark); }
    void processWatermarkStatus(WatermarkStatus status) override {
      op.output_->processWatermarkStatus(status);
      op.forwardWatermarkStatusToSideOutputs(status);
    }
    TwoInputOperator& op;
  };

  TwoInputPort<In1, Derived, 1> port1_;
  TwoInputPort<In2, Derived, 2> port2_;
  Combined combined_;
  StatusWatermarkValve valve_;
  Timestamp currentWatermark_ = kMinWatermark;
};

}  // namespace weir
