// AsyncExecutor: a small pool of threads for the asynchronous parts of
// checkpoints (serializing and writing state) so that task threads go on
// processing records meanwhile.
//
// Thread-safe. Lifecycle: the destructor runs every submitted job to its end,
// then joins the threads; submit() after shutdown() runs nothing.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace weir::runtime {

class AsyncExecutor {
 public:
  explicit AsyncExecutor(int threads);
  ~AsyncExecutor();
  AsyncExecutor(const AsyncExecutor&) = delete;
  AsyncExecutor& operator=(const AsyncExecutor&) = delete;

  void submit(std::function<void()> job);
  // Waits for queued and running jobs, then stops the threads.
  void shutdown();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stop_ = false;                       // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace weir::runtime
