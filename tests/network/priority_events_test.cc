// The network side of unaligned checkpoints: priority events overtake queued
// buffers (in a subpartition, and in a remote channel's received queue) and hand
// back copies of what they overtook; a gate delivers restored in-flight data
// before live data; a reader persists exactly the in-flight bytes of a channel,
// so that persisted bytes + what follows the barrier read back as the original
// records, whatever buffer or record the barrier cut.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <weir/core/check.h>
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

BufferPtr dataBuffer(uint8_t tag) { return Buffer::makeOwnedData({tag}); }

BufferPtr priorityBarrier(int64_t id) {
  return Buffer::makeEvent(
      serializeEvent(CheckpointBarrier{id, 0, CheckpointKind::kCheckpoint, BarrierAlignment::kUnaligned}),
      BufferKind::kPriorityEvent);
}

int64_t barrierId(const Buffer& b) {
  Result<TaskEvent> e = deserializeEvent(b.data(), b.size());
  WEIR_CHECK(e.isOk());
  return std::get<CheckpointBarrier>(*e).id;
}

// Tags of data buffers, ids (as -id) of priority barriers and 0 for other events, in poll order.
std::vector<int> drainSubpartition(ResultSubpartition& s) {
  std::vector<int> order;
  for (;;) {
    BufferAndAvailability b = s.poll();
    if (!b.buffer) break;
    order.push_back(b.buffer->isPriorityEvent() ? -int(barrierId(*b.buffer))
                    : b.buffer->isEvent()       ? 0
                                                : b.buffer->data()[0]);
  }
  return order;
}

TEST(PriorityEventsTest, PriorityEventOvertakesQueuedBuffersAndReturnsTheirCopies) {
  ResultSubpartition s(0);
  s.add(dataBuffer(1));
  s.add(dataBuffer(2));
  s.add(Buffer::makeEvent(serializeEvent(EndOfDataEvent{})));
  s.add(dataBuffer(3));
  std::vector<BufferBytes> overtaken = s.addPriorityEvent(priorityBarrier(7));
  ASSERT_EQ(overtaken.size(), 3u) << "data buffers only, events are not channel state";
  EXPECT_EQ(overtaken[0], BufferBytes{1});
  EXPECT_EQ(overtaken[2], BufferBytes{3});
  // A second priority event queues behind the first, ahead of the data.
  s.add(dataBuffer(4));
  EXPECT_EQ(s.addPriorityEvent(priorityBarrier(8)).size(), 4u);
  BufferAndAvailability head = s.pollPriorityEvent();
  ASSERT_TRUE(head.buffer);
  EXPECT_EQ(barrierId(*head.buffer), 7);
  std::vector<int> order = drainSubpartition(s);
  // Barrier 8, then the data in its original order; the EndOfData event keeps its place.
  EXPECT_EQ(order, (std::vector<int>{-8, 1, 2, 0, 3, 4}));
  EXPECT_FALSE(s.pollPriorityEvent().buffer) << "no priority event left";
}

TEST(PriorityEventsTest, GateDeliversPriorityEventsOutOfTurnAndTellsItsListener) {
  NetworkBufferPool global(16, 64);
  ResultPartition partition("p", 2, LocalBufferPool::create(global, 8, "p").valueOrThrow());
  InputGate gate("g", 2);
  for (int c = 0; c < 2; ++c)
    gate.setChannel(c, std::make_unique<LocalInputChannel>(gate, c, partition.subpartition(c)));
  int priorityCalls = 0;
  gate.setPriorityEventListener([&] { ++priorityCalls; });
  gate.requestPartitions();
  partition.subpartition(0).add(dataBuffer(10));
  partition.subpartition(1).add(dataBuffer(20));
  partition.subpartition(1).add(dataBuffer(21));
  EXPECT_FALSE(gate.hasPriorityEvent());
  partition.subpartition(1).addPriorityEvent(priorityBarrier(3));
  EXPECT_EQ(priorityCalls, 1);
  EXPECT_TRUE(gate.hasPriorityEvent());
  std::optional<BufferOrEvent> p = gate.pollPriorityEvent();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->channel, 1);
  EXPECT_EQ(barrierId(*p->buffer), 3);
  EXPECT_FALSE(gate.pollPriorityEvent().has_value());
  EXPECT_FALSE(gate.hasPriorityEvent());
  // The rest comes in turn, each channel in its order.
  std::vector<int> tags;
  while (std::optional<BufferOrEvent> b = gate.pollNext()) tags.push_back(b->buffer->data()[0]);
  EXPECT_EQ(tags, (std::vector<int>{10, 20, 21}));
}

TEST(PriorityEventsTest, PriorityEventAlreadyTakenInTurnIsNotDeliveredTwice) {
  ResultSubpartition sub(0);
  InputGate gate("g", 1);
  gate.setChannel(0, std::make_unique<LocalInputChannel>(gate, 0, sub));
  gate.requestPartitions();
  sub.add(dataBuffer(1));
  sub.addPriorityEvent(priorityBarrier(5));
  std::optional<BufferOrEvent> first = gate.pollNext();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->buffer->isPriorityEvent());
  EXPECT_FALSE(gate.pollPriorityEvent().has_value()) << "the notification is stale: the data stays in turn";
  std::optional<BufferOrEvent> second = gate.pollNext();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->buffer->data()[0], 1);
}

TEST(PriorityEventsTest, RecoveredBuffersComeFirstAndPriorityEventsWaitBehindThem) {
  ResultSubpartition sub(0);
  InputGate gate("g", 1);
  gate.setChannel(0, std::make_unique<LocalInputChannel>(gate, 0, sub));
  std::vector<BufferPtr> recovered;
  recovered.push_back(dataBuffer(1));
  recovered.push_back(dataBuffer(2));
  gate.addRecoveredBuffers(0, std::move(recovered));
  gate.requestPartitions();
  sub.add(dataBuffer(3));
  sub.addPriorityEvent(priorityBarrier(9));
  // The barrier belongs after the recovered data (the upstream snapshotted after sending it).
  EXPECT_FALSE(gate.pollPriorityEvent().has_value());
  std::vector<int> order;
  while (std::optional<BufferOrEvent> b = gate.pollNext())
    order.push_back(b->buffer->isEvent() ? -int(barrierId(*b->buffer)) : b->buffer->data()[0]);
  EXPECT_EQ(order, (std::vector<int>{1, 2, -9, 3}));
}

TEST(PriorityEventsTest, RemoteChannelPriorityEventOvertakesReceivedBuffers) {
  NetworkBufferPool global(64, 128);
  CreditBasedTransport transport;
  ResultPartition partition("producer", 1, LocalBufferPool::create(global, 8, "producer").valueOrThrow());
  InputGate gate("consumer", 1);
  gate.setBufferPool(LocalBufferPool::create(global, 4, "gate").valueOrThrow());
  auto channel = std::make_unique<RemoteInputChannel>(gate, 0, *gate.bufferPool(), 4);
  RemoteInputChannel* remote = channel.get();
  channel->connect(transport, partition.subpartition(0));
  gate.setChannel(0, std::move(channel));
  std::atomic<int> priorityCalls{0};  // the transport thread calls the listener
  gate.setPriorityEventListener([&] { ++priorityCalls; });
  gate.requestPartitions();
  PartitionRecordWriter writer(partition, FlushMode::kAfterEveryRecord);
  for (uint8_t r = 1; r <= 3; ++r) writer.emit(&r, 1, 0);
  auto until = std::chrono::steady_clock::now() + 5s;
  while (remote->queuedBuffers() < 3 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(remote->queuedBuffers(), 3u) << "the three buffers reached the consumer side";
  writer.broadcastPriorityEvent(
      CheckpointBarrier{4, 0, CheckpointKind::kCheckpoint, BarrierAlignment::kUnaligned});
  while (remote->queuedBuffers() < 4 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  std::optional<BufferOrEvent> p = gate.pollPriorityEvent();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(barrierId(*p->buffer), 4);
  ASSERT_EQ(p->overtaken.size(), 3u) << "copies of the received buffers the barrier overtook";
  // Each copy is the buffer as it travelled: a length prefix and the record byte.
  EXPECT_EQ(p->overtaken[0], (BufferBytes{1, 0, 0, 0, 1}));
  EXPECT_EQ(p->overtaken[2], (BufferBytes{1, 0, 0, 0, 3}));
  EXPECT_EQ(priorityCalls, 1);
  transport.shutdown();
  gate.release();
}

BufferPtr timeoutableBarrier(int64_t id) {
  return Buffer::makeEvent(serializeEvent(
      CheckpointBarrier{id, 0, CheckpointKind::kCheckpoint, BarrierAlignment::kAlignedWithTimeout}));
}

TEST(PriorityEventsTest, TimedOutAlignedBarrierBecomesAPriorityEventCarryingWhatItOvertook) {
  ResultSubpartition s(0);
  s.add(dataBuffer(1));
  s.add(dataBuffer(2));
  s.add(timeoutableBarrier(3));
  s.add(dataBuffer(4));
  EXPECT_FALSE(s.convertToPriorityEvent(2)) << "no barrier of checkpoint 2 is queued";
  ASSERT_TRUE(s.convertToPriorityEvent(3));
  EXPECT_FALSE(s.convertToPriorityEvent(3)) << "already converted";
  BufferAndAvailability b = s.pollPriorityEvent();
  ASSERT_TRUE(b.buffer);
  Result<TaskEvent> e = deserializeEvent(b.buffer->data(), b.buffer->size());
  ASSERT_TRUE(e.isOk());
  EXPECT_TRUE(std::get<CheckpointBarrier>(*e).isUnaligned());
  EXPECT_EQ(b.overtaken, (std::vector<BufferBytes>{{1}, {2}})) << "for the consumer to persist";
  EXPECT_EQ(drainSubpartition(s), (std::vector<int>{1, 2, 4}));
}

TEST(PriorityEventsTest, TimedOutBarrierOvertakesOnBothSidesOfACreditBasedChannel) {
  NetworkBufferPool global(64, 128);
  CreditBasedTransport transport;
  ResultPartition partition("producer", 1, LocalBufferPool::create(global, 8, "producer").valueOrThrow());
  InputGate gate("consumer", 1);
  gate.setBufferPool(LocalBufferPool::create(global, 1, "gate").valueOrThrow());
  auto channel = std::make_unique<RemoteInputChannel>(gate, 0, *gate.bufferPool(), 1);  // one credit
  RemoteInputChannel* remote = channel.get();
  channel->connect(transport, partition.subpartition(0));
  gate.setChannel(0, std::move(channel));
  gate.requestPartitions();
  PartitionRecordWriter writer(partition, FlushMode::kAfterEveryRecord);
  for (uint8_t r = 1; r <= 2; ++r) writer.emit(&r, 1, 0);
  writer.broadcastEvent(
      CheckpointBarrier{6, 0, CheckpointKind::kCheckpoint, BarrierAlignment::kAlignedWithTimeout});
  auto until = std::chrono::steady_clock::now() + 5s;
  while (remote->queuedBuffers() < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  ASSERT_EQ(remote->queuedBuffers(), 1u) << "record 1 used the only credit; record 2 and the barrier wait";
  EXPECT_FALSE(gate.convertToPriorityEvent(0, 6)) << "the barrier is not on the consumer side yet";
  writer.convertBarrierToPriority(6);  // the producer's timer
  while (!gate.hasPriorityEvent() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  std::optional<BufferOrEvent> p = gate.pollPriorityEvent();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(barrierId(*p->buffer), 6);
  // Record 1 (received) then record 2 (overtaken at the sender), in stream order.
  EXPECT_EQ(p->overtaken, (std::vector<BufferBytes>{{1, 0, 0, 0, 1}, {1, 0, 0, 0, 2}}));
  transport.shutdown();
  gate.release();
}

// Collects one gate's persisted bytes per channel.
class Collected final : public InFlightDataSink {
 public:
  explicit Collected(int channels) : buffers(size_t(channels)) {}
  void add(int channel, const uint8_t* data, size_t size) override {
    buffers[size_t(channel)].emplace_back(data, data + size);
  }
  std::vector<std::vector<BufferBytes>> buffers;
};

class NoListener final : public CheckpointEventListener {
 public:
  explicit NoListener(GateRecordReader*& reader, Collected& sink) : reader_(reader), sink_(sink) {}
  void onBarrier(int channel, const CheckpointBarrier&) override {
    if (!started_) {
      reader_->startPersisting(sink_);
      started_ = true;
    }
    reader_->stopPersisting(channel);
    ++barriers;
  }
  void onCancelMarker(int, const CancelCheckpointMarker&) override {}
  void onEndOfPartition(int) override {}
  int barriers = 0;

 private:
  GateRecordReader*& reader_;
  Collected& sink_;
  bool started_ = false;
};

std::string str(const DataInput& in) {
  return std::string(reinterpret_cast<const char*>(in.current()), in.remaining());
}

// A record stream of varied sizes (some spanning several 64-byte buffers) is cut by
// a priority barrier after every possible number of records read. Reading the
// persisted bytes, then what the channel delivers after the barrier, gives back the
// records that were not yet read: nothing lost, duplicated or reordered.
TEST(PriorityEventsTest, PersistedInFlightBytesReplayAsTheUnreadRecords) {
  std::vector<std::string> records;
  for (int i = 0; i < 40; ++i) records.push_back(std::string(size_t(1 + (i * 37) % 150), char('a' + i % 26)));
  for (size_t cut = 0; cut <= records.size(); ++cut) {
    SCOPED_TRACE("barrier after " + std::to_string(cut) + " records read");
    NetworkBufferPool global(256, 64);
    ResultPartition partition("p", 1, LocalBufferPool::create(global, 200, "p").valueOrThrow());
    InputGate gate("g", 1);
    gate.setChannel(0, std::make_unique<LocalInputChannel>(gate, 0, partition.subpartition(0)));
    gate.requestPartitions();
    PartitionRecordWriter writer(partition, FlushMode::kOnBufferFullOrTimeout);
    for (const std::string& r : records) writer.emit(reinterpret_cast<const uint8_t*>(r.data()), r.size(), 0);
    writer.flushAll();
    GateRecordReader reader(gate);
    GateRecordReader* self = &reader;
    Collected sink(1);
    NoListener listener(self, sink);
    reader.setCheckpointEventListener(&listener);
    DataInput in;
    for (size_t i = 0; i < cut; ++i) {
      ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);
      ASSERT_EQ(str(in), records[i]);
    }
    // The producer's barrier overtakes what it still queues (its own channel state)...
    std::vector<std::vector<BufferBytes>> producerState = writer.broadcastPriorityEvent(
        CheckpointBarrier{1, 0, CheckpointKind::kCheckpoint, BarrierAlignment::kUnaligned});
    reader.processPriorityEvents();
    ASSERT_EQ(listener.barriers, 1);
    // ... and after a restore, the consumer reads its persisted bytes, then the producer's.
    InputGate restored("restored", 1);
    ResultSubpartition replay(0);
    restored.setChannel(0, std::make_unique<LocalInputChannel>(restored, 0, replay));
    std::vector<BufferPtr> recovered;
    for (BufferBytes& b : sink.buffers[0]) recovered.push_back(Buffer::makeOwnedData(std::move(b)));
    restored.addRecoveredBuffers(0, std::move(recovered));
    restored.requestPartitions();
    for (BufferBytes& b : producerState[0]) replay.add(Buffer::makeOwnedData(std::move(b)));
    replay.add(Buffer::makeEvent(serializeEvent(EndOfPartitionEvent{})));
    GateRecordReader again(restored);
    std::vector<std::string> replayed;
    for (RecordReader::ReadStatus s; (s = again.next(in)) == RecordReader::ReadStatus::kRecord ||
                                     s == RecordReader::ReadStatus::kEndOfData;) {
      if (s == RecordReader::ReadStatus::kRecord) replayed.push_back(str(in));
    }
    std::vector<std::string> unread(records.begin() + std::ptrdiff_t(cut), records.end());
    ASSERT_EQ(replayed, unread);
  }
}

// The task raises the flag when a priority event arrives; the reader gives control back.
TEST(PriorityEventsTest, InterruptFlagEndsABatch) {
  NetworkBufferPool global(8, 64);
  ResultPartition partition("p", 1, LocalBufferPool::create(global, 2, "p").valueOrThrow());
  std::atomic<bool> interrupt{true};
  PartitionRecordWriter writer(partition, FlushMode::kAfterEveryRecord);
  uint8_t r = 1;
  writer.emit(&r, 1, 0);

  InputGate gate("g", 1);
  gate.setChannel(0, std::make_unique<LocalInputChannel>(gate, 0, partition.subpartition(0)));
  gate.requestPartitions();
  GateRecordReader reader(gate);
  reader.setInterruptFlag(&interrupt);
  DataInput in;
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kInterrupted);
  interrupt = false;
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);
}

}  // namespace
}  // namespace weir::network
