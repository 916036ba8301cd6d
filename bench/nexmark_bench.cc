#include "nexmark_bench.h"

#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <weir/connectors/nexmark/generator.h>
#include <weir/weir.h>

#include "bench_support.h"
#include "nexmark/queries.h"
#include "nexmark_baselines.h"

namespace weir::bench {

namespace {

namespace nx = examples::nexmark;
using weir::nexmark::Event;
using weir::nexmark::EventType;
using weir::nexmark::NexmarkGenerator;

// Long enough that the 10 s checkpoint interval fires during a run: 13-15 s on one core at the
// generator's 4-5 M events/s on the reference VM.
constexpr int64_t kDefaultEvents = 60'000'000;
constexpr const char* kCheckpointInterval = "10 s";

struct Baseline {
  uint64_t results = 0;
  double eventsPerSecond = 0;
};

// Generates the events in a plain loop and applies the query without the engine
// (nexmark_baselines.h): the number of results the sink must see.
Baseline baseline(const std::string& query, int64_t events) {
  const NexmarkGenerator generator{weir::nexmark::GeneratorConfig{}};
  auto plain = makeNexmarkBaseline(query);
  Event e;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t n = 0; n < events; ++n) {
    generator.generate(n, e);
    plain->onEvent(e);
  }
  const uint64_t results = plain->results();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {results, double(events) / std::max(seconds, 1e-9)};
}

// CPU time of the process (all threads), in seconds.
double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

bool runOnce(const nx::Query& query, int64_t events, int parallelism, bool checkpointing, uint64_t expected) {
  StreamExecutionEnvironment env;
  env.setParallelism(parallelism);
  if (checkpointing) env.configuration().set("execution.checkpointing.interval", kCheckpointInterval);
  weir::nexmark::NexmarkSourceOptions source;
  source.events = events;
  nx::buildNexmarkJob(env, query, source, nx::ResultSink{nx::ResultSinkKind::kBlackhole, ""});

  const std::string name = std::string("nexmark-") + query.name;
  const auto start = std::chrono::steady_clock::now();
  const double cpuStart = cpuSeconds();
  JobExecutionResult result;
  try {
    result = env.execute("bench-" + name);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "%s: job failed: %s\n", name.c_str(), ex.what());
    return false;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Cores the job kept busy on average (all its threads: tasks, timers, snapshots).
  const double cores = (cpuSeconds() - cpuStart) / std::max(seconds, 1e-9);
  if (result.progress.sinkRecordsIn != expected) {
    std::fprintf(stderr, "%s: the sink got %llu results, expected %llu\n", name.c_str(),
                 static_cast<unsigned long long>(result.progress.sinkRecordsIn),
                 static_cast<unsigned long long>(expected));
    return false;
  }
  const double perSecond = double(events) / std::max(seconds, 1e-9);
  const char* mode = checkpointing ? "10s" : "off";
  std::printf(
      "%s: %lld events in %.3f s (%.2f M events/s, %.2f M/s per busy core), parallelism %d, %.1f cores busy, "
      "%llu results, checkpointing %s (%lld checkpoints, the final one included)\n",
      name.c_str(), static_cast<long long>(events), seconds, perSecond / 1e6,
      perSecond / 1e6 / std::max(cores, 1.0), parallelism, cores, static_cast<unsigned long long>(expected),
      checkpointing ? "every 10 s" : "off", static_cast<long long>(result.progress.checkpointsCompleted));
  std::printf("%s events_per_sec=%llu cores=%.1f checkpointing=%s\n", name.c_str(),
              static_cast<unsigned long long>(perSecond), cores, mode);
  std::fflush(stdout);
  return true;
}

void usage(FILE* to) {
  std::fprintf(to,
               "usage: weir-bench nexmark --query <%s|all> [--events N] [--parallelism P]\n"
               "  Runs a Nexmark query over N generated events (default %lld) into a discarding sink,\n"
               "  without checkpoints and then with a checkpoint every 10 s; prints per run\n"
               "  'nexmark-<q> events_per_sec=<N> cores=<C> checkpointing=<off|10s>'.\n",
               nx::queryNames().c_str(), static_cast<long long>(kDefaultEvents));
}

}  // namespace

int runNexmarkBench(int argc, char** argv) {
  std::string queryName;
  int64_t events = kDefaultEvents;
  int64_t parallelism = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    }
    if (arg == "--query" && i + 1 < argc) {
      queryName = argv[++i];
      continue;
    }
    int64_t* target = arg == "--events" ? &events : arg == "--parallelism" ? &parallelism : nullptr;
    if (target == nullptr || i + 1 >= argc || !parsePositive(argv[i + 1], *target)) {
      std::fprintf(stderr, "weir-bench nexmark: bad argument '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    ++i;
  }
  if (parallelism > 1024) {
    std::fprintf(stderr, "weir-bench nexmark: --parallelism must be at most 1024\n");
    return 2;
  }
  std::vector<const nx::Query*> selected;
  for (const nx::Query& q : nx::queries())
    if (queryName == "all" || queryName == q.name) selected.push_back(&q);
  if (selected.empty()) {
    std::fprintf(stderr, "weir-bench nexmark: %s; the queries are %s (or all)\n",
                 queryName.empty() ? "--query is required" : ("unknown query '" + queryName + "'").c_str(),
                 nx::queryNames().c_str());
    return 2;
  }
  bool ok = true;
  for (const nx::Query* q : selected) {
    const Baseline base = baseline(q->name, events);
    std::printf(
        "nexmark-%s: baseline (generate the events and apply the query in a plain loop, 1 thread): "
        "%.2f M events/s\n",
        q->name, base.eventsPerSecond / 1e6);
    ok = runOnce(*q, events, int(parallelism), false, base.results) && ok;
    ok = runOnce(*q, events, int(parallelism), true, base.results) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace weir::bench
