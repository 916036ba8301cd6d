// HeapStateMap<S>: the hash map from serialized key to state value that the
// heap backend keeps per key group.
//
// Open addressing with linear probing over a power-of-two table, a control
// byte per slot (empty, or 7 bits of the hash for a cheap first comparison) and
// backward-shift deletion (no tombstones). The slot index comes from a
// multiplicative remix of the key's stable hash: all keys of one key group share
// hash % maxParallelism, so the raw low bits would collide. The stored hash is
// the key's stable hash (the same that chose the key group), so a lookup never
// hashes again.
//
// References returned by find/findOrInsert stay valid only until the next
// insertion or erase (values move when the table grows or shifts). Not
// thread-safe: the task thread only.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::detail {

template <class S>
class HeapStateMap {
 public:
  HeapStateMap() = default;

  S* find(std::string_view key, uint64_t hash) {
    if (size_ == 0) return nullptr;
    const uint8_t tag = tagOf(hash);
    for (size_t i = indexOf(hash);; i = (i + 1) & mask_) {
      uint8_t c = ctrl_[i];
      if (c == kEmpty) return nullptr;
      if (c == tag && slots_[i].hash == hash && slots_[i].key == key) return &slots_[i].value;
    }
  }

  template <class Init>
  S& findOrInsert(std::string_view key, uint64_t hash, Init&& init, bool* inserted = nullptr) {
    if ((size_ + 1) * 4 > capacity() * 3) grow();
    const uint8_t tag = tagOf(hash);
    size_t i = indexOf(hash);
    for (;; i = (i + 1) & mask_) {
      uint8_t c = ctrl_[i];
      if (c == kEmpty) break;
      if (c == tag && slots_[i].hash == hash && slots_[i].key == key) {
        if (inserted) *inserted = false;
        return slots_[i].value;
      }
    }
    ctrl_[i] = tag;
    slots_[i].hash = hash;
    slots_[i].key.assign(key.data(), key.size());
    slots_[i].value = init();
    ++size_;
    if (inserted) *inserted = true;
    return slots_[i].value;
  }

  bool erase(std::string_view key, uint64_t hash) {
    if (size_ == 0) return false;
    const uint8_t tag = tagOf(hash);
    size_t i = indexOf(hash);
    for (;; i = (i + 1) & mask_) {
      uint8_t c = ctrl_[i];
      if (c == kEmpty) return false;
      if (c == tag && slots_[i].hash == hash && slots_[i].key == key) break;
    }
    // Backward shift: pull later entries of the probe run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (ctrl_[j] == kEmpty) break;
      size_t home = indexOf(slots_[j].hash);
      // Entry j may move to i only if its home is not cyclically within (i, j].
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (!movable) continue;
      ctrl_[i] = ctrl_[j];
      slots_[i] = std::move(slots_[j]);
      i = j;
    }
    ctrl_[i] = kEmpty;
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  size_t size() const { return size_; }

  // Calls fn(keyBytes, value) for every entry, in table order.
  template <class Fn>
  void forEach(Fn&& fn) const {
    for (size_t i = 0; i < ctrl_.size(); ++i)
      if (ctrl_[i] != kEmpty) fn(std::string_view(slots_[i].key), slots_[i].value);
  }

 private:
  static constexpr uint8_t kEmpty = 0;
  struct Slot {
    uint64_t hash = 0;
    std::string key;
    S value{};
  };

  size_t capacity() const { return ctrl_.size(); }
  static uint8_t tagOf(uint64_t hash) { return uint8_t(0x80 | (hash >> 57)); }
  size_t indexOf(uint64_t hash) const { return size_t((hash * 0x9E3779B97F4A7C15ull) >> shift_); }

  void grow() {
    size_t newCap = capacity() == 0 ? 16 : capacity() * 2;
    std::vector<uint8_t> oldCtrl = std::move(ctrl_);
    std::vector<Slot> oldSlots = std::move(slots_);
    ctrl_.assign(newCap, kEmpty);
    slots_ = std::vector<Slot>(newCap);
    mask_ = newCap - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(newCap));
    for (size_t k = 0; k < oldCtrl.size(); ++k) {
      if (oldCtrl[k] == kEmpty) continue;
      size_t i = indexOf(oldSlots[k].hash);
      while (ctrl_[i] != kEmpty) i = (i + 1) & mask_;
      ctrl_[i] = oldCtrl[k];
      slots_[i] = std::move(oldSlots[k]);
    }
  }

  std::vector<uint8_t> ctrl_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
  unsigned shift_ = 64;
};

}  // namespace weir::detail
