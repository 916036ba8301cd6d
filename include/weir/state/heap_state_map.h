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
// holds it. A page whose Views are gone is written in place again, and its
// old version's memory, once no View holds it, goes to the map's page pool for
// the next copy (see PagePool: no page faults, no malloc churn). Lookups go
// through the map's private page table (slot pointer and epoch per page,
// inline in the map object for small maps); the check on the write path is one
// compare of the page's epoch with the map's snapshot epoch. Reads
// (findForRead, forEach) never copy.
//
// Why an intrusive count and not std::shared_ptr: "exclusively ours, write in
// place" must be an acquire load of the count, so that a View's reads on the
// snapshot thread happen before our writes once that View is gone;
// shared_ptr::use_count() is a relaxed load (and a fence after it is invisible
// to ThreadSanitizer).
//
// Threading: the map is used by the task thread only. A View may be read,
// copied and destroyed on any thread, concurrently with writes to the map; it
// shares no mutable data with the map but atomic reference counts and the page
// pool (locked).
//
// References returned by find/findOrInsert stay valid only until the next
// insertion, erase or snapshot() (values move when the table grows or shifts,
// and a write after a snapshot may copy the page).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace weir::detail {

// Key bytes in 16 bytes: inline when at most 15 bytes long, else a heap copy.
class KeyBytes {
 public:
  KeyBytes() { std::memset(buf_, 0, sizeof(buf_)); }
  explicit KeyBytes(std::string_view k) {
    std::memset(buf_, 0, sizeof(buf_));
    assign(k);
  }
  // Inline bytes are copied as they are (the copy-on-write page copy's hot path).
  KeyBytes(const KeyBytes& o) {
    if (o.onHeap()) {
      std::memset(buf_, 0, sizeof(buf_));
      assign(o.view());
    } else {
      std::memcpy(buf_, o.buf_, sizeof(buf_));
    }
  }
  KeyBytes(KeyBytes&& o) noexcept {
    std::memcpy(buf_, o.buf_, sizeof(buf_));
    std::memset(o.buf_, 0, sizeof(o.buf_));
  }
  KeyBytes& operator=(KeyBytes o) noexcept {
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~KeyBytes() {
    if (onHeap()) std::free(heap().data);
  }

  // Whether the bytes live on the heap (keys of 16 bytes or more).
  bool onHeap() const { return uint8_t(buf_[kTag]) == kHeapTag; }

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
    if (!onHeap()) return {buf_, size_t(uint8_t(buf_[kTag]))};
    const Heap h = heap();
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
  Heap heap() const {
    Heap h;
    std::memcpy(&h, buf_, sizeof(h));
    return h;
  }
  void release() {
    if (onHeap()) std::free(heap().data);
    std::memset(buf_, 0, sizeof(buf_));
  }
  char buf_[16];
};

template <class S>
class alignas(64) HeapStateMap {
  struct Slot;
  struct Page;
  struct Directory;

 public:
  // Slots per page: large enough that a map of up to 832 entries (a hundred
  // thousand keys over 128 key groups) is one page and takes the single-page
  // lookup path, small enough that copying a page on the first write after a
  // snapshot is cheap (32 KB for 8-byte values).
  static constexpr unsigned kPageShift = 10;
  static constexpr size_t kPageSlots = size_t{1} << kPageShift;
  static constexpr size_t kPageMask = kPageSlots - 1;

  // An immutable snapshot of the map (see the header comment). Cheap to copy.
  class View {
   public:
    View() = default;
    View(const View& o) : dir_(o.dir_), size_(o.size_), shift_(o.shift_) {
      if (dir_ != nullptr) dir_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    View(View&& o) noexcept
        : dir_(std::exchange(o.dir_, nullptr)), size_(std::exchange(o.size_, 0)), shift_(o.shift_) {}
    View& operator=(View o) noexcept {
      std::swap(dir_, o.dir_);
      std::swap(size_, o.size_);
      std::swap(shift_, o.shift_);
      return *this;
    }
    ~View() { unref(dir_); }

    size_t size() const { return size_; }
    const S* find(std::string_view key, uint64_t hash) const {
      if (size_ == 0) return nullptr;
      const uint64_t h = stored(hash);
      const size_t mask = maskFor(shift_);
      for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask) {
        const Slot& s = dir_->pages[i >> kPageShift]->slots[i & kPageMask];
        if (s.hash == 0) return nullptr;
        if (s.hash == h && s.key == key) return &s.value;
      }
    }
    // Calls fn(keyBytes, value) for every entry, in table order.
    template <class Fn>
    void forEach(Fn&& fn) const {
      if (dir_ == nullptr) return;
      for (const Page* p : dir_->pages) forEachIn(p->slots, p->size, fn);
    }

   private:
    friend class HeapStateMap;
    View(Directory* dir, size_t size, unsigned shift) : dir_(dir), size_(size), shift_(shift) {}
    Directory* dir_ = nullptr;  // one reference owned
    size_t size_ = 0;
    unsigned shift_ = 64;
  };

  HeapStateMap() = default;
  HeapStateMap(HeapStateMap&& o) noexcept { *this = std::move(o); }
  HeapStateMap& operator=(HeapStateMap&& o) noexcept {
    if (this != &o) {
      releaseAll();
      size_ = std::exchange(o.size_, 0);
      growAt_ = std::exchange(o.growAt_, 0);
      mask_ = std::exchange(o.mask_, 0);
      epoch_ = o.epoch_;
      shift_ = std::exchange(o.shift_, 64);
      std::copy(std::begin(o.inline_), std::end(o.inline_), std::begin(inline_));
      heapPages_ = std::move(o.heapPages_);
      pages_ = o.pages_ == o.inline_ ? inline_ : heapPages_.get();
      o.pages_ = o.inline_;
      dir_ = std::exchange(o.dir_, nullptr);
      pool_ = std::exchange(o.pool_, nullptr);
      dirEpoch_ = std::exchange(o.dirEpoch_, 0);
      pageCopies_ = o.pageCopies_;
      directoryCopies_ = o.directoryCopies_;
    }
    return *this;
  }
  HeapStateMap(const HeapStateMap&) = delete;
  HeapStateMap& operator=(const HeapStateMap&) = delete;
  ~HeapStateMap() { releaseAll(); }

  // The value of `key` for reading: never copies a page.
  const S* findForRead(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    const uint64_t h = stored(hash);
    const size_t mask = mask_;
    for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask) {
      const Slot& s = slotAt(i);
      if (s.hash == 0) return nullptr;
      if (s.hash == h && s.key == key) return &s.value;
    }
  }

  // The value of `key` for writing (its page is made exclusive first), or null.
  S* find(std::string_view key, uint64_t hash) {
    if (size_ == 0) return nullptr;
    const uint64_t h = stored(hash);
    const size_t mask = mask_;
    for (size_t i = indexOf(h, shift_);; i = (i + 1) & mask) {
      Slot& s = slotAt(i);
      if (s.hash == 0) return nullptr;
      if (s.hash == h && s.key == key) return &writable(i, s).value;
    }
  }

  template <class Init>
  S& findOrInsert(std::string_view key, uint64_t hash, Init&& init, bool* inserted = nullptr) {
    // Max load 13/16: probe runs stay short (about 3 slots for a hit) and the table stays
    // small enough for cache, which is what bounds keyed throughput with many keys.
    if (size_ >= growAt_) [[unlikely]]
      grow();
    const uint64_t h = stored(hash);
    const size_t mask = mask_;
    size_t i = indexOf(h, shift_);
    Slot* s;
    for (;; i = (i + 1) & mask) {
      s = &slotAt(i);
      if (s->hash == 0) break;
      if (s->hash == h && s->key == key) {
        if (inserted) *inserted = false;
        return writable(i, *s).value;
      }
    }
    Slot& slot = writable(i, *s);
    slot.value = init();  // first: if init throws, the slot stays empty
    slot.key.assign(key);
    slot.hash = h;
    noteHeapKey(*dir_, i, slot);
    ++size_;
    if (inserted) *inserted = true;
    return slot.value;
  }

  bool erase(std::string_view key, uint64_t hash) {
    if (size_ == 0) return false;
    const uint64_t h = stored(hash);
    const size_t mask = mask_;
    size_t i = indexOf(h, shift_);
    for (;; i = (i + 1) & mask) {
      const Slot& s = slotAt(i);
      if (s.hash == 0) return false;
      if (s.hash == h && s.key == key) break;
    }
    // The backward shift writes slots from i to the end of the probe run: make
    // every page they lie in writable first (usually one, rarely two).
    makeWritableIfShared(i);
    for (size_t j = (i + 1) & mask; slotAt(j).hash != 0; j = (j + 1) & mask) {
      if ((j & kPageMask) == 0) makeWritableIfShared(j);
    }
    // Backward shift: pull later entries of the probe run into the hole.
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
      Slot& sj = slotAt(j);
      if (sj.hash == 0) break;
      size_t home = indexOf(sj.hash, shift_);
      // Entry j may move to i only if its home is not cyclically within (i, j].
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (!movable) continue;
      slotAt(i) = std::move(sj);
      noteHeapKey(*dir_, i, slotAt(i));
      i = j;
    }
    slotAt(i) = Slot{};
    --size_;
    return true;
  }

  size_t size() const { return size_; }

  // Calls fn(keyBytes, value) for every entry, in table order.
  template <class Fn>
  void forEach(Fn&& fn) const {
    if (dir_ == nullptr) return;
    for (const Page* p : dir_->pages) forEachIn(p->slots, p->size, fn);
  }

  // The synchronous part of a snapshot: O(1). Invalidates references returned by
  // find/findOrInsert (a later write may copy their page).
  View snapshot() {
    if (dir_ != nullptr) dir_->refs.fetch_add(1, std::memory_order_relaxed);
    // A new epoch: no page is known writable any more.
    ++epoch_;
    return View(dir_, size_, shift_);
  }

  // Copy-on-write statistics, for tests and benchmarks.
  size_t numPages() const { return dir_ == nullptr ? 0 : dir_->pages.size(); }
  size_t numPageCopies() const { return pageCopies_; }
  size_t numDirectoryCopies() const { return directoryCopies_; }
  // Pages built on the storage of pages released earlier (instead of new memory).
  size_t numPagesRecycled() const { return pool_ == nullptr ? 0 : pool_->recycled(); }

 private:
  struct Slot {
    uint64_t hash = 0;  // stored(hash); 0 = empty
    KeyBytes key;
    S value{};
  };

  // Slots start on a cache line, so that a 32-byte slot (hash, key, 8-byte
  // value) never straddles two lines: a lookup is one cache miss, not two.
  static constexpr size_t kSlotAlignment = alignof(Slot) > 64 ? alignof(Slot) : 64;

  // Pages whose last reference went, kept with their storage for the map's
  // next page of the same size instead of going back to malloc. Without it
  // every checkpoint of a large state frees and reallocates most of its pages:
  // the fresh memory page-faults (and is zeroed by the kernel) on the task
  // thread's first writes after the next snapshot, and thousands of freed
  // blocks wait in malloc's bins until some later allocation on the task
  // thread (the next snapshot's synchronous part, say) sorts or consolidates
  // them all, for milliseconds. The pool keeps pages of the map's current page
  // size, at most as many as the map has: an idle map keeps at most its own
  // size in spare pages, and a checkpointing one needs that many anyway.
  //
  // Threading: a page's last reference may go on any thread (a View dies on
  // the snapshot thread), so put() and take() lock; the mutex also orders the
  // releasing thread's last reads of a page before its next owner's writes.
  // take(), resize() and dropIdle() are called by the map only. The pool lives
  // as long as the map or any page outside it (refs: one each).
  class PagePool {
   public:
    // A pooled page of `n` slots (refs 1, slots not constructed), or null.
    Page* take(size_t n) {
      std::lock_guard lock(mu_);
      if (n != pageSlots_ || idle_.empty()) return nullptr;
      Page* page = idle_.back();
      idle_.pop_back();
      refs.fetch_add(1, std::memory_order_relaxed);  // the page is outside again
      ++recycled_;
      return page;
    }
    // Keeps `page` (slots destroyed) if it fits and there is room, else deletes
    // it; then drops the page's reference to the pool (which may delete the pool).
    static void put(PagePool* pool, Page* page) noexcept {
      bool kept = false;
      {
        std::lock_guard lock(pool->mu_);
        if (page->size == pool->pageSlots_ && pool->idle_.size() < pool->maxPages_) {
          pool->idle_.push_back(page);  // never allocates: reserved up to maxPages_
          kept = true;
        }
      }
      if (!kept) delete page;
      unref(pool);
    }
    // The map's pages now have `pageSlots` slots and there are `maxPages` of
    // them (0, 0: the map is gone and every page returned is deleted).
    void resize(size_t pageSlots, size_t maxPages) {
      std::vector<Page*> drop;
      {
        std::lock_guard lock(mu_);
        if (pageSlots != pageSlots_) drop.swap(idle_);
        while (idle_.size() > maxPages) {
          drop.push_back(idle_.back());
          idle_.pop_back();
        }
        idle_.reserve(maxPages);
        pageSlots_ = pageSlots;
        maxPages_ = maxPages;
      }
      for (Page* page : drop) delete page;
    }
    // Deletes every idle page.
    void dropIdle() {
      std::vector<Page*> drop;
      {
        std::lock_guard lock(mu_);
        drop.swap(idle_);
        idle_.reserve(maxPages_);
      }
      for (Page* page : drop) delete page;
    }
    // Pages taken from the pool so far (the map's thread only).
    size_t recycled() const { return recycled_; }

    std::atomic<uint32_t> refs{1};

   private:
    std::mutex mu_;
    std::vector<Page*> idle_;  // guarded by mu_
    size_t pageSlots_ = 0;     // guarded by mu_
    size_t maxPages_ = 0;      // guarded by mu_
    size_t recycled_ = 0;      // the map's thread only
  };

  // Reference counts start at 1 (the creator's reference). Increments are
  // relaxed: a new reference is always made from an existing one. Decrements
  // are acq_rel, so that the last owner's release sees every other owner's
  // reads finished, and the exclusivity test on the write path is an acquire
  // load for the same reason (see the header comment).
  //
  // A page is live (slots constructed, refs >= 1) or idle in its pool (slots
  // destroyed). The destructor only frees the storage.
  struct Page {
    explicit Page(size_t n)
        : size(n),
          slots(static_cast<Slot*>(::operator new (n * sizeof(Slot), std::align_val_t{kSlotAlignment}))) {}
    ~Page() { ::operator delete (slots, std::align_val_t{kSlotAlignment}); }
    Page(const Page&) = delete;
    Page& operator=(const Page&) = delete;
    std::atomic<uint32_t> refs{1};
    const size_t size;
    Slot* const slots;
    PagePool* pool = nullptr;  // one reference owned while the page is live
    // Whether a key on the heap was ever stored in the page (its slots must then
    // be destroyed). Set by the map while the page is exclusive to it.
    bool heapKeys = false;
  };
  // What a View shares: the pages, one reference each.
  struct Directory {
    std::atomic<uint32_t> refs{1};
    std::vector<Page*> pages;
    ~Directory() {
      for (Page* p : pages) unref(p);
    }
  };
  // The map's private view of a page, on its lookup path.
  struct PageRef {
    Slot* slots;
    // The map's epoch in which the page (and the directory) were last known to
    // be exclusive to the map; writes need epoch == epoch_.
    uint64_t epoch;
  };
  static constexpr size_t kInlinePages = 1;
  // shift_ of a table that fits in one page.
  static constexpr unsigned kSinglePageShift = 64 - kPageShift;

  static void unref(Page* p) {
    if (p != nullptr && p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) retire(p);
  }
  // The last reference to a live page went: destroy its slots, give it back to its pool.
  static void retire(Page* p) noexcept {
    // Slots whose destructors free nothing are not visited: with inline keys and
    // plain values that would be one more pass over the whole page.
    if (!std::is_trivially_destructible_v<S> || p->heapKeys) std::destroy_n(p->slots, p->size);
    PagePool::put(p->pool, p);
  }
  static void unref(Directory* d) {
    if (d != nullptr && d->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete d;
  }
  static void unref(PagePool* p) {
    if (p != nullptr && p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete p;
  }

  // A live page of `n` slots, from the pool if it has one, built by `construct(slots)`.
  template <class Construct>
  Page* newPage(size_t n, Construct&& construct) {
    Page* page = pool_->take(n);
    if (page == nullptr) {
      page = new Page(n);
      pool_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    page->refs.store(1, std::memory_order_relaxed);
    page->pool = pool_;
    page->heapKeys = false;
    try {
      construct(page->slots);
    } catch (...) {
      PagePool::put(pool_, page);  // slots not constructed: nothing to destroy
      throw;
    }
    return page;
  }
  // A page of `n` empty slots.
  Page* newEmptyPage(size_t n) {
    return newPage(n, [n](Slot* slots) { std::uninitialized_value_construct_n(slots, n); });
  }
  // A copy of `page` (deep: heap keys and values are copied).
  Page* copyOf(const Page& page) {
    Page* copy = newPage(page.size, [&](Slot* slots) {
      if constexpr (std::is_trivially_copyable_v<S>) {
        // Inline keys and plain values: the slots' bytes are the slots. Copied with
        // non-temporal stores: the copy is the snapshot's old version's replacement,
        // written once now and read later one slot at a time, so it should neither
        // evict the task's working set from the cache nor read its destination first.
        if (!page.heapKeys) return streamCopy(slots, page.slots, page.size * sizeof(Slot));
      }
      std::uninitialized_copy_n(page.slots, page.size, slots);
    });
    copy->heapKeys = page.heapKeys;
    return copy;
  }
  // Copies `bytes` (a multiple of 64, both ends 64-byte aligned) with non-temporal stores.
  static void streamCopy(void* to, const void* from, size_t bytes) {
#if defined(__SSE2__)
    if (bytes % 64 != 0) return void(std::memcpy(to, from, bytes));
    auto* d = static_cast<__m128i*>(to);
    const auto* s = static_cast<const __m128i*>(from);
    for (size_t i = 0; i < bytes / sizeof(__m128i); i += 4) {
      const __m128i a = _mm_load_si128(s + i), b = _mm_load_si128(s + i + 1);
      const __m128i c = _mm_load_si128(s + i + 2), e = _mm_load_si128(s + i + 3);
      _mm_stream_si128(d + i, a);
      _mm_stream_si128(d + i + 1, b);
      _mm_stream_si128(d + i + 2, c);
      _mm_stream_si128(d + i + 3, e);
    }
    // Non-temporal stores are weakly ordered: fence them before the page can be
    // published to another thread (a later snapshot's reference count increment).
    _mm_sfence();
#else
    std::memcpy(to, from, bytes);
#endif
  }
  // Records that slot i (of an exclusive page) now holds a key on the heap, if it does.
  void noteHeapKey(Directory& d, size_t i, const Slot& s) {
    if (s.key.onHeap()) d.pages[i >> kPageShift]->heapKeys = true;
  }
  // Drops the map's references: its directory, and its pool (which deletes
  // every page returned from now on).
  void releaseAll() {
    if (pool_ != nullptr) pool_->resize(0, 0);
    unref(dir_);
    unref(pool_);
    dir_ = nullptr;
    pool_ = nullptr;
  }
  static bool exclusive(const std::atomic<uint32_t>& refs) {
    return refs.load(std::memory_order_acquire) == 1;
  }

  static uint64_t stored(uint64_t hash) { return hash | 1; }
  static size_t indexOf(uint64_t h, unsigned shift) { return size_t((h * 0x9E3779B97F4A7C15ull) >> shift); }
  // shift 64 (no table) gives mask 0; callers check size_ first.
  static size_t maskFor(unsigned shift) { return (size_t{1} << (64 - shift)) - 1; }

  // A one-page table is indexed directly (the page pointer is in the map's
  // first cache line, loaded while the hash is computed); a larger one needs
  // one more load, from its page table, before the slot's.
  Slot& slotAt(size_t i) {
    if (shift_ >= kSinglePageShift) return inline_[0].slots[i];
    return pages_[i >> kPageShift].slots[i & kPageMask];
  }
  const Slot& slotAt(size_t i) const { return const_cast<HeapStateMap*>(this)->slotAt(i); }

  template <class Fn>
  static void forEachIn(const Slot* slots, size_t n, Fn& fn) {
    for (size_t k = 0; k < n; ++k) {
      if (slots[k].hash != 0) fn(slots[k].key.view(), slots[k].value);
    }
  }

  static void copySlot(const Slot& from, Slot& to) {
    to.value = from.value;
    to.key = from.key;
    to.hash = from.hash;
  }

  // Slot i (`s`, found by a lookup), in a page that no View can reach: `s`
  // itself, or its place in a fresh copy of the page. A page's epoch equals
  // epoch_ only if makeWritable (or grow) verified page and directory in this
  // epoch.
  Slot& writable(size_t i, Slot& s) {
    if (pages_[i >> kPageShift].epoch != epoch_) [[unlikely]] {
      makeWritable(i >> kPageShift);
      return slotAt(i);
    }
    return s;
  }
  void makeWritableIfShared(size_t i) {
    if (pages_[i >> kPageShift].epoch != epoch_) makeWritable(i >> kPageShift);
  }

  [[gnu::noinline]] void makeWritable(size_t pageIndex) {
    if (dirEpoch_ != epoch_) {
      if (!exclusive(dir_->refs)) {
        // A View holds the directory: clone it, sharing every page.
        auto* d = new Directory;
        d->pages = dir_->pages;
        for (Page* p : d->pages) p->refs.fetch_add(1, std::memory_order_relaxed);
        unref(dir_);
        dir_ = d;
        ++directoryCopies_;
      }
      dirEpoch_ = epoch_;
    }
    Page*& page = dir_->pages[pageIndex];
    if (!exclusive(page->refs)) {
      Page* copy = copyOf(*page);
      unref(page);
      page = copy;
      pages_[pageIndex].slots = page->slots;
      ++pageCopies_;
    }
    pages_[pageIndex].epoch = epoch_;
  }

  void grow() {
    const size_t oldCap = dir_ == nullptr ? 0 : size_t{1} << (64 - shift_);
    const size_t newCap = oldCap == 0 ? 16 : oldCap * 2;
    const size_t slotsPerPage = newCap < kPageSlots ? newCap : kPageSlots;
    const size_t numPages = newCap / slotsPerPage;
    const unsigned newShift = 64 - unsigned(__builtin_ctzll(newCap));
    const size_t newMask = newCap - 1;

    auto d = std::make_unique<Directory>();
    d->pages.reserve(numPages);
    std::unique_ptr<PageRef[]> heapPages;
    PageRef newInline[kInlinePages] = {};
    PageRef* refs = newInline;
    if (numPages > kInlinePages) {
      heapPages = std::make_unique<PageRef[]>(numPages);
      refs = heapPages.get();
    }
    if (pool_ == nullptr) pool_ = new PagePool;
    pool_->resize(slotsPerPage, numPages);
    for (size_t p = 0; p < numPages; ++p) {
      d->pages.push_back(newEmptyPage(slotsPerPage));
      refs[p] = PageRef{d->pages.back()->slots, epoch_};
    }
    if (dir_ != nullptr) {
      // Entries of pages no View holds are moved, the others copied.
      const bool dirExclusive = exclusive(dir_->refs);
      for (Page* page : dir_->pages) {
        const bool move = dirExclusive && exclusive(page->refs);
        for (size_t k = 0; k < page->size; ++k) {
          Slot& from = page->slots[k];
          if (from.hash == 0) continue;
          size_t i = indexOf(from.hash, newShift);
          while (refs[i >> kPageShift].slots[i & kPageMask].hash != 0) i = (i + 1) & newMask;
          Slot& to = refs[i >> kPageShift].slots[i & kPageMask];
          if (move) {
            to = std::move(from);
          } else {
            copySlot(from, to);
          }
          noteHeapKey(*d, i, to);
        }
      }
      unref(dir_);
      // The old pages this released are no spares for copy-on-write: free them.
      pool_->dropIdle();
    }
    dir_ = d.release();
    std::copy(std::begin(newInline), std::end(newInline), std::begin(inline_));
    heapPages_ = std::move(heapPages);
    pages_ = heapPages_ ? heapPages_.get() : inline_;
    shift_ = newShift;
    mask_ = newMask;
    growAt_ = newCap * 13 / 16;
    dirEpoch_ = epoch_;
  }

  // Everything a lookup reads sits in the object's first cache line; the page
  // table of a one-page map is inline, so its lookups cost no more memory
  // accesses than with one flat array.
  PageRef* pages_ = inline_;  // inline_ or heapPages_
  size_t size_ = 0;
  size_t growAt_ = 0;    // the size at which an insertion grows the table first
  size_t mask_ = 0;      // capacity - 1
  uint64_t epoch_ = 1;   // bumped by every snapshot()
  unsigned shift_ = 64;  // 64 - log2(capacity); 64 = no table
  PageRef inline_[kInlinePages] = {};

  std::unique_ptr<PageRef[]> heapPages_;
  Directory* dir_ = nullptr;  // one reference owned; null until the first insertion
  PagePool* pool_ = nullptr;  // one reference owned; created with the first page
  uint64_t dirEpoch_ = 0;     // the epoch in which dir_ was last known exclusive to the map
  size_t pageCopies_ = 0;
  size_t directoryCopies_ = 0;
};

}  // namespace weir::detail
