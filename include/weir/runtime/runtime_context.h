// RuntimeContext: what a user function and an operator learn about where they
// run (subtask index, parallelism, configuration) and how they reach state,
// processing time and, for sources, their coordinator.
//
// The runtime implements these interfaces per operator instance. Every method
// must be called on the task thread only, except where a comment says
// otherwise. Keyed state accessors throw std::logic_error when the operator is
// not keyed (Flink: "Keyed state can only be used on a 'keyed stream'").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <weir/core/config.h>
#include <weir/state/keyed_state_backend.h>
#include <weir/state/state.h>

namespace weir {

// A counter with one writer (the task thread) and any number of readers
// (metrics, progress). Relaxed ordering: readers only need an eventually
// current value, and the writer must not pay for a locked instruction.
class Counter {
 public:
  void inc(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Wall-clock time and timers that run on the task thread.
class ProcessingTimeService {
 public:
  virtual ~ProcessingTimeService() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t currentProcessingTime() const = 0;
  // Runs `callback(timestamp)` on the task thread once the clock reaches `timestamp`.
  // Callbacks still pending when the task ends are dropped.
  virtual void registerTimer(int64_t timestamp, std::function<void(int64_t)> callback) = 0;
};

// Sends operator events (e.g. split requests) from a subtask to its operator's
// coordinator (the source's split enumerator in the JobMaster).
class OperatorEventGateway {
 public:
  virtual ~OperatorEventGateway() = default;
  virtual void sendEventToCoordinator(std::vector<uint8_t> event) = 0;
};

// Non-keyed (operator) state: lists that sources and sinks snapshot. How a list
// is redistributed on rescaling is chosen per state (even split or union).
class OperatorStateStore {
 public:
  template <class V>
  ListState<V>& getListState(const ListStateDescriptor<V>& d);
  template <class V>
  ListState<V>& getUnionListState(const ListStateDescriptor<V>& d);

 private:
  class Entry {
   public:
    virtual ~Entry() = default;
  };
  template <class V>
  class HeapOperatorListState final : public ListState<V>, public Entry {
   public:
    std::vector<V> get() const override { return values_; }
    void add(const V& v) override { values_.push_back(v); }
    void addAll(const std::vector<V>& v) override { values_.insert(values_.end(), v.begin(), v.end()); }
    void update(const std::vector<V>& v) override { values_ = v; }
    void clear() override { values_.clear(); }

   private:
    std::vector<V> values_;
  };
  std::map<std::string, std::unique_ptr<Entry>> states_;
};

class RuntimeContext {
 public:
  virtual ~RuntimeContext() = default;

  virtual const std::string& operatorName() const = 0;
  virtual int indexOfThisSubtask() const = 0;
  virtual int numberOfParallelSubtasks() const = 0;
  virtual int maxNumberOfParallelSubtasks() const = 0;
  virtual const Configuration& jobConfiguration() const = 0;
  // "name (i/n)", for messages.
  std::string taskNameWithSubtasks() const {
    return operatorName() + " (" + std::to_string(indexOfThisSubtask() + 1) + "/" +
           std::to_string(numberOfParallelSubtasks()) + ")";
  }

  // The keyed state backend, or null when the operator is not keyed.
  virtual KeyedStateBackend* keyedStateBackend() = 0;
  virtual OperatorStateStore& operatorStateStore() = 0;

  template <class V>
  ValueState<V>& getState(const ValueStateDescriptor<V>& d) {
    return detail::getOrCreateKeyedState<ValueState<V>, detail::HeapValueState<V>>(keyed(d.name), d);
  }
  template <class V>
  ListState<V>& getListState(const ListStateDescriptor<V>& d) {
    return detail::getOrCreateKeyedState<ListState<V>, detail::HeapListState<V>>(keyed(d.name), d);
  }
  template <class UK, class UV>
  MapState<UK, UV>& getMapState(const MapStateDescriptor<UK, UV>& d) {
    return detail::getOrCreateKeyedState<MapState<UK, UV>, detail::HeapMapState<UK, UV>>(keyed(d.name), d);
  }
  template <class V>
  ReducingState<V>& getReducingState(const ReducingStateDescriptor<V>& d) {
    return detail::getOrCreateKeyedState<ReducingState<V>, detail::HeapReducingState<V>>(keyed(d.name), d);
  }
  template <class In, class Acc, class Out>
  AggregatingState<In, Out>& getAggregatingState(const AggregatingStateDescriptor<In, Acc, Out>& d) {
    return detail::getOrCreateKeyedState<AggregatingState<In, Out>,
                                         detail::HeapAggregatingState<In, Acc, Out>>(keyed(d.name), d);
  }

 private:
  KeyedStateBackend& keyed(const std::string& stateName) {
    KeyedStateBackend* b = keyedStateBackend();
    if (b == nullptr) {
      throw std::logic_error("keyed state '" + stateName + "' used in operator '" + operatorName() +
                             "', which is not keyed: keyed state can only be used after keyBy()");
    }
    return *b;
  }
};

// Per-operator record counters that the task's metrics and progress report read.
struct OperatorIOMetrics {
  Counter recordsIn;
  Counter recordsOut;
};

class StreamingRuntimeContext : public RuntimeContext {
 public:
  virtual ProcessingTimeService& processingTimeService() = 0;
  // Only for operators that have a coordinator (sources); aborts otherwise.
  virtual OperatorEventGateway& operatorEventGateway() = 0;
  virtual OperatorIOMetrics& ioMetrics() = 0;
  // Wakes the task's loop from any thread (a source whose reader returned
  // "nothing available" calls it when data may be there again).
  virtual void requestWakeUp() = 0;
};

template <class V>
ListState<V>& OperatorStateStore::getListState(const ListStateDescriptor<V>& d) {
  auto& e = states_[d.name];
  if (!e) e = std::make_unique<HeapOperatorListState<V>>();
  auto* typed = dynamic_cast<HeapOperatorListState<V>*>(e.get());
  if (typed == nullptr) throw std::invalid_argument("operator state '" + d.name + "' has another type");
  return *typed;
}

template <class V>
ListState<V>& OperatorStateStore::getUnionListState(const ListStateDescriptor<V>& d) {
  return getListState(d);  // union redistribution differs only on restore (checkpoint issue)
}

}  // namespace weir
