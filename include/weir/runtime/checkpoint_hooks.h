// Checkpoint hooks of user functions (Flink's CheckpointedFunction and
// CheckpointListener). A user function (map, flatMap, process, ... or a sink
// writer) that implements them is called by its operator:
//
//   initializeState   once per run, before open(): obtain operator state (or
//                     keyed state handles) and read back what a restore brought
//   snapshotState     at each checkpoint barrier, on the task thread (the
//                     synchronous part): move what the function keeps in plain
//                     members into its state objects
//   notifyCheckpointComplete / notifyCheckpointAborted
//                     after checkpoint N is durable (or was given up); a sink
//                     commits its pre-committed transactions here
//
// All run on the task thread; an exception fails the task like any user
// exception (and the job restarts under its restart strategy).
#pragma once

#include <cstdint>

namespace weir {

class RuntimeContext;

class FunctionInitializationContext {
 public:
  FunctionInitializationContext(RuntimeContext& context, bool restored)
      : context_(context), restored_(restored) {}
  // Whether this run restores a checkpoint (its state objects hold the restored data).
  bool isRestored() const { return restored_; }
  // Operator state: runtimeContext().operatorStateStore(); keyed state: getState() etc.
  RuntimeContext& runtimeContext() { return context_; }

 private:
  RuntimeContext& context_;
  bool restored_;
};

class CheckpointedFunction {
 public:
  virtual ~CheckpointedFunction() = default;
  virtual void initializeState(FunctionInitializationContext& context) = 0;
  virtual void snapshotState(int64_t checkpointId) = 0;
};

class CheckpointListener {
 public:
  virtual ~CheckpointListener() = default;
  virtual void notifyCheckpointComplete(int64_t checkpointId) = 0;
  virtual void notifyCheckpointAborted(int64_t checkpointId) { (void)checkpointId; }
};

}  // namespace weir
