// Credit-based flow control: RemoteInputChannel + CreditBasedTransport.
// A receiver never holds more than its exclusive buffers plus what it borrowed
// from the gate's floating pool; everything else waits in the producer's
// bounded pool. Records arrive byte-exact and in order.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include <weir/core/data_io.h>

#include "network/buffer_pool.h"
#include "network/credit_based.h"
#include "network/events.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"

namespace weir::network {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kSegment = 128;

// Waits until `pred` holds or a generous timeout passes; returns pred().
template <class Pred>
bool eventually(Pred pred) {
  auto until = std::chrono::steady_clock::now() + 5s;
  while (!pred() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  return pred();
}

// One producer partition with `channels` subpartitions, each feeding one remote
// channel of one gate (exclusive buffers per channel, floating per gate).
struct CreditPipe {
  CreditPipe(int channels, size_t producerBuffers, int exclusive, int floating)
      : global(256, kSegment),
        partition("producer", channels,
                  LocalBufferPool::create(global, producerBuffers, "producer").valueOrThrow()),
        gate("consumer", channels) {
    gate.setBufferPool(
        LocalBufferPool::create(global, size_t(channels * exclusive + floating), "gate").valueOrThrow());
    for (int c = 0; c < channels; ++c) {
      auto ch = std::make_unique<RemoteInputChannel>(gate, c, *gate.bufferPool(), exclusive);
      ch->connect(transport, partition.subpartition(c));
      remotes.push_back(ch.get());
      gate.setChannel(c, std::move(ch));
    }
    gate.bufferPool()->setAvailabilityListener([this] {
      for (auto* r : remotes) r->onFloatingBuffersAvailable();
    });
    gate.requestPartitions();
  }
  ~CreditPipe() {
    transport.shutdown();
    gate.release();
  }
  // Buffers the consumer side holds: received and queued, plus free ones it announced.
  NetworkBufferPool global;
  CreditBasedTransport transport;
  ResultPartition partition;
  InputGate gate;
  std::vector<RemoteInputChannel*> remotes;
};

std::vector<uint8_t> record(int i, size_t size) {
  std::vector<uint8_t> r(size);
  for (size_t k = 0; k < size; ++k) r[k] = uint8_t(i * 13 + k);
  return r;
}

// Reads records until end of input; returns how many.
int drain(InputGate& gate) {
  GateRecordReader reader(gate);
  DataInput in;
  int received = 0;
  for (;;) {
    auto s = reader.next(in);
    if (s == RecordReader::ReadStatus::kEndOfInput) return received;
    if (s == RecordReader::ReadStatus::kEndOfData) continue;
    if (s == RecordReader::ReadStatus::kRecord) {
      ++received;
    } else {
      std::this_thread::sleep_for(50us);
    }
  }
}

TEST(CreditBasedTest, RecordsRoundTripInOrderAcrossChannels) {
  CreditPipe pipe(3, 8, 2, 4);
  PartitionRecordWriter writer(pipe.partition, FlushMode::kOnBufferFullOrTimeout);
  const int kRecords = 3000;
  std::thread producer([&] {
    for (int i = 0; i < kRecords; ++i) {
      auto r = record(i, size_t(i % 300));
      writer.emit(r.data(), r.size(), i % 3);
    }
    writer.broadcastEvent(EndOfPartitionEvent{});
  });
  GateRecordReader reader(pipe.gate);
  std::vector<int> nextOfChannel = {0, 1, 2};
  int received = 0;
  DataInput in;
  for (;;) {
    auto s = reader.next(in);
    if (s == RecordReader::ReadStatus::kEndOfInput) break;
    if (s == RecordReader::ReadStatus::kEndOfData) continue;
    if (s == RecordReader::ReadStatus::kNothingAvailable) {
      std::this_thread::sleep_for(50us);
      continue;
    }
    int c = reader.lastChannel();
    int i = nextOfChannel[size_t(c)];
    auto expected = record(i, size_t(i % 300));
    ASSERT_EQ(in.remaining(), expected.size()) << "record " << i;
    std::vector<uint8_t> got(in.remaining());
    in.readBytes(got.data(), got.size());
    ASSERT_EQ(got, expected) << "record " << i;
    nextOfChannel[size_t(c)] += 3;
    ++received;
  }
  producer.join();
  EXPECT_EQ(received, kRecords);
  EXPECT_GT(pipe.transport.buffersTransferred(), 0u);
}

TEST(CreditBasedTest, SlowConsumerHoldsOnlyCreditedBuffersAndProducerBlocks) {
  const int kExclusive = 2, kFloating = 3;
  CreditPipe pipe(1, 6, kExclusive, kFloating);
  PartitionRecordWriter writer(pipe.partition, FlushMode::kAfterEveryRecord);
  std::atomic<int> written{0};
  std::thread producer([&] {
    for (int i = 0; i < 50; ++i) {
      auto r = record(i, 100);  // one record per buffer
      writer.emit(r.data(), r.size(), 0);
      written.fetch_add(1);
    }
    writer.broadcastEvent(EndOfPartitionEvent{});
  });
  // Nobody consumes: the receiver fills its exclusive buffers, borrows all floating
  // buffers for the backlog, then the producer's pool runs dry.
  ASSERT_TRUE(eventually([&] {
    return pipe.remotes[0]->borrowedFloatingBuffers() == 0 &&
           pipe.transport.buffersTransferred() == uint64_t(kExclusive + kFloating);
  })) << "transferred "
      << pipe.transport.buffersTransferred();
  std::this_thread::sleep_for(50ms);  // nothing more may move
  EXPECT_EQ(pipe.transport.buffersTransferred(), uint64_t(kExclusive + kFloating));
  EXPECT_EQ(pipe.partition.subpartition(0).queuedBuffers(), 6u) << "the producer's pool holds the rest";
  EXPECT_EQ(written.load(), kExclusive + kFloating + 6) << "the producer must block when its pool is empty";

  // Consume everything: credits flow back and the producer finishes.
  EXPECT_EQ(drain(pipe.gate), 50);
  producer.join();
}

TEST(CreditBasedTest, FloatingBuffersGoToTheBackloggedChannel) {
  const int kExclusive = 1, kFloating = 4;
  CreditPipe pipe(2, 20, kExclusive, kFloating);
  PartitionRecordWriter writer(pipe.partition, FlushMode::kAfterEveryRecord);
  // Only channel 0 gets data: it should borrow every floating buffer.
  for (int i = 0; i < 12; ++i) {
    auto r = record(i, 100);
    writer.emit(r.data(), r.size(), 0);
  }
  ASSERT_TRUE(
      eventually([&] { return pipe.transport.buffersTransferred() == uint64_t(kExclusive + kFloating); }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(pipe.transport.buffersTransferred(), uint64_t(kExclusive + kFloating));
  EXPECT_EQ(pipe.remotes[1]->freeBuffers(), kExclusive) << "the idle channel keeps only its exclusive buffer";
  writer.broadcastEvent(EndOfPartitionEvent{});
  EXPECT_EQ(drain(pipe.gate), 12);
}

}  // namespace
}  // namespace weir::network
