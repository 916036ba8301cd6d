// The checkpoint benchmarks; what each measures is in checkpoint_bench.h.
#include "checkpoint_bench.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <weir/core/hash.h>
#include <weir/state/heap_state_map.h>
#include <weir/state/key_groups.h>
#include <weir/state/keyed_state_backend.h>
#include <weir/weir.h>

#include "bench_support.h"
#include "checkpoint/checkpoint_storage.h"
#include "state/state_snapshot.h"
#include "unused_checkpoint_storage.h"

namespace weir::bench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

constexpr int kMaxParallelism = kDefaultMaxParallelism;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

// One slot of the heap state map (heap_state_map.h): stored hash, key bytes, value.
template <class V>
constexpr size_t kSlotBytes = sizeof(uint64_t) + sizeof(detail::KeyBytes) + sizeof(V);

// The capacity HeapStateMap reaches after `n` insertions (16, then doubling at load 13/16).
uint64_t tableCapacity(uint64_t n) {
  if (n == 0) return 0;
  uint64_t cap = 16;
  while (n > cap * 13 / 16) cap *= 2;
  return cap;
}

// The key group of a u64 key, as a keyed operator computes it from the key's bytes.
int keyGroupOf(uint64_t key) { return keyGroupForHash(stableHash(&key, sizeof(key)), kMaxParallelism); }

WideEvent reduceWide(const WideEvent& x, const WideEvent& y) {
  WideEvent r = x;
  r.b += y.b;
  r.c += y.c;
  return r;
}

// A new directory under `parent` (or $TMPDIR, or /tmp), deleted with everything in it.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(std::string parent) {
    if (parent.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string pattern = parent + "/weir-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "weir-bench: cannot create a directory in %s: %s\n", parent.c_str(),
                   std::strerror(errno));
      return;
    }
    path_ = pattern;
  }
  ~ScratchDirectory() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (ec)
      std::fprintf(stderr, "weir-bench: could not delete %s: %s\n", path_.c_str(), ec.message().c_str());
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ---------------------------------------------------------------- keyed-checkpointed

struct SeenCheckpoint {
  int64_t id = 0;
  uint64_t bytes = 0;
  int64_t totalMs = 0;
  int64_t syncMs = 0;
  int64_t asyncMs = 0;
};

struct WideJobRun {
  bool ok = false;
  double seconds = 0;         // submission to the sink's end of input
  double executeSeconds = 0;  // submission to the job's end (teardown included)
  // The second half of the input (the state is full, the first checkpoints
  // took their one-off costs): from when the sink had seen half the records
  // (interpolated between polls) to its end of input.
  double secondHalfSeconds = 0;
  std::vector<SeenCheckpoint> checkpoints;
  int64_t completed = 0;
  int64_t failed = 0;
};

// Runs the wide keyed job; checkpoints every second into `checkpointDir` unless it is empty.
WideJobRun runWideKeyedJob(int64_t records, uint64_t keys, int parallelism,
                           const std::string& checkpointDir) {
  WideJobRun run;
  StreamExecutionEnvironment env;
  env.setParallelism(parallelism);
  if (!checkpointDir.empty()) {
    env.configuration().set("execution.checkpointing.interval", "1s");
    env.configuration().set("execution.checkpointing.dir", checkpointDir);
  }
  auto sink = std::make_shared<CountingSink<WideEvent>>();
  env.fromSource(counterSource<WideEvent>(records), "Counter Source")
      .keyBy([keys](const WideEvent& e) { return e.a % keys; })
      .reduce(reduceWide)
      .sinkTo(sink, "Counting Sink");

  const uint64_t half = uint64_t(records) / 2;
  std::optional<Clock::time_point> halfway;
  Clock::time_point lastPoll;
  uint64_t lastCount = 0;
  auto note = [&](const JobProgress& p, Clock::time_point at) {
    if (!halfway && p.sinkRecordsIn >= half && p.sinkRecordsIn > lastCount && at > lastPoll) {
      const double f = double(half - std::min(half, lastCount)) / double(p.sinkRecordsIn - lastCount);
      halfway = lastPoll + std::chrono::duration_cast<Clock::duration>((at - lastPoll) * f);
    }
    lastPoll = at;
    lastCount = p.sinkRecordsIn;
    run.completed = p.checkpointsCompleted;
    run.failed = p.checkpointsFailed;
    if (p.lastCheckpointId == 0 ||
        (!run.checkpoints.empty() && run.checkpoints.back().id == p.lastCheckpointId))
      return;
    run.checkpoints.push_back({p.lastCheckpointId, p.lastCheckpointSize, p.lastCheckpointDurationMs,
                               p.lastCheckpointSyncDurationMs, p.lastCheckpointAsyncDurationMs});
  };
  const auto start = Clock::now();
  lastPoll = start;
  JobExecutionResult result;
  try {
    std::unique_ptr<JobClient> client = env.executeAsync("bench-keyed-checkpointed");
    // Checkpoints complete about a second apart: polling every 20 ms sees each one (the
    // summary says if one was missed).
    while (!isGloballyTerminal(client->status())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      note(client->progress(), Clock::now());
    }
    result = client->waitForResult();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keyed-checkpointed: job failed to start: %s\n", e.what());
    return run;
  }
  run.executeSeconds = secondsBetween(start, Clock::now());
  note(result.progress, sink->endOfInput());
  if (result.status != JobStatus::kFinished) {
    std::fprintf(stderr, "keyed-checkpointed: job %s: %s\n", jobStatusName(result.status),
                 result.failure.c_str());
    return run;
  }
  if (sink->total() != uint64_t(records)) {
    std::fprintf(stderr, "keyed-checkpointed: the sink got %llu records, expected %lld\n",
                 static_cast<unsigned long long>(sink->total()), static_cast<long long>(records));
    return run;
  }
  run.seconds = secondsBetween(start, sink->endOfInput());
  run.secondHalfSeconds = halfway ? secondsBetween(*halfway, sink->endOfInput()) : run.seconds;
  run.ok = true;
  return run;
}

// Prints the rates of one run of the keyed job; returns them (records/s over the
// whole input, over its second half).
std::pair<double, double> reportRates(const char* label, const WideJobRun& run, int64_t records) {
  const double rate = double(records) / run.seconds;
  const double halfRate = double(records - records / 2) / run.secondHalfSeconds;
  std::printf(
      "keyed-checkpointed: %s: %.2f M records/s (%.3f s to the end of input, %.3f s until the job ended); "
      "second half of the input %.2f M records/s\n",
      label, rate / 1e6, run.seconds, run.executeSeconds, halfRate / 1e6);
  std::fflush(stdout);
  return {rate, halfRate};
}

}  // namespace

bool runKeyedCheckpointed(const CheckpointBenchOptions& o) {
  const int64_t records = o.records > 0 ? o.records : kKeyedCheckpointedRecords;
  const uint64_t keys = uint64_t(o.keys > 0 ? o.keys : kWideKeys);
  ScratchDirectory scratch(o.dir);
  if (!scratch.ok()) return false;

  // The heap tables this key count fills (one map per key group).
  std::vector<uint64_t> perGroup(kMaxParallelism, 0);
  for (uint64_t k = 0; k < std::min<uint64_t>(keys, uint64_t(records)); ++k)
    ++perGroup[size_t(keyGroupOf(k))];
  uint64_t slots = 0;
  for (uint64_t n : perGroup) slots += tableCapacity(n);
  const uint64_t minGroup = *std::min_element(perGroup.begin(), perGroup.end());
  const uint64_t maxGroup = *std::max_element(perGroup.begin(), perGroup.end());
  std::printf(
      "keyed-checkpointed: %llu keys (%llu-%llu per key group) of %zu-byte values: %llu slots of %zu bytes = "
      "%.2f GiB of heap tables; %lld records, parallelism %d, checkpoints in %s\n",
      static_cast<unsigned long long>(keys), static_cast<unsigned long long>(minGroup),
      static_cast<unsigned long long>(maxGroup), sizeof(WideEvent), static_cast<unsigned long long>(slots),
      kSlotBytes<WideEvent>, double(slots * kSlotBytes<WideEvent>) / kGiB, static_cast<long long>(records),
      o.parallelism, scratch.path().c_str());
  std::fflush(stdout);

  // Unchecked and checkpointed runs alternate, so that a machine whose speed drifts
  // (a shared VM) weighs on both sides of each pair alike; the ratio reported is
  // the median over the pairs.
  std::vector<double> ratios, halfRatios, checkpointedRates;
  for (int64_t pair = 0; pair < o.pairs; ++pair) {
    const WideJobRun plain = runWideKeyedJob(records, keys, o.parallelism, "");
    if (!plain.ok) return false;
    const auto [plainRate, plainHalfRate] = reportRates("without checkpoints", plain, records);

    const WideJobRun checkpointed = runWideKeyedJob(records, keys, o.parallelism, scratch.path());
    if (!checkpointed.ok) return false;
    const auto [checkpointedRate, checkpointedHalfRate] =
        reportRates("checkpoint every 1 s", checkpointed, records);
    std::vector<double> totalMs, asyncMs, sizes;
    int64_t maxSyncMs = 0;
    for (const SeenCheckpoint& c : checkpointed.checkpoints) {
      if (o.pairs == 1) {
        std::printf(
            "keyed-checkpointed:   checkpoint %lld: %.1f MB in %lld ms (sync %lld ms, async %lld ms)\n",
            static_cast<long long>(c.id), double(c.bytes) / 1e6, static_cast<long long>(c.totalMs),
            static_cast<long long>(c.syncMs), static_cast<long long>(c.asyncMs));
      }
      totalMs.push_back(double(c.totalMs));
      asyncMs.push_back(double(c.asyncMs));
      sizes.push_back(double(c.bytes) / 1e6);
      maxSyncMs = std::max(maxSyncMs, c.syncMs);
    }
    const Percentiles total = percentiles(totalMs), async = percentiles(asyncMs), size = percentiles(sizes);
    std::printf(
        "keyed-checkpointed: %lld checkpoints completed (%zu seen, the last one the final checkpoint "
        "after the end of input), %lld failed or aborted; size median %.1f MB, max %.1f MB; end to end "
        "median %.0f ms, max %.0f ms; async part median %.0f ms (%.0f MB/s); sync part max %lld ms\n",
        static_cast<long long>(checkpointed.completed), checkpointed.checkpoints.size(),
        static_cast<long long>(checkpointed.failed), size.p50, size.max, total.p50, total.max, async.p50,
        async.p50 > 0 ? size.p50 / (async.p50 / 1e3) : 0.0, static_cast<long long>(maxSyncMs));
    ratios.push_back(checkpointedRate / plainRate);
    halfRatios.push_back(checkpointedHalfRate / plainHalfRate);
    checkpointedRates.push_back(checkpointedRate);
    std::printf(
        "keyed-checkpointed: pair %lld of %lld: checkpointed/unchecked = %.3f (target >= 0.95); second half "
        "of the input: %.3f\n",
        static_cast<long long>(pair + 1), static_cast<long long>(o.pairs), ratios.back(), halfRatios.back());
    std::fflush(stdout);
  }
  const Percentiles ratio = percentiles(ratios), halfRatio = percentiles(halfRatios),
                    rate = percentiles(checkpointedRates);
  if (o.pairs > 1) {
    std::printf(
        "keyed-checkpointed: over %lld pairs: checkpointed/unchecked median %.3f (min %.3f, max %.3f; target "
        ">= 0.95); second half of the input median %.3f (min %.3f, max %.3f)\n",
        static_cast<long long>(o.pairs), ratio.p50, ratio.min, ratio.max, halfRatio.p50, halfRatio.min,
        halfRatio.max);
  }
  std::printf("keyed-checkpointed records_per_sec=%llu\n", static_cast<unsigned long long>(rate.p50));
  std::fflush(stdout);
  return true;
}

// ---------------------------------------------------------------- filled backends

namespace {

// A heap keyed backend with the keyed job's state (the reduce operator's
// reducing state of WideEvent), filled to about a given size of heap tables.
class FilledBackend {
 public:
  // Every key group's table gets the power of two of slots nearest (on a log
  // scale) to targetBytes / key groups, filled to 95 % of its maximum load, so
  // that no table grows past it. Keys are u64 (serialized as 8 bytes).
  explicit FilledBackend(double targetBytes)
      : backend_(KeyGroupRange{0, kMaxParallelism - 1}, kMaxParallelism),
        descriptor_("_reduce_state", reduceWide) {
    state_ = &dynamic_cast<detail::HeapReducingState<WideEvent>&>(
        detail::getOrCreateKeyedState<ReducingState<WideEvent>, detail::HeapReducingState<WideEvent>>(
            backend_, descriptor_));
    const double exact = targetBytes / double(kMaxParallelism * kSlotBytes<WideEvent>);
    slotsPerGroup_ = std::max<uint64_t>(16, uint64_t(1) << int(std::lround(std::log2(exact))));
    const uint64_t limit = slotsPerGroup_ * 13 / 16;
    const uint64_t wanted = uint64_t(0.95 * double(limit) * kMaxParallelism);
    std::vector<uint64_t> perGroup(kMaxParallelism, 0);
    keys_.reserve(wanted);
    for (uint64_t k = 0; keys_.size() < wanted; ++k) {
      uint64_t& n = perGroup[size_t(keyGroupOf(k))];
      if (n == limit) continue;  // the key's table is full: leave the key out
      ++n;
      keys_.push_back(k);
      update(k);
    }
  }

  void update(uint64_t key) {
    backend_.setCurrentKey(reinterpret_cast<const uint8_t*>(&key), sizeof(key));
    WideEvent e;
    makeRecord(key, e);
    state_->addAndGet(e, reduceWide);
  }

  KeyedStateBackend& backend() { return backend_; }
  const std::vector<uint64_t>& keys() const { return keys_; }
  uint64_t slotsPerGroup() const { return slotsPerGroup_; }
  uint64_t tableBytes() const { return uint64_t(kMaxParallelism) * slotsPerGroup_ * kSlotBytes<WideEvent>; }
  std::string describe() const {
    char text[200];
    std::snprintf(text, sizeof text,
                  "%zu keys, %d key groups x %llu slots x %zu bytes = %.1f MiB of heap tables", keys_.size(),
                  kMaxParallelism, static_cast<unsigned long long>(slotsPerGroup_), kSlotBytes<WideEvent>,
                  double(tableBytes()) / kMiB);
    return text;
  }

 private:
  HeapKeyedStateBackend backend_;
  ReducingStateDescriptor<WideEvent> descriptor_;
  detail::HeapReducingState<WideEvent>* state_ = nullptr;
  std::vector<uint64_t> keys_;
  uint64_t slotsPerGroup_ = 0;
};

// Storage whose streams only count the bytes: the serialization cost of the async part alone.
class DiscardingCheckpointStorage final : public checkpoint::CheckpointStorage {
 public:
  std::string describe() const override { return "discarding"; }
  Status initializeLocation(int64_t) override { return Status::ok(); }
  Result<std::unique_ptr<checkpoint::CheckpointStateOutputStream>> createOutputStream(
      int64_t, checkpoint::StateScope) override {
    return std::unique_ptr<checkpoint::CheckpointStateOutputStream>(std::make_unique<Stream>());
  }
  Status writeMetadata(int64_t, const std::string&) override { return Status::ok(); }
  Status discardLocation(int64_t) override { return Status::ok(); }
  std::unique_ptr<checkpoint::StateReader> createReader() override { return nullptr; }
  Result<std::vector<int64_t>> listCompletedCheckpoints() override { return std::vector<int64_t>{}; }
  Result<std::string> readMetadata(int64_t) override { return Status::internal("unused"); }

 private:
  class Stream final : public checkpoint::CheckpointStateOutputStream {
   public:
    Status write(const void*, size_t size) override {
      position_ += size;
      return Status::ok();
    }
    uint64_t position() const override { return position_; }
    Result<checkpoint::StreamStateHandle> closeAndGetHandle() override {
      checkpoint::StreamStateHandle h;
      h.isInline = true;
      h.size = position_;
      return h;
    }
    void discard() override {}

   private:
    uint64_t position_ = 0;
  };
};

struct SyncFigures {
  Percentiles syncUs;
  double heldMs = 0;   // median time of one round's updates while the snapshot is held
  double freeMs = 0;   // the same number of updates with no snapshot held
  size_t updates = 0;  // per round
  size_t rounds = 0;
};

SyncFigures measureSyncPart(FilledBackend& filled, size_t rounds) {
  SyncFigures f;
  f.rounds = rounds;
  f.updates = std::max<size_t>(1, filled.keys().size() / 1000);
  UnusedCheckpointStorage storage;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<size_t> pick(0, filled.keys().size() - 1);
  std::vector<double> sync, held, free;
  for (size_t r = 0; r < rounds; ++r) {
    const auto t0 = Clock::now();
    state::AsyncKeyedSnapshot async = state::snapshotKeyedState(filled.backend(), storage, int64_t(r + 1));
    const auto t1 = Clock::now();
    sync.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    // The task goes on while the async part would run: its first writes to
    // pages the snapshot holds copy them.
    for (size_t i = 0; i < f.updates; ++i) filled.update(filled.keys()[pick(rng)]);
    const auto t2 = Clock::now();
    held.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    async = nullptr;  // the async part is done: the snapshot's pages are the map's alone again
    const auto t3 = Clock::now();
    for (size_t i = 0; i < f.updates; ++i) filled.update(filled.keys()[pick(rng)]);
    free.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t3).count());
  }
  f.syncUs = percentiles(sync);
  f.heldMs = percentiles(held).p50;
  f.freeMs = percentiles(free).p50;
  return f;
}

// How sequentialWriteMBps writes: through the page cache in 1 MiB blocks (what
// `dd bs=1M conv=fdatasync` does, the yardstick), or with O_DIRECT in
// 4 MiB blocks (`dd bs=4M oflag=direct conv=fdatasync`, how the file storage
// writes state files).
enum class WriteMode { kBuffered, kDirect };

// Writes `bytes` zeros to a new file in `dir`, then fdatasync; MB/s, or -1.
double sequentialWriteMBps(const std::string& dir, uint64_t bytes, WriteMode mode) {
  const std::string path = dir + "/ddtest";
  const size_t blockSize = mode == WriteMode::kDirect ? size_t{4} << 20 : size_t{1} << 20;
  std::unique_ptr<char, decltype(&std::free)> block(static_cast<char*>(std::aligned_alloc(4096, blockSize)),
                                                    &std::free);
  if (!block) return -1;
  std::memset(block.get(), 0, blockSize);
  const auto start = Clock::now();
  const int fd =
      ::open(path.c_str(),
             O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (mode == WriteMode::kDirect ? O_DIRECT : 0), 0644);
  if (fd < 0) {
    std::fprintf(stderr, "snapshot-async: cannot create %s%s: %s\n", path.c_str(),
                 mode == WriteMode::kDirect ? " with O_DIRECT" : "", std::strerror(errno));
    return -1;
  }
  bool ok = true;
  for (uint64_t done = 0; ok && done < bytes;) {
    const ssize_t n = ::write(fd, block.get(), std::min<uint64_t>(blockSize, bytes - done));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += uint64_t(n);
  }
  ok = ok && ::fdatasync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  const double seconds = secondsBetween(start, Clock::now());
  ::unlink(path.c_str());
  if (!ok) {
    std::fprintf(stderr, "snapshot-async: writing %s failed: %s\n", path.c_str(), std::strerror(errno));
    return -1;
  }
  return double(bytes) / 1e6 / seconds;
}

}  // namespace

bool runSnapshotSync(const CheckpointBenchOptions& o) {
  const size_t rounds = size_t(o.snapshots > 0 ? o.snapshots : kSyncSnapshots);
  double worstP99 = 0;
  for (double target : {10 * kMiB, kGiB}) {
    const auto fillStart = Clock::now();
    FilledBackend filled(target);
    const double fillSeconds = secondsBetween(fillStart, Clock::now());
    const SyncFigures f = measureSyncPart(filled, rounds);
    std::printf("snapshot-sync: %s (filled in %.1f s)\n", filled.describe().c_str(), fillSeconds);
    std::printf(
        "snapshot-sync:   %zu snapshots, sync part p50 %.1f us, p99 %.1f us, max %.1f us (target p99 < "
        "10 ms); %zu random updates between snapshots: %.2f ms while the snapshot is held (page "
        "copies), %.2f ms without\n",
        f.rounds, f.syncUs.p50, f.syncUs.p99, f.syncUs.max, f.updates, f.heldMs, f.freeMs);
    std::fflush(stdout);
    worstP99 = std::max(worstP99, f.syncUs.p99);
  }
  std::printf("snapshot-sync p99_us=%.0f\n", worstP99);
  std::fflush(stdout);
  return true;
}

bool runSnapshotAsync(const CheckpointBenchOptions& o) {
  ScratchDirectory scratch(o.dir);
  if (!scratch.ok()) return false;
  const auto fillStart = Clock::now();
  FilledBackend filled(kGiB);
  std::printf("snapshot-async: %s (filled in %.1f s), files in %s\n", filled.describe().c_str(),
              secondsBetween(fillStart, Clock::now()), scratch.path().c_str());
  std::fflush(stdout);

  constexpr uint64_t kDiskTestBytes = uint64_t(1) << 30;
  const double diskBefore = sequentialWriteMBps(scratch.path(), kDiskTestBytes, WriteMode::kBuffered);
  if (diskBefore < 0) return false;

  auto storage =
      checkpoint::createFileSystemCheckpointStorage(scratch.path(), "bench-snapshot-async", 20 * 1024);
  if (!storage.isOk()) {
    std::fprintf(stderr, "snapshot-async: %s\n", storage.status().toString().c_str());
    return false;
  }
  const int64_t checkpointId = 1;
  Status location = (*storage)->initializeLocation(checkpointId);
  if (!location.isOk()) {
    std::fprintf(stderr, "snapshot-async: %s\n", location.toString().c_str());
    return false;
  }
  state::AsyncKeyedSnapshot async = state::snapshotKeyedState(filled.backend(), **storage, checkpointId);
  const auto writeStart = Clock::now();
  auto handle = async();
  const double writeSeconds = secondsBetween(writeStart, Clock::now());
  async = nullptr;
  if (!handle.isOk() || !handle->has_value()) {
    std::fprintf(stderr, "snapshot-async: the async part failed: %s\n",
                 handle.isOk() ? "no state" : handle.status().toString().c_str());
    return false;
  }
  const uint64_t bytes = (*handle)->stream.size;
  (void)(*storage)->discardLocation(checkpointId);
  const double asyncMBps = double(bytes) / 1e6 / writeSeconds;

  const double diskAfter = sequentialWriteMBps(scratch.path(), kDiskTestBytes, WriteMode::kBuffered);
  // The device's speed for the way the storage writes (-1 if the file system refuses O_DIRECT).
  const double direct = sequentialWriteMBps(scratch.path(), kDiskTestBytes, WriteMode::kDirect);
  if (diskAfter < 0) return false;

  // The serialization alone (no checksum, no file), for the breakdown.
  DiscardingCheckpointStorage discarding;
  state::AsyncKeyedSnapshot serializeOnly =
      state::snapshotKeyedState(filled.backend(), discarding, checkpointId + 1);
  const auto serializeStart = Clock::now();
  auto counted = serializeOnly();
  const double serializeSeconds = secondsBetween(serializeStart, Clock::now());
  serializeOnly = nullptr;

  const double disk = (diskBefore + diskAfter) / 2;
  std::printf(
      "snapshot-async: async part wrote %.1f MB in %.3f s: %.0f MB/s (serialization alone, no file: %.0f "
      "MB/s)\n",
      double(bytes) / 1e6, writeSeconds, asyncMBps,
      counted.isOk() ? double(bytes) / 1e6 / serializeSeconds : 0.0);
  std::printf(
      "snapshot-async: sequential write of 1 GiB + fdatasync (dd bs=1M count=1024 conv=fdatasync) to the "
      "same directory: %.0f MB/s before, %.0f MB/s after\n",
      diskBefore, diskAfter);
  if (direct > 0) {
    std::printf(
        "snapshot-async: the same with O_DIRECT in 4 MiB blocks (dd bs=4M oflag=direct conv=fdatasync), "
        "as the storage writes: %.0f MB/s; async/direct = %.2f\n",
        direct, asyncMBps / direct);
  }
  std::printf(
      "snapshot-async: async/disk = %.2f (target >= 0.5; disk = the mean of the two dd-like writes)\n",
      asyncMBps / disk);
  std::printf("snapshot-async mb_per_sec=%.0f\n", asyncMBps);
  std::fflush(stdout);
  return true;
}

}  // namespace weir::bench
