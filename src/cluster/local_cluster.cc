#include "cluster/local_cluster.h"

#include <random>

#include <spdlog/spdlog.h>

#include <weir/core/options.h>

#include "cluster/job_master.h"
#include "runtime/timer_service.h"

namespace weir {

const char* jobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kCreated:
      return "CREATED";
    case JobStatus::kRunning:
      return "RUNNING";
    case JobStatus::kFailing:
      return "FAILING";
    case JobStatus::kFailed:
      return "FAILED";
    case JobStatus::kCancelling:
      return "CANCELLING";
    case JobStatus::kCanceled:
      return "CANCELED";
    case JobStatus::kFinished:
      return "FINISHED";
    case JobStatus::kRestarting:
      return "RESTARTING";
  }
  return "UNKNOWN";
}

bool isGloballyTerminal(JobStatus s) {
  return s == JobStatus::kFailed || s == JobStatus::kCanceled || s == JobStatus::kFinished;
}

namespace cluster {

std::string newJobId() {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd());
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[rng() % 16];
  return id;
}

namespace {

struct ClusterServices {
  explicit ClusterServices(size_t segments, uint32_t segmentSize) : network(segments, segmentSize) {}
  network::NetworkBufferPool network;
  runtime::SystemTimerService timers;
};

class EmbeddedJobClient final : public JobClient {
 public:
  EmbeddedJobClient(std::unique_ptr<ClusterServices> services, std::unique_ptr<JobMaster> jm)
      : services_(std::move(services)), jobMaster_(std::move(jm)) {}
  ~EmbeddedJobClient() override { jobMaster_.reset(); }
  const std::string& jobId() const override { return jobMaster_->jobId(); }
  JobStatus status() const override { return jobMaster_->status(); }
  JobProgress progress() const override { return jobMaster_->progress(); }
  void cancel() override { jobMaster_->cancel(); }
  JobExecutionResult waitForResult() override { return jobMaster_->waitForTermination(); }
  JobMaster& jobMaster() { return *jobMaster_; }

 private:
  std::unique_ptr<ClusterServices> services_;  // declared first: destroyed after the job master
  std::unique_ptr<JobMaster> jobMaster_;
};

}  // namespace

JobMaster* jobMasterOf(JobClient& client) {
  auto* embedded = dynamic_cast<EmbeddedJobClient*>(&client);
  return embedded == nullptr ? nullptr : &embedded->jobMaster();
}

Result<std::unique_ptr<JobClient>> submitJob(std::shared_ptr<const StreamGraph> graph,
                                             const std::string& jobName,
                                             std::shared_ptr<const Configuration> config) {
  try {
    graph::JobGraphOptions o;
    o.defaultParallelism = config->get(options::kDefaultParallelism);
    o.defaultMaxParallelism = config->get(options::kMaxParallelism);
    o.defaultMaxParallelismChosen = config->contains(options::kMaxParallelism.key);
    o.chainingEnabled = config->get(options::kOperatorChaining);
    if (o.defaultMaxParallelism < 1 || o.defaultMaxParallelism > kUpperBoundMaxParallelism) {
      return Status::invalidArgument("pipeline.max-parallelism must be between 1 and " +
                                     std::to_string(kUpperBoundMaxParallelism));
    }
    if (config->get(options::kBufferTimeout).count() < 0) {
      return Status::invalidArgument("execution.buffer-timeout must not be negative");
    }
    if (config->get(options::kAutoWatermarkInterval).count() < 0) {
      return Status::invalidArgument(
          "pipeline.auto-watermark-interval must not be negative (0 turns it off)");
    }
    Result<graph::JobGraph> jg = graph::buildJobGraph(*graph, jobName, o);
    if (!jg.isOk()) return jg.status();

    uint64_t segmentSize = config->get(options::kSegmentSize).bytes;
    uint64_t networkMax = config->get(options::kNetworkMemoryMax).bytes;
    if (segmentSize < 4096 || segmentSize > (64u << 20)) {
      return Status::invalidArgument("taskmanager.memory.segment-size must be between 4 kb and 64 mb");
    }
    auto services =
        std::make_unique<ClusterServices>(size_t(networkMax / segmentSize), uint32_t(segmentSize));
    runtime::TaskManagerServices tms;
    tms.timers = &services->timers;
    auto jm = std::make_unique<JobMaster>(newJobId(), std::move(graph), std::move(jg).value(), config,
                                          services->network, tms);
    Status s = jm->deploy();
    if (!s.isOk()) return s.withContext("job '" + jobName + "' could not be deployed");
    spdlog::info("job '{}' ({}) submitted", jobName, jm->jobId());
    return std::unique_ptr<JobClient>(
        std::make_unique<EmbeddedJobClient>(std::move(services), std::move(jm)));
  } catch (const ConfigError& e) {
    return Status::invalidArgument(e.what());
  } catch (const std::exception& e) {
    // User code that runs while deploying (a source's enumerator, say) must not escape.
    return Status::invalidArgument("job '" + jobName + "' could not be deployed: " + e.what());
  }
}

}  // namespace cluster
}  // namespace weir
