#include "runtime/mailbox.h"

namespace weir::runtime {

void TaskMailbox::put(Mail mail) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  queue_.push_back(std::move(mail));
  hasMail_.store(true, std::memory_order_release);
  cv_.notify_one();
}

void TaskMailbox::wakeUp() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_one();
}

bool TaskMailbox::tryTake(Mail& mail) {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return false;
  mail = std::move(queue_.front());
  queue_.pop_front();
  hasMail_.store(!queue_.empty(), std::memory_order_release);
  return true;
}

void TaskMailbox::waitForMailOrWakeUp() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return woken_ || !queue_.empty() || closed_; });
  woken_ = false;
}

void TaskMailbox::close() {
  std::deque<Mail> dropped;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    dropped.swap(queue_);
    hasMail_.store(false, std::memory_order_release);
    cv_.notify_all();
  }
}

bool TaskMailbox::isClosed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace weir::runtime
