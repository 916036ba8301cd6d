// TwoPhaseCommitSinkWriter: the base of exactly-once sinks (Flink's
// TwoPhaseCommitSinkFunction contract, on the Sink V2 writer).
//
// Records go into the current transaction. At a checkpoint barrier the writer
// pre-commits it (after which committing must be able to succeed: data flushed
// and durable, only not yet visible), keeps it in operator state as pending and
// begins the next one. When checkpoint N completes, every pending transaction up
// to N is committed, in order. On restore, the transactions the restored
// checkpoint had pre-committed are committed (again: commit must be idempotent)
// and the one that was open at that checkpoint is aborted; its records are
// replayed by the sources. Without checkpointing the writer commits at the end of
// its input.
//
// A subclass supplies the transaction type (serializable with TypeSerializer:
// it is kept in checkpoints) and beginTransaction / invoke / preCommit / commit /
// abort. All calls run on the task thread; exceptions fail the task and the job
// recovers from its latest checkpoint.
#pragma once

#include <cstdint>
#include <deque>
#include <tuple>
#include <utility>
#include <vector>

#include <weir/connectors/sink.h>
#include <weir/runtime/checkpoint_hooks.h>
#include <weir/runtime/runtime_context.h>

namespace weir {

template <class T, class Txn>
class TwoPhaseCommitSinkWriter : public SinkWriter<T>,
                                 public CheckpointedFunction,
                                 public CheckpointListener {
 public:
  void write(const T& value, Timestamp timestamp) final { invoke(current_, value, timestamp); }

  void flush(FlushReason reason) override {
    if (reason != FlushReason::kEndOfInput || checkpointing_) return;  // a checkpoint commits
    preCommit(current_);
    commit(current_);
    current_ = beginTransaction();
  }

  // The open transaction was never pre-committed: nothing of it may become visible.
  // Pending ones stay as they are; a restore commits them.
  void close() override {
    if (open_) {
      open_ = false;
      abort(current_);
    }
  }

  void initializeState(FunctionInitializationContext& context) override {
    checkpointing_ = context.runtimeContext().isCheckpointingEnabled();
    state_ = &context.runtimeContext().operatorStateStore().getListState(
        ListStateDescriptor<Entry>("two-phase-commit-transactions"));
    if (context.isRestored()) {
      // Pre-committed by the restored checkpoint: commit. Open at that checkpoint: abort.
      for (const Entry& e : state_->get()) {
        if (std::get<1>(e))
          recoverAndCommit(std::get<2>(e));
        else
          recoverAndAbort(std::get<2>(e));
      }
    }
    state_->clear();
    current_ = beginTransaction();
    open_ = true;
  }

  void snapshotState(int64_t checkpointId) override {
    preCommit(current_);
    pending_.emplace_back(checkpointId, std::move(current_));
    current_ = beginTransaction();
    std::vector<Entry> entries;
    for (const auto& [id, txn] : pending_) entries.emplace_back(id, true, txn);
    entries.emplace_back(checkpointId, false, current_);
    state_->update(std::move(entries));
  }

  void notifyCheckpointComplete(int64_t checkpointId) override {
    while (!pending_.empty() && pending_.front().first <= checkpointId) {
      commit(pending_.front().second);
      pending_.pop_front();
    }
  }

 protected:
  virtual Txn beginTransaction() = 0;
  virtual void invoke(Txn& txn, const T& value, Timestamp timestamp) = 0;
  // Makes the transaction's data durable; after this, commit must be able to succeed.
  virtual void preCommit(Txn& txn) = 0;
  // Makes a pre-committed transaction visible. Idempotent: called again for a
  // transaction that may already be committed after a restore.
  virtual void commit(const Txn& txn) = 0;
  // Discards a transaction that was not pre-committed (or whose checkpoint did not
  // complete); it may have been aborted already.
  virtual void abort(const Txn& txn) = 0;
  virtual void recoverAndCommit(const Txn& txn) { commit(txn); }
  virtual void recoverAndAbort(const Txn& txn) { abort(txn); }

  bool checkpointingEnabled() const { return checkpointing_; }

 private:
  using Entry = std::tuple<int64_t, bool, Txn>;  // checkpoint id, pre-committed, transaction

  Txn current_{};
  bool open_ = false;
  bool checkpointing_ = false;
  std::deque<std::pair<int64_t, Txn>> pending_;  // pre-committed, oldest first
  ListState<Entry>* state_ = nullptr;
};

}  // namespace weir
