// TaskMailbox: the queue of actions ("mails") that other threads ask a task's
// thread to run: timers, operator events, flushes, and later checkpoint
// triggers and notifications (Flink's TaskMailbox).
//
// Every mail runs on the task thread between two batches of input, so user code
// and operator state are only ever touched by that thread. put() and wakeUp()
// may be called from any thread; take*/wait only from the task thread.
// Lifecycle: OPEN -> CLOSED. After close(), put() drops mails silently (the task
// has ended; nothing may run on its behalf any more).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace weir::runtime {

class TaskMailbox {
 public:
  using Mail = std::function<void()>;

  void put(Mail mail);
  // Ends a pending (or the next) wait without a mail: input or output became available.
  void wakeUp();
  // True if a mail is queued. Cheap: the task loop calls it between batches.
  bool hasMail() const { return hasMail_.load(std::memory_order_acquire); }
  // Removes the oldest mail into `mail`; false if none.
  bool tryTake(Mail& mail);
  // Blocks until a mail is queued or wakeUp() was called since the last wait.
  void waitForMailOrWakeUp();
  void close();
  bool isClosed() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Mail> queue_;  // guarded by mu_
  bool woken_ = false;      // guarded by mu_
  bool closed_ = false;     // guarded by mu_
  // Mirrors !queue_.empty(); release on put so that a task seeing true also sees the mail.
  std::atomic<bool> hasMail_{false};
};

}  // namespace weir::runtime
