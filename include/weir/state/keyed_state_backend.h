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
// Threading: only the owning task thread. Lifecycle: created by the runtime for
// a keyed operator with the subtask's KeyGroupRange, destroyed with the task.
#pragma once

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <weir/core/check.h>
#include <weir/core/hash.h>
#include <weir/state/heap_state_map.h>
#include <weir/state/key_groups.h>
#include <weir/state/state.h>

namespace weir {

// Base of every state object a backend owns (type-erased for the registry and,
// later, for snapshots).
class InternalKvState {
 public:
  virtual ~InternalKvState() = default;
  virtual StateKind kind() const = 0;
  virtual std::string valueSerializerName() const = 0;
  // Number of (key, value) entries across all key groups.
  virtual size_t numEntries() const = 0;
};

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

  S* find() {
    return groups_[size_t(backend_.currentKeyGroupIndex())].find(backend_.currentKey(),
                                                                 backend_.currentKeyHash());
  }
  const S* find() const { return const_cast<HeapStateTable*>(this)->find(); }
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

 private:
  const KeyedStateBackend& backend_;
  std::vector<HeapStateMap<S>> groups_;
};

template <class S>
class HeapStateBase : public InternalKvState {
 public:
  HeapStateBase(const KeyedStateBackend& backend, StateKind kind, std::string serializerName)
      : table_(backend), kind_(kind), serializerName_(std::move(serializerName)) {}
  StateKind kind() const override { return kind_; }
  std::string valueSerializerName() const override { return serializerName_; }
  size_t numEntries() const override { return table_.size(); }

 protected:
  HeapStateTable<S> table_;
  StateKind kind_;
  std::string serializerName_;
};

template <class V>
class HeapValueState final : public ValueState<V>, public HeapStateBase<V> {
 public:
  HeapValueState(const KeyedStateBackend& b, const ValueStateDescriptor<V>& d)
      : HeapStateBase<V>(b, StateKind::kValue, TypeSerializer<V>::name()), default_(d.defaultValue) {}
  std::optional<V> value() const override {
    const V* v = this->table_.find();
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
      : HeapStateBase<std::vector<V>>(b, StateKind::kList, TypeSerializer<V>::name()) {}
  std::vector<V> get() const override {
    const std::vector<V>* v = this->table_.find();
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
      : HeapStateBase<std::map<UK, UV>>(
            b, StateKind::kMap,
            "map<" + TypeSerializer<UK>::name() + "," + TypeSerializer<UV>::name() + ">") {}
  std::optional<UV> get(const UK& key) const override {
    const auto* m = this->table_.find();
    if (m == nullptr) return std::nullopt;
    auto it = m->find(key);
    return it == m->end() ? std::nullopt : std::optional<UV>(it->second);
  }
  void put(const UK& key, const UV& value) override {
    this->table_.findOrInsert([] { return std::map<UK, UV>{}; })[key] = value;
  }
  void remove(const UK& key) override {
    auto* m = this->table_.find();
    if (m == nullptr) return;
    m->erase(key);
    if (m->empty()) this->table_.erase();
  }
  bool contains(const UK& key) const override {
    const auto* m = this->table_.find();
    return m != nullptr && m->count(key) > 0;
  }
  bool isEmpty() const override { return this->table_.find() == nullptr; }
  std::vector<std::pair<UK, UV>> entries() const override {
    const auto* m = this->table_.find();
    if (m == nullptr) return {};
    return std::vector<std::pair<UK, UV>>(m->begin(), m->end());
  }
  void clear() override { this->table_.erase(); }
};

template <class V>
class HeapReducingState final : public ReducingState<V>, public HeapStateBase<V> {
 public:
  HeapReducingState(const KeyedStateBackend& b, const ReducingStateDescriptor<V>& d)
      : HeapStateBase<V>(b, StateKind::kReducing, TypeSerializer<V>::name()), reduce_(d.reduceFunction) {}
  std::optional<V> get() const override {
    const V* v = this->table_.find();
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
      : HeapStateBase<Acc>(b, StateKind::kAggregating, TypeSerializer<Acc>::name()),
        fn_(d.aggregateFunction) {}
  std::optional<Out> get() const override {
    const Acc* a = this->table_.find();
    return a != nullptr ? std::optional<Out>(fn_->getResult(*a)) : std::nullopt;
  }
  void add(const In& value) override {
    fn_->add(value, this->table_.findOrInsert([&] { return fn_->createAccumulator(); }));
  }
  void clear() override { this->table_.erase(); }

 private:
  std::shared_ptr<const AggregateFunction<In, Acc, Out>> fn_;
};

// Returns the state named by `d`, creating it on first use; fails if the name is
// already used by a state of another kind or type.
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
  backend.registerState(d.name, std::move(state));
  return ref;
}

}  // namespace detail
}  // namespace weir
