// OperatorHarness<Out>: runs one StreamOperator outside any task, for unit
// tests (Flink's OneInputStreamOperatorTestHarness): a StreamingRuntimeContext
// with a manual processing-time clock, a heap keyed backend if the operator is
// keyed, the job configuration the test sets, and an output that records
// every element the operator emits (records with their timestamps,
// watermarks, watermark statuses) in order.
//
// Single-threaded, like the task thread it stands in for. Lifecycle: construct,
// configure, open() (setup, initializeState, open), drive the operator, close().
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <weir/core/config.h>
#include <weir/runtime/runtime_context.h>
#include <weir/runtime/stream_operator.h>
#include <weir/state/key_groups.h>

#include "testing/manual_processing_time_service.h"

namespace weir::testing {

template <class T>
struct Emitted {
  T value;
  Timestamp timestamp;
  bool operator==(const Emitted&) const = default;
};
struct EmittedWatermark {
  Timestamp watermark;
  bool operator==(const EmittedWatermark&) const = default;
};
struct EmittedStatus {
  WatermarkStatus status;
  bool operator==(const EmittedStatus&) const = default;
};
template <class T>
using Element = std::variant<Emitted<T>, EmittedWatermark, EmittedStatus>;

// Records everything an operator emits.
template <class T>
class RecordingOutput final : public Input<T> {
 public:
  // emplace_back in place: constructing a temporary variant makes GCC 12 warn (maybe-uninitialized).
  void processElement(const T& value, Timestamp ts) override {
    elements.emplace_back(std::in_place_type<Emitted<T>>, Emitted<T>{value, ts});
  }
  void processWatermark(Timestamp watermark) override {
    elements.emplace_back(std::in_place_type<EmittedWatermark>, EmittedWatermark{watermark});
  }
  void processWatermarkStatus(WatermarkStatus status) override {
    elements.emplace_back(std::in_place_type<EmittedStatus>, EmittedStatus{status});
  }

  std::vector<T> values() const {
    std::vector<T> out;
    for (const auto& e : elements)
      if (const auto* r = std::get_if<Emitted<T>>(&e)) out.push_back(r->value);
    return out;
  }
  std::vector<Timestamp> watermarks() const {
    std::vector<Timestamp> out;
    for (const auto& e : elements)
      if (const auto* w = std::get_if<EmittedWatermark>(&e)) out.push_back(w->watermark);
    return out;
  }
  std::vector<WatermarkStatus> statuses() const {
    std::vector<WatermarkStatus> out;
    for (const auto& e : elements)
      if (const auto* s = std::get_if<EmittedStatus>(&e)) out.push_back(s->status);
    return out;
  }
  void clear() { elements.clear(); }

  std::vector<Element<T>> elements;
};

class HarnessContext final : public StreamingRuntimeContext, public OperatorEventGateway {
 public:
  HarnessContext(bool keyed, int maxParallelism) {
    if (keyed)
      backend_ =
          std::make_unique<HeapKeyedStateBackend>(KeyGroupRange{0, maxParallelism - 1}, maxParallelism);
  }
  const std::string& operatorName() const override { return name_; }
  int indexOfThisSubtask() const override { return 0; }
  int numberOfParallelSubtasks() const override { return 1; }
  int maxNumberOfParallelSubtasks() const override { return backend_ ? backend_->maxParallelism() : 128; }
  const Configuration& jobConfiguration() const override { return config; }
  KeyedStateBackend* keyedStateBackend() override { return backend_.get(); }
  OperatorStateStore& operatorStateStore() override { return operatorState_; }
  ProcessingTimeService& processingTimeService() override { return time; }
  OperatorEventGateway& operatorEventGateway() override { return *this; }
  OperatorIOMetrics& ioMetrics() override { return metrics_; }
  void requestWakeUp() override {}
  void sendEventToCoordinator(std::vector<uint8_t> event) override { sentEvents.push_back(std::move(event)); }

  Configuration config;
  ManualProcessingTimeService time;
  std::vector<std::vector<uint8_t>> sentEvents;

 private:
  std::string name_ = "Test Operator";
  std::unique_ptr<KeyedStateBackend> backend_;
  OperatorStateStore operatorState_;
  OperatorIOMetrics metrics_;
};

enum class Keyed { kNo, kYes };

template <class Out>
class OperatorHarness {
 public:
  explicit OperatorHarness(std::unique_ptr<StreamOperator> op, Keyed keyed = Keyed::kNo,
                           int maxParallelism = 128)
      : op_(std::move(op)), context_(keyed == Keyed::kYes, maxParallelism) {}
  ~OperatorHarness() { close(); }

  // Setup, initializeState (not restored) and open.
  void open() {
    op_->setup(context_);
    op_->setOutput(&output_);
    op_->initializeState(false);
    op_->open();
    opened_ = true;
  }
  void close() {
    if (opened_) op_->close();
    opened_ = false;
  }

  // Input port `index` (1-based) as Input<In>.
  template <class In>
  Input<In>& input(int index = 1) {
    return *inputCast<In>(op_->input(index));
  }
  StreamOperator& op() { return *op_; }
  HarnessContext& context() { return context_; }
  Configuration& config() { return context_.config; }
  ManualProcessingTimeService& time() { return context_.time; }
  RecordingOutput<Out>& output() { return output_; }

 private:
  std::unique_ptr<StreamOperator> op_;
  HarnessContext context_;
  RecordingOutput<Out> output_;
  bool opened_ = false;
};

}  // namespace weir::testing
