// SystemTimerService: one thread per process that fires wall-clock timers for
// all tasks. A fired timer does not run task code: its callback only puts a
// mail into the owning task's mailbox (see TaskProcessingTimeService), so user
// code still runs on the task thread.
//
// Thread-safe. Lifecycle: started in the constructor; the destructor stops the
// thread and drops timers that have not fired.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace weir::runtime {

int64_t wallClockMillis();

class SystemTimerService {
 public:
  SystemTimerService();
  ~SystemTimerService();
  SystemTimerService(const SystemTimerService&) = delete;
  SystemTimerService& operator=(const SystemTimerService&) = delete;

  // Calls `callback(timestamp)` on the timer thread once wallClockMillis() >= timestamp.
  // The callback must be short and must not block.
  void schedule(int64_t timestamp, std::function<void(int64_t)> callback);

 private:
  struct Timer {
    int64_t timestamp;
    uint64_t seq;
    std::function<void(int64_t)> callback;
    bool operator>(const Timer& o) const {
      return timestamp != o.timestamp ? timestamp > o.timestamp : seq > o.seq;
    }
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;  // guarded by mu_
  uint64_t nextSeq_ = 0;                                                        // guarded by mu_
  bool stop_ = false;                                                           // guarded by mu_
  std::thread thread_;
};

}  // namespace weir::runtime
