// GroupedReduceOperator: a running reduce per key, emitting the updated result
// for every record (KeyedStream::reduce, sum, min, max).
#pragma once

#include <weir/runtime/operators/keyed_operator.h>

namespace weir {

template <class K, class T, class F, class KeySelector>
class GroupedReduceOperator final : public KeyedOperatorBase<K, T, T, KeySelector> {
  using Base = KeyedOperatorBase<K, T, T, KeySelector>;

 public:
  GroupedReduceOperator(F fn, KeySelector selector) : Base(std::move(selector)), fn_(std::move(fn)) {
    this->registerUserFunction(fn_);
  }

  void open() override {
    Base::open();
    detail::openFunction(fn_, this->context());
    ReducingStateDescriptor<T> d("_reduce_state", [this](const T& a, const T& b) { return T(fn_(a, b)); });
    auto& state = this->context().getReducingState(d);
    state_ = dynamic_cast<detail::HeapReducingState<T>*>(&state);
    WEIR_CHECK(state_ != nullptr);
  }
  void processElement(const T& value, Timestamp ts) override {
    this->setKeyOf(value);
    this->output_->processElement(
        invokeUserFunction(*this, [&]() -> const T& { return state_->addAndGet(value, fn_); }), ts);
  }
  void close() override { detail::closeFunction(fn_); }

 private:
  F fn_;
  detail::HeapReducingState<T>* state_ = nullptr;
};

}  // namespace weir
