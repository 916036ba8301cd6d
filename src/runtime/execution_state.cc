#include "runtime/execution_state.h"

namespace weir::runtime {

const char* executionStateName(ExecutionState s) {
  switch (s) {
    case ExecutionState::kCreated:
      return "CREATED";
    case ExecutionState::kDeploying:
      return "DEPLOYING";
    case ExecutionState::kInitializing:
      return "INITIALIZING";
    case ExecutionState::kRunning:
      return "RUNNING";
    case ExecutionState::kFinished:
      return "FINISHED";
    case ExecutionState::kCanceling:
      return "CANCELING";
    case ExecutionState::kCanceled:
      return "CANCELED";
    case ExecutionState::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

bool isTerminal(ExecutionState s) {
  return s == ExecutionState::kFinished || s == ExecutionState::kCanceled || s == ExecutionState::kFailed;
}

bool isAllowedTransition(ExecutionState from, ExecutionState to) {
  using S = ExecutionState;
  if (isTerminal(from)) return false;
  switch (to) {
    case S::kDeploying:
      return from == S::kCreated;
    case S::kInitializing:
      return from == S::kDeploying;
    case S::kRunning:
      return from == S::kInitializing;
    case S::kFinished:
      return from == S::kRunning;
    case S::kCanceling:
      return from != S::kCanceling;
    case S::kCanceled:
      return true;
    case S::kFailed:
      return true;
    case S::kCreated:
      return false;
  }
  return false;
}

}  // namespace weir::runtime
