// weir-bench's checkpoint benchmarks (issue 3): what checkpoints cost a job with
// about a gigabyte of heap keyed state, and the two phases of a keyed snapshot.
//
//   keyed-checkpointed  source -> keyBy(a % K) -> reduce -> sink with WideEvent
//                       records (128 bytes) over K = 6.5 M keys: 128 key groups of
//                       65536 slots of 152 bytes, 1.19 GiB of heap tables (0.83 GiB
//                       serialized). Runs the job without checkpoints, then with
//                       execution.checkpointing.interval 1 s to file storage, in
//                       one process; prints both records/s, their ratio and every
//                       completed checkpoint (size, end-to-end, sync and async
//                       durations). Records/s counts until the sink's end of input:
//                       the teardown after it (which waits for a checkpoint still
//                       being written) is not processing.
//   snapshot-sync       fills a HeapKeyedStateBackend (a reducing state of
//                       WideEvent, the keyed job's) to about 10 MiB, then 1 GiB, of
//                       heap tables; per round takes a snapshot (snapshotKeyedState,
//                       the synchronous part: timed), updates 0.1 % of the keys at
//                       random while the snapshot is held (the copy-on-write page
//                       copies the async phase causes), releases it. p50/p99/max.
//   snapshot-async      fills 1 GiB as above, writes one snapshot through the file
//                       checkpoint storage (the asynchronous part: serialize,
//                       checksum, write, fsync) and compares its MB/s with a
//                       sequential write of 1 GiB in 1 MiB blocks + fdatasync to
//                       the same directory (what `dd bs=1M count=1024
//                       conv=fdatasync` measures), once before and once after.
//
// Every run ends with "<name> records_per_sec=N" (keyed-checkpointed),
// "snapshot-sync p99_us=N" (the larger of the two sizes) or "snapshot-async
// mb_per_sec=N". Files go to a new directory under --dir (default $TMPDIR or
// /tmp), deleted afterwards.
#pragma once

#include <cstdint>
#include <string>

namespace weir::bench {

inline constexpr int64_t kWideKeys = 6'500'000;
inline constexpr int64_t kKeyedCheckpointedRecords = 80'000'000;
inline constexpr int64_t kSyncSnapshots = 200;

struct CheckpointBenchOptions {
  int64_t records = 0;    // keyed-checkpointed; 0 = kKeyedCheckpointedRecords
  int64_t keys = 0;       // keyed-checkpointed; 0 = kWideKeys
  int64_t snapshots = 0;  // snapshot-sync, per size; 0 = kSyncSnapshots
  int parallelism = 1;    // keyed-checkpointed
  int64_t pairs = 1;      // keyed-checkpointed: unchecked/checkpointed runs, alternating
  std::string dir;        // parent of the scratch directory; empty = $TMPDIR or /tmp
};

// Each returns false (after printing why to stderr) if the benchmark could not run.
bool runKeyedCheckpointed(const CheckpointBenchOptions& options);
bool runSnapshotSync(const CheckpointBenchOptions& options);
bool runSnapshotAsync(const CheckpointBenchOptions& options);

}  // namespace weir::bench
