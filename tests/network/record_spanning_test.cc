// Records through the whole local network path: PartitionRecordWriter ->
// ResultSubpartition -> LocalInputChannel -> InputGate -> GateRecordReader.
// Small segments force records (and the edge cases of the length prefix) to span
// buffers; a tiny pool forces the producer to block on the consumer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <ostream>
#include <random>
#include <thread>
#include <vector>

#include <weir/core/cancellation.h>
#include <weir/core/check.h>
#include <weir/core/data_io.h>

#include "network/buffer_pool.h"
#include "network/events.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"

namespace weir::network {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

constexpr uint32_t kSegmentSize = 64;  // the smallest the NetworkBufferPool accepts
constexpr auto kGenerousTimeout = 5s;

// Deterministic, position- and record-dependent content, so that a byte shifted,
// dropped or taken from another record is caught.
Bytes makeRecord(int channel, int index, size_t size) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i) b[i] = uint8_t(channel * 131 + index * 31 + i * 7 + (i >> 8));
  return b;
}

// The sizes around every boundary of a 64-byte segment with a 4-byte length prefix.
std::vector<size_t> edgeSizes() {
  const size_t s = kSegmentSize;
  return {0,     1, 2,     3,         4,     5,         s - 8, s - 5, s - 4, s - 3,
          s - 1, s, s + 1, 2 * s - 4, 2 * s, 3 * s + 7, 0,     0,     1};
}

// One partition with `channels` subpartitions feeding one gate with one local
// channel each, as the JobMaster wires a pointwise 1 -> 1 edge per channel.
class LocalPipe {
 public:
  LocalPipe(int channels, size_t poolSegments, size_t globalSegments = 64)
      : global_(globalSegments, kSegmentSize),
        partition_("producer", channels, createPool(global_, poolSegments)),
        gate_("consumer input", channels) {
    for (int c = 0; c < channels; ++c) {
      gate_.setChannel(c, std::make_unique<LocalInputChannel>(gate_, c, partition_.subpartition(c)));
    }
    gate_.setAvailabilityListener([this] {
      std::lock_guard lock(mu_);
      signalled_ = true;
      cv_.notify_all();
    });
    gate_.requestPartitions();
  }

  ResultPartition& partition() { return partition_; }
  InputGate& gate() { return gate_; }

  // Waits for the gate's availability signal; false on timeout.
  bool awaitData() {
    std::unique_lock lock(mu_);
    bool ok = cv_.wait_for(lock, kGenerousTimeout, [&] { return signalled_; });
    signalled_ = false;
    return ok;
  }

  // Reads every record until end of input, per channel, on the calling thread.
  // Fails (returns early) if no data arrives for kGenerousTimeout.
  std::vector<std::vector<Bytes>> readAll(GateRecordReader& reader) {
    std::vector<std::vector<Bytes>> out(size_t(gate_.numberOfChannels()));
    DataInput record;
    for (;;) {
      RecordReader::ReadStatus st = reader.next(record);
      if (st == RecordReader::ReadStatus::kEndOfInput) break;
      if (st == RecordReader::ReadStatus::kEndOfData) continue;
      if (st == RecordReader::ReadStatus::kNothingAvailable) {
        if (!awaitData()) {
          ADD_FAILURE() << "consumer starved: no data and no end of input within the timeout";
          break;
        }
        continue;
      }
      Bytes bytes(record.remaining());
      record.readBytes(bytes.data(), bytes.size());
      out[size_t(reader.lastChannel())].push_back(std::move(bytes));
    }
    return out;
  }

 private:
  static std::shared_ptr<LocalBufferPool> createPool(NetworkBufferPool& global, size_t n) {
    auto pool = LocalBufferPool::create(global, n, "producer pool");
    WEIR_CHECK(pool.isOk());
    return std::move(pool).value();
  }

  NetworkBufferPool global_;
  ResultPartition partition_;
  InputGate gate_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool signalled_ = false;
};

struct Planned {
  int channel;
  Bytes bytes;
};

// A plan of records for `channels` channels, interleaved, with every edge size on
// every channel and random sizes between.
std::vector<Planned> makePlan(int channels, int randomPerChannel, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> size(0, 5 * kSegmentSize);
  std::uniform_int_distribution<int> pick(0, channels - 1);
  std::vector<Planned> plan;
  std::vector<int> index(size_t(channels), 0);
  auto add = [&](int c, size_t n) { plan.push_back({c, makeRecord(c, index[size_t(c)]++, n)}); };
  for (size_t s : edgeSizes())
    for (int c = 0; c < channels; ++c) add(c, s);
  for (int i = 0; i < randomPerChannel * channels; ++i) add(pick(rng), size(rng));
  // Edge sizes once more after random ones, so they also start at unaligned positions.
  for (size_t s : edgeSizes()) add(pick(rng), s);
  return plan;
}

std::vector<std::vector<Bytes>> expectedPerChannel(const std::vector<Planned>& plan, int channels) {
  std::vector<std::vector<Bytes>> out(static_cast<size_t>(channels));
  for (const Planned& p : plan) out[size_t(p.channel)].push_back(p.bytes);
  return out;
}

void expectSameRecords(const std::vector<std::vector<Bytes>>& got,
                       const std::vector<std::vector<Bytes>>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t c = 0; c < want.size(); ++c) {
    ASSERT_EQ(got[c].size(), want[c].size()) << "channel " << c << ": record count";
    for (size_t i = 0; i < want[c].size(); ++i) {
      ASSERT_EQ(got[c][i], want[c][i])
          << "channel " << c << ", record " << i << " (size " << want[c][i].size() << ")";
    }
  }
}

struct RoundTripCase {
  int channels;
  FlushMode mode;
};

void PrintTo(const RoundTripCase& c, std::ostream* os) {
  *os << c.channels << " channels, "
      << (c.mode == FlushMode::kAfterEveryRecord ? "flush after every record" : "flush when full");
}

class RecordSpanningTest : public ::testing::TestWithParam<RoundTripCase> {};

// Producer and consumer on two threads, a 3-buffer pool: the producer must block
// until the consumer recycles, and everything arrives byte-exact and in order.
TEST_P(RecordSpanningTest, RoundTripUnderBackpressure) {
  const int channels = GetParam().channels;
  const std::vector<Planned> plan = makePlan(channels, 60, 1234u + uint32_t(channels));
  size_t totalBytes = 0;
  for (const Planned& p : plan) totalBytes += 4 + p.bytes.size();
  ASSERT_GT(totalBytes, 10 * kSegmentSize) << "the test needs far more data than the pool holds";

  LocalPipe pipe(channels, 3);
  PartitionRecordWriter writer(pipe.partition(), GetParam().mode);
  std::atomic<bool> producerDone{false};
  std::thread producer([&] {
    try {
      for (const Planned& p : plan) writer.emit(p.bytes.data(), p.bytes.size(), p.channel);
      writer.broadcastEvent(EndOfPartitionEvent{});
      producerDone = true;
    } catch (const TaskCancelledException&) {
      // Only after a hang was detected below; the failure is reported there.
    }
  });

  // Backpressure: with nobody consuming, the producer exhausts its 3 buffers and waits.
  LocalBufferPool& pool = pipe.partition().bufferPool();
  auto deadline = std::chrono::steady_clock::now() + kGenerousTimeout;
  while (pool.isAvailable() && !producerDone && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_FALSE(pool.isAvailable());
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(producerDone.load()) << "the producer finished without a consumer: it did not block";
  EXPECT_LE(pool.segmentsInUse(), pool.maxSegments());

  // Consume on another thread (the test thread keeps an eye on the time).
  GateRecordReader reader(pipe.gate());
  auto consumed = std::async(std::launch::async, [&] { return pipe.readAll(reader); });
  bool finished = consumed.wait_for(kGenerousTimeout) == std::future_status::ready;
  if (!finished) pool.cancel();  // unblock the producer so that the test fails instead of hanging
  std::vector<std::vector<Bytes>> got = consumed.get();
  producer.join();
  ASSERT_TRUE(finished) << "round trip hung";
  ASSERT_TRUE(producerDone.load());

  expectSameRecords(got, expectedPerChannel(plan, channels));
  EXPECT_TRUE(reader.isFinished());
  DataInput record;
  EXPECT_EQ(reader.next(record), RecordReader::ReadStatus::kEndOfInput);
  EXPECT_EQ(writer.bytesWritten(), totalBytes);
  EXPECT_EQ(reader.bytesRead(), totalBytes);
  EXPECT_EQ(pool.segmentsInUse(), 0u) << "every buffer must be recycled once read";
  for (int c = 0; c < channels; ++c) EXPECT_EQ(pipe.partition().subpartition(c).queuedBuffers(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Channels, RecordSpanningTest,
                         ::testing::Values(RoundTripCase{1, FlushMode::kOnBufferFullOrTimeout},
                                           RoundTripCase{3, FlushMode::kOnBufferFullOrTimeout},
                                           RoundTripCase{4, FlushMode::kAfterEveryRecord}),
                         [](const ::testing::TestParamInfo<RoundTripCase>& info) {
                           return std::to_string(info.param.channels) + "Channels" +
                                  (info.param.mode == FlushMode::kAfterEveryRecord ? "FlushEveryRecord"
                                                                                   : "FlushWhenFull");
                         });

// Single-threaded: a record of each size, alone, read back at once. Isolates a
// broken size from the interleaving of the threaded test.
TEST(RecordSpanningSingleTest, EverySizeAloneRoundTrips) {
  std::vector<size_t> sizes = edgeSizes();
  for (size_t s = 0; s <= 2 * kSegmentSize + 8; ++s) sizes.push_back(s);
  for (size_t s : sizes) {
    // Enough buffers for the whole record plus the event; nothing blocks.
    LocalPipe pipe(1, 16);
    PartitionRecordWriter writer(pipe.partition(), FlushMode::kOnBufferFullOrTimeout);
    Bytes rec = makeRecord(0, int(s), s);
    writer.emit(rec.data(), rec.size(), 0);
    writer.broadcastEvent(EndOfPartitionEvent{});
    GateRecordReader reader(pipe.gate());
    DataInput in;
    ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord) << "size " << s;
    Bytes got(in.remaining());
    in.readBytes(got.data(), got.size());
    EXPECT_EQ(got, rec) << "size " << s;
    EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfData) << "size " << s;
    EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfInput) << "size " << s;
  }
}

TEST(RecordSpanningSingleTest, RecordExactlyFillingASegmentIsHandedOverWithoutFlush) {
  LocalPipe pipe(1, 4);
  PartitionRecordWriter writer(pipe.partition(), FlushMode::kOnBufferFullOrTimeout);
  Bytes rec = makeRecord(0, 0, kSegmentSize - 4);  // prefix + record == one segment
  writer.emit(rec.data(), rec.size(), 0);
  EXPECT_EQ(pipe.partition().subpartition(0).queuedBuffers(), 1u) << "a full buffer is handed over at once";
  GateRecordReader reader(pipe.gate());
  DataInput in;
  ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);
  EXPECT_EQ(in.remaining(), rec.size());
}

TEST(RecordSpanningSingleTest, FlushAfterEveryRecordMakesEachRecordVisibleAtOnce) {
  LocalPipe pipe(2, 4);
  PartitionRecordWriter writer(pipe.partition(), FlushMode::kAfterEveryRecord);
  GateRecordReader reader(pipe.gate());
  DataInput in;
  for (int i = 0; i < 20; ++i) {
    int channel = i % 2;
    Bytes rec = makeRecord(channel, i, size_t(i % 7));
    writer.emit(rec.data(), rec.size(), channel);
    // No flushAll(): the record must already be readable.
    ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord) << "record " << i;
    Bytes got(in.remaining());
    in.readBytes(got.data(), got.size());
    EXPECT_EQ(got, rec) << "record " << i;
    EXPECT_EQ(reader.lastChannel(), channel);
    EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable);
  }
  // 20 records through a 4-buffer pool: each buffer went back to the pool once read.
  EXPECT_EQ(pipe.partition().bufferPool().segmentsInUse(), 0u);
}

TEST(RecordSpanningSingleTest, DefaultFlushModeHoldsSmallRecordsUntilFlushAll) {
  LocalPipe pipe(2, 4);
  PartitionRecordWriter writer(pipe.partition(), FlushMode::kOnBufferFullOrTimeout);
  GateRecordReader reader(pipe.gate());
  DataInput in;
  Bytes a = makeRecord(0, 0, 5), b = makeRecord(1, 0, 9);
  writer.emit(a.data(), a.size(), 0);
  writer.emit(b.data(), b.size(), 1);
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable) << "small records wait for a flush";
  writer.flushAll();
  std::vector<Bytes> got(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);
    Bytes r(in.remaining());
    in.readBytes(r.data(), r.size());
    got[size_t(reader.lastChannel())] = r;
  }
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], b);
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable);
}

TEST(RecordSpanningSingleTest, EndOfInputOnlyAfterEndOfPartitionOnEveryChannel) {
  LocalPipe pipe(3, 4);
  PartitionRecordWriter writer(pipe.partition(), FlushMode::kOnBufferFullOrTimeout);
  GateRecordReader reader(pipe.gate());
  DataInput in;
  // End two channels by hand (what broadcastEvent does per channel), leave the third open.
  for (int c : {0, 2})
    pipe.partition().subpartition(c).add(Buffer::makeEvent(serializeEvent(EndOfPartitionEvent{})));
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable);
  EXPECT_FALSE(reader.isFinished());

  Bytes last = makeRecord(1, 0, 3 * kSegmentSize + 7);
  writer.emit(last.data(), last.size(), 1);
  writer.flushAll();
  ASSERT_EQ(reader.next(in), RecordReader::ReadStatus::kRecord);
  EXPECT_EQ(reader.lastChannel(), 1);
  EXPECT_EQ(in.remaining(), last.size());
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable);

  pipe.partition().subpartition(1).add(Buffer::makeEvent(serializeEvent(EndOfPartitionEvent{})));
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfData);
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfInput);
  EXPECT_TRUE(reader.isFinished());
}

// EndOfData ends a channel's records but not the channel: a barrier after it still
// reaches the listener, and the input ends only with EndOfPartition.
TEST(RecordSpanningSingleTest, EndOfDataComesOnceAndBarriersStillFollow) {
  struct Listener final : CheckpointEventListener {
    std::vector<int64_t> barriers;
    void onBarrier(int, const CheckpointBarrier& b) override { barriers.push_back(b.id); }
    void onCancelMarker(int, const CancelCheckpointMarker&) override {}
    void onEndOfPartition(int) override {}
  } listener;
  LocalPipe pipe(2, 4);
  GateRecordReader reader(pipe.gate());
  reader.setCheckpointEventListener(&listener);
  DataInput in;
  auto event = [&](int c, const TaskEvent& e) {
    pipe.partition().subpartition(c).add(Buffer::makeEvent(serializeEvent(e)));
  };
  event(0, EndOfDataEvent{});
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable)
      << "channel 1 has not ended its data";
  event(1, EndOfDataEvent{});
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfData);
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable) << "end of data is reported once";
  event(0, CheckpointBarrier{7, 0, CheckpointKind::kCheckpoint});
  event(1, CheckpointBarrier{7, 0, CheckpointKind::kCheckpoint});
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kNothingAvailable);
  EXPECT_EQ(listener.barriers, (std::vector<int64_t>{7, 7}));
  event(0, EndOfPartitionEvent{});
  event(1, EndOfPartitionEvent{});
  EXPECT_EQ(reader.next(in), RecordReader::ReadStatus::kEndOfInput);
}

}  // namespace
}  // namespace weir::network
