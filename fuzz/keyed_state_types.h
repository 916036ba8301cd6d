// The keyed states the keyed-state fuzzer registers after a restore, and its seed
// writer fills before a snapshot: one of each kind the heap backend keeps, over
// fixed-size, string, container and struct values, so that mutated entries reach
// every kind of deserializer, and the timer service's states.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <weir/core/serializer.h>
#include <weir/runtime/runtime_context.h>
#include <weir/state/heap_timer_state.h>

namespace weir::fuzz {

inline constexpr int kMaxParallelism = 128;

struct Account {
  std::string owner;
  int64_t balance = 0;
  std::vector<int32_t> history;
};
WEIR_STRUCT(Account, owner, balance, history);

inline ValueStateDescriptor<int64_t> countState() { return ValueStateDescriptor<int64_t>("count"); }
inline ListStateDescriptor<std::string> namesState() { return ListStateDescriptor<std::string>("names"); }
inline MapStateDescriptor<std::string, Account> accountsState() {
  return MapStateDescriptor<std::string, Account>("accounts");
}
inline ReducingStateDescriptor<Account> totalState() {
  return ReducingStateDescriptor<Account>("total", [](const Account& a, const Account& b) {
    Account r = a;
    r.balance += b.balance;
    r.history.insert(r.history.end(), b.history.begin(), b.history.end());
    return r;
  });
}

// The timer service's states (processing and event time), as InternalTimerService registers them.
inline detail::HeapTimerState& processingTimers(RuntimeContext& ctx) {
  return detail::getOrCreateTimerState(*ctx.keyedStateBackend(), kProcessingTimerStateName);
}
inline detail::HeapTimerState& eventTimers(RuntimeContext& ctx) {
  return detail::getOrCreateTimerState(*ctx.keyedStateBackend(), kEventTimerStateName);
}

// Registers every state (which deserializes what was restored under its name).
inline void registerEveryState(RuntimeContext& ctx) {
  ctx.getState(countState());
  ctx.getListState(namesState());
  ctx.getMapState(accountsState());
  ctx.getReducingState(totalState());
  processingTimers(ctx);
  eventTimers(ctx);
}

}  // namespace weir::fuzz
