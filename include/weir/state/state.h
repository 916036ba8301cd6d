// Keyed and operator state as user functions see it, and the descriptors that
// name and type it (Flink's ValueState, ListState, MapState, ReducingState,
// AggregatingState and their *StateDescriptor).
//
// Keyed state is scoped to the key of the record (or timer) being processed:
// the same ValueState object reads and writes a different value per key. State
// objects are created through RuntimeContext::getState & co. in open() and are
// owned by the state backend. A state's name and the identity and version of its
// serializers will be recorded in checkpoints.
//
// Threading: only the task thread, and for keyed state only while a current key
// is set (inside processElement or onTimer of a keyed function).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <weir/core/serializer.h>

namespace weir {

// kTimers is internal: the timers of a keyed operator's InternalTimerService,
// kept as keyed state so that checkpoints carry them per key group (no user
// descriptor has that kind).
enum class StateKind { kValue, kList, kMap, kReducing, kAggregating, kTimers };

const char* stateKindName(StateKind kind);

class State {
 public:
  virtual ~State() = default;
  // Removes the value for the current key.
  virtual void clear() = 0;
};

template <class V>
class ValueState : public State {
 public:
  // The value for the current key, or nullopt (or the descriptor's default) if none.
  virtual std::optional<V> value() const = 0;
  virtual void update(const V& value) = 0;
};

template <class V>
class ListState : public State {
 public:
  virtual std::vector<V> get() const = 0;
  virtual void add(const V& value) = 0;
  virtual void addAll(const std::vector<V>& values) = 0;
  virtual void update(const std::vector<V>& values) = 0;
};

template <class UK, class UV>
class MapState : public State {
 public:
  virtual std::optional<UV> get(const UK& key) const = 0;
  virtual void put(const UK& key, const UV& value) = 0;
  virtual void remove(const UK& key) = 0;
  virtual bool contains(const UK& key) const = 0;
  virtual bool isEmpty() const = 0;
  // A copy of the entries for the current key, in key order.
  virtual std::vector<std::pair<UK, UV>> entries() const = 0;
};

// Folds added values with a reduce function; get() returns the running result.
template <class V>
class ReducingState : public State {
 public:
  virtual std::optional<V> get() const = 0;
  virtual void add(const V& value) = 0;
};

// Folds added values into an accumulator; get() returns the aggregate's result.
template <class In, class Out>
class AggregatingState : public State {
 public:
  virtual std::optional<Out> get() const = 0;
  virtual void add(const In& value) = 0;
};

// Flink's AggregateFunction: an accumulator created, added to and read out.
template <class In, class Acc, class Out>
class AggregateFunction {
 public:
  using InputType = In;
  using AccumulatorType = Acc;
  using OutputType = Out;
  virtual ~AggregateFunction() = default;
  virtual Acc createAccumulator() const = 0;
  virtual void add(const In& value, Acc& accumulator) const = 0;
  virtual Out getResult(const Acc& accumulator) const = 0;
  virtual Acc merge(const Acc& a, const Acc& b) const = 0;
};

struct StateDescriptorBase {
  std::string name;
  StateKind kind;
};

template <class V>
struct ValueStateDescriptor : StateDescriptorBase {
  explicit ValueStateDescriptor(std::string n, std::optional<V> defaultValue = std::nullopt)
      : StateDescriptorBase{std::move(n), StateKind::kValue}, defaultValue(std::move(defaultValue)) {
    requireSerializable<V>();
  }
  std::optional<V> defaultValue;
};

template <class V>
struct ListStateDescriptor : StateDescriptorBase {
  explicit ListStateDescriptor(std::string n) : StateDescriptorBase{std::move(n), StateKind::kList} {
    requireSerializable<V>();
  }
};

template <class UK, class UV>
struct MapStateDescriptor : StateDescriptorBase {
  explicit MapStateDescriptor(std::string n) : StateDescriptorBase{std::move(n), StateKind::kMap} {
    requireSerializable<UK>();
    requireSerializable<UV>();
  }
};

template <class V>
struct ReducingStateDescriptor : StateDescriptorBase {
  ReducingStateDescriptor(std::string n, std::function<V(const V&, const V&)> reduce)
      : StateDescriptorBase{std::move(n), StateKind::kReducing}, reduceFunction(std::move(reduce)) {
    requireSerializable<V>();
  }
  std::function<V(const V&, const V&)> reduceFunction;
};

template <class In, class Acc, class Out>
struct AggregatingStateDescriptor : StateDescriptorBase {
  AggregatingStateDescriptor(std::string n, std::shared_ptr<const AggregateFunction<In, Acc, Out>> fn)
      : StateDescriptorBase{std::move(n), StateKind::kAggregating}, aggregateFunction(std::move(fn)) {
    requireSerializable<Acc>();
  }
  std::shared_ptr<const AggregateFunction<In, Acc, Out>> aggregateFunction;
};

}  // namespace weir
