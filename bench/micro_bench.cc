// weir-micro-bench: Google Benchmark microbenchmarks of the engine's per-record
// building blocks, each reporting items_per_second (one item = one record, key
// or value):
//   - serializer round trip of a 3 x u64 struct and of a std::string;
//   - PartitionRecordWriter emit of 29-byte records (25-byte payload + 4-byte
//     length prefix: the exchange benchmark's record) read back with
//     GateRecordReader through a local channel, one thread;
//   - stableHash of 8 bytes (a serialized u64 key);
//   - HeapKeyedStateBackend::setCurrentKey + HeapReducingState::addAndGet over
//     100k distinct keys (what the keyed reduce does per record);
//   - the synchronous part of a keyed-state snapshot (copy-on-write view) at
//     100k and 10M entries: it must not grow with the state's size (one item =
//     one snapshot).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/state/keyed_state_backend.h>

#include "checkpoint/checkpoint_storage.h"
#include "network/buffer_pool.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"
#include "state/state_snapshot.h"
#include "unused_checkpoint_storage.h"

namespace weir::bench {

struct Triple {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
};
WEIR_STRUCT(Triple, a, b, c);

inline uint64_t add(uint64_t a, uint64_t b) { return a + b; }
inline Triple add(const Triple& x, const Triple& y) { return Triple{x.a, x.b + y.b, x.c + y.c}; }
inline uint64_t first(uint64_t v) { return v; }
inline uint64_t first(const Triple& v) { return v.b; }
template <class V>
V unit() {
  if constexpr (std::is_same_v<V, Triple>) {
    return Triple{0, 1, 1};
  } else {
    return V(1);
  }
}

void BM_SerializerRoundTripStruct(benchmark::State& state) {
  DataOutput out;
  Triple in{1, 2, 3};
  Triple back;
  for (auto _ : state) {
    out.clear();
    TypeSerializer<Triple>::serialize(in, out);
    DataInput din(out.data(), out.size());
    TypeSerializer<Triple>::deserialize(back, din);
    benchmark::DoNotOptimize(back);
    ++in.a;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializerRoundTripStruct);

void BM_SerializerRoundTripString(benchmark::State& state) {
  DataOutput out;
  const std::string in(size_t(state.range(0)), 'w');
  std::string back;
  for (auto _ : state) {
    out.clear();
    TypeSerializer<std::string>::serialize(in, out);
    DataInput din(out.data(), out.size());
    TypeSerializer<std::string>::deserialize(back, din);
    benchmark::DoNotOptimize(back.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SerializerRoundTripString)->Arg(16)->Arg(100);

// One producer partition with one subpartition, read by a gate over a local
// channel: per iteration, write records until one 32 KiB buffer is full, flush,
// then read every record back (which recycles the buffers to the pool).
void BM_PartitionWriteRead29ByteRecords(benchmark::State& state) {
  constexpr uint32_t kSegmentSize = 32 * 1024;
  constexpr size_t kPayload = 25;  // tag + 3 x u64; plus the 4-byte length: 29 bytes per record
  constexpr int kRecordsPerRound = kSegmentSize / (kPayload + 4);
  network::NetworkBufferPool global(16, kSegmentSize);
  std::shared_ptr<network::LocalBufferPool> pool =
      network::LocalBufferPool::create(global, 4, "bench").value();
  network::ResultPartition partition("bench", 1, pool);
  network::InputGate gate("bench", 1);
  gate.setChannel(0, std::make_unique<network::LocalInputChannel>(gate, 0, partition.subpartition(0)));
  gate.requestPartitions();
  {
    network::PartitionRecordWriter writer(partition, network::FlushMode::kOnBufferFullOrTimeout);
    network::GateRecordReader reader(gate);
    uint8_t record[kPayload];
    std::memset(record, 0x5a, sizeof(record));
    DataInput view;
    uint64_t sum = 0;
    for (auto _ : state) {
      for (int i = 0; i < kRecordsPerRound; ++i) {
        record[0] = uint8_t(i);
        writer.emit(record, kPayload, 0);
      }
      writer.flushAll();
      int read = 0;
      while (reader.next(view) == RecordReader::ReadStatus::kRecord) {
        sum += *view.current();
        ++read;
      }
      if (read != kRecordsPerRound) {
        state.SkipWithError("records lost between writer and reader");
        break;
      }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations() * kRecordsPerRound);
    state.SetBytesProcessed(state.iterations() * kRecordsPerRound * int64_t(kPayload + 4));
  }
}
BENCHMARK(BM_PartitionWriteRead29ByteRecords);

void BM_StableHash8Bytes(benchmark::State& state) {
  uint64_t key = 0;
  uint64_t acc = 0;
  for (auto _ : state) {
    acc += stableHash(&key, sizeof(key));
    ++key;
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StableHash8Bytes);

// The per-record state work of a keyed reduce: serialized key -> current key
// (hash, key group), then one hash-map lookup-and-update. Keys are visited in
// order, as the keyed job's source produces them; V is u64 or the jobs' 3 x u64.
template <class V>
void BM_HeapReducingStateAddAndGet100kKeys(benchmark::State& state) {
  constexpr int kKeys = 100'000;
  constexpr int kMaxParallelism = 128;
  HeapKeyedStateBackend backend(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism);
  ReducingStateDescriptor<V> d("sum", [](const V& a, const V& b) { return add(a, b); });
  detail::HeapReducingState<V> reducing(backend, d);
  std::vector<uint64_t> keys(kKeys);
  for (int i = 0; i < kKeys; ++i) keys[size_t(i)] = uint64_t(i);
  if (state.range(0) != 0) {
    std::mt19937_64 rng(42);
    std::shuffle(keys.begin(), keys.end(), rng);
  }
  const V one = unit<V>();
  auto sum = [](const V& a, const V& b) { return add(a, b); };
  // Warm up: every key present, as in a keyed job's steady state.
  for (uint64_t k : keys) {
    backend.setCurrentKey(reinterpret_cast<const uint8_t*>(&k), sizeof(k));
    reducing.addAndGet(one, sum);
  }
  size_t i = 0;
  uint64_t acc = 0;
  for (auto _ : state) {
    const uint64_t& k = keys[i];
    backend.setCurrentKey(reinterpret_cast<const uint8_t*>(&k), sizeof(k));
    acc += first(reducing.addAndGet(one, sum));
    if (++i == keys.size()) i = 0;
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_HeapReducingStateAddAndGet100kKeys, uint64_t)->ArgName("shuffled")->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_HeapReducingStateAddAndGet100kKeys, Triple)->ArgName("shuffled")->Arg(0)->Arg(1);

// snapshotKeyedState's synchronous part over a reducing state of range(0) keys
// in 128 key groups. Between snapshots one record per key group is processed,
// so every snapshot finds its directories in use (as after a checkpoint
// interval's writes); the async part is dropped unrun, releasing the view.
void BM_KeyedSnapshotSyncPart(benchmark::State& state) {
  constexpr int kMaxParallelism = 128;
  const uint64_t keys = uint64_t(state.range(0));
  HeapKeyedStateBackend backend(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism);
  ReducingStateDescriptor<uint64_t> d("sum", [](const uint64_t& a, const uint64_t& b) { return a + b; });
  // Registered the way user code does, so that the backend snapshots it.
  auto& reducing = dynamic_cast<detail::HeapReducingState<uint64_t>&>(
      detail::getOrCreateKeyedState<ReducingState<uint64_t>, detail::HeapReducingState<uint64_t>>(backend,
                                                                                                  d));
  auto sum = [](uint64_t a, uint64_t b) { return a + b; };
  for (uint64_t k = 0; k < keys; ++k) {
    backend.setCurrentKey(reinterpret_cast<const uint8_t*>(&k), sizeof(k));
    reducing.addAndGet(1, sum);
  }
  UnusedCheckpointStorage storage;
  int64_t checkpointId = 0;
  for (auto _ : state) {
    state::AsyncKeyedSnapshot async = state::snapshotKeyedState(backend, storage, ++checkpointId);
    benchmark::DoNotOptimize(async);
    state.PauseTiming();
    async = nullptr;
    for (uint64_t k = 0; k < 128; ++k) {
      backend.setCurrentKey(reinterpret_cast<const uint8_t*>(&k), sizeof(k));
      reducing.addAndGet(1, sum);
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyedSnapshotSyncPart)->ArgName("entries")->Arg(100'000)->Arg(10'000'000);

}  // namespace weir::bench

BENCHMARK_MAIN();
