#include <weir/state/state.h>

namespace weir {

const char* stateKindName(StateKind kind) {
  switch (kind) {
    case StateKind::kValue:
      return "value";
    case StateKind::kList:
      return "list";
    case StateKind::kMap:
      return "map";
    case StateKind::kReducing:
      return "reducing";
    case StateKind::kAggregating:
      return "aggregating";
    case StateKind::kTimers:
      return "timers";
  }
  return "unknown";
}

}  // namespace weir
