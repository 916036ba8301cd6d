// KeyedOperatorBase: what every operator after keyBy shares: it extracts the
// key of each record, serializes it and makes it the current key of the keyed
// state backend, so that state accesses and timers are scoped to that key.
#pragma once

#include <weir/core/data_io.h>
#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class K, class In, class Out, class KeySelector>
class KeyedOperatorBase : public OneInputOperator<In, Out> {
 public:
  explicit KeyedOperatorBase(KeySelector selector) : selector_(std::move(selector)) {}

  void open() override {
    backend_ = this->context().keyedStateBackend();
    WEIR_CHECK_MSG(backend_ != nullptr, "keyed operator deployed without a keyed state backend");
  }

 protected:
  // Sets the record's key as current key; returns it.
  const K& setKeyOf(const In& value) {
    currentKey_ = selector_(value);
    keyBytes_.clear();
    TypeSerializer<K>::serialize(currentKey_, keyBytes_);
    backend_->setCurrentKey(keyBytes_.data(), keyBytes_.size());
    return currentKey_;
  }
  // After a timer set the backend's key from bytes: refresh the typed key.
  const K& loadCurrentKeyFromBackend() {
    std::string_view bytes = backend_->currentKey();
    DataInput in(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    TypeSerializer<K>::deserialize(currentKey_, in);
    return currentKey_;
  }

  KeySelector selector_;
  KeyedStateBackend* backend_ = nullptr;
  K currentKey_{};
  DataOutput keyBytes_;
};

}  // namespace weir
