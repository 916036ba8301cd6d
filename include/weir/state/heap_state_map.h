// HeapStateMap<S>: the hash map from serialized key to state value that the
// heap backend keeps per key group, with copy-on-write snapshots.
//
// Open addressing with linear probing and backward-shift deletion (no
// tombstones). A slot holds the key's stable hash (forced odd, so that 0 marks
// an empty slot), the key bytes (inline up to 15 bytes, else on the heap) and
// the value: a lookup touches one cache line in the common case. The slot index
// comes from a multiplicative remix of the hash: all keys of one key group share
// hash % maxParallelism, so the raw low bits would collide. The stored hash is
// the one that chose the key group, so a lookup never hashes again.
//
// Copy-on-write. The power-of-two slot array is cut into pages of kPageSlots
// slots (one smaller page while the table is smaller than that), listed by a
// page directory. Pages and the directory are reference counted. snapshot()
// returns an immutable View that shares the directory: O(1), whatever the size.
// The map never writes into memory a View can reach: the first write after a
// snapshot clones the directory if a View still holds it (O(pages), sharing
// every page), and the first write to a page copies that page if a View still
// holds it. A page whose Views are gone is written in place again. The check
// on the write path is one compare of the slot's directory entry against the
// map's snapshot epoch; reads (findForRead, forEach) never copy.
//
// Why an intrusive count and not std::shared_ptr: "exclusively ours, write in
// place" must be an acquire load of the count, so that a View's reads on the
// snapshot thread happen before our writes once that View is gone;
// shared_ptr::use_count() is a relaxed load (and a fence after it is invisible
// to ThreadSanitizer).
//
// Threading: the map is used by the task thread only. A View may be read,
// copied and destroyed on any thread, concurrently with writes to the map; it
// shares no mutable data with the map (only atomic reference counts).
//
// References returned by find/findOrInsert stay valid only until the next
// insertion, erase or snapshot() (values move when the table grows or shifts,
// and a write after a snapshot may copy the page).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
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
  struct Slot;
  struct Directory;

 public:
  // Slots per page: large enough that the directory stays small (a 10M-entry
  // state has a few hundred entries per key group), small enough that copying
  // a page on the first write after a snapshot is cheap.
  static constexpr unsigned kPageShift = 8;
  static constexpr size_t kPageSlots = size_t{1} << kPageShift;
  static constexpr size_t kPageMask = kPageSlots - 1;

  // An immutable snapshot of the map (see the header comment). Cheap to copy.
  class View {
   public:
    View() = default;
    View(const View& o) : dir_(o.dir_), size_(o.size_), mask_(o.mask_), shift_(o.shift_) {
      if (dir_ != nullptr) dir_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    View(View&& o) noexcept : dir_(std::exchange(o.dir_, nullptr)), size_(o.size_), mask_(o.mask_), shift_(o.shift_) {
      o.size_ = 0;
    }
    View& operator=(View o) noexcept {
      std::swap(dir_, o.dir_);
      std::swap(size_, o.size_);
      std::swap(mask_, o.mask_);
      std::swap(shift_, o.shift_);
      return *this;
    }
    ~View() { unref(dir_); }

    size_t size() const { return size_; }
    const S* find(std::string_view key, uint64_t hash) const {
      if (size_ == 0) return nullptr;
      const uint64_t h = stored(hash);
      for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask_) {
        const Slot& s = slotIn(dir_->entries.data(), i);
        if (s.hash == 0) return nullptr;
        if (s.hash == h && s.key == key) return &s.value;
      }
    }
    // Calls fn(keyBytes, value) for every entry, in table order.
    template <class Fn>
    void forEach(Fn&& fn) const {
      if (dir_ != nullptr) forEachIn(*dir_, fn);
    }

   private:
    friend class HeapStateMap;
    View(Directory* dir, size_t size, size_t mask, unsigned shift)
        : dir_(dir), size_(size), mask_(mask), shift_(shift) {}
    Directory* dir_ = nullptr;  // one reference owned
    size_t size_ = 0;
    size_t mask_ = 0;
    unsigned shift_ = 64;
  };

  HeapStateMap() = default;
  HeapStateMap(HeapStateMap&& o) noexcept { *this = std::move(o); }
  HeapStateMap& operator=(HeapStateMap&& o) noexcept {
    if (this != &o) {
      unref(dir_);
      dir_ = std::exchange(o.dir_, nullptr);
      entries_ = std::exchange(o.entries_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
      mask_ = std::exchange(o.mask_, 0);
      shift_ = std::exchange(o.shift_, 64);
      epoch_ = o.epoch_;
      dirEpoch_ = o.dirEpoch_;
      o.dirEpoch_ = 0;
      pageCopies_ = o.pageCopies_;
      directoryCopies_ = o.directoryCopies_;
    }
    return *this;
  }
  HeapStateMap(const HeapStateMap&) = delete;
  HeapStateMap& operator=(const HeapStateMap&) = delete;
  ~HeapStateMap() { unref(dir_); }

  // The value of `key` for reading: never copies a page.
  const S* findForRead(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    const uint64_t h = stored(hash);
    for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask_) {
      const Slot& s = slotIn(entries_, i);
      if (s.hash == 0) return nullptr;
      if (s.hash == h && s.key == key) return &s.value;
    }
  }

  // The value of `key` for writing (its page is made exclusive first), or null.
  S* find(std::string_view key, uint64_t hash) {
    if (size_ == 0) return nullptr;
    const uint64_t h = stored(hash);
    for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask_) {
      const Slot& s = slotIn(entries_, i);
      if (s.hash == 0) return nullptr;
      if (s.hash == h && s.key == key) return &writableSlot(i).value;
    }
  }

  template <class Init>
  S& findOrInsert(std::string_view key, uint64_t hash, Init&& init, bool* inserted = nullptr) {
    // Max load 13/16: probe runs stay short (about 3 slots for a hit) and the table stays
    // small enough for cache, which is what bounds keyed throughput with many keys.
    if ((size_ + 1) * 16 > capacity_ * 13) grow();
    const uint64_t h = stored(hash);
    size_t i = indexOf(h, shift_);
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slotIn(entries_, i);
      if (s.hash == 0) break;
      if (s.hash == h && s.key == key) {
        if (inserted) *inserted = false;
        return writableSlot(i).value;
      }
    }
    Slot& s = writableSlot(i);
    s.value = init();  // first: if init throws, the slot stays empty
    s.key.assign(key);
    s.hash = h;
    ++size_;
    if (inserted) *inserted = true;
    return s.value;
  }

  bool erase(std::string_view key, uint64_t hash) {
    if (size_ == 0) return false;
    const uint64_t h = stored(hash);
    size_t i = indexOf(h, shift_);
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slotIn(entries_, i);
      if (s.hash == 0) return false;
      if (s.hash == h && s.key == key) break;
    }
    // The backward shift writes slots from i to the end of the probe run: make
    // every page they lie in writable first (usually one, at most a few).
    writableSlot(i);
    for (size_t j = (i + 1) & mask_; slotIn(entries_, j).hash != 0; j = (j + 1) & mask_) {
      if ((j & kPageMask) == 0) writableSlot(j);
    }
    // Backward shift: pull later entries of the probe run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      Slot& sj = slotIn(entries_, j);
      if (sj.hash == 0) break;
      size_t home = indexOf(sj.hash, shift_);
      // Entry j may move to i only if its home is not cyclically within (i, j].
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (!movable) continue;
      slotIn(entries_, i) = std::move(sj);
      i = j;
    }
    slotIn(entries_, i) = Slot{};
    --size_;
    return true;
  }

  size_t size() const { return size_; }

  // Calls fn(keyBytes, value) for every entry, in table order.
  template <class Fn>
  void forEach(Fn&& fn) const {
    if (dir_ != nullptr) forEachIn(*dir_, fn);
  }

  // The synchronous part of a snapshot: O(1). Invalidates references returned by
  // find/findOrInsert (a later write may copy their page).
  View snapshot() {
    if (dir_ != nullptr) dir_->refs.fetch_add(1, std::memory_order_relaxed);
    // A new epoch: no directory entry is known writable any more.
    ++epoch_;
    return View(dir_, size_, mask_, shift_);
  }

  // Copy-on-write statistics, for tests and benchmarks.
  size_t numPages() const { return dir_ == nullptr ? 0 : dir_->entries.size(); }
  size_t numPageCopies() const { return pageCopies_; }
  size_t numDirectoryCopies() const { return directoryCopies_; }
  // Identity of the page holding slot `slotIndex`, for tests.
  const void* pageIdentityForTest(size_t slotIndex) const { return entries_[slotIndex >> kPageShift].page; }

 private:
  struct Slot {
    uint64_t hash = 0;  // stored(hash); 0 = empty
    KeyBytes key;
    S value{};
  };

  // The counts start at 1 (the creator's reference). Increments are relaxed: a
  // new reference is always made from an existing one. Decrements are acq_rel,
  // so that the last owner's delete sees every other owner's reads finished,
  // and the exclusivity test on the write path is an acquire load for the
  // same reason (see the header comment).
  struct Page {
    explicit Page(size_t n) : slots(new Slot[n]) {}
    std::atomic<uint32_t> refs{1};
    std::unique_ptr<Slot[]> slots;
  };
  struct DirEntry {
    Slot* slots;  // page->slots.get(), saves an indirection on lookups
    Page* page;   // one reference owned by the directory
    // The map's epoch in which this page was last known to be exclusive to the
    // map (written only while the directory is exclusive to the map).
    uint64_t epoch;
  };
  struct Directory {
    std::atomic<uint32_t> refs{1};
    size_t slotsPerPage = 0;
    std::vector<DirEntry> entries;
    ~Directory() {
      for (DirEntry& e : entries) unref(e.page);
    }
  };

  static void unref(Page* p) {
    if (p != nullptr && p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete p;
  }
  static void unref(Directory* d) {
    if (d != nullptr && d->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete d;
  }
  static bool exclusive(const std::atomic<uint32_t>& refs) { return refs.load(std::memory_order_acquire) == 1; }

  static uint64_t stored(uint64_t hash) { return hash | 1; }
  static size_t indexOf(uint64_t h, unsigned shift) { return size_t((h * 0x9E3779B97F4A7C15ull) >> shift); }
  static Slot& slotIn(DirEntry* entries, size_t i) { return entries[i >> kPageShift].slots[i & kPageMask]; }
  static const Slot& slotIn(const DirEntry* entries, size_t i) {
    return entries[i >> kPageShift].slots[i & kPageMask];
  }

  template <class Fn>
  static void forEachIn(const Directory& dir, Fn& fn) {
    for (const DirEntry& e : dir.entries) {
      for (size_t k = 0; k < dir.slotsPerPage; ++k) {
        const Slot& s = e.slots[k];
        if (s.hash != 0) fn(s.key.view(), s.value);
      }
    }
  }

  // Slot i, in a page that no View can reach.
  Slot& writableSlot(size_t i) {
    DirEntry& e = entries_[i >> kPageShift];
    if (dirEpoch_ != epoch_ || e.epoch != epoch_) [[unlikely]]
      makeWritable(i >> kPageShift);
    return slotIn(entries_, i);
  }

  [[gnu::noinline]] void makeWritable(size_t pageIndex) {
    if (dirEpoch_ != epoch_) {
      if (!exclusive(dir_->refs)) {
        // A View holds the directory: clone it, sharing every page.
        auto* d = new Directory;
        d->slotsPerPage = dir_->slotsPerPage;
        d->entries = dir_->entries;
        for (DirEntry& e : d->entries) e.page->refs.fetch_add(1, std::memory_order_relaxed);
        unref(dir_);
        dir_ = d;
        entries_ = d->entries.data();
        ++directoryCopies_;
      }
      dirEpoch_ = epoch_;
    }
    DirEntry& e = entries_[pageIndex];
    if (e.epoch == epoch_) return;
    if (!exclusive(e.page->refs)) {
      auto copy = std::make_unique<Page>(dir_->slotsPerPage);
      for (size_t k = 0; k < dir_->slotsPerPage; ++k) {
        const Slot& from = e.slots[k];
        if (from.hash == 0) continue;
        Slot& to = copy->slots[k];
        to.value = from.value;
        to.key = from.key;
        to.hash = from.hash;
      }
      unref(e.page);
      e.page = copy.release();
      e.slots = e.page->slots.get();
      ++pageCopies_;
    }
    e.epoch = epoch_;
  }

  void grow() {
    const size_t newCap = capacity_ == 0 ? 16 : capacity_ * 2;
    auto d = std::make_unique<Directory>();
    d->slotsPerPage = newCap < kPageSlots ? newCap : kPageSlots;
    d->entries.reserve(newCap / d->slotsPerPage);
    for (size_t p = 0; p < newCap / d->slotsPerPage; ++p) {
      auto page = std::make_unique<Page>(d->slotsPerPage);
      d->entries.push_back(DirEntry{page->slots.get(), page.get(), epoch_});
      page.release();
    }
    const unsigned newShift = 64 - unsigned(__builtin_ctzll(newCap));
    const size_t newMask = newCap - 1;
    if (dir_ != nullptr) {
      // Entries of pages no View holds are moved, the others copied.
      const bool dirExclusive = exclusive(dir_->refs);
      for (DirEntry& e : dir_->entries) {
        const bool move = dirExclusive && exclusive(e.page->refs);
        for (size_t k = 0; k < dir_->slotsPerPage; ++k) {
          Slot& from = e.slots[k];
          if (from.hash == 0) continue;
          size_t i = indexOf(from.hash, newShift);
          while (slotIn(d->entries.data(), i).hash != 0) i = (i + 1) & newMask;
          Slot& to = slotIn(d->entries.data(), i);
          if (move) {
            to = std::move(from);
          } else {
            to.value = from.value;
            to.key = from.key;
            to.hash = from.hash;
          }
        }
      }
      unref(dir_);
    }
    dir_ = d.release();
    entries_ = dir_->entries.data();
    capacity_ = newCap;
    mask_ = newMask;
    shift_ = newShift;
    dirEpoch_ = epoch_;
  }

  Directory* dir_ = nullptr;     // one reference owned; null until the first insertion
  DirEntry* entries_ = nullptr;  // dir_->entries.data()
  size_t size_ = 0;
  size_t capacity_ = 0;  // slots, a power of two (or 0)
  size_t mask_ = 0;
  unsigned shift_ = 64;
  uint64_t epoch_ = 1;     // bumped by every snapshot()
  uint64_t dirEpoch_ = 0;  // the epoch in which dir_ was last known exclusive to the map
  size_t pageCopies_ = 0;
  size_t directoryCopies_ = 0;
};

}  // namespace weir::detail
