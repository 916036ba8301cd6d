// KeyedStateBackend: holds the keyed state of one operator subtask, and the
// current key that scopes every state access.
//
// Keys are kept in serialized form (the bytes TypeSerializer<K> writes), so the
// backend needs no key type: the key group is computed from those bytes (see
// key_groups.h), and the same layout serves the heap backend now and RocksDB
// later (key group prefix + key bytes). The heap backend (this header's
// HeapKeyedStateBackend) stores values as live objects in per-key-group hash
// maps; the templates live here because values have user types.
//
// Checkpoints (src/state/state_snapshot.h): every state can take an immutable
// copy-on-write view of itself (InternalKvState::snapshot, O(key groups)) that
// another thread serializes key group by key group while the task keeps
// writing. A restore does not know the value types, so it leaves the bytes of
// each state in the backend (RestoredKeyedState); getOrCreateKeyedState
// deserializes them when user code registers the state, after checking that
// its kind and serializer are the ones the checkpoint recorded. A restored
// state nobody registers is written again, unchanged, by later snapshots.
//
// Threading: only the owning task thread, except KvStateSnapshot (any thread).
// Lifecycle: created by the runtime for a keyed operator with the subtask's
// KeyGroupRange, destroyed with the task.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <weir/core/check.h>
#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/state/heap_state_map.h>
#include <weir/state/key_groups.h>
#include <weir/state/state.h>

namespace weir {

// An immutable view of one keyed state, taken by InternalKvState::snapshot() on
// the task thread and read on any one thread afterwards; later writes to the
// state do not change it. Key groups are indexed inside the backend's range.
class KvStateSnapshot {
 public:
  virtual ~KvStateSnapshot() = default;
  // Appends the entries of one key group, each as its key bytes (varint length,
  // bytes) followed by its value (TypeSerializer of the stored type), and
  // returns how many it wrote.
  virtual uint64_t writeKeyGroup(int keyGroupIndex, DataOutput& out) const = 0;
  // The key group has been written and will not be written again: whatever
  // holds its entries can go (for the heap backend: its copy-on-write views, so
  // that the task writes that key group's pages in place again and the pages
  // return to their pools for the next copies). Writing it again throws.
  virtual void releaseKeyGroup(int keyGroupIndex) = 0;
};

// Base of every state object a backend owns (type-erased for the registry and
// for snapshots).
class InternalKvState {
 public:
  virtual ~InternalKvState() = default;
  virtual StateKind kind() const = 0;
  // The serializer of the stored value type, recorded in checkpoints: V for value
  // and reducing state, vector<V> for list, map<UK,UV> for map, Acc for aggregating.
  virtual SerializerIdentity valueSerializer() const = 0;
  std::string valueSerializerName() const { return valueSerializer().name; }
  // Number of (key, value) entries across all key groups.
  virtual size_t numEntries() const = 0;
  // The synchronous part of a snapshot: O(key groups), whatever the number of entries.
  virtual std::unique_ptr<KvStateSnapshot> snapshot() = 0;
  // Inserts `count` entries written by KvStateSnapshot::writeKeyGroup, read from
  // `in`, into key group `keyGroupIndex`. Throws SerializationError on malformed
  // bytes and std::runtime_error when a key does not belong to that key group.
  virtual void restoreKeyGroup(int keyGroupIndex, uint64_t count, DataInput& in) = 0;
};

// The checkpointed bytes of one state, restored before the state is registered.
// Immutable once restored (snapshots share it with the async thread).
struct RestoredKeyedState {
  StateKind kind = StateKind::kValue;
  SerializerIdentity valueSerializer;
  // Per key group of the backend's range: the number of entries and their bytes,
  // as KvStateSnapshot::writeKeyGroup wrote them.
  std::vector<uint64_t> counts;
  std::vector<std::string> bytes;
  uint64_t totalEntries = 0;
};

// Deserializes `restored` into `state` (registered under `name`) after checking
// that kind and serializer match. Throws StateMigrationException naming the state
// and both serializers on a mismatch, or naming the state when its serializer cannot
// read the bytes (checksums passed: the serializer changed without a new version).
void applyRestoredKeyedState(const std::string& name, const RestoredKeyedState& restored,
                             InternalKvState& state);

// Keyed states whose names start with this prefix are internal (the timers of
// InternalTimerService, see heap_timer_state.h, as Flink's "_timer_state/..."):
// user code cannot register states under such names.
inline constexpr std::string_view kTimerStatePrefix = "_timer_state/";
// States operators keep for themselves: a window operator's windows, an interval join's buffers
// (see heap_internal_state.h).
inline constexpr std::string_view kInternalStatePrefix = "_internal/";
inline bool isReservedKeyedStateName(std::string_view name) {
  return name.starts_with(kTimerStatePrefix) || name.starts_with(kInternalStatePrefix);
}

class KeyedStateBackend {
 public:
  KeyedStateBackend(KeyGroupRange range, int maxParallelism)
      : range_(range), maxParallelism_(maxParallelism) {
    WEIR_CHECK(range.size() > 0);
  }
  virtual ~KeyedStateBackend() = default;

  // Sets the key that scopes state accesses, from its serialized bytes.
  void setCurrentKey(const uint8_t* key, size_t size) {
    currentKey_.assign(reinterpret_cast<const char*>(key), size);
    currentHash_ = stableHash(key, size);
    currentKeyGroup_ = keyGroupForHash(currentHash_, maxParallelism_);
    if (!range_.contains(currentKeyGroup_)) [[unlikely]]
      throwKeyGroupOutOfRange();
  }
  std::string_view currentKey() const { return currentKey_; }
  uint64_t currentKeyHash() const { return currentHash_; }
  int currentKeyGroup() const { return currentKeyGroup_; }
  // Index of the current key group inside this backend's range.
  int currentKeyGroupIndex() const { return currentKeyGroup_ - range_.start; }
  const KeyGroupRange& keyGroupRange() const { return range_; }
  int maxParallelism() const { return maxParallelism_; }

  // The state registered under `name`, or null.
  InternalKvState* findState(const std::string& name) const {
    auto it = states_.find(name);
    return it == states_.end() ? nullptr : it->second.get();
  }
  InternalKvState& registerState(const std::string& name, std::unique_ptr<InternalKvState> state) {
    WEIR_CHECK(findState(name) == nullptr);
    return *(states_[name] = std::move(state));
  }
  const std::unordered_map<std::string, std::unique_ptr<InternalKvState>>& states() const { return states_; }

  // State restored from a checkpoint that user code has not registered yet.
  const std::map<std::string, std::shared_ptr<const RestoredKeyedState>>& restoredStates() const {
    return restoredStates_;
  }
  const RestoredKeyedState* findRestoredState(const std::string& name) const {
    auto it = restoredStates_.find(name);
    return it == restoredStates_.end() ? nullptr : it->second.get();
  }
  void addRestoredState(const std::string& name, std::shared_ptr<const RestoredKeyedState> state) {
    restoredStates_[name] = std::move(state);
  }
  void dropRestoredState(const std::string& name) { restoredStates_.erase(name); }

 private:
  [[noreturn]] void throwKeyGroupOutOfRange() const {
    throw std::runtime_error(
        "key group " + std::to_string(currentKeyGroup_) +
        " of the current key is not in this subtask's key-group "
        "range " +
        range_.toString() +
        ": the key selector must return the same key for a record before and after "
        "the keyBy exchange (deterministic, depending only on the record's serialized fields), and the key's "
        "serialization must be canonical (no unordered containers)");
  }

  const KeyGroupRange range_;
  const int maxParallelism_;
  std::string currentKey_;
  uint64_t currentHash_ = 0;
  int currentKeyGroup_ = -1;
  std::unordered_map<std::string, std::unique_ptr<InternalKvState>> states_;
  std::map<std::string, std::shared_ptr<const RestoredKeyedState>> restoredStates_;
};

// The heap backend: values live as objects in per-key-group hash maps.
class HeapKeyedStateBackend final : public KeyedStateBackend {
 public:
  using KeyedStateBackend::KeyedStateBackend;
};

namespace detail {

// Per key group, a map from serialized key to S.
template <class S>
class HeapStateTable {
 public:
  HeapStateTable(const KeyedStateBackend& backend)
      : backend_(backend), groups_(size_t(backend.keyGroupRange().size())) {}

  // The entry for the current key, for writing (copies its page if a snapshot holds it).
  S* find() {
    return groups_[size_t(backend_.currentKeyGroupIndex())].find(backend_.currentKey(),
                                                                 backend_.currentKeyHash());
  }
  // The entry for the current key, for reading.
  const S* findForRead() const {
    return groups_[size_t(backend_.currentKeyGroupIndex())].findForRead(backend_.currentKey(),
                                                                        backend_.currentKeyHash());
  }
  // The entry for the current key, inserted with `init` if absent.
  template <class Init>
  S& findOrInsert(Init&& init, bool* inserted = nullptr) {
    return groups_[size_t(backend_.currentKeyGroupIndex())].findOrInsert(
        backend_.currentKey(), backend_.currentKeyHash(), std::forward<Init>(init), inserted);
  }
  void erase() {
    groups_[size_t(backend_.currentKeyGroupIndex())].erase(backend_.currentKey(), backend_.currentKeyHash());
  }
  size_t size() const {
    size_t n = 0;
    for (auto& g : groups_) n += g.size();
    return n;
  }

  // One copy-on-write view per key group.
  std::vector<typename HeapStateMap<S>::View> snapshot() {
    std::vector<typename HeapStateMap<S>::View> views;
    views.reserve(groups_.size());
    for (auto& g : groups_) views.push_back(g.snapshot());
    return views;
  }
  // Sets the entry of `key` (whose stable hash is `hash`) in key group `keyGroupIndex`.
  void put(int keyGroupIndex, std::string_view key, uint64_t hash, S&& value) {
    bool inserted = false;
    S& slot = groups_[size_t(keyGroupIndex)].findOrInsert(
        key, hash, [&] { return std::move(value); }, &inserted);
    if (!inserted) slot = std::move(value);
  }
  const KeyedStateBackend& backend() const { return backend_; }
  const HeapStateMap<S>& group(int keyGroupIndex) const { return groups_[size_t(keyGroupIndex)]; }

 private:
  const KeyedStateBackend& backend_;
  std::vector<HeapStateMap<S>> groups_;
};

template <class S>
class HeapKvStateSnapshot final : public KvStateSnapshot {
 public:
  explicit HeapKvStateSnapshot(std::vector<typename HeapStateMap<S>::View> groups)
      : groups_(std::move(groups)), released_(groups_.size(), false) {}
  uint64_t writeKeyGroup(int keyGroupIndex, DataOutput& out) const override {
    if (released_[size_t(keyGroupIndex)]) {
      // Its view is gone: writing it again would write nothing, silently.
      throw std::logic_error("key group index " + std::to_string(keyGroupIndex) +
                             " of this snapshot was already written and released");
    }
    uint64_t n = 0;
    groups_[size_t(keyGroupIndex)].forEach([&](std::string_view key, const S& value) {
      out.writeString(key);
      TypeSerializer<S>::serialize(value, out);
      ++n;
    });
    return n;
  }
  void releaseKeyGroup(int keyGroupIndex) override {
    groups_[size_t(keyGroupIndex)] = {};
    released_[size_t(keyGroupIndex)] = true;
  }

 private:
  std::vector<typename HeapStateMap<S>::View> groups_;
  std::vector<bool> released_;
};

template <class S>
class HeapStateBase : public InternalKvState {
 public:
  HeapStateBase(const KeyedStateBackend& backend, StateKind kind) : table_(backend), kind_(kind) {}
  StateKind kind() const override { return kind_; }
  SerializerIdentity valueSerializer() const override { return serializerIdentity<S>(); }
  size_t numEntries() const override { return table_.size(); }
  std::unique_ptr<KvStateSnapshot> snapshot() override {
    return std::make_unique<HeapKvStateSnapshot<S>>(table_.snapshot());
  }
  void restoreKeyGroup(int keyGroupIndex, uint64_t count, DataInput& in) override {
    const KeyedStateBackend& b = table_.backend();
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view key = in.readStringView();
      const uint64_t hash = stableHash(key);
      if (keyGroupForHash(hash, b.maxParallelism()) - b.keyGroupRange().start != keyGroupIndex) {
        throw std::runtime_error(
            "a key stored in key group " + std::to_string(b.keyGroupRange().start + keyGroupIndex) +
            " hashes to key group " + std::to_string(keyGroupForHash(hash, b.maxParallelism())) +
            " (different max parallelism or a corrupt checkpoint)");
      }
      S value{};
      TypeSerializer<S>::deserialize(value, in);
      checkRestoredValue(value);
      table_.put(keyGroupIndex, key, hash, std::move(value));
    }
  }

 protected:
  // Called on every restored value before it is stored; throws SerializationError
  // when the value breaks an invariant of this state (a corrupt checkpoint).
  virtual void checkRestoredValue(const S& value) const { (void)value; }

  HeapStateTable<S> table_;
  StateKind kind_;
};

template <class V>
class HeapValueState final : public ValueState<V>, public HeapStateBase<V> {
 public:
  HeapValueState(const KeyedStateBackend& b, const ValueStateDescriptor<V>& d)
      : HeapStateBase<V>(b, StateKind::kValue), default_(d.defaultValue) {}
  std::optional<V> value() const override {
    const V* v = this->table_.findForRead();
    return v != nullptr ? std::optional<V>(*v) : default_;
  }
  void update(const V& value) override {
    this->table_.findOrInsert([&] { return value; }) = value;
  }
  void clear() override { this->table_.erase(); }

 private:
  std::optional<V> default_;
};

template <class V>
class HeapListState final : public ListState<V>, public HeapStateBase<std::vector<V>> {
 public:
  HeapListState(const KeyedStateBackend& b, const ListStateDescriptor<V>&)
      : HeapStateBase<std::vector<V>>(b, StateKind::kList) {}
  std::vector<V> get() const override {
    const std::vector<V>* v = this->table_.findForRead();
    return v != nullptr ? *v : std::vector<V>{};
  }
  void add(const V& value) override {
    this->table_.findOrInsert([] { return std::vector<V>{}; }).push_back(value);
  }
  void addAll(const std::vector<V>& values) override {
    if (values.empty()) return;
    auto& l = this->table_.findOrInsert([] { return std::vector<V>{}; });
    l.insert(l.end(), values.begin(), values.end());
  }
  void update(const std::vector<V>& values) override {
    if (values.empty()) return clear();
    this->table_.findOrInsert([] { return std::vector<V>{}; }) = values;
  }
  void clear() override { this->table_.erase(); }
};

template <class UK, class UV>
class HeapMapState final : public MapState<UK, UV>, public HeapStateBase<std::map<UK, UV>> {
 public:
  HeapMapState(const KeyedStateBackend& b, const MapStateDescriptor<UK, UV>&)
      : HeapStateBase<std::map<UK, UV>>(b, StateKind::kMap) {}
  std::optional<UV> get(const UK& key) const override {
    const auto* m = this->table_.findForRead();
    if (m == nullptr) return std::nullopt;
    auto it = m->find(key);
    return it == m->end() ? std::nullopt : std::optional<UV>(it->second);
  }
  void put(const UK& key, const UV& value) override {
    this->table_.findOrInsert([] { return std::map<UK, UV>{}; })[key] = value;
  }
  void remove(const UK& key) override {
    const auto* present = this->table_.findForRead();
    if (present == nullptr || present->count(key) == 0) return;  // no write: no copy-on-write
    auto* m = this->table_.find();
    m->erase(key);
    if (m->empty()) this->table_.erase();
  }
  bool contains(const UK& key) const override {
    const auto* m = this->table_.findForRead();
    return m != nullptr && m->count(key) > 0;
  }
  bool isEmpty() const override { return this->table_.findForRead() == nullptr; }
  std::vector<std::pair<UK, UV>> entries() const override {
    const auto* m = this->table_.findForRead();
    if (m == nullptr) return {};
    return std::vector<std::pair<UK, UV>>(m->begin(), m->end());
  }
  void clear() override { this->table_.erase(); }
};

template <class V>
class HeapReducingState final : public ReducingState<V>, public HeapStateBase<V> {
 public:
  HeapReducingState(const KeyedStateBackend& b, const ReducingStateDescriptor<V>& d)
      : HeapStateBase<V>(b, StateKind::kReducing), reduce_(d.reduceFunction) {}
  std::optional<V> get() const override {
    const V* v = this->table_.findForRead();
    return v != nullptr ? std::optional<V>(*v) : std::nullopt;
  }
  void add(const V& value) override {
    bool inserted = false;
    V& acc = this->table_.findOrInsert([&] { return value; }, &inserted);
    if (!inserted) acc = reduce_(acc, value);
  }
  // add() then get() with one lookup, reducing with `fn` (the reduce operator's
  // function, called directly rather than through the descriptor's std::function).
  template <class F>
  const V& addAndGet(const V& value, F& fn) {
    bool inserted = false;
    V& acc = this->table_.findOrInsert([&] { return value; }, &inserted);
    if (!inserted) acc = fn(acc, value);
    return acc;
  }
  void clear() override { this->table_.erase(); }

 private:
  std::function<V(const V&, const V&)> reduce_;
};

template <class In, class Acc, class Out>
class HeapAggregatingState final : public AggregatingState<In, Out>, public HeapStateBase<Acc> {
 public:
  HeapAggregatingState(const KeyedStateBackend& b, const AggregatingStateDescriptor<In, Acc, Out>& d)
      : HeapStateBase<Acc>(b, StateKind::kAggregating), fn_(d.aggregateFunction) {}
  std::optional<Out> get() const override {
    const Acc* a = this->table_.findForRead();
    return a != nullptr ? std::optional<Out>(fn_->getResult(*a)) : std::nullopt;
  }
  void add(const In& value) override {
    fn_->add(value, this->table_.findOrInsert([&] { return fn_->createAccumulator(); }));
  }
  void clear() override { this->table_.erase(); }

 private:
  std::shared_ptr<const AggregateFunction<In, Acc, Out>> fn_;
};

// Returns the state named by `d`, creating it on first use (filled with the
// restored entries of that name, if any); fails if the name is already used by a
// state of another kind or type, or if the restored state has another kind or
// serializer.
template <class S, class Impl, class Desc>
S& getOrCreateKeyedState(KeyedStateBackend& backend, const Desc& d) {
  if (InternalKvState* existing = backend.findState(d.name)) {
    auto* typed = dynamic_cast<Impl*>(existing);
    if (typed == nullptr) {
      throw std::invalid_argument("state '" + d.name + "' is already registered with another kind or type (" +
                                  stateKindName(existing->kind()) + " of " + existing->valueSerializerName() +
                                  ")");
    }
    return *typed;
  }
  auto state = std::make_unique<Impl>(backend, d);
  Impl& ref = *state;
  if (const RestoredKeyedState* restored = backend.findRestoredState(d.name)) {
    applyRestoredKeyedState(d.name, *restored, ref);  // throws on a mismatch: nothing registered
    backend.dropRestoredState(d.name);
  }
  backend.registerState(d.name, std::move(state));
  return ref;
}

}  // namespace detail
}  // namespace weir
