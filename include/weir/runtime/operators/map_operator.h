// MapOperator: applies a function to every record (DataStream::map).
#pragma once

#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class In, class Out, class F>
class MapOperator final : public OneInputOperator<In, Out> {
 public:
  explicit MapOperator(F fn) : fn_(std::move(fn)) { this->registerUserFunction(fn_); }
  void open() override { detail::openFunction(fn_, this->context()); }
  void processElement(const In& value, Timestamp ts) override {
    invokeUserFunction(*this, [&] { this->output_->processElement(fn_(value), ts); });
  }
  void close() override { detail::closeFunction(fn_); }

 private:
  F fn_;
};

}  // namespace weir
