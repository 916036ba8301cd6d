// InternalTimerService: the processing-time timers of a keyed operator, per key
// (Flink's InternalTimerServiceImpl).
//
// Timers are (timestamp, serialized key) pairs, deduplicated and ordered by
// time. Only the earliest is registered with the task's ProcessingTimeService;
// when it fires, every due timer runs with its key set as the current key of the
// keyed state backend. (Timers become part of keyed state snapshots with the
// checkpoint issue, and event-time timers come with watermarks.)
//
// Threading: task thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <weir/runtime/runtime_context.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {

class InternalTimerService {
 public:
  using Triggerable = std::function<void(int64_t timestamp)>;

  InternalTimerService(ProcessingTimeService& time, KeyedStateBackend& backend, Triggerable onProcessingTime)
      : time_(time), backend_(backend), onProcessingTime_(std::move(onProcessingTime)) {}

  int64_t currentProcessingTime() const { return time_.currentProcessingTime(); }

  // REQUIRES: a current key is set.
  void registerProcessingTimeTimer(int64_t timestamp) {
    timers_.emplace(timestamp, std::string(backend_.currentKey()));
    schedule();
  }
  void deleteProcessingTimeTimer(int64_t timestamp) {
    timers_.erase({timestamp, std::string(backend_.currentKey())});
  }
  size_t numTimers() const { return timers_.size(); }

 private:
  void schedule() {
    if (timers_.empty()) return;
    int64_t next = timers_.begin()->first;
    if (next >= scheduledAt_) return;
    scheduledAt_ = next;
    time_.registerTimer(next, [this](int64_t ts) { fire(ts); });
  }
  void fire(int64_t ts) {
    if (ts == scheduledAt_) scheduledAt_ = kNone;
    int64_t now = time_.currentProcessingTime();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto node = timers_.extract(timers_.begin());
      const std::string& key = node.value().second;
      backend_.setCurrentKey(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      onProcessingTime_(node.value().first);
    }
    schedule();
  }

  static constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  ProcessingTimeService& time_;
  KeyedStateBackend& backend_;
  Triggerable onProcessingTime_;
  std::set<std::pair<int64_t, std::string>> timers_;
  int64_t scheduledAt_ = kNone;
};

}  // namespace weir
