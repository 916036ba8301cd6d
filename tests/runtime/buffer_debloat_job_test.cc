// Buffer debloating in a running job: a slow operator backpressures its input,
// and the input announces a buffer size far below the segment, following the
// operator's throughput (how much faster aligned checkpoints get is measured by
// `weir-bench backpressure --mode debloat`, not here: no timing in unit tests).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <weir/weir.h>

#include "cluster/job_master.h"
#include "cluster/local_cluster.h"

namespace weir {
namespace {

using namespace std::chrono_literals;

class Slow final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void processElement(const int64_t& x, Context&, Collector<int64_t>& out) override {
    auto until = std::chrono::steady_clock::now() + 100us;
    while (std::chrono::steady_clock::now() < until) {
    }
    out.collect(x);
  }
};

struct Observed {
  double debloatedBufferSize = 0;
  double estimatedTimeMs = 0;
};

Observed run(bool debloat) {
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  Configuration& c = env.configuration();
  c.set("taskmanager.network.memory.buffer-debloat.enabled", debloat ? "true" : "false");
  c.set("taskmanager.network.memory.buffer-debloat.period", "50 ms");
  c.set("taskmanager.network.memory.buffer-debloat.samples", "3");
  c.set("taskmanager.network.memory.buffer-debloat.target", "200 ms");
  c.set("rest.enabled", "false");
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, int64_t(1) << 40);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .keyBy([](int64_t x) { return x % 16; })
      .process(Slow{})
      .name("slow")
      .sinkTo(std::make_shared<DiscardingSink<int64_t>>());
  std::unique_ptr<JobClient> client = env.executeAsync(debloat ? "debloat" : "no-debloat");
  std::this_thread::sleep_for(1500ms);
  cluster::JobMetrics m = cluster::jobMasterOf(*client)->metrics();
  Observed o;
  for (const cluster::VertexMetrics& v : m.vertices) {
    if (v.name.find("slow") == std::string::npos) continue;
    o.debloatedBufferSize = v.subtasks[0][cluster::kDebloatedBufferSize];
    o.estimatedTimeMs = v.subtasks[0][cluster::kEstimatedTimeToConsumeBuffersMs];
  }
  client->cancel();
  client->waitForResult();
  return o;
}

TEST(BufferDebloatJobTest, BackpressuredInputAsksForSmallBuffers) {
  Observed off = run(false);
  EXPECT_EQ(off.debloatedBufferSize, 0) << "off: no size announced";
  Observed on = run(true);
  // About 10,000 records/s of ~13 bytes through ~10 buffers in flight: a 200 ms target
  // wants buffers of a few hundred bytes, far below the 32 KiB segment.
  EXPECT_GT(on.debloatedBufferSize, 0);
  EXPECT_LT(on.debloatedBufferSize, 8 * 1024) << "the size follows the slow operator's throughput";
  EXPECT_GE(on.estimatedTimeMs, 0);
}

}  // namespace
}  // namespace weir
