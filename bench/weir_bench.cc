// weir-bench: end-to-end throughput of whole jobs on the embedded cluster, and
// the checkpoint benchmarks (checkpoint_bench.h).
//
//   weir-bench <chain|exchange|keyed|exchange-credit|window|all> [--records N] [--parallelism P] [--keys K]
//   weir-bench <keyed-checkpointed|snapshot-sync|snapshot-async|checkpoints> [options]
//   weir-bench nexmark --query <q0|q1|q2|all> [--events N] [--parallelism P]  (nexmark_bench.h)
//
// Each job prints a human line, then "<name> records_per_sec=<N>" (an integer,
// source records divided by the wall time of execute()); with "all" every job
// jobs run in sequence and each prints its two lines. scripts/bench.sh and the
// performance floors read the records_per_sec lines.
//
// The jobs measure the engine, not the connectors: records come from
// CounterSource, which builds them from a counter in batches with no per-record
// allocation, and go to CountingSink, which only counts. Records are three u64
// (25 bytes on the wire with the element tag, 29 with the length prefix).
//   chain:    source -> map -> filter -> sink, one chained task per subtask
//   exchange: source -> rebalance -> map -> sink, source and map in separate tasks
//   keyed:    source -> keyBy(a % 100000) -> reduce(sum) -> sink, heap state
//             (--keys K changes the number of distinct keys, to separate the
//             cost of state that fits in cache from that of state that does not)
//   window:   source with event time a / 1000 ms and monotonous watermarks ->
//             keyBy(a % 100000) -> 1 s tumbling event-time windows ->
//             aggregate(count, sum) -> sink (1M records per window; one result
//             per key and window)
// Each run checks the sink's record count against the expected one, so a fast
// but wrong engine does not produce a figure.
//
// "all" runs the five throughput jobs (about 20 s); the checkpoint
// benchmarks take two to three minutes together and up to 3 GB of memory, so
// they run only by name, or all three with "checkpoints".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <weir/weir.h>

#include "backpressure_bench.h"
#include "bench_support.h"
#include "checkpoint_bench.h"
#include "nexmark_bench.h"

namespace weir::bench {

// ---------------------------------------------------------------- jobs

// Cheap but real per-record work: a splitmix-style mix of two fields.
inline Event mix(const Event& e) {
  uint64_t z = e.b ^ (e.b >> 30);
  z *= 0xBF58476D1CE4E5B9ull;
  return Event{e.a, z ^ (z >> 27), e.c + e.a};
}

struct JobOptions {
  int64_t records = 0;      // source records
  int parallelism = 1;      // of every operator
  uint64_t keys = 100'000;  // distinct keys of the keyed job
};

struct JobSpec {
  const char* name;
  int64_t defaultRecords;
  // Builds the job into `env`; returns the number of records the sink must see.
  uint64_t (*build)(StreamExecutionEnvironment& env, const JobOptions& options,
                    const std::shared_ptr<CountingSink<Event>>& sink);
  // The same per-record work as a plain single-threaded C++ loop, without the
  // engine (no tasks, serialization, network or state backend); returns a
  // checksum so the work is not optimised away. The ratio engine/baseline of one
  // run says what the engine costs on this machine at this moment.
  uint64_t (*baseline)(const JobOptions& options);
  const char* baselineDescription;
};

// Baselines. The loops generate the records exactly as CounterSource does.
uint64_t baselineChain(const JobOptions& o) {
  uint64_t kept = 0, sum = 0;
  for (int64_t i = 0; i < o.records; ++i) {
    Event e;
    makeRecord(uint64_t(i), e);
    e = mix(e);
    if (e.a % 1000 != 999) {
      ++kept;
      sum += e.b;
    }
  }
  return kept + sum;
}

uint64_t baselineKeyed(const JobOptions& o) {
  std::unordered_map<uint64_t, Event> state;
  uint64_t sum = 0;
  for (int64_t i = 0; i < o.records; ++i) {
    Event e{uint64_t(i), uint64_t(i) * 3, uint64_t(i) ^ 0x55};
    auto [it, inserted] = state.try_emplace(e.a % o.keys, e);
    if (!inserted) it->second = Event{it->second.a, it->second.b + e.b, it->second.c + e.c};
    sum += it->second.b;
  }
  return sum;
}

uint64_t buildChain(StreamExecutionEnvironment& env, const JobOptions& o,
                    const std::shared_ptr<CountingSink<Event>>& sink) {
  const int64_t records = o.records;
  env.fromSource(counterSource<Event>(records), "Counter Source")
      .map([](const Event& e) { return mix(e); })
      .filter([](const Event& e) { return e.a % 1000 != 999; })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(records) -
         uint64_t(records) / 1000;  // the values 999, 1999, ... below `records` are dropped
}

uint64_t buildExchange(StreamExecutionEnvironment& env, const JobOptions& o,
                       const std::shared_ptr<CountingSink<Event>>& sink) {
  env.fromSource(counterSource<Event>(o.records), "Counter Source")
      .rebalance()
      .map([](const Event& e) { return mix(e); })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(o.records);
}

// The exchange job over the credit-based transport (a copy per buffer, as over TCP).
uint64_t buildExchangeCredit(StreamExecutionEnvironment& env, const JobOptions& o,
                             const std::shared_ptr<CountingSink<Event>>& sink) {
  env.configuration().set("taskmanager.network.local-channel-mode", "credit-based");
  return buildExchange(env, o, sink);
}

uint64_t buildKeyed(StreamExecutionEnvironment& env, const JobOptions& o,
                    const std::shared_ptr<CountingSink<Event>>& sink) {
  const uint64_t keys = o.keys;
  env.fromSource(counterSource<Event>(o.records), "Counter Source")
      .keyBy([keys](const Event& e) { return e.a % keys; })
      .reduce([](const Event& x, const Event& y) {
        return Event{x.a, x.b + y.b, x.c + y.c};
      })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(o.records);
}

// Event time of the window job: 1000 records per millisecond, so a 1 s window holds 1M records.
inline Timestamp windowEventTime(const Event& e) { return Timestamp(e.a / 1000); }
constexpr int64_t kWindowRecords = 1'000'000;  // per 1 s tumbling window

// Tumbling windows of (count, sum of b) per key, flushed when the window changes.
uint64_t baselineWindow(const JobOptions& o) {
  std::unordered_map<uint64_t, std::pair<uint64_t, uint64_t>> window;
  uint64_t sum = 0;
  int64_t current = 0;
  for (int64_t i = 0; i < o.records; ++i) {
    Event e;
    makeRecord(uint64_t(i), e);
    if (i / kWindowRecords != current) {
      for (const auto& [k, v] : window) sum += v.first + v.second;
      window.clear();
      current = i / kWindowRecords;
    }
    auto& acc = window[e.a % o.keys];
    acc.first += 1;
    acc.second += e.b;
  }
  for (const auto& [k, v] : window) sum += v.first + v.second;
  return sum;
}

struct CountAndSumB final : AggregateFunction<Event, Event, Event> {
  Event createAccumulator() const override { return Event{0, 0, 0}; }
  void add(const Event& e, Event& acc) const override {
    acc.a = e.a;
    acc.b += 1;
    acc.c += e.b;
  }
  Event getResult(const Event& acc) const override { return acc; }
  Event merge(const Event& x, const Event& y) const override { return Event{x.a, x.b + y.b, x.c + y.c}; }
};

uint64_t buildWindow(StreamExecutionEnvironment& env, const JobOptions& o,
                     const std::shared_ptr<CountingSink<Event>>& sink) {
  const uint64_t keys = o.keys;
  auto strategy = WatermarkStrategy<Event>::forMonotonousTimestamps().withTimestampAssigner(
      [](const Event& e) { return windowEventTime(e); });
  env.fromSource(counterSource<Event>(o.records), strategy, "Counter Source")
      .keyBy([keys](const Event& e) { return e.a % keys; })
      .window(TumblingEventTimeWindows::of(std::chrono::seconds(1)))
      .aggregate(CountAndSumB{})
      .sinkTo(sink, "Counting Sink");
  // One result per key and window: every key occurs in every full window (keys <= 1M).
  const uint64_t full = uint64_t(o.records / kWindowRecords), rest = uint64_t(o.records % kWindowRecords);
  return full * std::min<uint64_t>(keys, kWindowRecords) + std::min<uint64_t>(keys, rest);
}

// Defaults: about 3 s per job on the 2-core reference machine as measured when
// the benchmark was written (chain ~150M/s, exchange ~70M/s, keyed ~4M/s with
// 100k keys); at the floors (50M/s, 20M/s, 12M/s) chain and exchange take ~10 s.
const JobSpec kJobs[] = {
    {"chain", 500'000'000, buildChain, baselineChain, "plain loop: generate, map, filter"},
    {"exchange", 200'000'000, buildExchange, baselineChain,
     "plain loop: generate, map, filter (no exchange)"},
    {"keyed", 60'000'000, buildKeyed, baselineKeyed, "plain loop: generate, std::unordered_map reduce"},
    {"exchange-credit", 200'000'000, buildExchangeCredit, baselineChain,
     "plain loop: generate, map, filter (no exchange)"},
    {"window", 30'000'000, buildWindow, baselineWindow,
     "plain loop: generate, per-window std::unordered_map count and sum"},
};

// Runs one job; returns false if it failed or the sink saw the wrong number of records.
bool runJob(const JobSpec& job, const JobOptions& options) {
  StreamExecutionEnvironment env;
  env.setParallelism(options.parallelism);
  auto sink = std::make_shared<CountingSink<Event>>();
  const uint64_t expected = job.build(env, options, sink);

  const auto start = std::chrono::steady_clock::now();
  JobExecutionResult result;
  try {
    result = env.execute(std::string("bench-") + job.name);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: job failed: %s\n", job.name, e.what());
    return false;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (sink->total() != expected) {
    std::fprintf(stderr, "%s: the sink got %llu records, expected %llu\n", job.name,
                 static_cast<unsigned long long>(sink->total()), static_cast<unsigned long long>(expected));
    return false;
  }
  const double perSecond = double(options.records) / std::max(seconds, 1e-9);
  const auto baseStart = std::chrono::steady_clock::now();
  volatile uint64_t checksum = job.baseline(options);
  (void)checksum;
  const double baseSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - baseStart).count();
  const double basePerSecond = double(options.records) / std::max(baseSeconds, 1e-9);
  std::printf("%s: baseline (%s, 1 thread): %.2f M records/s; engine/baseline = %.2f\n", job.name,
              job.baselineDescription, basePerSecond / 1e6, perSecond / basePerSecond);
  std::printf("%s: %lld records in %.3f s (%.2f M records/s), parallelism %d, job duration %lld ms\n",
              job.name, static_cast<long long>(options.records), seconds, perSecond / 1e6,
              options.parallelism, static_cast<long long>(result.duration.count()));
  std::printf("%s records_per_sec=%llu\n", job.name, static_cast<unsigned long long>(perSecond));
  std::fflush(stdout);
  return true;
}

void usage(FILE* to) {
  std::fprintf(
      to,
      "usage: weir-bench <chain|exchange|keyed|exchange-credit|window|all> [--records N] [--parallelism P] "
      "[--keys "
      "K]\n"
      "       weir-bench <keyed-checkpointed|snapshot-sync|snapshot-async|checkpoints> [--records N]\n"
      "                  [--keys K] [--snapshots N] [--pairs N] [--dir DIR]\n"
      "       weir-bench nexmark --query <q0|q1|q2|all> [--events N] [--parallelism P]  "
      "(bench/nexmark_bench.h)\n"
      "       weir-bench backpressure [--mode aligned|unaligned|timeout|debloat|at_least_once|all] "
      "[--seconds S] "
      "[--record-us U]\n"
      "                  checkpoint durations under backpressure (bench/backpressure_bench.h)\n"
      "  Runs a benchmark job on the embedded cluster and prints, as its last line,\n"
      "  '<name> records_per_sec=<N>'. Defaults: chain 500M, exchange 200M, keyed and\n"
      "  exchange-credit 60M/200M records; parallelism 1; keyed job over 100000 distinct keys.\n"
      "  'all' runs the five throughput jobs, 'checkpoints' the three checkpoint benchmarks\n"
      "  (two to three minutes together, up to 3 GB of memory; see bench/checkpoint_bench.h):\n"
      "    keyed-checkpointed  the keyed job over %lld keys of 128-byte values (1.19 GiB of heap\n"
      "                        tables, 0.89 GB per checkpoint), without and then with a checkpoint\n"
      "                        every second (default %lld records); last line\n"
      "                        'keyed-checkpointed records_per_sec=<N>' (with checkpoints);\n"
      "                        --pairs N alternates N such pairs of runs and reports the\n"
      "                        median ratio (for machines whose speed drifts);\n"
      "    snapshot-sync       synchronous part of keyed snapshots at 10 MiB and 1 GiB of heap\n"
      "                        state, p50/p99/max over %lld snapshots per size (--snapshots N);\n"
      "                        last line 'snapshot-sync p99_us=<N>';\n"
      "    snapshot-async      asynchronous part writing the 1 GiB state to file storage, MB/s,\n"
      "                        against a sequential write of 1 GiB + fdatasync to the same\n"
      "                        directory; last line 'snapshot-async mb_per_sec=<N>'.\n"
      "  --dir DIR: where the checkpoint benchmarks write (a new directory inside DIR, default\n"
      "  $TMPDIR or /tmp), deleted afterwards.\n",
      static_cast<long long>(kWideKeys), static_cast<long long>(kKeyedCheckpointedRecords),
      static_cast<long long>(kSyncSnapshots));
}

bool parsePositive(const char* text, int64_t& value) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0) return false;
  value = v;
  return true;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "-h" || name == "--help") {
    usage(stdout);
    return 0;
  }
  if (name == "nexmark") return runNexmarkBench(argc - 1, argv + 1);  // its own options
  int64_t records = 0;                                                // 0 = the job's default
  int64_t parallelism = 1;
  int64_t keys = 0;  // 0 = the job's default
  CheckpointBenchOptions checkpointOptions;
  BackpressureBenchOptions backpressureOptions;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dir" && i + 1 < argc) {
      checkpointOptions.dir = argv[++i];
      continue;
    }
    if (arg == "--mode" && i + 1 < argc) {
      backpressureOptions.mode = argv[++i];
      continue;
    }
    int64_t* target = arg == "--records"       ? &records
                      : arg == "--parallelism" ? &parallelism
                      : arg == "--keys"        ? &keys
                      : arg == "--snapshots"   ? &checkpointOptions.snapshots
                      : arg == "--pairs"       ? &checkpointOptions.pairs
                      : arg == "--seconds"     ? &backpressureOptions.seconds
                      : arg == "--record-us"   ? &backpressureOptions.recordMicros
                                               : nullptr;
    if (target == nullptr || i + 1 >= argc || !parsePositive(argv[i + 1], *target)) {
      std::fprintf(stderr, "weir-bench: bad argument '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    ++i;
  }
  if (parallelism > 1024) {
    std::fprintf(stderr, "weir-bench: --parallelism must be at most 1024\n");
    return 2;
  }
  checkpointOptions.records = records;
  checkpointOptions.keys = keys;
  checkpointOptions.parallelism = int(parallelism);

  bool any = false;
  bool ok = true;
  for (const JobSpec& job : kJobs) {
    if (name != "all" && name != job.name) continue;
    any = true;
    JobOptions options;
    options.records = records > 0 ? records : job.defaultRecords;
    options.parallelism = int(parallelism);
    options.keys = keys > 0 ? uint64_t(keys) : 100'000;
    ok = runJob(job, options) && ok;
  }
  const bool allCheckpoints = name == "checkpoints";
  if (allCheckpoints || name == "snapshot-sync") {
    any = true;
    ok = runSnapshotSync(checkpointOptions) && ok;
  }
  if (allCheckpoints || name == "snapshot-async") {
    any = true;
    ok = runSnapshotAsync(checkpointOptions) && ok;
  }
  if (allCheckpoints || name == "keyed-checkpointed") {
    any = true;
    ok = runKeyedCheckpointed(checkpointOptions) && ok;
  }
  if (name == "backpressure") {
    any = true;
    ok = runBackpressure(backpressureOptions) && ok;
  }
  if (!any) {
    std::fprintf(stderr, "weir-bench: unknown benchmark '%s'\n", name.c_str());
    usage(stderr);
    return 2;
  }
  return ok ? 0 : 1;
}

}  // namespace weir::bench

int main(int argc, char** argv) { return weir::bench::run(argc, argv); }
