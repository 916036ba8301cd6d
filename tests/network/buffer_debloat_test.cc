// Buffer debloating (FLIP-183): the size an input asks for follows throughput x
// target / buffers in flight, smoothed and announced only on real changes; the
// writer fills only that much of each buffer, records still span buffers, and the
// announcement reaches the producer over local and credit-based channels.
#include "network/buffer_debloater.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <weir/core/data_io.h>

#include "network/buffer_pool.h"
#include "network/credit_based.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"

namespace weir::network {
namespace {

BufferDebloatOptions options(int samples, int threshold = 25) {
  BufferDebloatOptions o;
  o.target = std::chrono::milliseconds(1000);
  o.samples = samples;
  o.thresholdPercent = threshold;
  o.minSize = 256;
  o.maxSize = 32 * 1024;
  return o;
}

TEST(BufferDebloatTest, SizeIsThroughputTimesTargetPerBufferInFlight) {
  BufferDebloater d(options(1));  // no smoothing
  EXPECT_EQ(d.announcedSize(), 32u * 1024);
  // 40 KB/s, 10 buffers in flight: 4 KB each drains in one second.
  EXPECT_EQ(d.recalculate(40'000, 10), std::optional<uint32_t>(4000));
  EXPECT_EQ(d.estimatedTimeToConsumeMs(40'000, 10), 1000);
  EXPECT_EQ(d.recalculate(41'000, 10), std::nullopt) << "2.5% is below the 25% threshold";
  EXPECT_EQ(d.announcedSize(), 4000u);
  EXPECT_EQ(d.recalculate(100, 10), std::optional<uint32_t>(256)) << "clamped to the minimum";
  EXPECT_EQ(d.recalculate(1e12, 10), std::optional<uint32_t>(32 * 1024)) << "clamped to the segment";
  EXPECT_EQ(d.recalculate(1e12, 0), std::nullopt) << "no buffer in flight counts as one";
  EXPECT_EQ(d.estimatedTimeToConsumeMs(0, 3), -1) << "data in flight, nothing consumed: unknown";
}

TEST(BufferDebloatTest, MovingAverageConvergesOverItsSamples) {
  BufferDebloater d(options(20, 0));
  std::optional<uint32_t> last;
  for (int i = 0; i < 200; ++i) {
    if (auto s = d.recalculate(20'000, 10)) last = s;  // desired 2000
  }
  ASSERT_TRUE(last.has_value());
  EXPECT_NEAR(double(*last), 2000.0, 20.0);
  BufferDebloater once(options(20, 0));
  EXPECT_EQ(once.recalculate(20'000, 10), std::optional<uint32_t>(2000)) << "seeded with the first sample";
  // alpha = 2 / 21: the next sample moves the average a tenth of the way to 4000.
  std::optional<uint32_t> second = once.recalculate(40'000, 10);
  ASSERT_TRUE(second.has_value());
  EXPECT_NEAR(double(*second), 2000.0 + (4000.0 - 2000.0) * 2.0 / 21.0, 1.0);
}

std::string str(const DataInput& in) {
  return std::string(reinterpret_cast<const char*>(in.current()), in.remaining());
}

TEST(BufferDebloatTest, WriterFillsOnlyTheDesiredSizeAndRecordsStillSpan) {
  NetworkBufferPool global(256, 4096);
  ResultPartition partition("p", 1, LocalBufferPool::create(global, 200, "p").valueOrThrow());
  InputGate gate("g", 1);
  gate.setChannel(0, std::make_unique<LocalInputChannel>(gate, 0, partition.subpartition(0)));
  gate.requestPartitions();
  gate.announceBufferSize(100);
  EXPECT_EQ(partition.subpartition(0).desiredBufferSize(), 100u);
  PartitionRecordWriter writer(partition, FlushMode::kOnBufferFullOrTimeout);
  std::vector<std::string> records;
  for (int i = 0; i < 50; ++i) records.push_back(std::string(size_t(1 + (i * 29) % 300), char('a' + i % 26)));
  for (const std::string& r : records) writer.emit(reinterpret_cast<const uint8_t*>(r.data()), r.size(), 0);
  writer.flushAll();
  size_t buffers = partition.subpartition(0).queuedBuffers();
  EXPECT_GT(buffers, 50u) << "the 4 KiB segments hold at most 100 bytes each";
  GateRecordReader reader(gate);
  DataInput in;
  std::vector<std::string> got;
  uint64_t largest = 0, before = 0;
  while (reader.next(in) == RecordReader::ReadStatus::kRecord) {
    got.push_back(str(in));
    largest = std::max(largest, reader.bufferBytesTaken() - before);
    before = reader.bufferBytesTaken();
  }
  EXPECT_EQ(got, records);
  EXPECT_LE(largest, 300u) << "no record read took more than a few 100-byte buffers";
}

TEST(BufferDebloatTest, CreditBasedChannelAnnouncesToTheSendersSubpartition) {
  NetworkBufferPool global(64, 4096);
  CreditBasedTransport transport;
  ResultPartition partition("producer", 1, LocalBufferPool::create(global, 8, "producer").valueOrThrow());
  InputGate gate("consumer", 1);
  gate.setBufferPool(LocalBufferPool::create(global, 2, "gate").valueOrThrow());
  auto channel = std::make_unique<RemoteInputChannel>(gate, 0, *gate.bufferPool(), 2);
  channel->connect(transport, partition.subpartition(0));
  gate.setChannel(0, std::move(channel));
  gate.requestPartitions();
  gate.announceBufferSize(512);
  EXPECT_EQ(partition.subpartition(0).desiredBufferSize(), 512u);
  transport.shutdown();
  gate.release();
}

}  // namespace
}  // namespace weir::network
