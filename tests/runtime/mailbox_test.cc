// TaskMailbox (the queue through which other threads reach a task thread) and
// SystemTimerService (the process-wide wall-clock timer thread).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/mailbox.h"
#include "runtime/timer_service.h"

namespace weir::runtime {
namespace {

using namespace std::chrono_literals;
constexpr auto kGenerousTimeout = 5s;

// Runs every queued mail on the calling thread; returns how many ran.
int drain(TaskMailbox& mailbox) {
  int n = 0;
  TaskMailbox::Mail mail;
  while (mailbox.tryTake(mail)) {
    mail();
    ++n;
  }
  return n;
}

TEST(TaskMailboxTest, MailsRunInFifoOrder) {
  TaskMailbox mailbox;
  EXPECT_FALSE(mailbox.hasMail());
  std::vector<int> ran;
  for (int i = 0; i < 100; ++i) mailbox.put([&ran, i] { ran.push_back(i); });
  EXPECT_TRUE(mailbox.hasMail());
  EXPECT_EQ(drain(mailbox), 100);
  EXPECT_FALSE(mailbox.hasMail());
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[size_t(i)] = i;
  EXPECT_EQ(ran, expected);
}

TEST(TaskMailboxTest, TryTakeOnEmptyMailboxReturnsFalse) {
  TaskMailbox mailbox;
  TaskMailbox::Mail mail;
  EXPECT_FALSE(mailbox.tryTake(mail));
  mailbox.put([] {});
  EXPECT_TRUE(mailbox.tryTake(mail));
  EXPECT_FALSE(mailbox.hasMail());
  EXPECT_FALSE(mailbox.tryTake(mail));
}

TEST(TaskMailboxTest, MailPutFromInsideAMailRunsAfterTheQueuedOnes) {
  TaskMailbox mailbox;
  std::vector<int> ran;
  mailbox.put([&] {
    ran.push_back(1);
    mailbox.put([&] { ran.push_back(3); });
  });
  mailbox.put([&] { ran.push_back(2); });
  drain(mailbox);
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
}

TEST(TaskMailboxTest, PutsFromManyThreadsAllRunAndKeepPerThreadOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  TaskMailbox mailbox;
  // Only the "task thread" (this one) runs mails, so `seen` needs no lock.
  std::vector<std::vector<int>> seen(kThreads);
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) mailbox.put([&seen, t, i] { seen[size_t(t)].push_back(i); });
    });
  }
  int ran = 0;
  auto deadline = std::chrono::steady_clock::now() + kGenerousTimeout;
  while (ran < kThreads * kPerThread && std::chrono::steady_clock::now() < deadline) {
    if (!mailbox.hasMail()) {
      mailbox.waitForMailOrWakeUp();
      continue;
    }
    ran += drain(mailbox);
  }
  for (auto& p : producers) p.join();
  ASSERT_EQ(ran, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[size_t(t)].size(), size_t(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[size_t(t)][size_t(i)], i) << "thread " << t;
  }
}

TEST(TaskMailboxTest, PutWakesAWaitingTaskThread) {
  TaskMailbox mailbox;
  std::atomic<bool> waiting{false};
  auto waited = std::async(std::launch::async, [&] {
    waiting = true;
    mailbox.waitForMailOrWakeUp();
    TaskMailbox::Mail mail;
    return mailbox.tryTake(mail);
  });
  while (!waiting) std::this_thread::yield();
  mailbox.put([] {});
  ASSERT_EQ(waited.wait_for(kGenerousTimeout), std::future_status::ready) << "put did not end the wait";
  EXPECT_TRUE(waited.get());
}

TEST(TaskMailboxTest, WakeUpEndsAWaitWithoutMail) {
  TaskMailbox mailbox;
  std::atomic<bool> waiting{false};
  std::atomic<bool> returned{false};
  auto waited = std::async(std::launch::async, [&] {
    waiting = true;
    mailbox.waitForMailOrWakeUp();
    returned = true;
  });
  while (!waiting) std::this_thread::yield();
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(returned.load()) << "the wait returned with neither mail nor wake-up";
  mailbox.wakeUp();
  ASSERT_EQ(waited.wait_for(kGenerousTimeout), std::future_status::ready) << "wakeUp did not end the wait";
  EXPECT_FALSE(mailbox.hasMail());
  TaskMailbox::Mail mail;
  EXPECT_FALSE(mailbox.tryTake(mail));
}

TEST(TaskMailboxTest, WakeUpBeforeTheWaitEndsTheNextWaitOnce) {
  TaskMailbox mailbox;
  mailbox.wakeUp();  // e.g. a buffer was recycled while the task was still processing
  auto first = std::async(std::launch::async, [&] { mailbox.waitForMailOrWakeUp(); });
  ASSERT_EQ(first.wait_for(kGenerousTimeout), std::future_status::ready)
      << "a wake-up before the wait was lost";

  // The wake-up was consumed: the next wait blocks until something new happens.
  std::atomic<bool> returned{false};
  auto second = std::async(std::launch::async, [&] {
    mailbox.waitForMailOrWakeUp();
    returned = true;
  });
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(returned.load()) << "one wake-up ended two waits";
  mailbox.wakeUp();
  ASSERT_EQ(second.wait_for(kGenerousTimeout), std::future_status::ready);
}

TEST(TaskMailboxTest, CloseDropsQueuedAndLaterMails) {
  TaskMailbox mailbox;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  int ran = 0;
  mailbox.put([&ran, token] { ++ran; });
  mailbox.put([&ran] { ++ran; });
  token.reset();
  EXPECT_FALSE(alive.expired()) << "the queued mail holds the token";
  EXPECT_FALSE(mailbox.isClosed());

  mailbox.close();
  EXPECT_TRUE(mailbox.isClosed());
  EXPECT_TRUE(alive.expired()) << "close must destroy the dropped mails (and what they captured)";
  EXPECT_FALSE(mailbox.hasMail());
  EXPECT_EQ(drain(mailbox), 0);

  mailbox.put([&ran] { ++ran; });  // after close: dropped silently
  EXPECT_FALSE(mailbox.hasMail());
  EXPECT_EQ(drain(mailbox), 0);
  EXPECT_EQ(ran, 0);
}

TEST(TaskMailboxTest, CloseEndsAWaitAndLaterWaitsReturnAtOnce) {
  TaskMailbox mailbox;
  std::atomic<bool> waiting{false};
  auto waited = std::async(std::launch::async, [&] {
    waiting = true;
    mailbox.waitForMailOrWakeUp();
  });
  while (!waiting) std::this_thread::yield();
  mailbox.close();
  ASSERT_EQ(waited.wait_for(kGenerousTimeout), std::future_status::ready) << "close did not end the wait";
  auto again = std::async(std::launch::async, [&] { mailbox.waitForMailOrWakeUp(); });
  EXPECT_EQ(again.wait_for(kGenerousTimeout), std::future_status::ready) << "a closed mailbox must not block";
}

// ---- SystemTimerService ----

struct Fired {
  int64_t scheduledFor;
  int64_t passed;  // the timestamp given to the callback
  int64_t firedAt;
  int id;
};

class FiredLog {
 public:
  std::function<void(int64_t)> callback(int64_t scheduledFor, int id) {
    return [this, scheduledFor, id](int64_t ts) {
      std::lock_guard lock(mu_);
      fired_.push_back({scheduledFor, ts, wallClockMillis(), id});
      cv_.notify_all();
    };
  }
  bool waitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kGenerousTimeout, [&] { return fired_.size() >= n; });
  }
  std::vector<Fired> fired() {
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Fired> fired_;
};

TEST(SystemTimerServiceTest, FiresTimersInTimestampOrderNotRegistrationOrder) {
  FiredLog log;
  SystemTimerService timers;
  int64_t now = wallClockMillis();
  // Registered latest-first; equal timestamps keep registration order.
  timers.schedule(now + 40, log.callback(now + 40, 0));
  timers.schedule(now + 30, log.callback(now + 30, 1));
  timers.schedule(now + 10, log.callback(now + 10, 2));
  timers.schedule(now + 20, log.callback(now + 20, 3));
  timers.schedule(now + 10, log.callback(now + 10, 4));
  ASSERT_TRUE(log.waitFor(5));
  std::vector<Fired> fired = log.fired();
  std::vector<int> order;
  for (const Fired& f : fired) {
    order.push_back(f.id);
    EXPECT_EQ(f.passed, f.scheduledFor) << "the callback gets its own timestamp";
    EXPECT_GE(f.firedAt, f.scheduledFor) << "timer " << f.id << " fired early";
  }
  EXPECT_EQ(order, (std::vector<int>{2, 4, 3, 1, 0}));
}

TEST(SystemTimerServiceTest, EarlierTimerRegisteredWhileWaitingForALaterOneFiresFirst) {
  FiredLog log;
  SystemTimerService timers;
  int64_t now = wallClockMillis();
  timers.schedule(now + 300, log.callback(now + 300, 0));
  std::this_thread::sleep_for(5ms);  // the timer thread is now waiting for the +300 timer
  timers.schedule(now + 15, log.callback(now + 15, 1));
  ASSERT_TRUE(log.waitFor(1));
  std::vector<Fired> fired = log.fired();
  EXPECT_EQ(fired[0].id, 1);
  EXPECT_LT(fired[0].firedAt, now + 300) << "the earlier timer waited for the later one";
}

TEST(SystemTimerServiceTest, TimersInThePastFireAtOnce) {
  FiredLog log;
  SystemTimerService timers;
  int64_t now = wallClockMillis();
  // The earlier timer is scheduled first: the timer thread may run it before the
  // second call, and the order must not depend on that.
  timers.schedule(0, log.callback(0, 1));
  timers.schedule(now - 1000, log.callback(now - 1000, 0));
  ASSERT_TRUE(log.waitFor(2));
  std::vector<Fired> fired = log.fired();
  EXPECT_EQ(fired[0].id, 1);
  EXPECT_EQ(fired[1].id, 0);
}

TEST(SystemTimerServiceTest, DestructionDropsTimersThatHaveNotFired) {
  std::atomic<int> calls{0};
  auto start = std::chrono::steady_clock::now();
  {
    SystemTimerService timers;
    timers.schedule(wallClockMillis() + 3'600'000, [&](int64_t) { ++calls; });
  }
  EXPECT_EQ(calls.load(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "the destructor waited for a pending timer";
}

}  // namespace
}  // namespace weir::runtime
