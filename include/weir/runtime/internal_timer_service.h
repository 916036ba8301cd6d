// InternalTimerService: the processing-time and event-time timers of a keyed
// operator, per key (Flink's InternalTimerServiceImpl).
//
// A timer is a (timestamp, serialized key) pair in one of two time domains.
// Registering a timer the key already has at that time (in that domain) does
// nothing; deleting one it does not have does nothing. A timer is removed
// before its callback runs, so the callback may register it again; callbacks
// run with the timer's key set as the current key of the keyed state backend,
// in time order.
//
// Processing time: only the earliest timer is registered with the task's
// ProcessingTimeService; when it fires, every due timer runs.
// Event time: advanceWatermark(w) runs every event-time timer at or before w
// (the operator calls it when a watermark arrives, before forwarding it), so a
// timer registered at or before the current watermark fires with the next
// watermark.
//
// Checkpoints. The timers are keyed state: per domain a HeapTimerState
// registered in the backend (kProcessingTimerStateName, kEventTimerStateName;
// weir/state/heap_timer_state.h) with the domain's first timer, or at
// construction when the backend restored that domain's timers. The synchronous
// part of a keyed snapshot captures it like any other state, as a
// copy-on-write view per key group (O(key groups): no timer is copied, however
// many there are), and the asynchronous part writes the timers per key group,
// so that a restore at another parallelism gives every subtask exactly the
// timers of its key groups. Beside each state the service keeps a time-ordered
// index of the same timers, which is not snapshotted: the constructor rebuilds
// it from the state (holding whatever the backend restored). Restored
// processing-time timers are scheduled at once, so one whose time passed while
// the job was down fires as soon as the task runs its mailbox, with its key
// current (as in Flink); restored event-time timers fire with the first
// watermark that reaches them. The watermark itself is not state: after a
// restore event time starts again from the sources' watermarks.
//
// Threading: task thread only. Lifecycle: created by the operator's open(),
// REQUIRES: after the keyed state backend was restored; lives as long as the
// operator. Callbacks still pending in the ProcessingTimeService when the task
// ends are dropped with the task.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <weir/api/functions.h>
#include <weir/core/check.h>
#include <weir/runtime/runtime_context.h>
#include <weir/runtime/stream_operator.h>
#include <weir/state/heap_timer_state.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {

class InternalTimerService {
 public:
  using Triggerable = std::function<void(int64_t timestamp)>;

  // Takes the timer states of `backend` with their restored timers, if the
  // backend restored any; otherwise a domain's state is registered with its
  // first timer (an operator that never uses timers adds nothing to its
  // snapshots). `onEventTime` may be empty for an operator without event-time timers.
  InternalTimerService(ProcessingTimeService& time, KeyedStateBackend& backend, Triggerable onProcessingTime,
                       Triggerable onEventTime = {},
                       std::string_view processingStateName = kProcessingTimerStateName,
                       std::string_view eventStateName = kEventTimerStateName)
      : time_(time),
        backend_(backend),
        onProcessingTime_(std::move(onProcessingTime)),
        onEventTime_(std::move(onEventTime)),
        processing_(backend, processingStateName),
        event_(backend, eventStateName) {
    WEIR_CHECK_MSG(event_.empty() || onEventTime_, "restored event-time timers but no event-time callback");
    schedule();
  }
  InternalTimerService(const InternalTimerService&) = delete;
  InternalTimerService& operator=(const InternalTimerService&) = delete;

  int64_t currentProcessingTime() const { return time_.currentProcessingTime(); }
  Timestamp currentWatermark() const { return watermark_; }

  // REQUIRES: a current key is set.
  void registerProcessingTimeTimer(int64_t timestamp) {
    if (processing_.add(backend_, timestamp)) schedule();
  }
  void deleteProcessingTimeTimer(int64_t timestamp) { processing_.remove(backend_, timestamp); }
  // REQUIRES: a current key is set, and an event-time callback.
  void registerEventTimeTimer(int64_t timestamp) {
    WEIR_CHECK_MSG(onEventTime_,
                   "event-time timer registered with a service that has no event-time callback");
    event_.add(backend_, timestamp);
  }
  void deleteEventTimeTimer(int64_t timestamp) { event_.remove(backend_, timestamp); }

  // Event time has reached `watermark`: runs every event-time timer at or before it.
  void advanceWatermark(Timestamp watermark) {
    watermark_ = watermark;
    event_.fireDue(backend_, watermark, onEventTime_);
  }

  size_t numProcessingTimeTimers() const { return processing_.size(); }
  size_t numEventTimeTimers() const { return event_.size(); }
  size_t numTimers() const { return processing_.size() + event_.size(); }

 private:
  // The timers of one domain: their keyed state and its time-ordered index.
  class Queue {
   public:
    Queue(KeyedStateBackend& backend, std::string_view stateName) : stateName_(stateName) {
      if (backend.findRestoredState(stateName_) == nullptr && backend.findState(stateName_) == nullptr)
        return;
      state_ = &detail::getOrCreateTimerState(backend, stateName_);
      state_->forEachTimer([&](std::string_view key, int64_t ts) { byTime_.emplace(ts, std::string(key)); });
    }
    bool add(KeyedStateBackend& backend, int64_t timestamp) {
      if (state_ == nullptr) state_ = &detail::getOrCreateTimerState(backend, stateName_);
      if (!state_->add(timestamp)) return false;  // the key has a timer at that time already
      byTime_.emplace(timestamp, std::string(backend.currentKey()));
      return true;
    }
    void remove(KeyedStateBackend& backend, int64_t timestamp) {
      if (state_ == nullptr || !state_->remove(timestamp)) return;
      byTime_.erase({timestamp, std::string(backend.currentKey())});
    }
    // Runs every timer at or before `until`, in time order, with its key current.
    void fireDue(KeyedStateBackend& backend, int64_t until, const Triggerable& callback) {
      while (!byTime_.empty() && byTime_.begin()->first <= until) {
        auto node = byTime_.extract(byTime_.begin());
        const std::string& key = node.value().second;
        backend.setCurrentKey(reinterpret_cast<const uint8_t*>(key.data()), key.size());
        const bool removed = state_->remove(node.value().first);
        WEIR_CHECK(removed);  // the index and the state hold the same timers
        callback(node.value().first);
      }
    }
    bool empty() const { return byTime_.empty(); }
    size_t size() const { return byTime_.size(); }
    int64_t earliest() const { return byTime_.begin()->first; }

   private:
    const std::string stateName_;
    detail::HeapTimerState* state_ = nullptr;  // owned by the backend: what checkpoints carry
    // The timers of *state_, in firing order.
    std::set<std::pair<int64_t, std::string>> byTime_;
  };

  void schedule() {
    if (processing_.empty()) return;
    int64_t next = processing_.earliest();
    if (next >= scheduledAt_) return;
    scheduledAt_ = next;
    time_.registerTimer(next, [this](int64_t ts) { fireProcessingTime(ts); });
  }
  void fireProcessingTime(int64_t ts) {
    if (ts == scheduledAt_) scheduledAt_ = kNone;
    processing_.fireDue(backend_, time_.currentProcessingTime(), onProcessingTime_);
    schedule();
  }

  static constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  ProcessingTimeService& time_;
  KeyedStateBackend& backend_;
  Triggerable onProcessingTime_;
  Triggerable onEventTime_;
  Queue processing_;
  Queue event_;
  int64_t scheduledAt_ = kNone;
  Timestamp watermark_ = kMinWatermark;
};

namespace detail {
// ctx.timerService() of keyed process functions: the TimerService interface
// over an operator's InternalTimerService, which the operator creates in open()
// (so this holds a reference to the operator's pointer, not the service).
class InternalTimerServiceAdapter : public TimerService {
 public:
  explicit InternalTimerServiceAdapter(const std::unique_ptr<InternalTimerService>& timers)
      : timers_(timers) {}
  int64_t currentProcessingTime() const override { return timers_->currentProcessingTime(); }
  Timestamp currentWatermark() const override { return timers_->currentWatermark(); }
  void registerProcessingTimeTimer(int64_t t) override { timers_->registerProcessingTimeTimer(t); }
  void deleteProcessingTimeTimer(int64_t t) override { timers_->deleteProcessingTimeTimer(t); }
  void registerEventTimeTimer(int64_t t) override { timers_->registerEventTimeTimer(t); }
  void deleteEventTimeTimer(int64_t t) override { timers_->deleteEventTimeTimer(t); }

 private:
  const std::unique_ptr<InternalTimerService>& timers_;
};
}  // namespace detail

}  // namespace weir
