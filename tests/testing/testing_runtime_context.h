// TestingRuntimeContext: a RuntimeContext for unit tests of state and
// functions, outside any task: one subtask, an optional heap keyed backend
// (null = the operator is not keyed), an operator state store, and setKey() to
// make a key current as a keyed operator does for each record.
// Single-threaded, like the task thread it stands in for.
#pragma once

#include <memory>
#include <string>

#include <weir/core/data_io.h>
#include <weir/runtime/runtime_context.h>

namespace weir::testing {

class TestingRuntimeContext : public RuntimeContext {
 public:
  explicit TestingRuntimeContext(std::unique_ptr<KeyedStateBackend> backend) : backend_(std::move(backend)) {}
  // A heap backend owning `range` of `maxParallelism` key groups.
  TestingRuntimeContext(KeyGroupRange range, int maxParallelism)
      : TestingRuntimeContext(std::make_unique<HeapKeyedStateBackend>(range, maxParallelism)) {}

  const std::string& operatorName() const override { return name_; }
  int indexOfThisSubtask() const override { return 0; }
  int numberOfParallelSubtasks() const override { return 1; }
  int maxNumberOfParallelSubtasks() const override {
    return backend_ ? backend_->maxParallelism() : kDefaultMaxParallelism;
  }
  const Configuration& jobConfiguration() const override { return config_; }
  KeyedStateBackend* keyedStateBackend() override { return backend_.get(); }
  OperatorStateStore& operatorStateStore() override { return operatorState_; }

  // Makes `key` current. REQUIRES: a keyed backend.
  template <class K>
  void setKey(const K& key) {
    DataOutput out;
    TypeSerializer<K>::serialize(key, out);
    backend_->setCurrentKey(out.data(), out.size());
  }
  KeyedStateBackend& backend() { return *backend_; }

 private:
  std::string name_ = "Test Operator";
  Configuration config_;
  std::unique_ptr<KeyedStateBackend> backend_;
  OperatorStateStore operatorState_;
};

}  // namespace weir::testing
