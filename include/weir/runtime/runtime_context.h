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
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <weir/core/config.h>
#include <weir/core/data_io.h>
#include <weir/core/metrics.h>
#include <weir/core/serializer.h>
#include <weir/core/state_migration.h>
#include <weir/state/keyed_state_backend.h>
#include <weir/state/state.h>

namespace weir {

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

// How an operator list state is redistributed when the parallelism changes
// (the values match checkpoint::OperatorStateDistribution).
enum class OperatorListDistribution : uint8_t {
  kSplitDistribute = 0,  // getListState: the elements are spread evenly over the new subtasks
  kUnion = 1,            // getUnionListState: every new subtask gets every element
  kBroadcast = 2,        // every subtask had the same elements; each new subtask gets one copy
};

// Non-keyed (operator) state: lists that sources and sinks snapshot. How a list
// is redistributed on rescaling is chosen per state (even split or union).
//
// Checkpoints (src/state/state_snapshot.h): snapshotLists() takes an immutable
// copy-on-write view of every list (O(number of lists): the next write to a
// snapshotted list copies it, on the task thread). A restore leaves each list's
// element bytes here (RestoredList) until user code registers the list; the
// registration checks the element serializer and the distribution mode against
// what the checkpoint recorded and deserializes the elements. Restored lists
// nobody registers are written again, unchanged, by later snapshots.
//
// Threading: the task thread only, except ListSnapshot (any thread).
class OperatorStateStore {
 public:
  template <class V>
  ListState<V>& getListState(const ListStateDescriptor<V>& d) {
    return getOrCreate<V>(d, OperatorListDistribution::kSplitDistribute);
  }
  template <class V>
  ListState<V>& getUnionListState(const ListStateDescriptor<V>& d) {
    return getOrCreate<V>(d, OperatorListDistribution::kUnion);
  }

  // An immutable view of one list's elements; readable on any one thread.
  class ListSnapshot {
   public:
    virtual ~ListSnapshot() = default;
    virtual size_t size() const = 0;
    // Appends element i, serialized with TypeSerializer<V>.
    virtual void writeElement(size_t i, DataOutput& out) const = 0;
  };
  struct RegisteredListSnapshot {
    std::string name;
    OperatorListDistribution distribution = OperatorListDistribution::kSplitDistribute;
    SerializerIdentity elementSerializer;
    std::shared_ptr<const ListSnapshot> elements;
  };
  // A list restored from a checkpoint and not registered yet: each element's bytes.
  struct RestoredList {
    OperatorListDistribution distribution = OperatorListDistribution::kSplitDistribute;
    SerializerIdentity elementSerializer;
    std::vector<std::string> elements;
  };

  // The synchronous part of a snapshot of every registered list, by name.
  std::vector<RegisteredListSnapshot> snapshotLists() {
    std::vector<RegisteredListSnapshot> out;
    out.reserve(states_.size());
    for (auto& [name, entry] : states_) {
      out.push_back(
          RegisteredListSnapshot{name, entry->distribution(), entry->elementSerializer(), entry->snapshot()});
    }
    return out;
  }
  const std::map<std::string, std::shared_ptr<const RestoredList>>& restoredLists() const {
    return restored_;
  }
  // Adds restored elements for `name`, or deserializes them at once if the list is
  // already registered. Throws std::runtime_error as a registration would.
  void addRestoredList(const std::string& name, std::shared_ptr<const RestoredList> list) {
    auto it = states_.find(name);
    if (it != states_.end()) {
      it->second->restore(name, *list);
    } else {
      restored_[name] = std::move(list);
    }
  }

 private:
  class Entry {
   public:
    virtual ~Entry() = default;
    virtual OperatorListDistribution distribution() const = 0;
    virtual SerializerIdentity elementSerializer() const = 0;
    virtual std::shared_ptr<const ListSnapshot> snapshot() = 0;
    // Checks `list` against this state and appends its elements.
    virtual void restore(const std::string& name, const RestoredList& list) = 0;
  };
  template <class V>
  class ListSnapshotImpl final : public ListSnapshot {
   public:
    explicit ListSnapshotImpl(std::shared_ptr<const std::vector<V>> v) : values_(std::move(v)) {}
    size_t size() const override { return values_->size(); }
    void writeElement(size_t i, DataOutput& out) const override {
      TypeSerializer<V>::serialize((*values_)[i], out);
    }

   private:
    std::shared_ptr<const std::vector<V>> values_;
  };
  // The list lives in a shared vector; a snapshot shares it and marks it
  // shared, and the next write copies it first (the vector a snapshot holds is
  // never written again, so the snapshot needs no lock).
  template <class V>
  class HeapOperatorListState final : public ListState<V>, public Entry {
   public:
    explicit HeapOperatorListState(OperatorListDistribution distribution) : distribution_(distribution) {}
    std::vector<V> get() const override { return *values_; }
    void add(const V& v) override { mutableValues().push_back(v); }
    void addAll(const std::vector<V>& v) override {
      auto& values = mutableValues();
      values.insert(values.end(), v.begin(), v.end());
    }
    void update(const std::vector<V>& v) override {
      values_ = std::make_shared<std::vector<V>>(v);
      shared_ = false;
    }
    void clear() override {
      values_ = std::make_shared<std::vector<V>>();
      shared_ = false;
    }

    OperatorListDistribution distribution() const override { return distribution_; }
    SerializerIdentity elementSerializer() const override { return serializerIdentity<V>(); }
    std::shared_ptr<const ListSnapshot> snapshot() override {
      shared_ = true;
      return std::make_shared<ListSnapshotImpl<V>>(values_);
    }
    void restore(const std::string& name, const RestoredList& list) override {
      const SerializerIdentity mine = elementSerializer();
      if (list.elementSerializer != mine || list.distribution != distribution_) {
        throw StateMigrationException(
            "operator state '" + name + "': the checkpoint has it as a " +
            distributionName(list.distribution) + " list with serializer '" + list.elementSerializer.name +
            "' (version " + std::to_string(list.elementSerializer.version) +
            "), but it is now registered as a " + distributionName(distribution_) +
            " list with serializer '" + mine.name + "' (version " + std::to_string(mine.version) + ")");
      }
      std::vector<V> restored(list.elements.size());
      for (size_t i = 0; i < list.elements.size(); ++i) {
        DataInput in(list.elements[i]);
        try {
          TypeSerializer<V>::deserialize(restored[i], in);
        } catch (const SerializationError& e) {
          throw StateMigrationException("operator state '" + name + "': element " + std::to_string(i) +
                                        " of the checkpoint cannot be read with serializer '" + mine.name +
                                        "': " + e.what());
        }
      }
      auto& values = mutableValues();
      values.insert(values.end(), std::make_move_iterator(restored.begin()),
                    std::make_move_iterator(restored.end()));
    }

   private:
    std::vector<V>& mutableValues() {
      if (shared_) {
        values_ = std::make_shared<std::vector<V>>(*values_);
        shared_ = false;
      }
      return *values_;
    }
    static const char* distributionName(OperatorListDistribution d) {
      switch (d) {
        case OperatorListDistribution::kSplitDistribute:
          return "split-distribute";
        case OperatorListDistribution::kUnion:
          return "union";
        case OperatorListDistribution::kBroadcast:
          return "broadcast";
      }
      return "unknown";
    }

    const OperatorListDistribution distribution_;
    std::shared_ptr<std::vector<V>> values_ = std::make_shared<std::vector<V>>();
    bool shared_ = false;  // a snapshot holds values_
  };

  template <class V>
  ListState<V>& getOrCreate(const ListStateDescriptor<V>& d, OperatorListDistribution distribution);

  std::map<std::string, std::unique_ptr<Entry>> states_;
  std::map<std::string, std::shared_ptr<const RestoredList>> restored_;
};

class RuntimeContext {
 public:
  virtual ~RuntimeContext() = default;

  virtual const std::string& operatorName() const = 0;
  virtual int indexOfThisSubtask() const = 0;
  virtual int numberOfParallelSubtasks() const = 0;
  virtual int maxNumberOfParallelSubtasks() const = 0;
  virtual const Configuration& jobConfiguration() const = 0;
  // 0 in the first run of the job, then +1 for each automatic restart.
  virtual int attemptNumber() const { return 0; }
  // Whether the job takes checkpoints (a transactional sink then commits on them).
  virtual bool isCheckpointingEnabled() const { return false; }
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
    if (isReservedKeyedStateName(stateName)) {
      throw std::invalid_argument("keyed state '" + stateName + "' in operator '" + operatorName() +
                                  "': names starting with '" + std::string(kTimerStatePrefix) + "' or '" +
                                  std::string(kInternalStatePrefix) +
                                  "' are reserved for timers and operators' own state; choose another name");
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
ListState<V>& OperatorStateStore::getOrCreate(const ListStateDescriptor<V>& d,
                                              OperatorListDistribution distribution) {
  auto it = states_.find(d.name);
  if (it != states_.end()) {
    auto* typed = dynamic_cast<HeapOperatorListState<V>*>(it->second.get());
    if (typed == nullptr) throw std::invalid_argument("operator state '" + d.name + "' has another type");
    if (typed->distribution() != distribution) {
      throw std::invalid_argument(
          "operator state '" + d.name +
          "' is already registered with another distribution mode (list vs union list)");
    }
    return *typed;
  }
  auto state = std::make_unique<HeapOperatorListState<V>>(distribution);
  auto restored = restored_.find(d.name);
  if (restored != restored_.end()) {
    state->restore(d.name, *restored->second);  // throws on a mismatch: nothing registered
    restored_.erase(restored);
  }
  auto& ref = *state;
  states_[d.name] = std::move(state);
  return ref;
}

}  // namespace weir
