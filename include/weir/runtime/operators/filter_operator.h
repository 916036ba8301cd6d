// FilterOperator: forwards the records a predicate accepts (DataStream::filter).
#pragma once

#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class T, class F>
class FilterOperator final : public OneInputOperator<T, T> {
 public:
  explicit FilterOperator(F fn) : fn_(std::move(fn)) { this->registerUserFunction(fn_); }
  void open() override { detail::openFunction(fn_, this->context()); }
  void processElement(const T& value, Timestamp ts) override {
    if (invokeUserFunction(*this, [&] { return bool(fn_(value)); })) {
      this->output_->processElement(value, ts);
    }
  }
  void close() override { detail::closeFunction(fn_); }

 private:
  F fn_;
};

}  // namespace weir
