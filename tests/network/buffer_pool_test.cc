// NetworkBufferPool and LocalBufferPool: the bound on network memory, blocking
// requests (backpressure), cancellation and the availability signal.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <weir/core/cancellation.h>

#include "network/buffer_pool.h"

namespace weir::network {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kSegmentSize = 64;
// Far longer than any healthy wait here; only reached when the code under test hangs.
constexpr auto kGenerousTimeout = 5s;

std::shared_ptr<LocalBufferPool> makePool(NetworkBufferPool& global, size_t maxSegments) {
  auto pool = LocalBufferPool::create(global, maxSegments, "test pool");
  EXPECT_TRUE(pool.isOk()) << pool.status().toString();
  return std::move(pool).value();
}

TEST(LocalBufferPoolTest, NeverHandsOutMoreThanMaxSegments) {
  NetworkBufferPool global(16, kSegmentSize);
  auto pool = makePool(global, 3);
  std::vector<BufferPtr> held;
  for (int i = 0; i < 3; ++i) {
    BufferPtr b = pool->requestBuffer();
    ASSERT_NE(b, nullptr) << "buffer " << i << " of 3";
    EXPECT_EQ(b->capacity(), kSegmentSize);
    held.push_back(std::move(b));
  }
  EXPECT_EQ(pool->segmentsInUse(), 3u);
  EXPECT_FALSE(pool->isAvailable());
  // Exhausted: more requests return null however often they are tried.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pool->requestBuffer(), nullptr);
  EXPECT_EQ(pool->segmentsInUse(), 3u);

  // The three segments are distinct memory.
  std::set<const uint8_t*> segments;
  for (auto& b : held) segments.insert(b->data());
  EXPECT_EQ(segments.size(), 3u);

  // A recycled segment is reused, not a fresh one allocated beyond the limit.
  const uint8_t* recycled = held.back()->data();
  held.pop_back();
  EXPECT_EQ(pool->segmentsInUse(), 2u);
  EXPECT_TRUE(pool->isAvailable());
  BufferPtr again = pool->requestBuffer();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->data(), recycled);
  EXPECT_EQ(pool->requestBuffer(), nullptr);
}

TEST(LocalBufferPoolTest, ManyRequestRecycleCyclesStayWithinTheLimit) {
  NetworkBufferPool global(8, kSegmentSize);
  auto pool = makePool(global, 2);
  std::set<const uint8_t*> seen;
  for (int i = 0; i < 100; ++i) {
    BufferPtr a = pool->requestBuffer();
    BufferPtr b = pool->requestBuffer();
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(pool->requestBuffer(), nullptr);
    seen.insert(a->data());
    seen.insert(b->data());
  }
  EXPECT_EQ(seen.size(), 2u) << "the pool allocated more segments than its maximum";
  EXPECT_EQ(pool->segmentsInUse(), 0u);
}

TEST(LocalBufferPoolTest, BlockingRequestWaitsUntilAnotherThreadRecycles) {
  NetworkBufferPool global(4, kSegmentSize);
  auto pool = makePool(global, 1);
  BufferPtr held = pool->requestBuffer();
  ASSERT_NE(held, nullptr);
  const uint8_t* segment = held->data();

  std::atomic<bool> started{false};
  std::atomic<bool> returned{false};
  std::promise<const uint8_t*> got;
  std::future<const uint8_t*> gotFuture = got.get_future();
  std::thread requester([&] {
    started = true;
    BufferPtr b = pool->requestBufferBlocking();
    returned = true;
    got.set_value(b->data());
  });
  while (!started) std::this_thread::yield();
  // The requester cannot have a buffer: the only one is held here. Give it time to
  // (wrongly) return; a correct pool keeps it blocked however long we wait.
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned.load()) << "requestBufferBlocking returned while the pool was exhausted";

  held.reset();  // recycle: must wake the requester
  ASSERT_EQ(gotFuture.wait_for(kGenerousTimeout), std::future_status::ready)
      << "the blocked requester was not woken by a recycle";
  EXPECT_EQ(gotFuture.get(), segment);
  requester.join();
  EXPECT_EQ(pool->segmentsInUse(), 0u);
}

TEST(LocalBufferPoolTest, CancelMakesABlockedRequesterThrow) {
  NetworkBufferPool global(4, kSegmentSize);
  auto pool = makePool(global, 1);
  BufferPtr held = pool->requestBuffer();
  ASSERT_NE(held, nullptr);

  std::atomic<bool> started{false};
  std::promise<bool> threwCancelled;
  std::future<bool> threwFuture = threwCancelled.get_future();
  std::thread requester([&] {
    started = true;
    try {
      BufferPtr b = pool->requestBufferBlocking();
      threwCancelled.set_value(false);
    } catch (const TaskCancelledException&) {
      threwCancelled.set_value(true);
    }
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(10ms);  // most likely blocked by now; cancel must work either way
  pool->cancel();
  ASSERT_EQ(threwFuture.wait_for(kGenerousTimeout), std::future_status::ready)
      << "cancel() did not wake the requester";
  EXPECT_TRUE(threwFuture.get()) << "the requester got a buffer instead of TaskCancelledException";
  requester.join();

  // Later blocking requests fail at once, even when a buffer is free.
  held.reset();
  EXPECT_THROW(pool->requestBufferBlocking(), TaskCancelledException);
  EXPECT_EQ(pool->segmentsInUse(), 0u);
}

TEST(LocalBufferPoolTest, AvailabilityListenerFiresOnlyOnExhaustedToAvailable) {
  NetworkBufferPool global(4, kSegmentSize);
  auto pool = makePool(global, 2);
  std::atomic<int> calls{0};
  pool->setAvailabilityListener([&] { ++calls; });

  BufferPtr a = pool->requestBuffer();
  BufferPtr b = pool->requestBuffer();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(pool->isAvailable());
  EXPECT_EQ(calls.load(), 0);

  a.reset();  // exhausted -> available
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(pool->isAvailable());
  b.reset();  // available -> more available: no signal
  EXPECT_EQ(calls.load(), 1);

  // A second exhaustion and recycle signals again, here from another thread.
  a = pool->requestBuffer();
  b = pool->requestBuffer();
  ASSERT_NE(b, nullptr);
  std::thread([&] { b.reset(); }).join();
  EXPECT_EQ(calls.load(), 2);
  a.reset();
  EXPECT_EQ(calls.load(), 2);
}

TEST(LocalBufferPoolTest, ListenerNotCalledWhilePoolHadNotYetAllocatedAllSegments) {
  // A pool that never ran out must not signal: allocation is lazy, so "free list empty"
  // alone does not mean exhausted.
  NetworkBufferPool global(4, kSegmentSize);
  auto pool = makePool(global, 3);
  int calls = 0;
  pool->setAvailabilityListener([&] { ++calls; });
  BufferPtr a = pool->requestBuffer();
  a.reset();
  BufferPtr b = pool->requestBuffer();
  BufferPtr c = pool->requestBuffer();
  b.reset();
  c.reset();
  EXPECT_EQ(calls, 0);
}

TEST(NetworkBufferPoolTest, ReserveFailsWithActionableMessageWhenBudgetTooSmall) {
  NetworkBufferPool global(5, kSegmentSize);
  EXPECT_EQ(global.totalSegments(), 5u);
  auto first = LocalBufferPool::create(global, 3, "Source: numbers (1/2) -> Map");
  ASSERT_TRUE(first.isOk());
  EXPECT_EQ(global.reservedSegments(), 3u);

  auto second = LocalBufferPool::create(global, 3, "Source: numbers (2/2) -> Map");
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = second.status().message();
  EXPECT_NE(msg.find("taskmanager.memory.network.max"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Source: numbers (2/2) -> Map"), std::string::npos) << "names the owner: " << msg;
  // A failed reservation takes nothing.
  EXPECT_EQ(global.reservedSegments(), 3u);

  // What is left can still be reserved exactly.
  auto exact = LocalBufferPool::create(global, 2, "exact fit");
  ASSERT_TRUE(exact.isOk()) << exact.status().toString();
  EXPECT_EQ(global.reservedSegments(), 5u);
}

TEST(NetworkBufferPoolTest, ReleaseAndPoolDestructionReturnTheBudget) {
  NetworkBufferPool global(4, kSegmentSize);
  ASSERT_TRUE(global.reserve(4, "direct").isOk());
  Status full = global.reserve(1, "one more");
  EXPECT_EQ(full.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(full.message().find("taskmanager.memory.network.max"), std::string::npos) << full.message();
  global.release(4);
  EXPECT_EQ(global.reservedSegments(), 0u);

  {
    auto pool = makePool(global, 4);
    EXPECT_EQ(global.reservedSegments(), 4u);
    EXPECT_FALSE(LocalBufferPool::create(global, 1, "while full").isOk());
    BufferPtr b = pool->requestBuffer();  // allocate a segment so that destruction returns memory too
    ASSERT_NE(b, nullptr);
  }
  EXPECT_EQ(global.reservedSegments(), 0u) << "destroying a LocalBufferPool must release its reservation";
  auto again = LocalBufferPool::create(global, 4, "after release");
  EXPECT_TRUE(again.isOk()) << again.status().toString();
}

TEST(NetworkBufferPoolTest, SegmentsAreReusedAcrossLocalPools) {
  NetworkBufferPool global(2, kSegmentSize);
  const uint8_t* first;
  {
    auto pool = makePool(global, 2);
    BufferPtr b = pool->requestBuffer();
    first = b->data();
  }
  auto pool = makePool(global, 2);
  BufferPtr b = pool->requestBuffer();
  EXPECT_EQ(b->data(), first) << "a freed segment should be handed to the next pool instead of new memory";
}

}  // namespace
}  // namespace weir::network
