// StreamTask: runs one parallel subtask of a job vertex on its own thread: it
// builds the operator chain, opens it, then runs the mailbox loop that
// alternates between mails (timers, operator events, flushes) and batches of
// input, ends the operators when every input has ended, and reports its final
// state to the JobMaster (Flink's StreamTask + MailboxProcessor).
//
// Threading: start(), cancel(), deliverOperatorEvent() and state() may be called
// from any thread; everything else runs on the task thread. A user exception
// fails the task (state FAILED with the operator, subtask and message); it never
// escapes the thread. cancel() is prompt unless user code blocks.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <weir/connectors/source.h>
#include <weir/runtime/network_glue.h>
#include <weir/runtime/operators/source_operator.h>

#include "network/gate_reader.h"
#include "network/partition_writer.h"
#include "runtime/checkpoint_barrier_handler.h"
#include "runtime/checkpoint_barrier_tracker.h"
#include "runtime/mailbox.h"
#include "runtime/single_checkpoint_barrier_handler.h"
#include "runtime/task_deployment.h"

namespace weir::runtime {

class StreamTask : private CheckpointBarrierHandler::Target {
 public:
  StreamTask(TaskDeployment deployment, TaskManagerServices services, JobMasterGateway& jobMaster);
  ~StreamTask();
  StreamTask(const StreamTask&) = delete;
  StreamTask& operator=(const StreamTask&) = delete;

  void start();
  void cancel();
  void join();
  // Delivers an event from a coordinator to the chain's operator `nodeId`, as a mail.
  void deliverOperatorEvent(int nodeId, std::vector<uint8_t> event);
  ExecutionState state() const { return state_.load(); }

  // Checkpoints (any thread; each becomes a mail). Only source tasks are triggered:
  // the others take their snapshot when the barriers have arrived on all inputs.
  // kPause (the savepoint of `weir stop`): the source emits nothing after this barrier
  // until the savepoint is aborted (notifyCheckpointAborted), or the task ends.
  enum class AfterBarrier { kContinue, kPause };
  void triggerCheckpoint(int64_t checkpointId, int64_t timestampMillis, network::CheckpointKind kind,
                         AfterBarrier after = AfterBarrier::kContinue);
  void notifyCheckpointComplete(int64_t checkpointId);
  void notifyCheckpointAborted(int64_t checkpointId);
  // A source task whose data ended may end now (the job's final checkpoint completed).
  void finishAfterFinalCheckpoint();
  // `weir stop --drain`: a source ends its input now, as if its reader had ended (the
  // maximum watermark, then end of data: every operator finishes).
  void drainSource();
  // `weir stop` without drain, once its savepoint completed. prepareTermination(): from now
  // on the task does not finish its operators when its inputs end (what they buffered is in
  // the savepoint); called on every task of the job before any gets
  // terminateAfterStopSavepoint(): after the mails queued so far (the savepoint's
  // notification) the task ends. Any thread.
  void prepareTermination() { terminating_.store(true); }
  void terminateAfterStopSavepoint();
  // "Map -> Sink: out (2/4)"
  std::string nameWithSubtask() const;

  // Number of records a task processes between two looks at its mailbox.
  static constexpr int kBatchSize = 256;

 private:
  class OperatorContext;
  class TimeService;

  void run();
  void invoke();
  void buildChain();
  void initializeOperators();
  void openOperators();
  void mailboxLoop();
  // Every input delivered its last record: finish the chain, send EndOfData downstream.
  void endOfData();
  void closeOperators();
  void runMails();
  bool outputsAvailable() const;
  // Unaligned checkpoints: hands the inputs' priority events (barriers) to the barrier handler now.
  void processPriorityEvents();
  // Before any input is read or output written: the in-flight data of the checkpoint
  // restored from goes to the input gates (read first) and output subpartitions (sent first).
  void restoreChannelState();
  void checkCancelled() const;
  void scheduleFlush();
  // Buffer debloating: every period, each input's throughput sets the buffer size it announces.
  void scheduleDebloat();
  void debloat();
  bool transition(ExecutionState to);
  // Snapshots every operator (synchronous part), forwards the barrier, hands the
  // asynchronous part to the executor, which acknowledges or declines.
  void performCheckpoint(const network::CheckpointBarrier& barrier, std::chrono::nanoseconds alignment,
                         std::chrono::nanoseconds startDelay);
  void triggerCheckpointOnBarrier(const network::CheckpointBarrier& barrier,
                                  std::chrono::nanoseconds alignment,
                                  std::chrono::nanoseconds startDelay) override;
  void abortCheckpointOnBarrier(int64_t checkpointId, const std::string& reason) override;
  void channelBarrierArrived(int gate, int channel) override;
  void alignmentStarted(const network::CheckpointBarrier& barrier) override;
  // At the barrier's trigger time + the aligned-checkpoint timeout, a mail converts the
  // checkpoint to unaligned where it still aligns or queues.
  void registerAlignmentTimer(const network::CheckpointBarrier& barrier);
  void allBarriersArrived(int64_t checkpointId, std::chrono::nanoseconds alignment) override;
  uint64_t inputBytesTaken() const;  // by every input reader, since the task started
  struct SnapshotInProgress;
  // Hands a checkpoint's synchronous parts to the executor, which writes them and acknowledges.
  void submitAsyncPart(std::unique_ptr<SnapshotInProgress> snapshot);

  TaskDeployment d_;
  TaskManagerServices services_;
  JobMasterGateway& jobMaster_;
  std::shared_ptr<TaskMailbox> mailbox_;
  std::unique_ptr<TimeService> timeService_;
  std::atomic<ExecutionState> state_{ExecutionState::kCreated};
  std::atomic<bool> cancelled_{false};
  std::thread thread_;

  std::vector<std::unique_ptr<OperatorContext>> contexts_;  // per chain position
  std::vector<std::unique_ptr<StreamOperator>> operators_;  // per chain position
  std::vector<bool> opened_;
  std::vector<std::unique_ptr<InputBase>> outputAdapters_;  // network, fan-out and discarding outputs
  std::vector<std::unique_ptr<network::PartitionRecordWriter>> writers_;
  std::vector<std::unique_ptr<network::GateRecordReader>> readers_;
  std::vector<std::unique_ptr<StatusWatermarkValve>> valves_;  // one per input of the head
  std::vector<std::unique_ptr<TaskInput>> inputs_;
  SourceOperatorBase* source_ = nullptr;
  std::unique_ptr<CheckpointBarrierHandler> barrierHandler_;
  int64_t lastTriggeredCheckpoint_ = -1;  // task thread: sources ignore older or repeated triggers
  bool finishAllowed_ = true;             // task thread: a source whose data ended may end
  bool dataEnded_ = false;                // task thread: EndOfData went out (barriers go aligned)
  int64_t sourcePausedFor_ = -1;          // task thread: the stop savepoint a source waits for
  bool terminated_ = false;               // task thread: the stop's terminate mail ran
  std::atomic<bool> terminating_{false};  // operators are not finished any more (weir stop)
  int64_t alignmentStartId_ = -1;         // task thread: the checkpoint of the last alignment,
  uint64_t alignmentStartBytes_ = 0;      // and inputBytesTaken() when it started
  // Raised (any thread) when the task loop should take control back between records: a
  // priority event arrived on an input. Shared with the gates' priority listeners.
  std::shared_ptr<std::atomic<bool>> interrupt_ = std::make_shared<std::atomic<bool>>(false);
  struct DebloatState {
    std::vector<network::BufferDebloater> perGate;
    std::vector<uint64_t> lastBytes;
    uint64_t lastIdleNanos = 0;
    int64_t lastNanos = 0;
  };
  std::unique_ptr<DebloatState> debloat_;  // task thread; null when debloating is off
  // Task thread: the unaligned checkpoint whose barriers are still arriving.
  std::unique_ptr<SnapshotInProgress> unalignedInProgress_;
};

}  // namespace weir::runtime
