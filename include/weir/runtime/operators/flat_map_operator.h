// FlatMapOperator: a function that emits zero or more records per record
// (DataStream::flatMap).
#pragma once

#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class In, class Out, class F>
class FlatMapOperator final : public OneInputOperator<In, Out> {
 public:
  explicit FlatMapOperator(F fn) : fn_(std::move(fn)) { this->registerUserFunction(fn_); }
  void open() override {
    collector_.setOutput(this->output_);
    detail::openFunction(fn_, this->context());
  }
  void processElement(const In& value, Timestamp ts) override {
    collector_.setTimestamp(ts);
    invokeUserFunction(*this, [&] { fn_(value, collector_); });
  }
  void close() override { detail::closeFunction(fn_); }

 private:
  F fn_;
  TimestampedCollector<Out> collector_;
};

}  // namespace weir
