#include "cluster/job_master.h"

#include "checkpoint/metadata.h"
#include "cluster/restart_strategy.h"
#include "runtime/timer_service.h"
#include "state/operator_state_redistribution.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <spdlog/spdlog.h>

#include <weir/core/check.h>
#include <weir/core/options.h>

namespace weir::cluster {

using runtime::ExecutionState;

// Everything one run of the job needs. Destruction order matters: tasks (which hold
// buffers) go before gates and partitions (which queue buffers), which go before
// their pools; see the destructor.
struct JobMaster::Attempt {
  int number = 0;
  std::vector<std::vector<std::unique_ptr<network::ResultPartition>>> partitions;  // [jobEdge][producer]
  std::vector<std::vector<std::unique_ptr<network::InputGate>>> gates;             // [jobEdge][consumer]
  std::unique_ptr<network::CreditBasedTransport> transport;                        // credit-based mode only
  std::vector<std::unique_ptr<CoordinatorContext>> coordinatorContexts;
  std::vector<std::unique_ptr<OperatorCoordinator>> coordinators;        // by stream node, null if none
  std::vector<std::vector<std::unique_ptr<runtime::StreamTask>>> tasks;  // [vertex][subtask]

  void cancelTasks() {
    for (auto& v : tasks)
      for (auto& t : v) t->cancel();
  }
  void joinTasks() {
    for (auto& v : tasks)
      for (auto& t : v) t->join();
  }
  ~Attempt() {
    cancelTasks();
    joinTasks();
    // Coordinators may still send events to tasks: close them while the tasks exist.
    for (auto& c : coordinators)
      if (c) c->close();
    tasks.clear();
    // Credit-based channels talk to the transport until released: stop the transport's
    // thread first (no more deliveries), then release every gate (no more credits), and
    // only then let the transport go. Gate pool listeners hold raw channel pointers.
    if (transport) transport->shutdown();
    for (auto& perEdge : gates) {
      for (auto& gate : perEdge) {
        if (gate->bufferPool() != nullptr) gate->bufferPool()->setAvailabilityListener(nullptr);
        gate->release();
      }
    }
    gates.clear();
    transport.reset();
  }
};

class JobMaster::CoordinatorContext final : public OperatorCoordinatorContext {
 public:
  CoordinatorContext(const graph::JobGraph& jobGraph, Attempt& attempt, int nodeId)
      : jobGraph_(jobGraph),
        attempt_(attempt),
        nodeId_(nodeId),
        vertex_(jobGraph.vertexOfNode[size_t(nodeId)]) {}
  int currentParallelism() const override { return jobGraph_.vertices[size_t(vertex_)].parallelism; }
  // Called only from within coordinator calls, which the JobMaster makes while the
  // attempt is alive (under its attempt lock, or while building it).
  void sendEventToOperator(int subtask, std::vector<uint8_t> event) override {
    auto& tasks = attempt_.tasks;
    if (size_t(vertex_) >= tasks.size() || size_t(subtask) >= tasks[size_t(vertex_)].size()) return;
    tasks[size_t(vertex_)][size_t(subtask)]->deliverOperatorEvent(nodeId_, std::move(event));
  }

 private:
  const graph::JobGraph& jobGraph_;
  Attempt& attempt_;
  int nodeId_;
  int vertex_;
};

JobMaster::JobMaster(std::string jobId, std::shared_ptr<const StreamGraph> streamGraph,
                     graph::JobGraph jobGraph, std::shared_ptr<const Configuration> config,
                     network::NetworkBufferPool& networkPool, runtime::TaskManagerServices services)
    : jobId_(std::move(jobId)),
      streamGraph_(std::move(streamGraph)),
      jobGraph_(std::move(jobGraph)),
      config_(std::move(config)),
      networkPool_(networkPool),
      services_(services) {}

JobMaster::~JobMaster() {
  {
    std::lock_guard lock(mu_);
    shuttingDown_ = true;
    controlCv_.notify_all();
  }
  stopCheckpointing();
  cancelAllTasks();
  if (controller_.joinable()) controller_.join();
  teardownAttempt();
  // Async snapshot parts acknowledge into the (stopped) coordinator: let them finish.
  if (snapshotExecutor_) snapshotExecutor_->shutdown();
}

Status JobMaster::createNetwork(Attempt& a) {
  const int buffersPerChannel = config_->get(options::kBuffersPerChannel);
  const int floating = config_->get(options::kFloatingBuffersPerGate);
  if (buffersPerChannel < 1) {
    return Status::invalidArgument("taskmanager.network.memory.buffers-per-channel must be at least 1");
  }
  if (floating < 0)
    return Status::invalidArgument("taskmanager.network.memory.floating-buffers-per-gate must be >= 0");
  const std::string modeName = config_->get(options::kLocalChannelMode);
  const bool creditBased =
      parseEnum(options::kLocalChannelMode.key, modeName, {"pointer", "credit-based"}) == 1;
  if (creditBased) a.transport = std::make_unique<network::CreditBasedTransport>();
  a.partitions.resize(jobGraph_.edges.size());
  a.gates.resize(jobGraph_.edges.size());
  for (const graph::JobEdge& e : jobGraph_.edges) {
    const graph::JobVertex& src = jobGraph_.vertices[size_t(e.sourceVertex)];
    const graph::JobVertex& dst = jobGraph_.vertices[size_t(e.targetVertex)];
    graph::SubtaskConnections conn = graph::connectSubtasks(e.pattern, src.parallelism, dst.parallelism);
    for (int p = 0; p < src.parallelism; ++p) {
      int subpartitions = int(conn.consumersOfProducer[size_t(p)].size());
      std::string name = src.name + " (" + std::to_string(p + 1) + "/" + std::to_string(src.parallelism) +
                         ") -> " + dst.name;
      auto pool = network::LocalBufferPool::create(
          networkPool_, size_t(subpartitions) * size_t(buffersPerChannel) + size_t(floating), name);
      if (!pool.isOk()) return pool.status();
      a.partitions[size_t(e.id)].push_back(
          std::make_unique<network::ResultPartition>(name, subpartitions, std::move(pool).value()));
    }
    for (int c = 0; c < dst.parallelism; ++c) {
      const auto& producers = conn.producersOfConsumer[size_t(c)];
      std::string gateName = dst.name + " (" + std::to_string(c + 1) + "/" + std::to_string(dst.parallelism) +
                             ") input " + std::to_string(e.targetInput);
      auto gate = std::make_unique<network::InputGate>(gateName, int(producers.size()));
      if (creditBased) {
        auto pool = network::LocalBufferPool::create(
            networkPool_, producers.size() * size_t(buffersPerChannel) + size_t(floating), gateName);
        if (!pool.isOk()) return pool.status();
        gate->setBufferPool(std::move(pool).value());
      }
      std::vector<network::RemoteInputChannel*> remotes;
      for (size_t ch = 0; ch < producers.size(); ++ch) {
        int p = producers[ch];
        const auto& consumers = conn.consumersOfProducer[size_t(p)];
        int sub = int(std::find(consumers.begin(), consumers.end(), c) - consumers.begin());
        auto& subpartition = a.partitions[size_t(e.id)][size_t(p)]->subpartition(sub);
        if (creditBased) {
          auto channel = std::make_unique<network::RemoteInputChannel>(*gate, int(ch), *gate->bufferPool(),
                                                                       buffersPerChannel);
          channel->connect(*a.transport, subpartition);
          remotes.push_back(channel.get());
          gate->setChannel(int(ch), std::move(channel));
        } else {
          gate->setChannel(int(ch),
                           std::make_unique<network::LocalInputChannel>(*gate, int(ch), subpartition));
        }
      }
      if (creditBased) {
        // Floating buffers returned to the gate pool go to whichever channel's backlog wants them.
        gate->bufferPool()->setAvailabilityListener([remotes] {
          for (network::RemoteInputChannel* r : remotes) r->onFloatingBuffersAvailable();
        });
      }
      a.gates[size_t(e.id)].push_back(std::move(gate));
    }
  }
  return Status::ok();
}

namespace {

// The id under which an operator's state is stored: its uid, else one derived from
// its position in the graph (stable for the same program, not across changes of it).
std::string operatorIdOf(const StreamNode& n) {
  if (!n.uid.empty()) return n.uid;
  std::string id = "auto-" + std::to_string(n.id) + "-";
  for (char c : n.name) id += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
  return id;
}

// In-flight data (unaligned checkpoints) belongs to channels, each between one subtask
// upstream and one downstream, numbered by the parallelism at both ends. It restores only where
// the operator holding it is still the first of its task (the task restores its head's
// channel state) and it and the operators at the other end of its channels keep their
// parallelism; redistributing it is not built yet.
Status checkInFlightDataFits(const graph::JobGraph& jg, const StreamGraph& g,
                             const checkpoint::CheckpointMetadata& md, const std::string& path) {
  auto nodeOf = [&](const std::string& operatorId) -> const StreamNode* {
    for (const StreamNode& n : g.nodes())
      if (operatorIdOf(n) == operatorId) return &n;
    return nullptr;
  };
  auto parallelismBefore = [&](const std::string& operatorId) -> std::optional<int> {
    for (const checkpoint::OperatorState& os : md.operators)
      if (os.operatorId == operatorId) return os.parallelism;
    return std::nullopt;
  };
  for (const checkpoint::OperatorState& os : md.operators) {
    bool inFlight = false;
    for (const auto& [i, s] : os.subtaskStates) inFlight |= !s.channelState.empty();
    const StreamNode* holder = inFlight ? nodeOf(os.operatorId) : nullptr;
    if (holder == nullptr) continue;  // none, or dropped with the operator (ignore-unclaimed-state)
    auto refuse = [&](const std::string& why) {
      return Status::invalidArgument(
          "checkpoint " + path + " is unaligned: operator '" + os.operatorId + "' holds in-flight data " +
          why +
          "; restore the job as it was checkpointed, or rescale from a savepoint or "
          "an aligned checkpoint (redistributing in-flight data is not supported yet)");
    };
    const graph::JobVertex& v = jg.vertices[size_t(jg.vertexOfNode[size_t(holder->id)])];
    if (v.headNode() != holder->id) {
      return refuse("as the first operator of its task, and is now chained behind '" +
                    operatorIdOf(g.node(v.headNode())) + "'");
    }
    if (v.parallelism != os.parallelism) {
      return refuse("at parallelism " + std::to_string(os.parallelism) + ", and the job now runs it at " +
                    std::to_string(v.parallelism));
    }
    for (bool input : {true, false}) {
      for (int edgeId : input ? v.inputEdges : v.outputEdges) {
        const graph::JobEdge& e = jg.edges[size_t(edgeId)];
        const std::string other = operatorIdOf(g.node(input ? e.sourceNode : e.targetNode));
        const int now = jg.vertices[size_t(input ? e.sourceVertex : e.targetVertex)].parallelism;
        const std::string side = std::string(input ? "from its input '" : "for its output '") + other + "'";
        std::optional<int> before = parallelismBefore(other);
        if (!before) return refuse(side + ", which the checkpoint does not have");
        if (*before != now) {
          return refuse(side + ", which ran at parallelism " + std::to_string(*before) + " and now runs at " +
                        std::to_string(now));
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace

Status JobMaster::setUpCheckpointing() {
  std::optional<std::chrono::milliseconds> interval = config_->get(options::kCheckpointInterval);
  if (!interval || interval->count() <= 0) return Status::ok();
  size_t mode = parseEnum(options::kCheckpointMode.key, config_->get(options::kCheckpointMode),
                          {"EXACTLY_ONCE", "AT_LEAST_ONCE"});
  checkpointingMode_ =
      mode == 1 ? runtime::CheckpointingMode::kAtLeastOnce : runtime::CheckpointingMode::kExactlyOnce;
  unalignedCheckpoints_ = config_->get(options::kUnalignedCheckpoints);
  alignedCheckpointTimeout_ = config_->get(options::kAlignedCheckpointTimeout);
  if (alignedCheckpointTimeout_.count() < 0) {
    return Status::invalidArgument("execution.checkpointing.aligned-checkpoint-timeout must not be negative");
  }
  if (unalignedCheckpoints_ && checkpointingMode_ != runtime::CheckpointingMode::kExactlyOnce) {
    return Status::invalidArgument(
        "execution.checkpointing.unaligned.enabled requires execution.checkpointing.mode EXACTLY_ONCE "
        "(at-least-once checkpoints never block a channel, so they have nothing to unalign)");
  }
  static const char* kRetention[] = {"NO_EXTERNALIZED_CHECKPOINTS", "DELETE_ON_CANCELLATION",
                                     "RETAIN_ON_CANCELLATION"};
  retention_ = kRetention[parseEnum(options::kExternalizedCheckpointRetention.key,
                                    config_->get(options::kExternalizedCheckpointRetention),
                                    {kRetention[0], kRetention[1], kRetention[2]})];
  CheckpointCoordinatorOptions o;
  o.interval = *interval;
  o.timeout = config_->get(options::kCheckpointTimeout);
  o.minPause = config_->get(options::kCheckpointMinPause);
  o.maxConcurrent = config_->get(options::kMaxConcurrentCheckpoints);
  o.tolerableFailures = config_->get(options::kTolerableFailedCheckpoints);
  o.numRetained = config_->get(options::kNumRetainedCheckpoints);
  o.statsHistorySize = config_->get(options::kWebCheckpointsHistory);
  if (o.statsHistorySize < 0) return Status::invalidArgument("web.checkpoints.history must not be negative");
  if (o.timeout.count() <= 0)
    return Status::invalidArgument("execution.checkpointing.timeout must be positive");
  if (o.maxConcurrent < 1) {
    return Status::invalidArgument("execution.checkpointing.max-concurrent-checkpoints must be at least 1");
  }
  if (o.numRetained < 1)
    return Status::invalidArgument("execution.checkpointing.num-retained must be at least 1");
  if (o.tolerableFailures < 0) {
    return Status::invalidArgument(
        "execution.checkpointing.tolerable-failed-checkpoints must not be negative");
  }
  uint64_t inlineThreshold = config_->get(options::kCheckpointInlineThreshold).bytes;
  if (std::optional<std::string> dir = config_->get(options::kCheckpointDir)) {
    auto storage = checkpoint::createFileSystemCheckpointStorage(*dir, jobId_, inlineThreshold);
    if (!storage.isOk()) return storage.status().withContext("execution.checkpointing.dir");
    checkpointStorage_ = std::move(storage).value();
  } else {
    spdlog::info("execution.checkpointing.dir is not set: checkpoints of job {} are kept in memory only",
                 jobId_);
    checkpointStorage_ = checkpoint::createMemoryCheckpointStorage(inlineThreshold);
  }
  // Savepoints go to directories of their own, whatever keeps the checkpoints.
  checkpointStorage_ = checkpoint::withSavepoints(std::move(checkpointStorage_), jobId_, inlineThreshold);
  if (unalignedCheckpoints_) {
    const int perFile = config_->get(options::kMaxSubtasksPerChannelStateFile);
    if (perFile < 1) {
      return Status::invalidArgument(
          "execution.checkpointing.unaligned.max-subtasks-per-channel-state-file must be at least 1");
    }
    channelStateFiles_ = std::make_unique<runtime::ChannelStateFileGroups>(*checkpointStorage_, perFile);
  }
  snapshotExecutor_ = std::make_unique<runtime::AsyncExecutor>(2);

  std::vector<CheckpointedOperator> ops;
  for (const StreamNode& n : streamGraph_->nodes()) {
    ops.push_back({operatorIdOf(n), n.name, jobGraph_.nodeParallelism[size_t(n.id)],
                   jobGraph_.nodeMaxParallelism[size_t(n.id)]});
  }
  int tasks = 0;
  for (const graph::JobVertex& v : jobGraph_.vertices) tasks += v.parallelism;
  checkpointCoordinator_ = std::make_unique<CheckpointCoordinator>(
      o, jobId_, jobGraph_.name, *checkpointStorage_, static_cast<CheckpointCoordinatorGateway&>(*this),
      std::move(ops), tasks);
  return Status::ok();
}

void JobMaster::stopCheckpointing() {
  if (checkpointCoordinator_) checkpointCoordinator_->shutdown();
}

Status JobMaster::loadRestoreCheckpoint() {
  std::optional<std::string> path = config_->get(options::kStateRecoveryPath);
  if (!path || path->empty()) return Status::ok();
  Result<checkpoint::ResolvedCheckpoint> resolved = checkpoint::resolveCheckpointPath(*path);
  if (!resolved.isOk()) return resolved.status().withContext("cannot restore from '" + *path + "'");
  Result<checkpoint::CheckpointMetadata> md = checkpoint::deserializeMetadata(resolved->metadataBytes, *path);
  if (!md.isOk()) return md.status();
  const bool ignoreUnclaimed = config_->get(options::kIgnoreUnclaimedState);
  for (const checkpoint::OperatorState& os : md->operators) {
    const StreamNode* match = nullptr;
    for (const StreamNode& n : streamGraph_->nodes())
      if (operatorIdOf(n) == os.operatorId) match = &n;
    bool hasState = !os.subtaskStates.empty() || !os.coordinatorState.empty();
    if (match == nullptr) {
      if (hasState && !ignoreUnclaimed) {
        return Status::invalidArgument(
            "checkpoint " + *path + " has state for operator '" + os.operatorId + "' (" + os.operatorName +
            "), which this job does not have; give the operator that uid again, or set "
            "execution.state-recovery.ignore-unclaimed-state to drop that state");
      }
      continue;
    }
    const int newParallelism = jobGraph_.nodeParallelism[size_t(match->id)];
    int newMax = jobGraph_.nodeMaxParallelism[size_t(match->id)];
    bool keyed = false;
    for (auto& [i, s] : os.subtaskStates) keyed |= !s.keyedState.empty();
    if (keyed && !match->keyed) {
      return Status::invalidArgument(
          "checkpoint " + *path + " has keyed state for operator '" + os.operatorId + "' (" +
          os.operatorName +
          "), which is not keyed in this job (its input does not come through keyBy()); key its input as "
          "before, or give the operator a new uid and set execution.state-recovery.ignore-unclaimed-state "
          "to drop that state");
    }
    if (keyed && newMax != os.maxParallelism) {
      if (jobGraph_.nodeMaxParallelismChosen[size_t(match->id)]) {
        return Status::invalidArgument(
            "operator '" + os.operatorId + "': the checkpoint was taken with max parallelism " +
            std::to_string(os.maxParallelism) + " and the job now sets " + std::to_string(newMax) +
            "; keyed state is split into that many key groups, so max parallelism cannot change: set it to " +
            std::to_string(os.maxParallelism) + " again, or leave it unset to adopt the checkpoint's");
      }
      // Not chosen by the user: adopt the checkpoint's (Flink does the same), if it allows the
      // parallelism the operator now runs at.
      if (newParallelism > os.maxParallelism) {
        return Status::invalidArgument(
            "operator '" + os.operatorId + "' now runs at parallelism " + std::to_string(newParallelism) +
            ", but its keyed state in checkpoint " + *path + " is split into " +
            std::to_string(os.maxParallelism) +
            " key groups (its max parallelism), so at most that many subtasks can own it; run it at "
            "parallelism " +
            std::to_string(os.maxParallelism) + " or less");
      }
      spdlog::info("job {}: operator '{}' adopts max parallelism {} from the checkpoint (it sets none)",
                   jobId_, os.operatorId, os.maxParallelism);
      jobGraph_.nodeMaxParallelism[size_t(match->id)] = os.maxParallelism;
      graph::JobVertex& vertex = jobGraph_.vertices[size_t(jobGraph_.vertexOfNode[size_t(match->id)])];
      vertex.maxParallelism = os.maxParallelism;  // a keyed operator's, as buildJobGraph sets it
    }
  }
  WEIR_RETURN_IF_ERROR(checkInFlightDataFits(jobGraph_, *streamGraph_, *md, *path));
  initialRestoreClaim_ = parseEnum(options::kStateRecoveryClaimMode.key,
                                   config_->get(options::kStateRecoveryClaimMode), {"NO_CLAIM", "CLAIM"}) == 1
                             ? ClaimMode::kClaim
                             : ClaimMode::kNoClaim;
  if (initialRestoreClaim_ == ClaimMode::kClaim && !config_->get(options::kCheckpointInterval)) {
    spdlog::warn("job {}: claim mode CLAIM without checkpointing: the job never subsumes {}, so it stays",
                 jobId_, *path);
  }
  initialRestoreReader_ = checkpoint::createFileStateReader(resolved->jobDirectory);
  spdlog::info("job {} restores checkpoint {} from {}{}", jobId_, md->checkpointId, *path,
               initialRestoreClaim_ == ClaimMode::kClaim ? " (claimed: deleted once subsumed)" : "");
  initialRestore_ = std::move(md).value();
  return Status::ok();
}

std::map<std::string, checkpoint::OperatorSubtaskState> JobMaster::restoreStateFor(const RestorePoint& from,
                                                                                   const graph::JobVertex& v,
                                                                                   int subtask) {
  std::map<std::string, checkpoint::OperatorSubtaskState> result;
  if (from.metadata == nullptr) return result;
  for (int nodeId : v.chain) {
    const StreamNode& n = streamGraph_->node(nodeId);
    std::string opId = operatorIdOf(n);
    for (const checkpoint::OperatorState& os : from.metadata->operators) {
      if (os.operatorId != opId) continue;
      checkpoint::OperatorSubtaskState s;
      KeyGroupRange range =
          keyGroupRangeForOperatorIndex(jobGraph_.nodeMaxParallelism[size_t(nodeId)], v.parallelism, subtask);
      std::vector<checkpoint::OperatorStateHandle> old(size_t(os.parallelism));
      for (auto& [i, st] : os.subtaskStates) {
        for (const auto& k : st.keyedState) {
          if (k.range.start <= range.end && range.start <= k.range.end) s.keyedState.push_back(k);
        }
        // In-flight data goes back to the same subtask (loadRestoreCheckpoint refuses a changed
        // parallelism for it).
        if (i == subtask && os.parallelism == v.parallelism) s.channelState = st.channelState;
        if (!st.operatorState.empty()) old[size_t(i)] = st.operatorState.front();
      }
      bool anyOperatorState = false;
      for (auto& h : old) anyOperatorState |= !h.states.empty();
      if (anyOperatorState)
        s.operatorState = state::redistributeOperatorState(old, v.parallelism)[size_t(subtask)];
      if (!s.empty()) result[opId] = std::move(s);
    }
  }
  return result;
}

Status JobMaster::deploy() {
  startTime_ = std::chrono::steady_clock::now();
  startWallMillis_ = runtime::wallClockMillis();
  {
    std::lock_guard lock(mu_);
    statusTimestamps_[JobStatus::kCreated] = startWallMillis_;
  }
  WEIR_RETURN_IF_ERROR(loadRestoreCheckpoint());
  auto strategy = createRestartStrategy(*config_, config_->get(options::kCheckpointInterval).has_value());
  if (!strategy.isOk()) return strategy.status();
  restartStrategy_ = std::move(strategy).value();

  const StreamGraph& g = *streamGraph_;
  operatorMetrics_.resize(g.nodes().size());
  for (const StreamNode& n : g.nodes()) {
    int p = jobGraph_.nodeParallelism[size_t(n.id)];
    for (int i = 0; i < p; ++i)
      operatorMetrics_[size_t(n.id)].push_back(std::make_shared<OperatorIOMetrics>());
  }
  taskMetrics_.resize(jobGraph_.vertices.size());
  reportedRunning_.resize(jobGraph_.vertices.size());
  {
    // Read here, not on the failure path: a bad value is a deploy error, never a
    // throw from a task thread's state update.
    const int historySize = config_->get(options::kWebExceptionHistorySize);
    if (historySize < 1) return Status::invalidArgument("web.exception-history-size must be at least 1");
    std::lock_guard lock(mu_);
    exceptionHistorySize_ = size_t(historySize);
    subtaskRuntime_.resize(jobGraph_.vertices.size());
    for (const graph::JobVertex& v : jobGraph_.vertices)
      subtaskRuntime_[size_t(v.id)].assign(size_t(v.parallelism), SubtaskRuntime{});
  }
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    for (int s = 0; s < v.parallelism; ++s)
      taskMetrics_[size_t(v.id)].push_back(std::make_shared<runtime::TaskIOMetrics>());
    reportedRunning_[size_t(v.id)].assign(size_t(v.parallelism), 0);
    tasksTotal_ += v.parallelism;
    if (g.node(v.headNode()).isSource) sourceTasks_ += v.parallelism;
  }
  metricsSampler_ = std::make_unique<TaskMetricsSampler>(taskMetrics_);

  WEIR_RETURN_IF_ERROR(setUpCheckpointing());
  if (checkpointStorage_) ownCheckpointReader_ = checkpointStorage_->createReader();
  if (initialRestore_ && checkpointCoordinator_) {
    const std::string path = config_->get(options::kStateRecoveryPath).value_or("");
    checkpointCoordinator_->restoredFrom(*initialRestore_, initialRestoreClaim_, [path]() -> Status {
      Result<checkpoint::DisposedSavepoint> done = checkpoint::discardClaimedSnapshot(path);
      if (!done.isOk()) return done.status();
      if (!done->directoryRemoved)
        spdlog::warn("claimed checkpoint {}: its directory keeps files it does not name", done->directory);
      return Status::ok();
    });
    checkpointCoordinator_->statsTracker().reportRestored(
        {initialRestore_->checkpointId, runtime::wallClockMillis(), false,
         config_->get(options::kStateRecoveryPath).value_or("")});
  }

  RestorePoint from;
  if (initialRestore_) from = {&*initialRestore_, initialRestoreReader_.get()};
  auto attempt = buildAttempt(0, from);
  if (!attempt.isOk()) return attempt.status();
  WEIR_RETURN_IF_ERROR(startAttempt(std::move(attempt).value()));
  if (checkpointCoordinator_) checkpointCoordinator_->start();
  controller_ = std::thread([this] { runController(); });
  return Status::ok();
}

Result<std::unique_ptr<JobMaster::Attempt>> JobMaster::buildAttempt(int number, const RestorePoint& from) {
  auto a = std::make_unique<Attempt>();
  a->number = number;
  WEIR_RETURN_IF_ERROR(createNetwork(*a));
  const StreamGraph& g = *streamGraph_;
  auto bufferTimeout = config_->get(options::kBufferTimeout);
  std::optional<runtime::TaskBufferDebloat> debloat;
  if (config_->get(options::kBufferDebloatEnabled)) {
    runtime::TaskBufferDebloat d;
    d.period = config_->get(options::kBufferDebloatPeriod);
    d.options.target = config_->get(options::kBufferDebloatTarget);
    d.options.samples = config_->get(options::kBufferDebloatSamples);
    d.options.thresholdPercent = config_->get(options::kBufferDebloatThreshold);
    d.options.maxSize = uint32_t(config_->get(options::kSegmentSize).bytes);
    const uint64_t minSize = config_->get(options::kMinSegmentSize).bytes;
    if (d.period.count() <= 0)
      return Status::invalidArgument("taskmanager.network.memory.buffer-debloat.period must be positive");
    if (d.options.target.count() <= 0)
      return Status::invalidArgument("taskmanager.network.memory.buffer-debloat.target must be positive");
    if (d.options.samples < 1)
      return Status::invalidArgument("taskmanager.network.memory.buffer-debloat.samples must be at least 1");
    if (d.options.thresholdPercent < 0 || d.options.thresholdPercent > 100) {
      return Status::invalidArgument(
          "taskmanager.network.memory.buffer-debloat.threshold-percentages must be between 0 and 100");
    }
    if (minSize < 64 || minSize > d.options.maxSize) {
      return Status::invalidArgument(
          "taskmanager.memory.min-segment-size must be between 64 bytes and "
          "taskmanager.memory.segment-size");
    }
    d.options.minSize = uint32_t(minSize);
    debloat = d;
  }
  a->tasks.resize(jobGraph_.vertices.size());
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    for (int s = 0; s < v.parallelism; ++s) {
      runtime::TaskDeployment d;
      d.jobName = jobGraph_.name;
      d.taskName = v.name;
      d.vertexId = v.id;
      d.subtaskIndex = s;
      d.parallelism = v.parallelism;
      d.attemptNumber = number;
      d.config = config_;
      d.bufferTimeout = bufferTimeout;
      d.bufferDebloat = debloat;
      d.metrics = taskMetrics_[size_t(v.id)][size_t(s)];
      if (from.metadata != nullptr) {
        d.restored = true;
        d.restoreState = restoreStateFor(from, v, s);
        d.restoreReader = from.reader;
      }
      if (checkpointCoordinator_) {
        d.checkpointing.enabled = true;
        d.checkpointing.mode = checkpointingMode_;
        d.checkpointing.unaligned = unalignedCheckpoints_;
        d.checkpointing.alignedCheckpointTimeout = alignedCheckpointTimeout_;
        d.checkpointing.storage = checkpointStorage_.get();
        d.checkpointing.executor = snapshotExecutor_.get();
        d.checkpointing.channelStateFiles = channelStateFiles_.get();
      }
      for (int je : v.outputEdges) {
        const graph::JobEdge& e = jobGraph_.edges[size_t(je)];
        runtime::TaskOutputSpec o;
        o.partition = a->partitions[size_t(je)][size_t(s)].get();
        o.partitioner = e.partitioner;
        o.consumerMaxParallelism = jobGraph_.nodeMaxParallelism[size_t(e.targetNode)];
        d.outputs.push_back(o);
      }
      for (int je : v.inputEdges) {
        const graph::JobEdge& e = jobGraph_.edges[size_t(je)];
        runtime::TaskInputSpec in;
        in.gate = a->gates[size_t(je)][size_t(s)].get();
        in.inputIndex = e.targetInput;
        in.type = e.type;
        d.inputs.push_back(in);
      }
      for (int nodeId : v.chain) {
        const StreamNode& n = g.node(nodeId);
        runtime::ChainedOperator op;
        op.nodeId = nodeId;
        op.name = n.name;
        op.operatorId = operatorIdOf(n);
        op.factory = &n.operatorFactory;
        op.outputType = n.outputType;
        op.isSource = n.isSource;
        op.keyed = n.keyed;
        op.maxParallelism = jobGraph_.nodeMaxParallelism[size_t(nodeId)];
        op.metrics = operatorMetrics_[size_t(nodeId)][size_t(s)];
        for (int ei : n.outEdges) {
          const StreamEdge& se = g.edge(ei);
          std::vector<int>* chained = &op.chainedOutputs;
          std::vector<int>* network = &op.networkOutputs;
          if (!se.sideOutputTag.empty()) {
            auto it = std::find_if(op.sideOutputs.begin(), op.sideOutputs.end(),
                                   [&](const auto& so) { return so.tag == se.sideOutputTag; });
            if (it == op.sideOutputs.end()) {
              op.sideOutputs.push_back({se.sideOutputTag, se.sideOutputType, {}, {}});
              it = op.sideOutputs.end() - 1;
            }
            chained = &it->chainedOutputs;
            network = &it->networkOutputs;
          }
          if (jobGraph_.edgeChained[size_t(ei)]) {
            chained->push_back(int(std::find(v.chain.begin(), v.chain.end(), se.targetId) - v.chain.begin()));
          } else {
            int je = jobGraph_.jobEdgeOfStreamEdge[size_t(ei)];
            network->push_back(
                int(std::find(v.outputEdges.begin(), v.outputEdges.end(), je) - v.outputEdges.begin()));
          }
        }
        d.chain.push_back(std::move(op));
      }
      a->tasks[size_t(v.id)].push_back(std::make_unique<runtime::StreamTask>(std::move(d), services_, *this));
    }
  }

  a->coordinators.resize(g.nodes().size());
  for (const StreamNode& n : g.nodes()) {
    if (!n.coordinatorFactory) continue;
    a->coordinatorContexts.push_back(std::make_unique<CoordinatorContext>(jobGraph_, *a, n.id));
    a->coordinators[size_t(n.id)] = n.coordinatorFactory(*a->coordinatorContexts.back());
  }
  if (from.metadata != nullptr) {
    for (const StreamNode& n : g.nodes()) {
      if (!a->coordinators[size_t(n.id)]) continue;
      for (const checkpoint::OperatorState& os : from.metadata->operators) {
        if (os.operatorId == operatorIdOf(n) && !os.coordinatorState.empty()) {
          a->coordinators[size_t(n.id)]->resetToCheckpoint(os.coordinatorState);
        }
      }
    }
  }
  return a;
}

Status JobMaster::startAttempt(std::unique_ptr<Attempt> a) {
  try {
    // Split assignments on start go to task mailboxes; the tasks run them once started.
    for (auto& c : a->coordinators)
      if (c) c->start();
  } catch (const std::exception& e) {
    return Status::invalidArgument(std::string("a source failed to start: ") + e.what());
  }
  Attempt* started = a.get();
  {
    std::unique_lock attemptLock(attemptMu_);
    attempt_ = std::move(a);
  }
  {
    std::lock_guard lock(mu_);
    if (status_ == JobStatus::kCancelling) {
      // Cancelled while the attempt was being built: nothing of it ever ran.
      setStatusLocked(JobStatus::kCanceled);
      return Status::ok();
    }
    tasksRunning_ = 0;
    tasksTerminal_ = 0;
    sourcesAtEndOfData_ = 0;
    finalCheckpointId_ = 0;
    for (auto& v : reportedRunning_) std::fill(v.begin(), v.end(), 0);
    for (auto& v : subtaskRuntime_)
      std::fill(v.begin(), v.end(), SubtaskRuntime{runtime::ExecutionState::kDeploying});
    attemptNumber_ = started->number;
    setStatusLocked(JobStatus::kRunning);
  }
  // Tasks of the installed attempt are only destroyed by teardownAttempt(), which
  // runs on this thread (deploy) or the controller, never concurrently with this.
  for (auto& v : started->tasks)
    for (auto& t : v) t->start();
  return Status::ok();
}

void JobMaster::teardownAttempt() {
  std::unique_ptr<Attempt> old;
  {
    std::unique_lock attemptLock(attemptMu_);
    old = std::move(attempt_);
  }
  // The destructor cancels and joins the tasks outside the attempt lock: task threads
  // may be inside a gateway call that waits for it.
  old.reset();
}

void JobMaster::runController() {
  std::unique_lock lock(mu_);
  for (;;) {
    controlCv_.wait(lock, [&] {
      return (restartReady_ && failureActionsInFlight_ == 0) || isGloballyTerminal(status_) || shuttingDown_;
    });
    if (!restartReady_ || shuttingDown_) return;
    restartReady_ = false;
    const auto delay = restartDelay_;
    const int number = attemptNumber_ + 1;
    lock.unlock();
    teardownAttempt();
    lock.lock();
    if (delay.count() > 0) {
      spdlog::info("job {} restarts in {} ms", jobId_, delay.count());
      controlCv_.wait_for(lock, delay, [&] { return status_ != JobStatus::kRestarting || shuttingDown_; });
    }
    if (shuttingDown_) return;
    if (status_ == JobStatus::kCancelling) {
      setStatusLocked(JobStatus::kCanceled);  // cancelled while restarting: no task is left
      return;
    }
    if (status_ != JobStatus::kRestarting) return;
    lock.unlock();

    // Restore from the latest completed checkpoint: this job's own, or the one it was
    // started from if none completed since; without either, start afresh.
    std::optional<checkpoint::CheckpointMetadata> latest;
    RestorePoint from;
    if (checkpointCoordinator_) latest = checkpointCoordinator_->latestCompleted();
    if (latest) {
      bool isInitial = initialRestore_ && initialRestore_->checkpointId == latest->checkpointId &&
                       initialRestore_->jobId == latest->jobId;
      from = {&*latest, isInitial ? initialRestoreReader_.get() : ownCheckpointReader_.get()};
    } else if (initialRestore_) {
      from = {&*initialRestore_, initialRestoreReader_.get()};
    }
    spdlog::info("job {}: deploying attempt {}{}", jobId_, number,
                 from.metadata ? " from checkpoint " + std::to_string(from.metadata->checkpointId)
                               : std::string(" without state (no completed checkpoint)"));
    // Checkpoints resume now; none triggers before every task of the new attempt runs.
    if (checkpointCoordinator_) {
      if (from.metadata != nullptr) {
        const bool own = from.reader == ownCheckpointReader_.get();
        checkpointCoordinator_->statsTracker().reportRestored(
            {from.metadata->checkpointId, runtime::wallClockMillis(), false,
             own ? checkpointStorage_->externalPointer(from.metadata->checkpointId)
                 : config_->get(options::kStateRecoveryPath).value_or("")});
      }
      checkpointCoordinator_->resume();
    }
    auto attempt = buildAttempt(number, from);
    Status s = attempt.isOk() ? startAttempt(std::move(attempt).value()) : attempt.status();
    lock.lock();
    if (!s.isOk()) {
      if (failure_.empty()) failure_ = "restarting the job failed: " + s.toString();
      setStatusLocked(JobStatus::kFailed);
      return;
    }
    ++restarts_;
  }
}

JobMaster::FailureAction JobMaster::onFailureLocked(const std::string& cause, const std::string& taskName,
                                                    runtime::TaskFailureKind kind) {
  if (status_ != JobStatus::kRunning) {
    // Failures while cancelling, failing or restarting are consequences, not causes;
    // a failure while cancelling still makes the job FAILED, as before.
    if (status_ == JobStatus::kCancelling && failure_.empty()) {
      recordExceptionLocked(cause, taskName, false);
      failure_ = cause;
      setStatusLocked(JobStatus::kFailing);
      return FailureAction::kFail;
    }
    return FailureAction::kNone;
  }
  if (kind == runtime::TaskFailureKind::kRestoredStateIncompatible) {
    failure_ = cause + " (not restarted: a restart would restore the same state)";
    recordExceptionLocked(failure_, taskName, false);
    setStatusLocked(JobStatus::kFailing);
    return FailureAction::kFail;
  }
  RestartDecision d = restartStrategy_->onFailure(std::chrono::steady_clock::now());
  if (d.restart) {
    spdlog::warn("job {} failed and restarts ({}): {}", jobId_, restartStrategy_->describe(), cause);
    restartCauses_.push_back(cause);
    recordExceptionLocked(cause, taskName, true);
    restartDelay_ = d.delay;
    setStatusLocked(JobStatus::kRestarting);
    ++failureActionsInFlight_;
    return FailureAction::kRestart;
  }
  failure_ = cause;
  if (restartStrategy_->describe() != "none" && !d.reason.empty())
    failure_ += " (not restarted: " + d.reason + ")";
  recordExceptionLocked(failure_, taskName, false);
  setStatusLocked(JobStatus::kFailing);
  return FailureAction::kFail;
}

void JobMaster::applyFailureAction(FailureAction action, const std::string& cause) {
  if (action == FailureAction::kNone) return;
  if (action == FailureAction::kRestart && checkpointCoordinator_)
    checkpointCoordinator_->suspend("the job restarts after a failure: " + cause);
  cancelAllTasks();
  if (action == FailureAction::kRestart) {
    std::lock_guard lock(mu_);
    --failureActionsInFlight_;
    controlCv_.notify_all();
  }
}

void JobMaster::attemptEndedLocked(ExecutionState lastState) {
  if (status_ == JobStatus::kRestarting) {
    restartReady_ = true;
    controlCv_.notify_all();
  } else if (!failure_.empty()) {
    setStatusLocked(JobStatus::kFailed);
  } else if (status_ == JobStatus::kCancelling || lastState == ExecutionState::kCanceled) {
    setStatusLocked(JobStatus::kCanceled);
  } else {
    setStatusLocked(JobStatus::kFinished);
  }
}

bool JobMaster::allTasksRunning() {
  std::lock_guard lock(mu_);
  return status_ == JobStatus::kRunning && tasksRunning_ == tasksTotal_;
}

std::map<std::string, std::string> JobMaster::triggerSourceTasks(int64_t checkpointId,
                                                                 int64_t timestampMillis, SnapshotType type) {
  std::map<std::string, std::string> states;
  const network::CheckpointKind kind = type == SnapshotType::kCheckpoint
                                           ? network::CheckpointKind::kCheckpoint
                                           : network::CheckpointKind::kSavepoint;
  runtime::StreamTask::AfterBarrier after = runtime::StreamTask::AfterBarrier::kContinue;
  if (type != SnapshotType::kSavepoint) {
    // Every source's EndOfData precedes this checkpoint's barriers: it is a final one (a
    // plain savepoint never is: it notifies nobody, so it could not let the sources end).
    std::lock_guard lock(mu_);
    if (sourcesAtEndOfData_ == sourceTasks_ && finalCheckpointId_ == 0) finalCheckpointId_ = checkpointId;
    if (type == SnapshotType::kStopSavepoint && stop_) {
      stop_->savepointId = checkpointId;  // before any task can acknowledge it
      if (stop_->mode == StopMode::kSuspend) after = runtime::StreamTask::AfterBarrier::kPause;
    }
  }
  std::shared_lock attemptLock(attemptMu_);
  if (!attempt_) return states;
  Attempt& a = *attempt_;
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    const StreamNode& head = streamGraph_->node(v.headNode());
    if (!head.isSource) continue;
    auto trigger = [&] {
      for (auto& t : a.tasks[size_t(v.id)]) {
        t->triggerCheckpoint(checkpointId, timestampMillis, kind, after);
      }
    };
    OperatorCoordinator* c = a.coordinators[size_t(head.id)].get();
    if (c != nullptr) {
      states[operatorIdOf(head)] = c->checkpointCoordinator(checkpointId, trigger);
    } else {
      trigger();
    }
  }
  return states;
}

void JobMaster::notifyCheckpointComplete(int64_t checkpointId) {
  bool final, stopNow;
  {
    std::lock_guard lock(mu_);
    final = finalCheckpointId_ != 0 && checkpointId >= finalCheckpointId_;
    stopNow = !final && stop_ && stop_->savepointId == checkpointId;
  }
  std::shared_lock attemptLock(attemptMu_);
  if (!attempt_) return;
  for (auto& v : attempt_->tasks)
    for (auto& t : v) t->notifyCheckpointComplete(checkpointId);
  if (stopNow) {
    // `weir stop` without drain: every task ends after this notification, without
    // finishing its operators. All are told first, so that none finishes on the end of
    // partition of an upstream task that ended already.
    spdlog::info("job {}: savepoint {} of the stop completed; the tasks end", jobId_, checkpointId);
    for (auto& v : attempt_->tasks)
      for (auto& t : v) t->prepareTermination();
    for (auto& v : attempt_->tasks)
      for (auto& t : v) t->terminateAfterStopSavepoint();
    return;
  }
  if (!final) return;
  // Only now that every task has the notification queued may the sources end: a task
  // runs its queued mails before it ends, so every sink commits the final checkpoint.
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    if (!streamGraph_->node(v.headNode()).isSource) continue;
    for (auto& t : attempt_->tasks[size_t(v.id)]) t->finishAfterFinalCheckpoint();
  }
}

void JobMaster::notifyEndOfData(int, int) {
  bool all, draining;
  {
    std::lock_guard lock(mu_);
    all = ++sourcesAtEndOfData_ == sourceTasks_;
    draining = stop_ && stop_->mode == StopMode::kDrain;
  }
  if (draining) {
    stopCv_.notify_all();  // stopWithSavepoint takes the final savepoint
    return;
  }
  if (all && checkpointCoordinator_) {
    spdlog::info("job {}: all sources ended; taking the final checkpoint", jobId_);
    checkpointCoordinator_->requestCheckpointSoon();
  }
}

void JobMaster::notifyCheckpointAborted(int64_t checkpointId) {
  // Parts of the checkpoint still waiting for their group's other members go now.
  if (channelStateFiles_) channelStateFiles_->checkpointAborted(checkpointId);
  bool stopAborted;
  {
    std::lock_guard lock(mu_);
    stopAborted = stop_ && stop_->savepointId == checkpointId;
  }
  if (stopAborted) stopFailed();
  std::shared_lock attemptLock(attemptMu_);
  if (!attempt_) return;
  for (auto& v : attempt_->tasks)
    for (auto& t : v) t->notifyCheckpointAborted(checkpointId);
}

void JobMaster::failJob(const std::string& cause) {
  FailureAction action;
  {
    std::lock_guard lock(mu_);
    action = onFailureLocked(cause, "");
  }
  applyFailureAction(action, cause);
}

void JobMaster::acknowledgeCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                                      runtime::TaskStateSnapshot state,
                                      const runtime::SubtaskCheckpointMetrics& metrics) {
  if (checkpointCoordinator_) {
    checkpointCoordinator_->acknowledge(vertexId, subtaskIndex, checkpointId, std::move(state), metrics);
  }
}

void JobMaster::declineCheckpoint(int vertexId, int subtaskIndex, int64_t checkpointId,
                                  checkpoint::CheckpointFailureReason reason, const std::string& message) {
  if (checkpointCoordinator_)
    checkpointCoordinator_->decline(vertexId, subtaskIndex, checkpointId, reason, message);
}

void JobMaster::setStatusLocked(JobStatus s) {
  if (isGloballyTerminal(status_)) return;
  status_ = s;
  statusTimestamps_[s] = runtime::wallClockMillis();
  if (isGloballyTerminal(s)) {
    endTime_ = std::chrono::steady_clock::now();
    endWallMillis_ = statusTimestamps_[s];
    terminated_.notify_all();
    controlCv_.notify_all();
    stopCv_.notify_all();
  }
}

void JobMaster::cancelAllTasks() {
  std::shared_lock attemptLock(attemptMu_);
  if (attempt_) attempt_->cancelTasks();
}

void JobMaster::cancel() {
  {
    std::lock_guard lock(mu_);
    if (isGloballyTerminal(status_) || status_ == JobStatus::kFailing) return;
    setStatusLocked(JobStatus::kCancelling);
    controlCv_.notify_all();  // a restart waiting for its delay gives up
  }
  cancelAllTasks();
}

JobStatus JobMaster::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void JobMaster::readBufferMetrics(JobMetrics& m) const {
  std::shared_lock lock(attemptMu_);
  if (!attempt_) return;
  for (const graph::JobVertex& v : jobGraph_.vertices) {
    for (int s = 0; s < v.parallelism; ++s) {
      std::vector<double>& out = m.vertices[size_t(v.id)].subtasks[size_t(s)];
      size_t outUsed = 0, outCapacity = 0, outQueued = 0;
      for (int e : v.outputEdges) {
        const network::ResultPartition& p = *attempt_->partitions[size_t(e)][size_t(s)];
        outUsed += p.bufferPoolPtr()->segmentsInUse();
        outCapacity += p.bufferPoolPtr()->maxSegments();
        outQueued += p.queuedBuffers();
      }
      size_t inUsed = 0, inCapacity = 0, inQueued = 0;
      for (int e : v.inputEdges) {
        const network::InputGate& gate = *attempt_->gates[size_t(e)][size_t(s)];
        network::InputGate::PoolUsage u = gate.poolUsage();
        inUsed += u.used;
        inCapacity += u.capacity;
        inQueued += gate.queuedBuffers();
      }
      out[kInPoolUsage] = inCapacity == 0 ? 0.0 : double(inUsed) / double(inCapacity);
      out[kOutPoolUsage] = outCapacity == 0 ? 0.0 : double(outUsed) / double(outCapacity);
      out[kInputQueueLength] = double(inQueued);
      out[kOutputQueueLength] = double(outQueued);
    }
  }
}

JobProgress JobMaster::progress() const {
  JobProgress p;
  const StreamGraph& g = *streamGraph_;
  for (const StreamNode& n : g.nodes()) {
    if (size_t(n.id) >= operatorMetrics_.size()) break;
    for (const auto& m : operatorMetrics_[size_t(n.id)]) {
      if (n.isSource) p.sourceRecordsOut += m->recordsOut.get();
      if (n.isSink) p.sinkRecordsIn += m->recordsIn.get();
    }
  }
  for (const auto& v : taskMetrics_)
    for (const auto& t : v) p.networkRecordsIn += t->numRecordsIn.get();
  if (checkpointCoordinator_) {
    CheckpointStatsSnapshot s = checkpointCoordinator_->stats();
    p.checkpointsCompleted = s.completed;
    p.checkpointsFailed = s.failed;
    if (s.latestCompleted) {
      p.lastCheckpointId = s.latestCompleted->id;
      p.lastCheckpointDurationMs = s.latestCompleted->endToEndDuration.count();
      p.lastCheckpointSize = s.latestCompleted->stateSize;
      for (const SubtaskCheckpointStats& st : s.latestCompleted->subtasks) {
        p.lastCheckpointSyncDurationMs =
            std::max<int64_t>(p.lastCheckpointSyncDurationMs, st.metrics.syncDuration.count());
        p.lastCheckpointAsyncDurationMs =
            std::max<int64_t>(p.lastCheckpointAsyncDurationMs, st.metrics.asyncDuration.count());
      }
    }
  }
  std::lock_guard lock(mu_);
  p.tasksRunning = tasksRunning_;
  p.tasksTotal = tasksTotal_;
  p.restarts = restarts_;
  return p;
}

void JobMaster::updateTaskExecutionState(const runtime::TaskExecutionStateUpdate& u) {
  FailureAction action = FailureAction::kNone;
  {
    std::lock_guard lock(mu_);
    char& running = reportedRunning_[size_t(u.vertexId)][size_t(u.subtaskIndex)];
    SubtaskRuntime& rt = subtaskRuntime_[size_t(u.vertexId)][size_t(u.subtaskIndex)];
    rt.state = u.state;
    if (u.state == ExecutionState::kRunning) rt.startMillis = runtime::wallClockMillis();
    if (runtime::isTerminal(u.state)) rt.endMillis = runtime::wallClockMillis();
    if (u.state == ExecutionState::kRunning) {
      running = 1;
      ++tasksRunning_;
      return;
    }
    WEIR_CHECK(runtime::isTerminal(u.state));
    ++tasksTerminal_;
    if (running) --tasksRunning_;
    running = 0;
    if (u.state == ExecutionState::kFailed)
      action = onFailureLocked(u.failure, taskNameOf(u.vertexId, u.subtaskIndex), u.failureKind);
    if (tasksTerminal_ == tasksTotal_) attemptEndedLocked(u.state);
  }
  applyFailureAction(action, u.failure);
}

void JobMaster::sendOperatorEventToCoordinator(int nodeId, int subtaskIndex, std::vector<uint8_t> event) {
  std::shared_lock attemptLock(attemptMu_);
  if (!attempt_) return;
  OperatorCoordinator* c = attempt_->coordinators[size_t(nodeId)].get();
  WEIR_CHECK_MSG(c != nullptr, "operator event for an operator without coordinator");
  c->handleEventFromOperator(subtaskIndex, event);
}

JobExecutionResult JobMaster::waitForTermination() {
  JobStatus finalStatus;
  {
    std::unique_lock lock(mu_);
    terminated_.wait(lock, [&] { return isGloballyTerminal(status_); });
    finalStatus = status_;
  }
  if (controller_.joinable()) controller_.join();
  teardownAttempt();
  if (checkpointCoordinator_) {
    stopCheckpointing();
    snapshotExecutor_->shutdown();
    // Retention (Flink's externalized-checkpoint cleanup): a finished job needs no
    // checkpoint; a cancelled one keeps them only with RETAIN_ON_CANCELLATION; a
    // failed one keeps them unless checkpoints are not externalized at all.
    bool keep = finalStatus == JobStatus::kCanceled ? retention_ == "RETAIN_ON_CANCELLATION"
                : finalStatus == JobStatus::kFailed ? retention_ != "NO_EXTERNALIZED_CHECKPOINTS"
                                                    : false;
    const std::vector<int64_t> retained = checkpointCoordinator_->retainedCheckpoints();
    if (!keep) {
      checkpointCoordinator_->discardRetained();
    } else if (retained.size() == 1 && checkpointCoordinator_->claimedCheckpoint()) {
      spdlog::warn("job {} {}: retained the checkpoint it claimed, {}", jobId_, jobStatusName(finalStatus),
                   config_->get(options::kStateRecoveryPath).value_or(""));
    } else if (!retained.empty()) {
      spdlog::warn("job {} {}: retained checkpoint(s) {} in {}", jobId_, jobStatusName(finalStatus),
                   retained.back(), checkpointStorage_->describe());
    }
  }
  JobExecutionResult r;
  r.jobId = jobId_;
  r.jobName = jobGraph_.name;
  r.progress = progress();
  std::lock_guard lock(mu_);
  r.status = status_;
  r.failure = failure_;
  r.restartCauses = restartCauses_;
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(endTime_ - startTime_);
  return r;
}

// `weir stop`: see the header.
Result<int64_t> JobMaster::stopWithSavepoint(const std::string& targetDirectory, StopMode mode) {
  Result<std::string> dir = savepointTarget(targetDirectory);
  if (!dir.isOk()) return dir.status();
  {
    std::lock_guard lock(mu_);
    if (stop_) return Status::failedPrecondition("job " + jobId_ + " is already being stopped");
    stop_ = StopRequest{mode, 0};
  }
  // No periodic checkpoint may slip in: after a drain it would be the final one.
  checkpointCoordinator_->pausePeriodicCheckpoints(true);
  if (mode == StopMode::kDrain) {
    spdlog::info("job {}: stopping with a savepoint after draining the sources", jobId_);
    {
      std::shared_lock attemptLock(attemptMu_);
      if (attempt_) {
        for (const graph::JobVertex& v : jobGraph_.vertices) {
          if (!streamGraph_->node(v.headNode()).isSource) continue;
          for (auto& t : attempt_->tasks[size_t(v.id)]) t->drainSource();
        }
      }
    }
    std::unique_lock lock(mu_);
    const bool drained = stopCv_.wait_for(lock, config_->get(options::kCheckpointTimeout), [&] {
      return sourcesAtEndOfData_ == sourceTasks_ || isGloballyTerminal(status_) ||
             status_ != JobStatus::kRunning;
    });
    if (!drained || sourcesAtEndOfData_ != sourceTasks_) {
      const std::string why =
          !drained ? "the sources did not reach their end within execution.checkpointing.timeout"
                   : std::string("job is ") + jobStatusName(status_);
      lock.unlock();
      stopFailed();
      return Status::failedPrecondition("cannot stop job " + jobId_ + ": " + why);
    }
  } else {
    spdlog::info("job {}: stopping with a savepoint", jobId_);
  }
  Result<int64_t> id = checkpointCoordinator_->triggerSavepoint(*dir, SnapshotType::kStopSavepoint);
  if (!id.isOk()) {
    stopFailed();
    return id.status();
  }
  return id;
}

void JobMaster::stopFailed() {
  bool drained;
  {
    std::lock_guard lock(mu_);
    if (!stop_) return;
    drained = stop_->mode == StopMode::kDrain && sourcesAtEndOfData_ == sourceTasks_;
    stop_.reset();
  }
  spdlog::warn("job {}: the stop with a savepoint failed; the job goes on", jobId_);
  checkpointCoordinator_->pausePeriodicCheckpoints(false);
  if (drained) checkpointCoordinator_->requestCheckpointSoon();
}

}  // namespace weir::cluster
