#include "runtime/async_executor.h"

namespace weir::runtime {

AsyncExecutor::AsyncExecutor(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

AsyncExecutor::~AsyncExecutor() { shutdown(); }

void AsyncExecutor::submit(std::function<void()> job) {
  std::lock_guard lock(mu_);
  if (stop_) return;
  jobs_.push_back(std::move(job));
  cv_.notify_one();
}

void AsyncExecutor::shutdown() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void AsyncExecutor::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything submitted has run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace weir::runtime
