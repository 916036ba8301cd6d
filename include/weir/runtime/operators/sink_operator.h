// SinkOperator: hands every record to the subtask's SinkWriter (DataStream::sinkTo).
#pragma once

#include <memory>

#include <weir/connectors/sink.h>
#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class T>
class SinkOperator final : public StreamOperator, public Input<T> {
 public:
  explicit SinkOperator(std::shared_ptr<const Sink<T>> sink) : sink_(std::move(sink)) {}
  int numberOfInputs() const override { return 1; }
  InputBase* input(int) override { return this; }

  // The writer is created here, before open(), so that a writer with checkpoint
  // hooks (a two-phase-commit sink's) can restore its state.
  void initializeState(bool) override {
    writer_ = sink_->createWriter(context());
    registerUserObject(writer_.get());
  }
  void open() override { metrics_ = &context().ioMetrics(); }
  void processElement(const T& value, Timestamp ts) override {
    metrics_->recordsIn.inc();
    invokeUserFunction(*this, [&] { writer_->write(value, ts); });
  }
  void finish() override { writer_->flush(FlushReason::kEndOfInput); }
  void snapshotState(int64_t) override {
    invokeUserFunction(*this, [&] { writer_->flush(FlushReason::kCheckpoint); });
  }
  void close() override {
    if (writer_) writer_->close();
  }

 private:
  std::shared_ptr<const Sink<T>> sink_;
  std::unique_ptr<SinkWriter<T>> writer_;
  OperatorIOMetrics* metrics_ = nullptr;
};

}  // namespace weir
