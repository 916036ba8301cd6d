#include "runtime/timer_service.h"

#include <chrono>

namespace weir::runtime {

int64_t wallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemTimerService::SystemTimerService() : thread_([this] { run(); }) {}

SystemTimerService::~SystemTimerService() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void SystemTimerService::schedule(int64_t timestamp, std::function<void(int64_t)> callback) {
  std::lock_guard lock(mu_);
  bool earliest = timers_.empty() || timestamp < timers_.top().timestamp;
  timers_.push(Timer{timestamp, nextSeq_++, std::move(callback)});
  if (earliest) cv_.notify_all();
}

void SystemTimerService::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (timers_.empty()) {
      cv_.wait(lock);
      continue;
    }
    int64_t now = wallClockMillis();
    int64_t due = timers_.top().timestamp;
    if (due > now) {
      cv_.wait_for(lock, std::chrono::milliseconds(due - now));
      continue;
    }
    Timer t = timers_.top();
    timers_.pop();
    lock.unlock();
    t.callback(t.timestamp);
    lock.lock();
  }
}

}  // namespace weir::runtime
