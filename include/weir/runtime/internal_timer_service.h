// InternalTimerService: the processing-time timers of a keyed operator, per key
// (Flink's InternalTimerServiceImpl).
//
// A timer is a (timestamp, serialized key) pair. Registering a timer the key
// already has at that time does nothing; deleting one it does not have does
// nothing. Only the earliest timer is registered with the task's
// ProcessingTimeService; when it fires, every due timer runs in time order with
// its key set as the current key of the keyed state backend. A timer is removed
// before its callback runs, so the callback may register it again.
//
// Checkpoints. The timers are keyed state: a HeapTimerState registered in the
// backend under kProcessingTimerStateName (weir/state/heap_timer_state.h) with
// the first timer, or at construction when the backend restored timers. The
// synchronous part of a keyed snapshot captures it like any other state, as a
// copy-on-write view per key group (O(key groups): no timer is copied, however
// many there are), and the asynchronous part writes the timers per key group,
// so that a restore at another parallelism gives every subtask exactly the
// timers of its key groups. Beside that state the service keeps a time-ordered
// index of the same timers, which is not snapshotted: the constructor rebuilds
// it from the state (holding whatever the backend restored) and schedules the
// earliest timer at once, so a timer whose time passed while the job was down
// fires as soon as the task runs its mailbox, with its key current (as in Flink).
//
// Threading: task thread only. Lifecycle: created by the operator's open(),
// REQUIRES: after the keyed state backend was restored; lives as long as the
// operator. Callbacks still pending in the ProcessingTimeService when the task
// ends are dropped with the task.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <weir/core/check.h>
#include <weir/runtime/runtime_context.h>
#include <weir/state/heap_timer_state.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {

class InternalTimerService {
 public:
  using Triggerable = std::function<void(int64_t timestamp)>;

  // Takes the timer state `stateName` of `backend` with its restored timers, if
  // the backend restored any; otherwise the state is registered with the first
  // timer (an operator that never uses timers adds nothing to its snapshots).
  InternalTimerService(ProcessingTimeService& time, KeyedStateBackend& backend, Triggerable onProcessingTime,
                       std::string_view stateName = kProcessingTimerStateName)
      : time_(time),
        backend_(backend),
        onProcessingTime_(std::move(onProcessingTime)),
        stateName_(stateName) {
    if (backend.findRestoredState(stateName_) == nullptr && backend.findState(stateName_) == nullptr) return;
    state_ = &detail::getOrCreateTimerState(backend, stateName_);
    state_->forEachTimer([&](std::string_view key, int64_t ts) { byTime_.emplace(ts, std::string(key)); });
    schedule();
  }
  InternalTimerService(const InternalTimerService&) = delete;
  InternalTimerService& operator=(const InternalTimerService&) = delete;

  int64_t currentProcessingTime() const { return time_.currentProcessingTime(); }

  // REQUIRES: a current key is set.
  void registerProcessingTimeTimer(int64_t timestamp) {
    if (state_ == nullptr) state_ = &detail::getOrCreateTimerState(backend_, stateName_);
    if (!state_->add(timestamp)) return;  // the key has a timer at that time already
    byTime_.emplace(timestamp, std::string(backend_.currentKey()));
    schedule();
  }
  // REQUIRES: a current key is set.
  void deleteProcessingTimeTimer(int64_t timestamp) {
    if (state_ == nullptr || !state_->remove(timestamp)) return;
    byTime_.erase({timestamp, std::string(backend_.currentKey())});
  }
  size_t numTimers() const { return byTime_.size(); }

 private:
  void schedule() {
    if (byTime_.empty()) return;
    int64_t next = byTime_.begin()->first;
    if (next >= scheduledAt_) return;
    scheduledAt_ = next;
    time_.registerTimer(next, [this](int64_t ts) { fire(ts); });
  }
  void fire(int64_t ts) {
    if (ts == scheduledAt_) scheduledAt_ = kNone;
    int64_t now = time_.currentProcessingTime();
    while (!byTime_.empty() && byTime_.begin()->first <= now) {
      auto node = byTime_.extract(byTime_.begin());
      const std::string& key = node.value().second;
      backend_.setCurrentKey(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      const bool removed = state_->remove(node.value().first);
      WEIR_CHECK(removed);  // the index and the state hold the same timers
      onProcessingTime_(node.value().first);
    }
    schedule();
  }

  static constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  ProcessingTimeService& time_;
  KeyedStateBackend& backend_;
  Triggerable onProcessingTime_;
  const std::string stateName_;
  detail::HeapTimerState* state_ = nullptr;  // owned by backend_: what checkpoints carry
  // The timers of *state_, in firing order.
  std::set<std::pair<int64_t, std::string>> byTime_;
  int64_t scheduledAt_ = kNone;
};

}  // namespace weir
