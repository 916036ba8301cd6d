// KeyedOperatorBase: what every operator after keyBy shares: it extracts the
// key of each record, serializes it and makes it the current key of the keyed
// state backend, so that state accesses and timers are scoped to that key.
// detail::CurrentKey does the key handling for it and for the two-input keyed
// operators.
//
// Threading: task thread only.
#pragma once

#include <string>

#include <weir/core/data_io.h>
#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

namespace detail {
// The current key of a keyed operator, typed and as the backend sees it
// (serialized): set from a record's key, or loaded back after a timer made a
// key current from its bytes. Task thread only.
template <class K>
class CurrentKey {
 public:
  // REQUIRES: before any set/load; `backend` outlives this object.
  void attach(KeyedStateBackend* backend, const std::string& operatorName) {
    WEIR_CHECK_MSG(
        backend != nullptr,
        ("operator '" + operatorName + "' is keyed but was deployed without a keyed state backend").c_str());
    backend_ = backend;
  }
  // Makes `key` the backend's current key; returns it.
  const K& set(const K& key) {
    key_ = key;
    bytes_.clear();
    TypeSerializer<K>::serialize(key_, bytes_);
    backend_->setCurrentKey(bytes_.data(), bytes_.size());
    return key_;
  }
  // After a timer set the backend's key from bytes: the typed key again.
  const K& loadFromBackend() {
    std::string_view bytes = backend_->currentKey();
    DataInput in(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    TypeSerializer<K>::deserialize(key_, in);
    return key_;
  }
  const K& get() const { return key_; }
  KeyedStateBackend& backend() const { return *backend_; }

 private:
  KeyedStateBackend* backend_ = nullptr;
  K key_{};
  DataOutput bytes_;
};
}  // namespace detail

template <class K, class In, class Out, class KeySelector>
class KeyedOperatorBase : public OneInputOperator<In, Out> {
 public:
  explicit KeyedOperatorBase(KeySelector selector) : selector_(std::move(selector)) {}

  void open() override {
    key_.attach(this->context().keyedStateBackend(), this->context().operatorName());
    backend_ = &key_.backend();
  }

 protected:
  // Sets the record's key as current key; returns it.
  const K& setKeyOf(const In& value) { return key_.set(selector_(value)); }
  // After a timer set the backend's key from bytes: refresh the typed key.
  const K& loadCurrentKeyFromBackend() { return key_.loadFromBackend(); }
  const K& currentKey() const { return key_.get(); }

  KeySelector selector_;
  KeyedStateBackend* backend_ = nullptr;

 private:
  detail::CurrentKey<K> key_;
};

}  // namespace weir
