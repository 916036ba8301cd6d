// SourceOperator: runs a SourceReader on a task thread, and the
// SourceCoordinator that runs its SplitEnumerator in the JobMaster. The two
// talk through operator events (bytes): RequestSplit (reader -> enumerator),
// AddSplits and NoMoreSplits (enumerator -> reader).
//
// The task drives a source through emitNext(): while the reader reports
// kMoreAvailable the task keeps calling, checking its mailbox between batches;
// on kNothingAvailable it sleeps until the reader (or a timer it set) wakes it.
//
// Event time. With a WatermarkStrategy the operator assigns each record its
// event time and runs a watermark generator per output (the reader's main
// output, and one per split the reader emits through createOutputForSplit);
// every `pipeline.auto-watermark-interval` it asks them for their watermarks
// and a WatermarkOutputMultiplexer sends the minimum over the active outputs
// downstream, or "idle" when all are idle. A record on an idle output makes it
// active again before the record goes out. Without a strategy records keep the
// timestamps the reader gave them and no watermark is emitted. Either way, at
// the end of the input the source emits kMaxWatermark, so that everything
// downstream that waits for event time fires before the job's data ends.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <weir/api/watermark_strategy.h>
#include <weir/connectors/source.h>
#include <weir/core/data_io.h>
#include <weir/core/options.h>
#include <weir/runtime/operator_coordinator.h>
#include <weir/runtime/operators/one_input_operator.h>
#include <weir/runtime/watermark_output_multiplexer.h>

namespace weir {

namespace source_events {
enum Type : uint8_t { kRequestSplit = 1, kAddSplits = 2, kNoMoreSplits = 3 };
}

class SourceOperatorBase : public StreamOperator {
 public:
  int numberOfInputs() const override { return 0; }
  // Emits up to about `maxRecords` records, fewer when the interrupt flag is raised.
  virtual InputStatus emitNext(int maxRecords) = 0;
  virtual void handleOperatorEvent(const std::vector<uint8_t>& event) = 0;
  // `weir stop --drain`: the next emitNext() ends the input (the maximum watermark, then
  // kEndOfInput) although the reader has more; the reader's splits keep their positions
  // for the savepoint that follows.
  virtual void stopAndDrain() = 0;
  // emitNext() returns early, between records, while `*flag` is set (the task raises it
  // when its outputs run out of buffers). May be null.
  void setInterruptFlag(const std::atomic<bool>* flag) { interrupt_ = flag; }

 protected:
  bool interrupted() const { return interrupt_ != nullptr && interrupt_->load(std::memory_order_relaxed); }

 private:
  const std::atomic<bool>* interrupt_ = nullptr;
};

template <class T, class Split>
class SourceOperator final : public SourceOperatorBase {
 public:
  // `strategy` may be null: no event-time assignment, no watermarks but the final one.
  explicit SourceOperator(std::shared_ptr<const Source<T, Split>> source,
                          std::shared_ptr<const WatermarkStrategy<T>> strategy = nullptr)
      : source_(std::move(source)),
        strategy_(std::move(strategy)),
        readerContext_(*this),
        output_(*this, "") {}

  void setOutput(InputBase* output) override { downstream_ = inputCast<T>(output); }

  // The reader's splits, with their positions, live in operator list state
  // ("SourceReaderState") in checkpoints: restored splits go back to the reader on open.
  void initializeState(bool restored) override {
    splitsState_ =
        &context().operatorStateStore().getListState(ListStateDescriptor<Split>("SourceReaderState"));
    if (restored) restoredSplits_ = splitsState_->get();
  }
  void open() override {
    metrics_ = &context().ioMetrics();
    watermarks_ = std::make_unique<WatermarkOutputMultiplexer>(*downstream_);
    if (strategy_ != nullptr) {
      watermarkInterval_ = context().jobConfiguration().get(options::kAutoWatermarkInterval).count();
      openedAt_ = context().processingTimeService().currentProcessingTime();
      if (watermarkInterval_ > 0) schedulePeriodicEmit();
    }
    reader_ = source_->createReader(readerContext_);
    if (!restoredSplits_.empty()) reader_->addSplits(std::move(restoredSplits_));
    restoredSplits_.clear();
    reader_->start();
  }
  void snapshotState(int64_t) override {
    splitsState_->update(invokeUserFunction(*this, [&] { return reader_->snapshotState(); }));
  }
  void stopAndDrain() override { drained_ = true; }
  InputStatus emitNext(int maxRecords) override {
    InputStatus status = drained_ ? InputStatus::kEndOfInput : InputStatus::kMoreAvailable;
    uint64_t before = emitted_;
    while (status == InputStatus::kMoreAvailable && int(emitted_ - before) < maxRecords && !interrupted()) {
      uint64_t beforeCall = emitted_;
      status = invokeUserFunction(*this, [&] { return reader_->pollNext(output_); });
      // A reader may say "more" without emitting (polling an empty external system):
      // go back to the task loop so that mails and cancellation still run.
      if (emitted_ == beforeCall) break;
    }
    metrics_->recordsOut.inc(emitted_ - before);
    if (status == InputStatus::kEndOfInput && !ended_) {
      ended_ = true;
      watermarks_->emitFinalWatermark(kMaxWatermark);
    }
    return status;
  }
  void handleOperatorEvent(const std::vector<uint8_t>& event) override {
    DataInput in(event.data(), event.size());
    uint8_t type = in.readU8();
    if (type == source_events::kAddSplits) {
      std::vector<Split> splits;
      TypeSerializer<std::vector<Split>>::deserialize(splits, in);
      reader_->addSplits(std::move(splits));
    } else if (type == source_events::kNoMoreSplits) {
      reader_->notifyNoMoreSplits();
    } else {
      throw std::runtime_error("source '" + context().operatorName() + "' got an unknown operator event");
    }
  }
  void close() override {
    if (reader_) reader_->close();
  }
  SourceReader<T, Split>* reader() { return reader_.get(); }

 private:
  class ReaderContext final : public SourceReaderContext {
   public:
    explicit ReaderContext(SourceOperator& op) : op_(op) {}
    int indexOfSubtask() const override { return op_.context().indexOfThisSubtask(); }
    int parallelism() const override { return op_.context().numberOfParallelSubtasks(); }
    void sendSplitRequest() override {
      op_.context().operatorEventGateway().sendEventToCoordinator({uint8_t(source_events::kRequestSplit)});
    }
    int64_t currentTimeMillis() const override {
      return op_.context().processingTimeService().currentProcessingTime();
    }
    void wakeUpAt(int64_t ts) override {
      // A timer is a mail, and any mail wakes the task loop.
      op_.context().processingTimeService().registerTimer(ts, [](int64_t) {});
    }
    void wakeUp() override { op_.context().requestWakeUp(); }

   private:
    SourceOperator& op_;
  };
  class GeneratorContext final : public WatermarkGeneratorContext {
   public:
    explicit GeneratorContext(SourceOperator& op) : op_(op) {}
    int64_t currentProcessingTime() const override {
      return op_.context().processingTimeService().currentProcessingTime();
    }

   private:
    SourceOperator& op_;
  };
  // The reader's main output (split id "") or one split's. With a strategy, a split's
  // output gets its watermark generator and its place in the multiplexer when the reader
  // creates it, so a split that has not emitted yet holds the source's watermark back
  // (a reader with several splits creates all their outputs before it emits from any);
  // the main output's come with its first record.
  class Output final : public ReaderOutput<T> {
   public:
    Output(SourceOperator& op, std::string splitId) : op_(op), splitId_(std::move(splitId)) {}
    void collect(const T& value) override { collect(value, kNoTimestamp); }
    void collect(const T& value, Timestamp ts) override {
      ++op_.emitted_;
      if (op_.strategy_ == nullptr) {
        op_.downstream_->processElement(value, ts);
        return;
      }
      if (generator_ == nullptr) [[unlikely]]
        start();
      const Timestamp eventTime = op_.strategy_->extractTimestamp(value, ts);
      if (watermark_->idle()) [[unlikely]]
        watermark_->markActive();
      // The record first: a watermark the generator emits for it comes after it.
      op_.downstream_->processElement(value, eventTime);
      generator_->onEvent(value, eventTime, *watermark_);
    }
    ReaderOutput<T>& createOutputForSplit(const std::string& splitId) override {
      return op_.outputForSplit(splitId);
    }
    void releaseOutputForSplit(const std::string& splitId) override { op_.releaseSplitOutput(splitId); }
    void periodicEmit() {
      if (generator_ != nullptr) generator_->onPeriodicEmit(*watermark_);
    }
    // Joins the multiplexer now (a split's output, see above).
    void startNow() {
      if (op_.strategy_ != nullptr && generator_ == nullptr) start();
    }

   private:
    void start() {
      generator_ = op_.strategy_->createWatermarkGenerator(op_.generatorContext_);
      watermark_ = &op_.watermarks_->registerOutput(splitId_);
    }
    SourceOperator& op_;
    const std::string splitId_;
    std::unique_ptr<WatermarkGenerator<T>> generator_;
    WatermarkOutputMultiplexer::Output* watermark_ = nullptr;
  };

  Output& outputForSplit(const std::string& splitId) {
    if (splitId.empty()) return output_;
    auto& slot = splitOutputs_[splitId];
    if (!slot) {
      slot = std::make_unique<Output>(*this, splitId);
      slot->startNow();
    }
    return *slot;
  }
  void releaseSplitOutput(const std::string& splitId) {
    if (splitOutputs_.erase(splitId) > 0) watermarks_->unregisterOutput(splitId);
  }
  void schedulePeriodicEmit() {
    ProcessingTimeService& time = context().processingTimeService();
    time.registerTimer(time.currentProcessingTime() + watermarkInterval_,
                       [this](int64_t) { periodicEmit(); });
  }
  void periodicEmit() {
    if (ended_) return;
    invokeUserFunction(*this, [&] {
      output_.periodicEmit();
      for (auto& [id, out] : splitOutputs_) out->periodicEmit();
    });
    // A subtask whose reader emitted nothing yet (no split, say) is idle after the idleness timeout.
    if (watermarks_->numberOfOutputs() == 0 && strategy_->idleness().count() > 0 &&
        context().processingTimeService().currentProcessingTime() - openedAt_ >=
            strategy_->idleness().count()) {
      watermarks_->setCombinedStatus(WatermarkStatus::kIdle);
    }
    schedulePeriodicEmit();
  }

  std::shared_ptr<const Source<T, Split>> source_;
  std::shared_ptr<const WatermarkStrategy<T>> strategy_;
  std::unique_ptr<SourceReader<T, Split>> reader_;
  ListState<Split>* splitsState_ = nullptr;
  std::vector<Split> restoredSplits_;
  ReaderContext readerContext_;
  GeneratorContext generatorContext_{*this};
  std::unique_ptr<WatermarkOutputMultiplexer> watermarks_;  // before the outputs: they point into it
  Output output_;
  std::unordered_map<std::string, std::unique_ptr<Output>> splitOutputs_;
  Input<T>* downstream_ = nullptr;
  OperatorIOMetrics* metrics_ = nullptr;
  uint64_t emitted_ = 0;
  int64_t watermarkInterval_ = 0;
  int64_t openedAt_ = 0;
  bool ended_ = false;
  bool drained_ = false;  // weir stop --drain
};

template <class T, class Split>
class SourceCoordinator final : public OperatorCoordinator, private SplitEnumeratorContext<Split> {
 public:
  SourceCoordinator(std::shared_ptr<const Source<T, Split>> source, OperatorCoordinatorContext& context)
      : source_(std::move(source)), context_(context) {}

  void start() override {
    std::lock_guard lock(mu_);
    enumerator_ = restored_ ? source_->restoreEnumerator(*this, std::move(restoredSplits_))
                            : source_->createEnumerator(*this);
    enumerator_->start();
  }
  std::string checkpointCoordinator(int64_t, const std::function<void()>& triggerSubtasks) override {
    // Under the lock: assignments are queued to readers either before the snapshot (and
    // before the trigger), or after both.
    std::lock_guard lock(mu_);
    DataOutput out;
    TypeSerializer<std::vector<Split>>::serialize(enumerator_->snapshotState(), out);
    triggerSubtasks();
    return std::string(out.view());
  }
  void resetToCheckpoint(const std::string& state) override {
    std::lock_guard lock(mu_);
    DataInput in(state);
    TypeSerializer<std::vector<Split>>::deserialize(restoredSplits_, in);
    restored_ = true;
  }
  void handleEventFromOperator(int subtask, const std::vector<uint8_t>& event) override {
    std::lock_guard lock(mu_);
    if (event.empty() || event[0] != source_events::kRequestSplit) {
      throw std::runtime_error("source coordinator got an unknown event from subtask " +
                               std::to_string(subtask));
    }
    enumerator_->handleSplitRequest(subtask);
  }

 private:
  int currentParallelism() const override { return context_.currentParallelism(); }
  void assignSplit(const Split& split, int subtask) override {
    DataOutput out;
    out.writeU8(source_events::kAddSplits);
    TypeSerializer<std::vector<Split>>::serialize(std::vector<Split>{split}, out);
    context_.sendEventToOperator(subtask, std::vector<uint8_t>(out.data(), out.data() + out.size()));
  }
  void signalNoMoreSplits(int subtask) override {
    context_.sendEventToOperator(subtask, {uint8_t(source_events::kNoMoreSplits)});
  }

  std::shared_ptr<const Source<T, Split>> source_;
  OperatorCoordinatorContext& context_;
  std::mutex mu_;
  std::unique_ptr<SplitEnumerator<Split>> enumerator_;  // guarded by mu_
  bool restored_ = false;                               // guarded by mu_
  std::vector<Split> restoredSplits_;                   // guarded by mu_
};

}  // namespace weir
