#include "runtime/stream_task.h"

#include <spdlog/spdlog.h>

#include <weir/core/cancellation.h>
#include <weir/core/check.h>
#include <weir/core/state_migration.h>
#include <weir/runtime/user_function_exception.h>

#include "checkpoint/channel_state.h"
#include "runtime/channel_state_collector.h"
#include "runtime/channel_state_file_groups.h"
#include "state/state_snapshot.h"

namespace weir::runtime {

// The ProcessingTimeService of one task: timers fire on the process-wide timer
// thread, which only puts a mail; the callback runs on the task thread.
class StreamTask::TimeService final : public ProcessingTimeService {
 public:
  TimeService(SystemTimerService* timers, std::shared_ptr<TaskMailbox> mailbox)
      : timers_(timers), mailbox_(std::move(mailbox)) {}
  int64_t currentProcessingTime() const override { return wallClockMillis(); }
  void registerTimer(int64_t timestamp, std::function<void(int64_t)> callback) override {
    std::weak_ptr<TaskMailbox> weak = mailbox_;
    timers_->schedule(timestamp, [weak, cb = std::move(callback)](int64_t ts) {
      if (auto mb = weak.lock()) mb->put([cb, ts] { cb(ts); });
    });
  }

 private:
  SystemTimerService* timers_;
  std::shared_ptr<TaskMailbox> mailbox_;
};

class StreamTask::OperatorContext final : public StreamingRuntimeContext, public OperatorEventGateway {
 public:
  OperatorContext(StreamTask& task, const ChainedOperator& op) : task_(task), op_(op) {
    if (op.keyed) {
      KeyGroupRange range =
          keyGroupRangeForOperatorIndex(op.maxParallelism, task.d_.parallelism, task.d_.subtaskIndex);
      backend_ = std::make_unique<HeapKeyedStateBackend>(range, op.maxParallelism);
    }
  }
  const std::string& operatorName() const override { return op_.name; }
  int indexOfThisSubtask() const override { return task_.d_.subtaskIndex; }
  int numberOfParallelSubtasks() const override { return task_.d_.parallelism; }
  int maxNumberOfParallelSubtasks() const override { return op_.maxParallelism; }
  const Configuration& jobConfiguration() const override { return *task_.d_.config; }
  int attemptNumber() const override { return task_.d_.attemptNumber; }
  bool isCheckpointingEnabled() const override { return task_.d_.checkpointing.enabled; }
  KeyedStateBackend* keyedStateBackend() override { return backend_.get(); }
  OperatorStateStore& operatorStateStore() override { return operatorState_; }
  ProcessingTimeService& processingTimeService() override { return *task_.timeService_; }
  OperatorEventGateway& operatorEventGateway() override {
    if (!op_.isSource) {
      throw std::logic_error("operator '" + op_.name +
                             "' has no coordinator: only sources can send operator events");
    }
    return *this;
  }
  OperatorIOMetrics& ioMetrics() override { return *op_.metrics; }
  void requestWakeUp() override { task_.mailbox_->wakeUp(); }
  void sendEventToCoordinator(std::vector<uint8_t> event) override {
    task_.jobMaster_.sendOperatorEventToCoordinator(op_.nodeId, task_.d_.subtaskIndex, std::move(event));
  }
  KeyedStateBackend* backend() { return backend_.get(); }
  OperatorStateStore& operatorStore() { return operatorState_; }
  const ChainedOperator& spec() const { return op_; }

 private:
  StreamTask& task_;
  const ChainedOperator& op_;
  std::unique_ptr<KeyedStateBackend> backend_;
  OperatorStateStore operatorState_;
};

namespace {

// Drives a chain whose head is a source. After the reader's end, the input reports
// end of data and then stays open (so that the task still takes checkpoints) until
// `finishAllowed` is set: at once without checkpointing, else once the job's final
// checkpoint completed.
class SourceTaskInput final : public TaskInput {
 public:
  SourceTaskInput(SourceOperatorBase& source, const bool& finishAllowed, const int64_t& pausedFor)
      : source_(source), finishAllowed_(finishAllowed), pausedFor_(pausedFor) {}
  TaskInputStatus processInput(int maxRecords) override {
    if (dataEnded_) return finishAllowed_ ? TaskInputStatus::kEndOfInput : TaskInputStatus::kNothingAvailable;
    if (pausedFor_ >= 0) return TaskInputStatus::kNothingAvailable;  // behind a stop savepoint's barrier
    switch (source_.emitNext(maxRecords)) {
      case InputStatus::kMoreAvailable:
        return TaskInputStatus::kMoreAvailable;
      case InputStatus::kNothingAvailable:
        return TaskInputStatus::kNothingAvailable;
      case InputStatus::kEndOfInput:
        break;
    }
    dataEnded_ = true;
    return TaskInputStatus::kEndOfData;
  }
  int inputIndex() const override { return 0; }

 private:
  SourceOperatorBase& source_;
  const bool& finishAllowed_;
  const int64_t& pausedFor_;
  bool dataEnded_ = false;
};

}  // namespace

// A checkpoint's synchronous parts, on their way to the asynchronous part.
struct StreamTask::SnapshotInProgress {
  struct OperatorParts {
    std::string operatorId;
    state::AsyncKeyedSnapshot keyed;
    state::AsyncOperatorSnapshot operatorState;
  };
  int64_t id = 0;
  network::CheckpointKind kind = network::CheckpointKind::kCheckpoint;
  std::vector<OperatorParts> parts;
  SubtaskCheckpointMetrics metrics;
  std::unique_ptr<ChannelStateCollector> channels;  // unaligned checkpoints only
};

StreamTask::StreamTask(TaskDeployment deployment, TaskManagerServices services, JobMasterGateway& jobMaster)
    : d_(std::move(deployment)),
      services_(services),
      jobMaster_(jobMaster),
      mailbox_(std::make_shared<TaskMailbox>()),
      timeService_(std::make_unique<TimeService>(services.timers, mailbox_)) {}

StreamTask::~StreamTask() { join(); }

std::string StreamTask::nameWithSubtask() const {
  return d_.taskName + " (" + std::to_string(d_.subtaskIndex + 1) + "/" + std::to_string(d_.parallelism) +
         ")";
}

bool StreamTask::transition(ExecutionState to) {
  ExecutionState from = state_.load();
  while (isAllowedTransition(from, to)) {
    if (state_.compare_exchange_weak(from, to)) return true;
  }
  return false;
}

void StreamTask::start() {
  // A task cancelled before it started still runs, to report CANCELED to the JobMaster.
  transition(ExecutionState::kDeploying);
  thread_ = std::thread([this] { run(); });
}

void StreamTask::join() {
  if (thread_.joinable()) thread_.join();
}

void StreamTask::cancel() {
  cancelled_.store(true);
  transition(ExecutionState::kCanceling);
  // Unblock whatever the task thread may wait for: its mailbox, or a buffer of its outputs.
  mailbox_->wakeUp();
  for (const TaskOutputSpec& o : d_.outputs) o.partition->bufferPool().cancel();
}

void StreamTask::deliverOperatorEvent(int nodeId, std::vector<uint8_t> event) {
  mailbox_->put([this, nodeId, ev = std::move(event)] {
    WEIR_CHECK_MSG(source_ != nullptr && d_.chain.front().nodeId == nodeId,
                   "operator event for a non-source");
    invokeUserFunction(*source_, [&] { source_->handleOperatorEvent(ev); });
  });
}

void StreamTask::triggerCheckpoint(int64_t checkpointId, int64_t timestampMillis,
                                   network::CheckpointKind kind, AfterBarrier after) {
  mailbox_->put([this, checkpointId, timestampMillis, kind, after] {
    // Only a running source task starts a checkpoint; others get it through their barriers.
    if (source_ == nullptr || state_.load() != ExecutionState::kRunning) {
      jobMaster_.declineCheckpoint(d_.vertexId, d_.subtaskIndex, checkpointId,
                                   checkpoint::CheckpointFailureReason::kTaskNotRunning,
                                   "task " + nameWithSubtask() + " is not running");
      return;
    }
    if (checkpointId <= lastTriggeredCheckpoint_) return;
    auto delay = std::chrono::milliseconds(std::max<int64_t>(0, wallClockMillis() - timestampMillis));
    // Savepoints, and checkpoints after the data ended (the final one), stay aligned: a
    // barrier that overtook the last records would leave them out of the final commit.
    network::BarrierAlignment alignment = network::BarrierAlignment::kAligned;
    if (d_.checkpointing.unaligned && kind == network::CheckpointKind::kCheckpoint && !dataEnded_) {
      alignment = d_.checkpointing.alignedCheckpointTimeout.count() > 0
                      ? network::BarrierAlignment::kAlignedWithTimeout
                      : network::BarrierAlignment::kUnaligned;
    }
    performCheckpoint(network::CheckpointBarrier{checkpointId, timestampMillis, kind, alignment},
                      std::chrono::nanoseconds(0), delay);
    if (after == AfterBarrier::kPause) sourcePausedFor_ = checkpointId;
  });
}

void StreamTask::notifyCheckpointComplete(int64_t checkpointId) {
  mailbox_->put([this, checkpointId] {
    for (auto& op : operators_) {
      invokeUserFunction(*op, [&] {
        op->notifyCheckpointComplete(checkpointId);
        if (CheckpointListener* l = op->checkpointListener()) l->notifyCheckpointComplete(checkpointId);
      });
    }
  });
}

void StreamTask::finishAfterFinalCheckpoint() {
  mailbox_->put([this] { finishAllowed_ = true; });
}

void StreamTask::drainSource() {
  mailbox_->put([this] {
    WEIR_CHECK_MSG(source_ != nullptr, "drainSource on a task that is not a source");
    sourcePausedFor_ = -1;
    source_->stopAndDrain();
  });
}

void StreamTask::terminateAfterStopSavepoint() {
  WEIR_CHECK(terminating_.load());
  mailbox_->put([this] { terminated_ = true; });
}

void StreamTask::notifyCheckpointAborted(int64_t checkpointId) {
  mailbox_->put([this, checkpointId] {
    if (sourcePausedFor_ == checkpointId) sourcePausedFor_ = -1;  // the stop failed: go on
    for (auto& op : operators_) {
      invokeUserFunction(*op, [&] {
        op->notifyCheckpointAborted(checkpointId);
        if (CheckpointListener* l = op->checkpointListener()) l->notifyCheckpointAborted(checkpointId);
      });
    }
  });
}

void StreamTask::triggerCheckpointOnBarrier(const network::CheckpointBarrier& barrier,
                                            std::chrono::nanoseconds alignment,
                                            std::chrono::nanoseconds startDelay) {
  performCheckpoint(barrier, alignment, startDelay);
}

void StreamTask::abortCheckpointOnBarrier(int64_t checkpointId, const std::string& reason) {
  if (unalignedInProgress_ && unalignedInProgress_->id == checkpointId) {
    for (auto& r : readers_) r->stopPersistingAll();
    unalignedInProgress_.reset();
  }
  for (auto& w : writers_) w->broadcastEvent(network::CancelCheckpointMarker{checkpointId});
  jobMaster_.declineCheckpoint(d_.vertexId, d_.subtaskIndex, checkpointId,
                               checkpoint::CheckpointFailureReason::kAlignmentAborted, reason);
}

void StreamTask::alignmentStarted(const network::CheckpointBarrier& barrier) {
  alignmentStartId_ = barrier.id;
  alignmentStartBytes_ = inputBytesTaken();
  if (barrier.hasAlignmentTimeout()) registerAlignmentTimer(barrier);
}

uint64_t StreamTask::inputBytesTaken() const {
  uint64_t bytes = 0;
  for (const auto& r : readers_) bytes += r->bufferBytesTaken();
  return bytes;
}

void StreamTask::registerAlignmentTimer(const network::CheckpointBarrier& barrier) {
  const int64_t id = barrier.id;
  timeService_->registerTimer(barrier.timestampMillis + d_.checkpointing.alignedCheckpointTimeout.count(),
                              [this, id](int64_t) {
                                // Inputs: switch to unaligned if still aligning; outputs: the
                                // barrier still queued overtakes the data before it.
                                if (barrierHandler_) barrierHandler_->alignmentTimedOut(id);
                                for (auto& w : writers_) w->convertBarrierToPriority(id);
                              });
}

void StreamTask::channelBarrierArrived(int gate, int channel) {
  readers_[size_t(gate)]->stopPersisting(channel);
}

void StreamTask::allBarriersArrived(int64_t checkpointId, std::chrono::nanoseconds alignment) {
  if (!unalignedInProgress_ || unalignedInProgress_->id != checkpointId) return;
  std::unique_ptr<SnapshotInProgress> snap = std::move(unalignedInProgress_);
  snap->metrics.alignmentDuration = std::chrono::duration_cast<std::chrono::milliseconds>(alignment);
  if (alignmentStartId_ == checkpointId)
    snap->metrics.bytesProcessedDuringAlignment = inputBytesTaken() - alignmentStartBytes_;
  d_.metrics->lastCheckpointAlignmentNanos.store(alignment.count(), std::memory_order_relaxed);
  submitAsyncPart(std::move(snap));
}

void StreamTask::performCheckpoint(const network::CheckpointBarrier& barrier,
                                   std::chrono::nanoseconds alignment, std::chrono::nanoseconds startDelay) {
  const int64_t id = barrier.id;
  lastTriggeredCheckpoint_ = std::max(lastTriggeredCheckpoint_, id);
  if (unalignedInProgress_) {
    // The barrier handler aborts a checkpoint before it starts a newer one; be safe anyway.
    abortCheckpointOnBarrier(unalignedInProgress_->id,
                             "checkpoint " + std::to_string(id) + " started before its barriers arrived");
  }
  d_.metrics->lastCheckpointAlignmentNanos.store(alignment.count(), std::memory_order_relaxed);
  d_.metrics->lastCheckpointStartDelayNanos.store(startDelay.count(), std::memory_order_relaxed);
  auto syncStart = std::chrono::steady_clock::now();
  checkpoint::CheckpointStorage& storage = *d_.checkpointing.storage;

  // Synchronous part: operators move their own data into state, then every state
  // backend captures a copy-on-write view. Nothing else runs on this thread meanwhile.
  auto snap = std::make_unique<SnapshotInProgress>();
  snap->id = id;
  snap->kind = barrier.kind;
  for (size_t i = 0; i < operators_.size(); ++i) {
    invokeUserFunction(*operators_[i], [&] {
      operators_[i]->snapshotState(id);
      if (CheckpointedFunction* f = operators_[i]->checkpointedFunction()) f->snapshotState(id);
    });
    OperatorContext& ctx = *contexts_[i];
    SnapshotInProgress::OperatorParts p;
    p.operatorId = ctx.spec().operatorId;
    if (ctx.backend() != nullptr) p.keyed = state::snapshotKeyedState(*ctx.backend(), storage, id);
    p.operatorState = state::snapshotOperatorState(ctx.operatorStore(), storage, id);
    snap->parts.push_back(std::move(p));
  }
  const bool unaligned = barrier.isUnaligned();
  if (unaligned) {
    std::vector<int> channels, subpartitions;
    for (const TaskInputSpec& in : d_.inputs) channels.push_back(in.gate->numberOfChannels());
    for (const TaskOutputSpec& o : d_.outputs) subpartitions.push_back(o.partition->numberOfSubpartitions());
    snap->channels = std::make_unique<ChannelStateCollector>(id, channels, subpartitions);
    for (size_t g = 0; g < readers_.size(); ++g)
      readers_[g]->startPersisting(snap->channels->inputSink(int(g)));
  }
  // Forward the barrier: everything this task emits from now on belongs after checkpoint `id`.
  // Unaligned, it overtakes what the outputs still queue, which becomes channel state; once
  // this task's data ended it goes aligned, behind the last records.
  network::CheckpointBarrier forwarded = barrier;
  if (dataEnded_) {
    forwarded.alignment = network::BarrierAlignment::kAligned;
  } else if (unaligned) {
    forwarded.alignment = network::BarrierAlignment::kUnaligned;
  }  // else as received: aligned, or aligned with a timeout
  // A source's aligned barriers with a timeout may need to overtake its own outputs later.
  if (forwarded.hasAlignmentTimeout() && source_ != nullptr) registerAlignmentTimer(forwarded);
  for (size_t o = 0; o < writers_.size(); ++o) {
    if (forwarded.isUnaligned()) {
      snap->channels->addOutput(int(o), writers_[o]->broadcastPriorityEvent(forwarded));
    } else {
      writers_[o]->broadcastEvent(forwarded);
    }
  }
  auto syncDuration = std::chrono::steady_clock::now() - syncStart;

  SubtaskCheckpointMetrics& metrics = snap->metrics;
  metrics.syncDuration = std::chrono::duration_cast<std::chrono::milliseconds>(syncDuration);
  metrics.alignmentDuration = std::chrono::duration_cast<std::chrono::milliseconds>(alignment);
  metrics.startDelay = std::chrono::duration_cast<std::chrono::milliseconds>(startDelay);
  metrics.unaligned = unaligned;
  // Aligned, the alignment is over; unaligned, it goes on until allBarriersArrived. (Sources
  // and the at-least-once tracker do not align.)
  if (alignmentStartId_ == id)
    metrics.bytesProcessedDuringAlignment = inputBytesTaken() - alignmentStartBytes_;
  if (unaligned && !readers_.empty()) {
    unalignedInProgress_ = std::move(snap);  // completes in allBarriersArrived
    return;
  }
  submitAsyncPart(std::move(snap));
}

void StreamTask::submitAsyncPart(std::unique_ptr<SnapshotInProgress> snap) {
  JobMasterGateway* jm = &jobMaster_;
  checkpoint::CheckpointStorage* storage = d_.checkpointing.storage;
  // With unaligned checkpoints every checkpoint's channel state (possibly none) goes
  // through the vertex's file groups; savepoints are always aligned and skip them.
  ChannelStateFileGroups* groups =
      snap->kind == network::CheckpointKind::kCheckpoint ? d_.checkpointing.channelStateFiles : nullptr;
  int vertex = d_.vertexId, subtask = d_.subtaskIndex, parallelism = d_.parallelism;
  std::string headOperatorId = d_.chain.front().operatorId;
  if (snap->channels) snap->metrics.bytesPersistedDuringAlignment = snap->channels->bytes();
  // The asynchronous part owns everything it needs: the task may end before it runs.
  // (A shared_ptr, as the executor takes copyable jobs; the job holds the only reference.)
  d_.checkpointing.executor->submit([snap = std::shared_ptr<SnapshotInProgress>(std::move(snap)), jm, storage,
                                     groups, vertex, subtask, parallelism,
                                     headOperatorId = std::move(headOperatorId)]() mutable {
    auto asyncStart = std::chrono::steady_clock::now();
    const int64_t id = snap->id;
    SubtaskCheckpointMetrics metrics = snap->metrics;
    TaskStateSnapshot snapshot;
    auto decline = [jm, vertex, subtask, id](const std::string& what) {
      jm->declineCheckpoint(vertex, subtask, id, checkpoint::CheckpointFailureReason::kAsyncSnapshotFailed,
                            "asynchronous part failed: " + what);
    };
    auto acknowledge = [jm, vertex, subtask, id, asyncStart](TaskStateSnapshot& snapshot,
                                                             SubtaskCheckpointMetrics& metrics) {
      metrics.asyncDuration = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - asyncStart);
      jm->acknowledgeCheckpoint(vertex, subtask, id, std::move(snapshot), metrics);
    };
    std::unique_ptr<ChannelStateCollector> channels = std::move(snap->channels);
    try {
      for (SnapshotInProgress::OperatorParts& p : snap->parts) {
        checkpoint::OperatorSubtaskState s;
        if (p.keyed) {
          auto keyed = p.keyed();
          if (!keyed.isOk()) throw StatusException(keyed.status());
          if (keyed->has_value()) {
            metrics.stateSize += (*keyed)->stream.size;
            s.keyedState.push_back(std::move(**keyed));
          }
        }
        if (p.operatorState) {
          auto ops = p.operatorState();
          if (!ops.isOk()) throw StatusException(ops.status());
          if (ops->has_value()) {
            metrics.stateSize += (*ops)->stream.size;
            s.operatorState.push_back(std::move(**ops));
          }
        }
        if (!s.empty()) snapshot[p.operatorId] = std::move(s);
      }
      if (groups == nullptr && channels && !channels->empty()) {
        checkpoint::ChannelStateHandle handle;
        const std::string bytes = checkpoint::encodeChannelState(channels->inputChannels(),
                                                                 channels->resultSubpartitions(), handle);
        channels.reset();
        auto out = storage->createOutputStream(id, checkpoint::StateScope::kExclusive);
        if (!out.isOk()) throw StatusException(out.status());
        Status written = (*out)->write(bytes.data(), bytes.size());
        if (!written.isOk()) {
          (*out)->discard();
          throw StatusException(written);
        }
        auto stream = (*out)->closeAndGetHandle();
        if (!stream.isOk()) throw StatusException(stream.status());
        handle.stream = std::move(stream).value();
        metrics.stateSize += handle.stream.size;
        snapshot[headOperatorId].channelState.push_back(std::move(handle));
      }
    } catch (const std::exception& e) {
      snap.reset();
      decline(e.what());
      return;
    }
    // Release the copy-on-write views before acknowledging: the acknowledgement
    // may complete the checkpoint and let the next barrier reach the task at
    // once, and the pages a view still holds then are not yet back in their
    // maps' pools, so the next checkpoint's page copies would take fresh memory
    // (page faults on the task thread) instead of them (see heap_state_map.h).
    snap.reset();
    if (groups == nullptr) {
      acknowledge(snapshot, metrics);
      return;
    }
    // The group's last member writes the shared file and runs every member's callback.
    groups->add(vertex, parallelism, subtask, id, std::move(channels),
                [snapshot = std::move(snapshot), metrics, headOperatorId, decline,
                 acknowledge](Result<std::optional<checkpoint::ChannelStateHandle>> handle) mutable {
                  if (!handle.isOk()) {
                    decline(handle.status().toString());
                    return;
                  }
                  if (handle->has_value()) {
                    for (const auto* sections : {&(*handle)->inputChannels, &(*handle)->resultSubpartitions})
                      for (const checkpoint::ChannelStateSection& sec : *sections)
                        metrics.stateSize += sec.size;
                    snapshot[headOperatorId].channelState.push_back(std::move(**handle));
                  }
                  acknowledge(snapshot, metrics);
                });
  });
}

void StreamTask::checkCancelled() const {
  if (cancelled_.load(std::memory_order_relaxed)) throw TaskCancelledException();
}

void StreamTask::run() {
  TaskExecutionStateUpdate update{d_.vertexId, d_.subtaskIndex, ExecutionState::kFinished, ""};
  try {
    invoke();
    closeOperators();
  } catch (const TaskCancelledException&) {
    update.state = ExecutionState::kCanceled;
  } catch (const StateMigrationException& e) {
    update.state = ExecutionState::kFailed;
    update.failureKind = TaskFailureKind::kRestoredStateIncompatible;
    update.failure = (e.operatorName().empty() ? "task '" + nameWithSubtask() + "'"
                                               : "operator '" + e.operatorName() + "' (subtask " +
                                                     std::to_string(d_.subtaskIndex + 1) + "/" +
                                                     std::to_string(d_.parallelism) + ")") +
                     " cannot restore its state: " + e.what();
  } catch (const UserFunctionException& e) {
    update.state = ExecutionState::kFailed;
    update.failure = "operator '" + e.operatorName() + "' (subtask " + std::to_string(d_.subtaskIndex + 1) +
                     "/" + std::to_string(d_.parallelism) + ") failed: " + e.what();
  } catch (const std::exception& e) {
    update.state = ExecutionState::kFailed;
    update.failure = "task '" + nameWithSubtask() + "' failed: " + e.what();
  } catch (...) {
    update.state = ExecutionState::kFailed;
    update.failure = "task '" + nameWithSubtask() + "' failed with a non-standard exception";
  }
  if (update.state != ExecutionState::kFinished) {
    // A cancelled task may have been cancelled because it failed elsewhere; a
    // failure raised while cancelling is reported as cancellation.
    if (cancelled_.load() && update.state == ExecutionState::kFailed)
      update.state = ExecutionState::kCanceled;
    try {
      closeOperators();
    } catch (...) {
      // close() after a failure must not mask the original failure
    }
  }
  mailbox_->close();
  readers_.clear();  // return the buffers we hold to their producers' pools
  if (!transition(update.state)) {
    // The only way not to reach the reported state is a concurrent cancel() after finishing.
    update.state = state_.load() == ExecutionState::kCanceling && transition(ExecutionState::kCanceled)
                       ? ExecutionState::kCanceled
                       : state_.load();
  }
  if (update.state == ExecutionState::kFailed) spdlog::warn("{}", update.failure);
  jobMaster_.updateTaskExecutionState(update);
}

void StreamTask::invoke() {
  if (!transition(ExecutionState::kInitializing)) throw TaskCancelledException();
  buildChain();
  initializeOperators();
  openOperators();
  checkCancelled();
  if (!transition(ExecutionState::kRunning)) throw TaskCancelledException();
  jobMaster_.updateTaskExecutionState({d_.vertexId, d_.subtaskIndex, ExecutionState::kRunning, ""});
  {
    ScopedTimeCounter running(&d_.metrics->running);
    mailboxLoop();
  }
  // Notifications queued before the inputs ended (the final checkpoint's, on which a
  // two-phase-commit sink commits) run before the task ends.
  runMails();
  for (auto& w : writers_) w->broadcastEvent(network::EndOfPartitionEvent{});
}

void StreamTask::buildChain() {
  const size_t n = d_.chain.size();
  WEIR_CHECK(n > 0);
  opened_.assign(n, false);
  for (const ChainedOperator& op : d_.chain) {
    contexts_.push_back(std::make_unique<OperatorContext>(*this, op));
    operators_.push_back((*op.factory)());
    operators_.back()->setup(*contexts_.back());
  }

  for (size_t i = 0; i < d_.outputs.size(); ++i) {
    const TaskOutputSpec& o = d_.outputs[i];
    auto mode = d_.bufferTimeout.count() == 0 ? network::FlushMode::kAfterEveryRecord
                                              : network::FlushMode::kOnBufferFullOrTimeout;
    writers_.push_back(std::make_unique<network::PartitionRecordWriter>(*o.partition, mode));
    writers_.back()->setMetrics(&d_.metrics->numBytesOut, &d_.metrics->backPressured);
    std::weak_ptr<TaskMailbox> weak = mailbox_;
    o.partition->bufferPool().setAvailabilityListener([weak] {
      if (auto mb = weak.lock()) mb->wakeUp();
    });
  }

  // Wire outputs, tail to head: an operator's output (and each side output) is
  // its chained successors' inputs and its network writers, fanned out when
  // there are several.
  auto wire = [&](const StreamTypeOps& type, const std::vector<int>& chained,
                  const std::vector<int>& network) -> InputBase* {
    std::vector<InputBase*> outs;
    for (int succ : chained) outs.push_back(operators_[size_t(succ)]->input(1));
    for (int oi : network) {
      const TaskOutputSpec& o = d_.outputs[size_t(oi)];
      outputAdapters_.push_back(type.createNetworkOutput(*writers_[size_t(oi)], o.partitioner,
                                                         d_.subtaskIndex, o.consumerMaxParallelism,
                                                         &d_.metrics->numRecordsOut));
      outs.push_back(outputAdapters_.back().get());
    }
    if (outs.size() == 1) return outs[0];
    outputAdapters_.push_back(outs.empty() ? type.createDiscardingOutput()
                                           : type.createBroadcastingOutput(outs));
    return outputAdapters_.back().get();
  };
  for (size_t i = n; i-- > 0;) {
    const ChainedOperator& op = d_.chain[i];
    if (op.outputType) operators_[i]->setOutput(wire(*op.outputType, op.chainedOutputs, op.networkOutputs));
    for (const ChainedOperator::SideOutput& so : op.sideOutputs)
      operators_[i]->setSideOutput(so.tag, wire(*so.type, so.chainedOutputs, so.networkOutputs));
  }

  StreamOperator& head = *operators_.front();
  if (d_.chain.front().isSource) {
    source_ = dynamic_cast<SourceOperatorBase*>(&head);
    WEIR_CHECK(source_ != nullptr);
    finishAllowed_ = !d_.checkpointing.enabled;
    source_->setInterruptFlag(interrupt_.get());
    inputs_.push_back(std::make_unique<SourceTaskInput>(*source_, finishAllowed_, sourcePausedFor_));
  }
  restoreChannelState();
  // One watermark valve per input of the head, over the channels of all its gates.
  std::map<int, int> channelsPerInput;
  for (const TaskInputSpec& in : d_.inputs) channelsPerInput[in.inputIndex] += in.gate->numberOfChannels();
  std::map<int, StatusWatermarkValve*> valveOf;
  std::map<int, int> nextChannel;
  for (const auto& [index, channels] : channelsPerInput) {
    InputBase* port = head.input(index);
    WEIR_CHECK_MSG(port != nullptr, "network input wired to an operator port that does not exist");
    valves_.push_back(std::make_unique<StatusWatermarkValve>(channels, *port));
    valveOf[index] = valves_.back().get();
  }
  for (const TaskInputSpec& in : d_.inputs) {
    readers_.push_back(std::make_unique<network::GateRecordReader>(*in.gate));
    readers_.back()->setBytesInCounter(&d_.metrics->numBytesIn);
    readers_.back()->setInterruptFlag(interrupt_.get());
    InputBase* port = head.input(in.inputIndex);
    int offset = nextChannel[in.inputIndex];
    nextChannel[in.inputIndex] += in.gate->numberOfChannels();
    inputs_.push_back(in.type->createNetworkInput(
        *readers_.back(), port, in.inputIndex, &d_.metrics->numRecordsIn, *valveOf[in.inputIndex], offset));
    std::weak_ptr<TaskMailbox> weak = mailbox_;
    in.gate->setAvailabilityListener([weak] {
      if (auto mb = weak.lock()) mb->wakeUp();
    });
    std::weak_ptr<std::atomic<bool>> interrupt = interrupt_;
    in.gate->setPriorityEventListener([weak, interrupt] {
      if (auto flag = interrupt.lock()) flag->store(true, std::memory_order_relaxed);
      if (auto mb = weak.lock()) mb->wakeUp();
    });
    in.gate->requestPartitions();
  }
  WEIR_CHECK_MSG(!inputs_.empty(), "a task without inputs");
  if (d_.checkpointing.enabled && !readers_.empty()) {
    std::vector<network::InputGate*> gates;
    for (const TaskInputSpec& in : d_.inputs) gates.push_back(in.gate);
    auto& target = static_cast<CheckpointBarrierHandler::Target&>(*this);
    if (d_.checkpointing.mode == CheckpointingMode::kAtLeastOnce) {
      barrierHandler_ = std::make_unique<CheckpointBarrierTracker>(std::move(gates), target);
    } else {
      barrierHandler_ = std::make_unique<SingleCheckpointBarrierHandler>(std::move(gates), target);
    }
    for (size_t g = 0; g < readers_.size(); ++g) {
      readers_[g]->setCheckpointEventListener(&barrierHandler_->listenerForGate(int(g)));
    }
  }
}

void StreamTask::initializeOperators() {
  for (size_t i = 0; i < operators_.size(); ++i) {
    OperatorContext& ctx = *contexts_[i];
    auto it = d_.restoreState.find(ctx.spec().operatorId);
    if (it != d_.restoreState.end()) {
      const checkpoint::OperatorSubtaskState& s = it->second;
      if (!s.keyedState.empty()) {
        if (ctx.backend() == nullptr) {
          throw std::runtime_error("the checkpoint has keyed state for operator '" + ctx.spec().name +
                                   "', which is not keyed in this job");
        }
        throwIfError(state::restoreKeyedState(*ctx.backend(), s.keyedState, *d_.restoreReader)
                         .withContext("restoring the keyed state of operator '" + ctx.spec().name + "'"));
      }
      if (!s.operatorState.empty()) {
        throwIfError(state::restoreOperatorState(ctx.operatorStore(), s.operatorState, *d_.restoreReader)
                         .withContext("restoring the operator state of operator '" + ctx.spec().name + "'"));
      }
    }
    invokeUserFunction(*operators_[i], [&] {
      operators_[i]->initializeState(d_.restored);
      if (CheckpointedFunction* f = operators_[i]->checkpointedFunction()) {
        FunctionInitializationContext c(ctx, d_.restored);
        f->initializeState(c);
      }
    });
  }
}

void StreamTask::openOperators() {
  // Tail first, so that every operator's successors are ready before it emits.
  for (size_t i = operators_.size(); i-- > 0;) {
    opened_[i] = true;  // before open(): an open() that throws half-way still gets its close()
    try {
      operators_[i]->open();  // registers the user's states: restored state is checked here
    } catch (const StateMigrationException& e) {
      if (!e.operatorName().empty()) throw;
      throw StateMigrationException(e.what(), operators_[i]->context().operatorName());
    }
  }
}

void StreamTask::runMails() {
  TaskMailbox::Mail mail;
  while (mailbox_->tryTake(mail)) {
    mail();
    checkCancelled();
  }
}

void StreamTask::processPriorityEvents() {
  for (auto& r : readers_) {
    if (r->gate().hasPriorityEvent()) r->processPriorityEvents();
  }
}

void StreamTask::restoreChannelState() {
  auto it = d_.restoreState.find(d_.chain.front().operatorId);
  if (it == d_.restoreState.end()) return;
  for (const checkpoint::ChannelStateHandle& h : it->second.channelState) {
    const std::string origin = "the in-flight data of " + nameWithSubtask() + " (" +
                               (h.stream.isInline ? std::string("inline") : h.stream.relativePath) + ")";
    Result<std::string> bytes = d_.restoreReader->readAll(h.stream);
    throwIfError(bytes.status().withContext("restoring " + origin));
    // Not cured by a restart, which would restore the same data: the job fails at once.
    auto mismatch = [&](const char* what, int index, int channel) {
      return StateMigrationException("cannot restore " + origin + ": it has data for " + what + " " +
                                     std::to_string(channel) + " of " + std::to_string(index) +
                                     ", which this job's topology does not have (the checkpoint was taken "
                                     "of another job graph)");
    };
    for (const checkpoint::ChannelStateSection& sec : h.inputChannels) {
      if (sec.index >= int(d_.inputs.size()) ||
          sec.channel >= d_.inputs[size_t(sec.index)].gate->numberOfChannels())
        throw mismatch("input channel", sec.index, sec.channel);
      auto buffers = checkpoint::decodeChannelSection(*bytes, sec, origin);
      throwIfError(buffers.status());
      std::vector<network::BufferPtr> recovered;
      for (auto& b : *buffers) recovered.push_back(network::Buffer::makeOwnedData(std::move(b)));
      d_.inputs[size_t(sec.index)].gate->addRecoveredBuffers(sec.channel, std::move(recovered));
    }
    for (const checkpoint::ChannelStateSection& sec : h.resultSubpartitions) {
      if (sec.index >= int(d_.outputs.size()) ||
          sec.channel >= d_.outputs[size_t(sec.index)].partition->numberOfSubpartitions())
        throw mismatch("output subpartition", sec.index, sec.channel);
      network::ResultPartition& partition = *d_.outputs[size_t(sec.index)].partition;
      auto buffers = checkpoint::decodeChannelSection(*bytes, sec, origin);
      throwIfError(buffers.status());
      for (auto& b : *buffers) {
        if (b.size() > partition.bufferPool().segmentSize()) {
          throw StateMigrationException(
              "cannot restore " + origin + ": it holds a " + std::to_string(b.size()) +
              "-byte network buffer, larger than taskmanager.memory.segment-size (" +
              std::to_string(partition.bufferPool().segmentSize()) +
              " bytes); restore with the segment size the checkpoint was taken with");
        }
        partition.subpartition(sec.channel).add(network::Buffer::makeOwnedData(std::move(b)));
      }
    }
  }
}

bool StreamTask::outputsAvailable() const {
  for (const auto& w : writers_) {
    if (!w->isAvailable()) return false;
  }
  return true;
}

void StreamTask::scheduleFlush() {
  int64_t at = wallClockMillis() + d_.bufferTimeout.count();
  timeService_->registerTimer(at, [this](int64_t) {
    for (auto& w : writers_) w->flushAll();
    scheduleFlush();
  });
}

void StreamTask::scheduleDebloat() {
  int64_t at = wallClockMillis() + d_.bufferDebloat->period.count();
  timeService_->registerTimer(at, [this](int64_t) {
    debloat();
    scheduleDebloat();
  });
}

void StreamTask::debloat() {
  DebloatState& s = *debloat_;
  const int64_t now = TimeCounter::nowNanos();
  const uint64_t idle = d_.metrics->idle.get(now);
  // Throughput over the time the task was not waiting for input: an input that is
  // backpressured downstream is as slow as what backpressures it, one that is idle is not.
  const double busySeconds = double((now - s.lastNanos) - int64_t(idle - s.lastIdleNanos)) / 1e9;
  s.lastNanos = now;
  s.lastIdleNanos = idle;
  int64_t smallest = INT64_MAX, longest = 0;
  for (size_t g = 0; g < readers_.size(); ++g) {
    const uint64_t bytes = readers_[g]->bufferBytesTaken();
    const double throughput = busySeconds > 1e-3 ? double(bytes - s.lastBytes[g]) / busySeconds : -1;
    s.lastBytes[g] = bytes;
    network::InputGate& gate = readers_[g]->gate();
    const size_t inFlight = gate.buffersInFlight();
    network::BufferDebloater& d = s.perGate[g];
    if (throughput >= 0) {
      if (std::optional<uint32_t> size = d.recalculate(throughput, inFlight)) gate.announceBufferSize(*size);
      longest = std::max(longest, d.estimatedTimeToConsumeMs(throughput, inFlight));
    }
    smallest = std::min<int64_t>(smallest, d.announcedSize());
  }
  d_.metrics->debloatedBufferSize.store(smallest, std::memory_order_relaxed);
  d_.metrics->estimatedTimeToConsumeBuffersMs.store(longest, std::memory_order_relaxed);
}

void StreamTask::mailboxLoop() {
  if (!writers_.empty() && d_.bufferTimeout.count() > 0) scheduleFlush();
  if (d_.bufferDebloat && !readers_.empty()) {
    debloat_ = std::make_unique<DebloatState>();
    for (size_t g = 0; g < readers_.size(); ++g) {
      debloat_->perGate.emplace_back(d_.bufferDebloat->options);
      debloat_->lastBytes.push_back(readers_[g]->bufferBytesTaken());
    }
    debloat_->lastNanos = TimeCounter::nowNanos();
    debloat_->lastIdleNanos = d_.metrics->idle.get(debloat_->lastNanos);
    d_.metrics->debloatedBufferSize.store(d_.bufferDebloat->options.maxSize, std::memory_order_relaxed);
    scheduleDebloat();
  }
  const size_t n = inputs_.size();
  std::vector<bool> ended(n, false), dataEnded(n, false);
  size_t remaining = n, withData = n;
  size_t next = 0;
  while (remaining > 0) {
    if (mailbox_->hasMail()) runMails();
    checkCancelled();
    if (terminated_) return;  // `weir stop`: the savepoint has the rest
    interrupt_->store(false, std::memory_order_relaxed);
    processPriorityEvents();  // even when backpressured: barriers overtake the blocked data
    if (!outputsAvailable()) {
      ScopedTimeCounter backPressured(&d_.metrics->backPressured);
      mailbox_->waitForMailOrWakeUp();  // backpressure: a recycled buffer wakes us
      continue;
    }
    bool progressed = false;
    for (size_t k = 0; k < n; ++k) {
      size_t i = (next + k) % n;
      if (ended[i]) continue;
      TaskInputStatus status = inputs_[i]->processInput(kBatchSize);
      if (status == TaskInputStatus::kMoreAvailable) progressed = true;
      if ((status == TaskInputStatus::kEndOfData || status == TaskInputStatus::kEndOfInput) &&
          !dataEnded[i]) {
        dataEnded[i] = true;
        --withData;
        progressed = true;
        int idx = inputs_[i]->inputIndex();
        // A head with several gates on one input (union) ends that input when its last gate ends.
        bool inputDone = true;
        for (size_t j = 0; j < n; ++j) {
          if (!dataEnded[j] && inputs_[j]->inputIndex() == idx) inputDone = false;
        }
        if (idx > 0 && inputDone) operators_.front()->endInput(idx);
        if (withData == 0) endOfData();
      }
      if (status == TaskInputStatus::kEndOfInput) {
        ended[i] = true;
        --remaining;
        progressed = true;
      }
    }
    next = (next + 1) % n;
    if (!progressed) {
      ScopedTimeCounter idle(&d_.metrics->idle);
      mailbox_->waitForMailOrWakeUp();
    }
  }
}

void StreamTask::endOfData() {
  // Stopped with a savepoint: an upstream task ended first; what the operators buffered is
  // in the savepoint and must not be emitted.
  if (terminating_.load()) return;
  // Head first: each operator emits what it buffered into successors that are still open.
  for (size_t i = 0; i < operators_.size(); ++i) {
    if (i > 0) operators_[i]->endInput(1);
    operators_[i]->finish();
  }
  for (auto& w : writers_) w->broadcastEvent(network::EndOfDataEvent{});
  dataEnded_ = true;
  if (source_ != nullptr && d_.checkpointing.enabled)
    jobMaster_.notifyEndOfData(d_.vertexId, d_.subtaskIndex);
}

void StreamTask::closeOperators() {
  for (size_t i = 0; i < opened_.size() && i < operators_.size(); ++i) {
    if (!opened_[i]) continue;
    opened_[i] = false;
    invokeUserFunction(*operators_[i], [&] { operators_[i]->close(); });
  }
}

}  // namespace weir::runtime
