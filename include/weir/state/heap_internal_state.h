// HeapInternalState<V>: a keyed value an operator keeps for itself (a window
// operator's windows, an interval join's buffers) in the heap backend, under a
// reserved name (kInternalStatePrefix), with in-place access: unlike
// ValueState, reading or changing it copies nothing but what copy-on-write
// snapshots require. Checkpointed, restored and redistributed by key group like
// any keyed state (kind kValue), so an operator's internal state survives
// failures and rescaling.
//
// Threading: the task thread only; every access is for the backend's current
// key (REQUIRES: one is set). References returned are valid until the next
// access to this state for another key, or the next snapshot.
#pragma once

#include <string>
#include <string_view>

#include <weir/core/check.h>
#include <weir/state/keyed_state_backend.h>

namespace weir::detail {

template <class V>
class HeapInternalState final : public HeapStateBase<V> {
 public:
  struct Descriptor : StateDescriptorBase {
    explicit Descriptor(std::string_view n) : StateDescriptorBase{std::string(n), StateKind::kValue} {}
  };

  HeapInternalState(const KeyedStateBackend& b, const Descriptor&) : HeapStateBase<V>(b, StateKind::kValue) {}

  // The state `name` of `backend` (created on first use, with what the backend restored under that name).
  static HeapInternalState& of(KeyedStateBackend& backend, std::string_view name) {
    WEIR_CHECK(name.starts_with(kInternalStatePrefix));
    return getOrCreateKeyedState<HeapInternalState, HeapInternalState>(backend, Descriptor(name));
  }

  // The current key's value for writing, or null.
  V* find() { return this->table_.find(); }
  const V* findForRead() const { return this->table_.findForRead(); }
  V& getOrCreate() {
    return this->table_.findOrInsert([] { return V{}; });
  }
  void erase() { this->table_.erase(); }

 protected:
  // An operator erases a key's value when it becomes empty: an empty one restored is corrupt.
  void checkRestoredValue(const V& v) const override {
    if constexpr (requires { v.empty(); }) {
      if (v.empty()) throw SerializationError("an empty value in operator-internal keyed state");
    }
  }
};

}  // namespace weir::detail
