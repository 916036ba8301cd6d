// ExecutionState: the lifecycle of one task (one parallel subtask of a vertex),
// with the one table of allowed transitions (Flink's ExecutionState).
//
//   CREATED -> DEPLOYING -> INITIALIZING -> RUNNING -> FINISHED
//   any non-terminal -> CANCELING -> CANCELED;  any non-terminal -> FAILED
// FINISHED, CANCELED and FAILED are terminal.
#pragma once

namespace weir::runtime {

enum class ExecutionState {
  kCreated,
  kDeploying,
  kInitializing,
  kRunning,
  kFinished,
  kCanceling,
  kCanceled,
  kFailed
};

const char* executionStateName(ExecutionState s);
bool isTerminal(ExecutionState s);
bool isAllowedTransition(ExecutionState from, ExecutionState to);

}  // namespace weir::runtime
