// weir-bench: end-to-end throughput of whole jobs on the embedded cluster.
//
//   weir-bench <chain|exchange|keyed|all> [--records N] [--parallelism P] [--keys K]
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
// Each run checks the sink's record count against the expected one, so a fast
// but wrong engine does not produce a figure.
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

namespace weir::bench {

struct Event {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
};
WEIR_STRUCT(Event, a, b, c);

// ---------------------------------------------------------------- source

// Reads number-sequence splits; record i is {i, i * kMul, ~i}. One Event on the
// stack is reused for every record, so emitting allocates nothing.
class CounterReader final : public SourceReader<Event, NumberSequenceSplit> {
 public:
  // Records per pollNext: large enough to amortise the call, small enough that
  // the task still looks at its mailbox often (it asks for 256 per turn).
  static constexpr int64_t kBatch = 256;
  static constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;

  explicit CounterReader(SourceReaderContext& ctx) : ctx_(ctx) {}

  void start() override { ctx_.sendSplitRequest(); }

  InputStatus pollNext(ReaderOutput<Event>& out) override {
    if (next_ == splits_.size()) {
      return noMoreSplits_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
    }
    NumberSequenceSplit& s = splits_[next_];
    const int64_t end = s.to - s.from < kBatch ? s.to : s.from + kBatch - 1;
    Event e;
    for (int64_t i = s.from; i <= end; ++i) {
      e.a = uint64_t(i);
      e.b = uint64_t(i) * kMul;
      e.c = ~uint64_t(i);
      out.collect(e);
    }
    s.from = end + 1;
    if (end == s.to) {
      ++next_;
      // The answer (a split or "no more") arrives as a mail, which wakes the task.
      if (next_ == splits_.size() && !noMoreSplits_) ctx_.sendSplitRequest();
    }
    if (next_ == splits_.size()) {
      return noMoreSplits_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
    }
    return InputStatus::kMoreAvailable;
  }

  void addSplits(std::vector<NumberSequenceSplit> splits) override {
    splits_.insert(splits_.end(), splits.begin(), splits.end());
  }
  void notifyNoMoreSplits() override { noMoreSplits_ = true; }
  std::vector<NumberSequenceSplit> snapshotState() override {
    return {splits_.begin() + std::ptrdiff_t(next_), splits_.end()};
  }

 private:
  SourceReaderContext& ctx_;
  std::vector<NumberSequenceSplit> splits_;
  size_t next_ = 0;  // splits_[next_] is being read; the ones before are done
  bool noMoreSplits_ = false;
};

// Records 0..count-1, split evenly among the source's subtasks.
class CounterSource final : public Source<Event, NumberSequenceSplit> {
 public:
  explicit CounterSource(int64_t count) : count_(count) {}
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit>& ctx) const override {
    return std::make_unique<StaticSplitEnumerator<NumberSequenceSplit>>(
        ctx, splitNumberSequence(0, count_ - 1, ctx.currentParallelism()));
  }
  std::unique_ptr<SourceReader<Event, NumberSequenceSplit>> createReader(
      SourceReaderContext& ctx) const override {
    return std::make_unique<CounterReader>(ctx);
  }

 private:
  int64_t count_;
};

// ---------------------------------------------------------------- sink

// Counts records per subtask and adds the count to a shared total at end of input.
class CountingSink final : public Sink<Event> {
 public:
  CountingSink() : total_(std::make_shared<std::atomic<uint64_t>>(0)) {}
  std::unique_ptr<SinkWriter<Event>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>(total_);
  }
  uint64_t total() const { return total_->load(); }

 private:
  class Writer final : public SinkWriter<Event> {
   public:
    explicit Writer(std::shared_ptr<std::atomic<uint64_t>> total) : total_(std::move(total)) {}
    void write(const Event&, Timestamp) override { ++count_; }
    void flush(FlushReason reason) override {
      if (reason == FlushReason::kEndOfInput) {
        total_->fetch_add(count_);
        count_ = 0;
      }
    }

   private:
    std::shared_ptr<std::atomic<uint64_t>> total_;
    uint64_t count_ = 0;
  };
  std::shared_ptr<std::atomic<uint64_t>> total_;
};

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
                    const std::shared_ptr<CountingSink>& sink);
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
    Event e = mix(Event{uint64_t(i), uint64_t(i) * CounterReader::kMul, ~uint64_t(i)});
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

std::shared_ptr<const Source<Event, NumberSequenceSplit>> counterSource(int64_t records) {
  return std::make_shared<CounterSource>(records);
}

uint64_t buildChain(StreamExecutionEnvironment& env, const JobOptions& o,
                    const std::shared_ptr<CountingSink>& sink) {
  const int64_t records = o.records;
  env.fromSource(counterSource(records), "Counter Source")
      .map([](const Event& e) { return mix(e); })
      .filter([](const Event& e) { return e.a % 1000 != 999; })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(records) -
         uint64_t(records) / 1000;  // the values 999, 1999, ... below `records` are dropped
}

uint64_t buildExchange(StreamExecutionEnvironment& env, const JobOptions& o,
                       const std::shared_ptr<CountingSink>& sink) {
  env.fromSource(counterSource(o.records), "Counter Source")
      .rebalance()
      .map([](const Event& e) { return mix(e); })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(o.records);
}

// The exchange job over the credit-based transport (a copy per buffer, as over TCP).
uint64_t buildExchangeCredit(StreamExecutionEnvironment& env, const JobOptions& o,
                             const std::shared_ptr<CountingSink>& sink) {
  env.configuration().set("taskmanager.network.local-channel-mode", "credit-based");
  return buildExchange(env, o, sink);
}

uint64_t buildKeyed(StreamExecutionEnvironment& env, const JobOptions& o,
                    const std::shared_ptr<CountingSink>& sink) {
  const uint64_t keys = o.keys;
  env.fromSource(counterSource(o.records), "Counter Source")
      .keyBy([keys](const Event& e) { return e.a % keys; })
      .reduce([](const Event& x, const Event& y) {
        return Event{x.a, x.b + y.b, x.c + y.c};
      })
      .sinkTo(sink, "Counting Sink");
  return uint64_t(o.records);
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
};

// Runs one job; returns false if it failed or the sink saw the wrong number of records.
bool runJob(const JobSpec& job, const JobOptions& options) {
  StreamExecutionEnvironment env;
  env.setParallelism(options.parallelism);
  auto sink = std::make_shared<CountingSink>();
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
  std::fprintf(to,
               "usage: weir-bench <chain|exchange|keyed|all> [--records N] [--parallelism P] [--keys K]\n"
               "  Runs a benchmark job on the embedded cluster and prints, as its last line,\n"
               "  '<name> records_per_sec=<N>'. Defaults: chain 500M, exchange 200M, keyed 15M records;\n"
               "  parallelism 1; keyed job over 100000 distinct keys.\n");
}

// Parses a positive integer option value; false if malformed.
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
  int64_t records = 0;  // 0 = the job's default
  int64_t parallelism = 1;
  int64_t keys = 100'000;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    int64_t* target = arg == "--records"       ? &records
                      : arg == "--parallelism" ? &parallelism
                      : arg == "--keys"        ? &keys
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

  bool any = false;
  bool ok = true;
  for (const JobSpec& job : kJobs) {
    if (name != "all" && name != job.name) continue;
    any = true;
    JobOptions options;
    options.records = records > 0 ? records : job.defaultRecords;
    options.parallelism = int(parallelism);
    options.keys = uint64_t(keys);
    ok = runJob(job, options) && ok;
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
