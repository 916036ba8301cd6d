// Bases for operators with one or two typed inputs and one typed output, and
// TimestampedCollector, the Collector that forwards to an operator's output with
// the timestamp of the record being processed.
//
// Threading: task thread only (see stream_operator.h).
#pragma once

#include <weir/api/functions.h>
#include <weir/runtime/stream_operator.h>
#include <weir/runtime/user_function_exception.h>

namespace weir {

template <class In, class Out>
class OneInputOperator : public StreamOperator, public Input<In> {
 public:
  using InputType = In;
  using OutputType = Out;
  int numberOfInputs() const override { return 1; }
  InputBase* input(int) override { return this; }
  void setOutput(InputBase* output) override { output_ = inputCast<Out>(output); }

  // Forwards the watermark. Operators with event-time logic (timers, windows)
  // override this, act on the watermark (fire what it makes due) and then call it.
  void processWatermark(Timestamp watermark) override {
    currentWatermark_ = watermark;
    output_->processWatermark(watermark);
    this->forwardWatermarkToSideOutputs(watermark);
  }
  void processWatermarkStatus(WatermarkStatus status) override {
    output_->processWatermarkStatus(status);
    this->forwardWatermarkStatusToSideOutputs(status);
  }

  // The last watermark this operator received (kMinWatermark before the first).
  Timestamp currentWatermark() const { return currentWatermark_; }

 protected:
  Input<Out>* output_ = nullptr;
  Timestamp currentWatermark_ = kMinWatermark;
};

template <class T>
class TimestampedCollector final : public Collector<T> {
 public:
  void setOutput(Input<T>* output) { output_ = output; }
  void setTimestamp(Timestamp ts) { ts_ = ts; }
  void collect(const T& value) override { output_->processElement(value, ts_); }

 private:
  Input<T>* output_ = nullptr;
  Timestamp ts_ = kNoTimestamp;
};

// Adapts input port `I` (1 or 2) of a two-input operator to an Input<T>.
template <class T, class Op, int I>
class TwoInputPort final : public Input<T> {
 public:
  explicit TwoInputPort(Op& op) : op_(op) {}
  void processElement(const T& value, Timestamp ts) override {
    if constexpr (I == 1)
      op_.processElement1(value, ts);
    else
      op_.processElement2(value, ts);
  }
  void processWatermark(Timestamp watermark) override { op_.processWatermark(I, watermark); }
  void processWatermarkStatus(WatermarkStatus status) override { op_.processWatermarkStatus(I, status); }

 private:
  Op& op_;
};

}  // namespace weir
