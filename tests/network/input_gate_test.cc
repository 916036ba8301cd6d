// InputGate, LocalInputChannel and ResultSubpartition: who is notified when, and
// in which order the gate serves channels with data.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <weir/core/cancellation.h>
#include <weir/core/check.h>

#include "network/buffer_pool.h"
#include "network/input_gate.h"
#include "network/result_partition.h"

namespace weir::network {
namespace {

constexpr uint32_t kSegmentSize = 64;

class CountingListener final : public BufferAvailabilityListener {
 public:
  void notifyDataAvailable() override { ++calls; }
  std::atomic<int> calls{0};
};

std::shared_ptr<LocalBufferPool> makePool(NetworkBufferPool& global, size_t n) {
  auto pool = LocalBufferPool::create(global, n, "test partition");
  EXPECT_TRUE(pool.isOk()) << pool.status().toString();
  return std::move(pool).value();
}

// A data buffer whose first byte is `tag`, to recognise it after the trip.
BufferPtr taggedBuffer(LocalBufferPool& pool, uint8_t tag) {
  BufferPtr b = pool.requestBuffer();
  WEIR_CHECK(b != nullptr);
  b->data()[0] = tag;
  b->setSize(1);
  return b;
}

// A partition of `n` subpartitions wired to a gate of `n` local channels.
struct Wiring {
  explicit Wiring(int n) : global(64, kSegmentSize), partition("p", n, makePool(global, 32)), gate("g", n) {
    for (int c = 0; c < n; ++c) {
      gate.setChannel(c, std::make_unique<LocalInputChannel>(gate, c, partition.subpartition(c)));
    }
    gate.setAvailabilityListener([this] { ++gateSignals; });
  }
  void add(int channel, uint8_t tag) {
    partition.subpartition(channel).add(taggedBuffer(partition.bufferPool(), tag));
  }

  NetworkBufferPool global;
  ResultPartition partition;
  InputGate gate;
  std::atomic<int> gateSignals{0};
};

TEST(ResultSubpartitionTest, NotifiesOnlyOnEmptyToNonEmpty) {
  NetworkBufferPool global(16, kSegmentSize);
  ResultPartition partition("p", 1, makePool(global, 8));
  ResultSubpartition& sub = partition.subpartition(0);
  CountingListener listener;
  sub.setListener(&listener);
  EXPECT_EQ(listener.calls.load(), 0) << "nothing queued yet: no notification";

  sub.add(taggedBuffer(partition.bufferPool(), 1));
  EXPECT_EQ(listener.calls.load(), 1);
  sub.add(taggedBuffer(partition.bufferPool(), 2));
  sub.add(taggedBuffer(partition.bufferPool(), 3));
  EXPECT_EQ(listener.calls.load(), 1) << "adding to a non-empty queue must not notify again";
  EXPECT_EQ(sub.queuedBuffers(), 3u);

  BufferAndAvailability a = sub.poll();
  ASSERT_NE(a.buffer, nullptr);
  EXPECT_EQ(a.buffer->data()[0], 1);
  EXPECT_TRUE(a.moreAvailable);
  BufferAndAvailability b = sub.poll();
  EXPECT_EQ(b.buffer->data()[0], 2);
  EXPECT_TRUE(b.moreAvailable);
  BufferAndAvailability c = sub.poll();
  EXPECT_EQ(c.buffer->data()[0], 3);
  EXPECT_FALSE(c.moreAvailable) << "the last buffer must say the queue is now empty";
  BufferAndAvailability none = sub.poll();
  EXPECT_EQ(none.buffer, nullptr);
  EXPECT_FALSE(none.moreAvailable);

  sub.add(taggedBuffer(partition.bufferPool(), 4));  // empty again -> non-empty
  EXPECT_EQ(listener.calls.load(), 2);
  sub.setListener(nullptr);
}

TEST(ResultSubpartitionTest, DataQueuedBeforeTheListenerIsAnnouncedWhenItConnects) {
  NetworkBufferPool global(16, kSegmentSize);
  ResultPartition partition("p", 1, makePool(global, 8));
  ResultSubpartition& sub = partition.subpartition(0);
  sub.add(taggedBuffer(partition.bufferPool(), 7));
  CountingListener listener;
  sub.setListener(&listener);
  EXPECT_EQ(listener.calls.load(), 1) << "a consumer connecting late would otherwise never be woken";
  sub.add(taggedBuffer(partition.bufferPool(), 8));
  EXPECT_EQ(listener.calls.load(), 1);
  sub.setListener(nullptr);
}

TEST(InputGateTest, AvailabilityListenerCalledWhenAChannelBecomesNonEmpty) {
  Wiring w(3);
  w.gate.requestPartitions();
  EXPECT_EQ(w.gateSignals.load(), 0);
  EXPECT_FALSE(w.gate.hasChannelsWithData());
  EXPECT_FALSE(w.gate.pollNext().has_value());

  w.add(1, 10);
  EXPECT_EQ(w.gateSignals.load(), 1);
  EXPECT_TRUE(w.gate.hasChannelsWithData());
  w.add(2, 20);  // the gate already has data: no new signal
  w.add(1, 11);
  EXPECT_EQ(w.gateSignals.load(), 1);

  int polled = 0;
  while (w.gate.pollNext()) ++polled;
  EXPECT_EQ(polled, 3);
  EXPECT_FALSE(w.gate.hasChannelsWithData());

  // Drained: the next buffer on any channel signals again, from a producer thread too.
  std::thread([&] { w.add(0, 30); }).join();
  EXPECT_EQ(w.gateSignals.load(), 2);
  auto next = w.gate.pollNext();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->channel, 0);
  EXPECT_EQ(next->buffer->data()[0], 30);
  EXPECT_FALSE(next->moreAvailable);
}

TEST(InputGateTest, DataQueuedBeforeRequestPartitionsSignalsOnConnect) {
  Wiring w(2);
  w.add(1, 5);
  EXPECT_EQ(w.gateSignals.load(), 0) << "not connected yet";
  w.gate.requestPartitions();
  EXPECT_EQ(w.gateSignals.load(), 1);
  auto next = w.gate.pollNext();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->channel, 1);
  EXPECT_EQ(next->buffer->data()[0], 5);
}

TEST(InputGateTest, PollNextRoundRobinsOverChannelsWithData) {
  Wiring w(3);
  w.gate.requestPartitions();
  // Channels become non-empty in the order 0, 1, 2; channel 0 and 1 have three buffers, 2 has one.
  w.add(0, 0x00);
  w.add(1, 0x10);
  w.add(2, 0x20);
  w.add(0, 0x01);
  w.add(1, 0x11);
  w.add(0, 0x02);
  w.add(1, 0x12);

  std::vector<int> channels;
  std::vector<int> tags;
  while (auto next = w.gate.pollNext()) {
    channels.push_back(next->channel);
    tags.push_back(next->buffer->data()[0]);
  }
  EXPECT_EQ(channels, (std::vector<int>{0, 1, 2, 0, 1, 0, 1}));
  // Within a channel, buffers keep their order.
  EXPECT_EQ(tags, (std::vector<int>{0x00, 0x10, 0x20, 0x01, 0x11, 0x02, 0x12}));
}

TEST(InputGateTest, ChannelRefilledAfterDrainGoesToTheBackOfTheQueue) {
  Wiring w(3);
  w.gate.requestPartitions();
  w.add(0, 1);
  w.add(1, 2);
  auto first = w.gate.pollNext();  // drains channel 0
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->channel, 0);
  w.add(2, 3);
  w.add(0, 4);  // channel 0 has data again, after channel 2
  std::vector<int> order;
  while (auto next = w.gate.pollNext()) order.push_back(next->channel);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 0}));
}

TEST(InputGateTest, ConcurrentProducersLoseNoBufferAndNoWakeUp) {
  // Four producer threads feed four channels while the test thread polls, waiting
  // only on the gate's signal. A lost notification shows up as a hang (bounded by
  // the timeout) or a missing buffer.
  constexpr int kChannels = 4;
  constexpr int kPerChannel = 500;
  NetworkBufferPool global(kChannels * 4, kSegmentSize);
  std::vector<std::unique_ptr<ResultPartition>> partitions;
  for (int c = 0; c < kChannels; ++c)
    partitions.push_back(std::make_unique<ResultPartition>("p", 1, makePool(global, 4)));
  InputGate gate("g", kChannels);
  for (int c = 0; c < kChannels; ++c)
    gate.setChannel(c, std::make_unique<LocalInputChannel>(gate, c, partitions[size_t(c)]->subpartition(0)));
  std::mutex mu;
  std::condition_variable cv;
  bool signalled = false;
  gate.setAvailabilityListener([&] {
    std::lock_guard lock(mu);
    signalled = true;
    cv.notify_all();
  });
  gate.requestPartitions();

  std::vector<std::thread> producers;
  for (int c = 0; c < kChannels; ++c) {
    producers.emplace_back([&, c] {
      LocalBufferPool& pool = partitions[size_t(c)]->bufferPool();
      try {
        for (int i = 0; i < kPerChannel; ++i) {
          BufferPtr b = pool.requestBufferBlocking();  // backpressured by the consumer below
          b->data()[0] = uint8_t(i);
          b->setSize(1);
          partitions[size_t(c)]->subpartition(0).add(std::move(b));
        }
      } catch (const TaskCancelledException&) {
        // Only after the consumer timed out; reported below.
      }
    });
  }
  std::vector<int> next(kChannels, 0);
  int received = 0;
  bool timedOut = false;
  while (received < kChannels * kPerChannel) {
    if (auto b = gate.pollNext()) {
      EXPECT_EQ(b->buffer->data()[0], uint8_t(next[size_t(b->channel)])) << "channel " << b->channel;
      ++next[size_t(b->channel)];
      ++received;
      continue;
    }
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return signalled; })) {
      timedOut = true;
      break;
    }
    signalled = false;
  }
  if (timedOut) {
    for (auto& p : partitions) p->bufferPool().cancel();
  }
  for (auto& t : producers) t.join();
  ASSERT_FALSE(timedOut) << "consumer starved after " << received << " buffers: a notification was lost";
  EXPECT_EQ(next, std::vector<int>(kChannels, kPerChannel));
}

// Regression: ResultPartition destroyed its pool before its subpartitions, so a
// partition destroyed with buffers still queued (a job that failed or was
// cancelled while data was in flight) recycled them into a dead pool and aborted
// with "a buffer outlived its pool".
TEST(ResultPartitionTest, DestroyedWithQueuedBuffersReturnsThemToItsPool) {
  NetworkBufferPool global(8, kSegmentSize);
  {
    ResultPartition partition("p", 2, makePool(global, 4));  // the partition is the pool's only owner
    partition.subpartition(0).add(taggedBuffer(partition.bufferPool(), 1));
    partition.subpartition(1).add(taggedBuffer(partition.bufferPool(), 2));
    EXPECT_EQ(global.reservedSegments(), 4u);
  }
  EXPECT_EQ(global.reservedSegments(), 0u);
}

}  // namespace
}  // namespace weir::network
