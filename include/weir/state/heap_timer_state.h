// HeapTimerState: the timers of one InternalTimerService, kept as keyed state of
// the heap backend so that keyed snapshots carry them per key group (Flink keeps
// its heap timers in the keyed snapshot too, as "_timer_state/processing_user-timers").
//
// Per key group, a HeapStateMap from serialized key to that key's timer
// timestamps (a sorted vector without duplicates, never empty): the same
// copy-on-write maps as every other heap state. So the synchronous part of a
// snapshot takes an O(1) view per key group whatever the number of timers (no
// copy of the timers, unlike Flink, which copies its heap queue arrays), the
// asynchronous part writes them like any other state, and a restore into
// another key-group range keeps exactly the timers of its key groups (each key
// is checked to hash into the group it was stored in). What a snapshot holds is
// (key, timestamps); the time order in which timers fire is not state:
// InternalTimerService keeps it beside this state and rebuilds it from here
// after a restore.
//
// The state's kind is StateKind::kTimers and its name starts with
// kTimerStatePrefix, which RuntimeContext refuses for user states, so a user
// state can never collide with it.
//
// Threading: the task thread only, like every keyed state. add, remove and
// contains act on the backend's current key (REQUIRES: one is set).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <weir/core/check.h>
#include <weir/core/data_io.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {

// The states of InternalTimerService's processing-time and event-time timers (Flink's names).
inline constexpr std::string_view kProcessingTimerStateName = "_timer_state/processing_user-timers";
inline constexpr std::string_view kEventTimerStateName = "_timer_state/event_user-timers";

namespace detail {

struct TimerStateDescriptor : StateDescriptorBase {
  explicit TimerStateDescriptor(std::string n) : StateDescriptorBase{std::move(n), StateKind::kTimers} {}
};

class HeapTimerState final : public HeapStateBase<std::vector<int64_t>> {
 public:
  using Timestamps = std::vector<int64_t>;

  HeapTimerState(const KeyedStateBackend& backend, const TimerStateDescriptor&)
      : HeapStateBase<Timestamps>(backend, StateKind::kTimers) {}

  // Adds a timer at `timestamp` for the current key; false (and no write) if the
  // key already has one at that time.
  bool add(int64_t timestamp) {
    if (contains(timestamp)) return false;  // a duplicate writes nothing: no copy-on-write
    Timestamps& ts = table_.findOrInsert([] { return Timestamps{}; });
    ts.insert(std::upper_bound(ts.begin(), ts.end(), timestamp), timestamp);
    return true;
  }
  // Removes the current key's timer at `timestamp`; false if there is none.
  bool remove(int64_t timestamp) {
    if (!contains(timestamp)) return false;  // nothing to remove writes nothing
    Timestamps* ts = table_.find();
    ts->erase(std::lower_bound(ts->begin(), ts->end(), timestamp));
    if (ts->empty()) table_.erase();
    return true;
  }
  bool contains(int64_t timestamp) const {
    const Timestamps* ts = table_.findForRead();
    return ts != nullptr && std::binary_search(ts->begin(), ts->end(), timestamp);
  }
  // Calls fn(keyBytes, timestamp) for every timer, key group by key group.
  template <class Fn>
  void forEachTimer(Fn&& fn) const {
    for (int g = 0; g < table_.backend().keyGroupRange().size(); ++g) {
      table_.group(g).forEach([&](std::string_view key, const Timestamps& ts) {
        for (int64_t t : ts) fn(key, t);
      });
    }
  }
  // O(keys): for tests and diagnostics.
  size_t numTimers() const {
    size_t n = 0;
    forEachTimer([&](std::string_view, int64_t) { ++n; });
    return n;
  }

 protected:
  void checkRestoredValue(const Timestamps& ts) const override {
    if (ts.empty()) throw SerializationError("a key without timer timestamps");
    if (std::adjacent_find(ts.begin(), ts.end(), std::greater_equal<int64_t>()) != ts.end()) {
      throw SerializationError("timer timestamps of a key are not strictly increasing");
    }
  }
};

// The timer state named `name` (REQUIRES: a reserved name), created on first use
// and filled with what the backend restored under that name, if anything.
inline HeapTimerState& getOrCreateTimerState(KeyedStateBackend& backend, std::string_view name) {
  WEIR_CHECK(isReservedKeyedStateName(name));
  return getOrCreateKeyedState<HeapTimerState, HeapTimerState>(backend,
                                                               TimerStateDescriptor(std::string(name)));
}

}  // namespace detail
}  // namespace weir
