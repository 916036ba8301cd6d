// HeapStateMap<S>: the hash map from serialized key to state value that the
// heap backend keeps per key group.
//
// Open addressing with linear probing over a power-of-two array of slots and
// backward-shift deletion (no tombstones). A slot holds the key's stable hash
// (forced odd, so that 0 marks an empty slot), the key bytes (inline up to 15
// bytes, else on the heap) and the value: a lookup touches one cache line in
// the common case. The slot index comes from a multiplicative remix of the
// hash: all keys of one key group share hash % maxParallelism, so the raw low
// bits would collide. The stored hash is the one that chose the key group, so a
// lookup never hashes again.
//
// References returned by find/findOrInsert stay valid only until the next
// insertion or erase (values move when the table grows or shifts). Not
// thread-safe: the task thread only.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace weir::detail {

// Key bytes in 16 bytes: inline when at most 15 bytes long, else a heap copy.
class KeyBytes {
 public:
  KeyBytes() { std::memset(buf_, 0, sizeof(buf_)); }
  explicit KeyBytes(std::string_view k) {
    std::memset(buf_, 0, sizeof(buf_));
    assign(k);
  }
  KeyBytes(const KeyBytes& o) : KeyBytes(o.view()) {}
  KeyBytes(KeyBytes&& o) noexcept {
    std::memcpy(buf_, o.buf_, sizeof(buf_));
    std::memset(o.buf_, 0, sizeof(o.buf_));
  }
  KeyBytes& operator=(KeyBytes o) noexcept {
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~KeyBytes() { release(); }

  void assign(std::string_view k) {
    release();
    if (k.size() < sizeof(buf_)) {
      std::memcpy(buf_, k.data(), k.size());
      buf_[kTag] = char(k.size());
    } else {
      Heap h{static_cast<char*>(std::malloc(k.size())), uint32_t(k.size())};
      std::memcpy(h.data, k.data(), k.size());
      std::memcpy(buf_, &h, sizeof(h));
      buf_[kTag] = char(kHeapTag);
    }
  }
  std::string_view view() const {
    if (uint8_t(buf_[kTag]) != kHeapTag) return {buf_, size_t(uint8_t(buf_[kTag]))};
    Heap h;
    std::memcpy(&h, buf_, sizeof(h));
    return {h.data, h.size};
  }
  bool operator==(std::string_view k) const {
    if (uint8_t(buf_[kTag]) != kHeapTag) {
      // Inline keys (the common case: numbers, short strings): compare without a memcmp call.
      size_t n = uint8_t(buf_[kTag]);
      if (n != k.size()) return false;
      const char* p = k.data();
      size_t i = 0;
      for (; i + 8 <= n; i += 8) {
        uint64_t a, b;
        std::memcpy(&a, buf_ + i, 8);
        std::memcpy(&b, p + i, 8);
        if (a != b) return false;
      }
      for (; i < n; ++i)
        if (buf_[i] != p[i]) return false;
      return true;
    }
    return view() == k;
  }

 private:
  struct Heap {
    char* data;
    uint32_t size;
  };
  static constexpr int kTag = 15;
  static constexpr uint8_t kHeapTag = 0xFF;
  void release() {
    if (uint8_t(buf_[kTag]) == kHeapTag) {
      Heap h;
      std::memcpy(&h, buf_, sizeof(h));
      std::free(h.data);
    }
    std::memset(buf_, 0, sizeof(buf_));
  }
  char buf_[16];
};

template <class S>
class HeapStateMap {
 public:
  S* find(std::string_view key, uint64_t hash) {
    if (size_ == 0) return nullptr;
    const uint64_t h = stored(hash);
    for (size_t i = indexOf(h);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) return nullptr;
      if (s.hash == h && s.key == key) return &s.value;
    }
  }

  template <class Init>
  S& findOrInsert(std::string_view key, uint64_t hash, Init&& init, bool* inserted = nullptr) {
    // Max load 13/16: probe runs stay short (about 3 slots for a hit) and the table stays
    // small enough for cache, which is what bounds keyed throughput with many keys.
    if ((size_ + 1) * 16 > slots_.size() * 13) grow();
    const uint64_t h = stored(hash);
    size_t i = indexOf(h);
    for (;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) break;
      if (s.hash == h && s.key == key) {
        if (inserted) *inserted = false;
        return s.value;
      }
    }
    Slot& s = slots_[i];
    s.hash = h;
    s.key.assign(key);
    s.value = init();
    ++size_;
    if (inserted) *inserted = true;
    return s.value;
  }

  bool erase(std::string_view key, uint64_t hash) {
    if (size_ == 0) return false;
    const uint64_t h = stored(hash);
    size_t i = indexOf(h);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].hash == 0) return false;
      if (slots_[i].hash == h && slots_[i].key == key) break;
    }
    // Backward shift: pull later entries of the probe run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].hash == 0) break;
      size_t home = indexOf(slots_[j].hash);
      // Entry j may move to i only if its home is not cyclically within (i, j].
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (!movable) continue;
      slots_[i] = std::move(slots_[j]);
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  size_t size() const { return size_; }

  // Calls fn(keyBytes, value) for every entry, in table order.
  template <class Fn>
  void forEach(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.hash != 0) fn(s.key.view(), s.value);
  }

 private:
  struct Slot {
    uint64_t hash = 0;  // stored(hash); 0 = empty
    KeyBytes key;
    S value{};
  };

  static uint64_t stored(uint64_t hash) { return hash | 1; }
  size_t indexOf(uint64_t h) const { return size_t((h * 0x9E3779B97F4A7C15ull) >> shift_); }

  void grow() {
    size_t newCap = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(newCap);
    mask_ = newCap - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(newCap));
    for (Slot& s : old) {
      if (s.hash == 0) continue;
      size_t i = indexOf(s.hash);
      while (slots_[i].hash != 0) i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
  unsigned shift_ = 64;
};

}  // namespace weir::detail
