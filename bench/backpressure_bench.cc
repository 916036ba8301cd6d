#include "backpressure_bench.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench_support.h"
#include "cluster/job_master.h"
#include "cluster/local_cluster.h"
#include "runtime/timer_service.h"

namespace weir::bench {

namespace {

// Spends `micros` of CPU per record, so that it, not the engine, sets the pace.
class SlowOperator final : public KeyedProcessFunction<uint64_t, Event, Event> {
 public:
  explicit SlowOperator(int64_t micros) : micros_(micros) {}
  void processElement(const Event& e, Context&, Collector<Event>& out) override {
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros_);
    while (std::chrono::steady_clock::now() < until) {
    }
    out.collect(e);
  }

 private:
  int64_t micros_;
};

bool runMode(const std::string& mode, const BackpressureBenchOptions& o) {
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  Configuration& c = env.configuration();
  c.set("execution.checkpointing.interval", "1 s");
  c.set("execution.checkpointing.timeout", "10 min");
  c.set("execution.checkpointing.mode", mode == "at_least_once" ? "AT_LEAST_ONCE" : "EXACTLY_ONCE");
  if (mode == "unaligned" || mode == "timeout") c.set("execution.checkpointing.unaligned.enabled", "true");
  if (mode == "timeout") c.set("execution.checkpointing.aligned-checkpoint-timeout", "100 ms");
  if (mode == "debloat") c.set("taskmanager.network.memory.buffer-debloat.enabled", "true");
  c.set("web.checkpoints.history", "10000");
  c.set("rest.enabled", "false");
  auto sink = std::make_shared<CountingSink<Event>>();
  env.fromSource(counterSource<Event>(int64_t(1) << 60), "counter")
      .rebalance()
      .map([](const Event& e) { return e; })
      .keyBy([](const Event& e) { return e.a % 1000; })
      .process(SlowOperator(o.recordMicros))
      .rebalance()
      .sinkTo(sink);
  std::unique_ptr<JobClient> client = env.executeAsync("backpressure-" + mode);
  const auto start = std::chrono::steady_clock::now();
  const int64_t startMillis = runtime::wallClockMillis();
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  const JobProgress progress = client->progress();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cluster::CheckpointStatsSnapshot stats = cluster::jobMasterOf(*client)->checkpointCoordinator()->stats();
  client->cancel();
  client->waitForResult();

  std::vector<double> durations, steady;
  double pendingAge = 0;
  // Steady state: checkpoints triggered after the first third of the run (at most 20 s),
  // once the start-up's full queues have drained (what debloating cannot shrink: the
  // buffers filled before its first measurement).
  const int64_t warmupMillis = std::min<int64_t>(20'000, o.seconds * 1000 / 3);
  for (const cluster::CheckpointStats& s : stats.history) {
    if (s.status == cluster::CheckpointStatus::kCompleted) {
      durations.push_back(double(s.endToEndDuration.count()));
      if (s.triggerTimestampMillis >= startMillis + warmupMillis)
        steady.push_back(double(s.endToEndDuration.count()));
    }
    if (s.status == cluster::CheckpointStatus::kInProgress)
      pendingAge = std::max(pendingAge, double(s.endToEndDuration.count()));
  }
  const Percentiles p = percentiles(durations);
  const Percentiles ps = percentiles(steady);
  const bool none = durations.empty();
  // The slow operator's throughput: what reached the sink (records after the slow operator).
  const double rate = double(progress.sinkRecordsIn) / elapsed;
  std::printf("backpressure: mode %s, %.0f s, %zu checkpoints completed, %lld failed, %s; max %.0f ms\n",
              mode.c_str(), elapsed, durations.size(), static_cast<long long>(stats.failed),
              none ? "none completed (p50/p99 are the pending one's age)" : "end-to-end durations", p.max);
  std::printf(
      "backpressure mode=%s p50_ms=%.0f p99_ms=%.0f records_per_sec=%.0f completed=%zu steady_p50_ms=%.0f "
      "steady_p99_ms=%.0f steady_completed=%zu\n",
      mode.c_str(), none ? pendingAge : p.p50, none ? pendingAge : p.p99, rate, durations.size(),
      steady.empty() ? pendingAge : ps.p50, steady.empty() ? pendingAge : ps.p99, steady.size());
  return true;
}

}  // namespace

bool runBackpressure(const BackpressureBenchOptions& o) {
  const std::vector<std::string> modes = {"aligned", "unaligned", "timeout", "debloat", "at_least_once"};
  bool any = false;
  for (const std::string& m : modes) {
    if (o.mode != "all" && o.mode != m) continue;
    any = true;
    runMode(m, o);
  }
  if (!any) {
    std::fprintf(stderr,
                 "weir-bench backpressure: unknown --mode '%s' (aligned, unaligned, timeout, debloat, "
                 "at_least_once or "
                 "all)\n",
                 o.mode.c_str());
  }
  return any;
}

}  // namespace weir::bench
