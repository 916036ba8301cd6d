// StreamOperator: the unit of processing inside a task, and Input<T>, the typed
// port through which records reach an operator.
//
// Lifecycle (all on the task thread): setup -> initializeState -> open ->
// processElement* / timers* / snapshotState* / notifyCheckpoint* -> endInput(i)
// per input -> finish -> close. close() also runs after a failure or
// cancellation, so it must tolerate a partially opened operator.
// Inside an operator chain an operator's output is the next operator's Input
// (a direct virtual call, no copy, no serialization); at a chain boundary it is
// a network writer that serializes the record.
//
// Threading: every method runs on the owning task's mailbox thread.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <weir/runtime/checkpoint_hooks.h>

namespace weir {

using Timestamp = int64_t;
inline constexpr Timestamp kNoTimestamp = std::numeric_limits<int64_t>::min();
// The watermark before any: nothing is known about event time yet.
inline constexpr Timestamp kMinWatermark = std::numeric_limits<int64_t>::min();
// The watermark at the end of a bounded input: every event-time timer and window fires.
inline constexpr Timestamp kMaxWatermark = std::numeric_limits<int64_t>::max();

// Whether a stream currently carries watermarks (Flink's WatermarkStatus). An
// idle stream (a source split without data, say) is left out of the minimum
// over inputs, so that it does not hold event time back; it becomes active
// again with its next record or watermark.
enum class WatermarkStatus : uint8_t { kActive = 0, kIdle = 1 };

class StreamingRuntimeContext;

// Type-erased base of Input<T>, so that the runtime can wire ports of any type.
// Watermarks and watermark statuses are untyped: they travel through the same
// ports as records, in order with them.
class InputBase {
 public:
  virtual ~InputBase() = default;
  // Event time on this input has reached `watermark`: records with an earlier
  // timestamp that still come are late. Watermarks of one input only increase.
  virtual void processWatermark(Timestamp watermark) { (void)watermark; }
  // The input became idle or active again (see WatermarkStatus).
  virtual void processWatermarkStatus(WatermarkStatus status) { (void)status; }
};

// Receives records of type T, with their event timestamp (kNoTimestamp if none).
template <class T>
class Input : public InputBase {
 public:
  virtual void processElement(const T& value, Timestamp timestamp) = 0;
};

// Fans one output out to several inputs (an operator consumed by several downstream operators).
template <class T>
class BroadcastingOutput final : public Input<T> {
 public:
  explicit BroadcastingOutput(std::vector<Input<T>*> outputs) : outputs_(std::move(outputs)) {}
  void processElement(const T& value, Timestamp ts) override {
    for (Input<T>* o : outputs_) o->processElement(value, ts);
  }
  void processWatermark(Timestamp watermark) override {
    for (Input<T>* o : outputs_) o->processWatermark(watermark);
  }
  void processWatermarkStatus(WatermarkStatus status) override {
    for (Input<T>* o : outputs_) o->processWatermarkStatus(status);
  }

 private:
  std::vector<Input<T>*> outputs_;
};

// Swallows records (an operator without consumers).
template <class T>
class DiscardingOutput final : public Input<T> {
 public:
  void processElement(const T&, Timestamp) override {}
};

class StreamOperator {
 public:
  virtual ~StreamOperator() = default;

  // Number of record inputs: 0 for sources, 1 or 2 otherwise.
  virtual int numberOfInputs() const = 0;
  // Input port `index` (1-based) as Input<In_index>; the runtime casts it to the edge's type.
  virtual InputBase* input(int index) {
    (void)index;
    return nullptr;
  }
  // Connects the output; `output` is an Input<Out>. Operators without output ignore it.
  virtual void setOutput(InputBase* output) { (void)output; }
  // Connects the consumers of side output `tag` (an OutputTag's id); `output` is
  // an Input of the tag's type. Called only for tags that have consumers.
  void setSideOutput(const std::string& tag, InputBase* output) { sideOutputs_.emplace_back(tag, output); }
  // The consumers of side output `tag`, or null when nobody consumes it.
  InputBase* sideOutput(const std::string& tag) const {
    for (const auto& [t, out] : sideOutputs_)
      if (t == tag) return out;
    return nullptr;
  }

  // Gives the operator its context; called once before open().
  virtual void setup(StreamingRuntimeContext& context) { context_ = &context; }
  virtual void open() {}
  // Input `index` (1-based) has delivered its last record.
  virtual void endInput(int index) { (void)index; }
  // Every input has ended: emit whatever is still buffered. The output stays open.
  virtual void finish() {}
  // Releases resources. Runs after success, failure and cancellation alike.
  virtual void close() {}

  // Checkpoints. initializeState runs before open(), after the state backends were
  // restored (`restored` says whether this run restores a checkpoint); an operator
  // reads back what it stored in operator state (a source, its splits).
  virtual void initializeState(bool restored) { (void)restored; }
  // Synchronous part of checkpoint `checkpointId`, at the barrier: move whatever the
  // operator keeps outside state objects into them (a source, its reader's splits).
  virtual void snapshotState(int64_t checkpointId) { (void)checkpointId; }
  // Checkpoint `checkpointId` is complete (its metadata is durable) or was aborted.
  virtual void notifyCheckpointComplete(int64_t checkpointId) { (void)checkpointId; }
  virtual void notifyCheckpointAborted(int64_t checkpointId) { (void)checkpointId; }

  StreamingRuntimeContext& context() { return *context_; }

  // The checkpoint hooks of the user function this operator runs, if it has them;
  // the task calls them right after the operator's own hooks (see checkpoint_hooks.h).
  CheckpointedFunction* checkpointedFunction() const { return checkpointedFunction_; }
  CheckpointListener* checkpointListener() const { return checkpointListener_; }

 protected:
  template <class F>
  void registerUserFunction(F& f) {
    if constexpr (std::is_base_of_v<CheckpointedFunction, F>) checkpointedFunction_ = &f;
    if constexpr (std::is_base_of_v<CheckpointListener, F>) checkpointListener_ = &f;
  }
  // For a function whose type is known only at run time (a sink's writer).
  template <class Base>
  void registerUserObject(Base* object) {
    checkpointedFunction_ = dynamic_cast<CheckpointedFunction*>(object);
    checkpointListener_ = dynamic_cast<CheckpointListener*>(object);
  }

  // Watermarks and statuses go to side outputs too (their consumers need event time as well).
  void forwardWatermarkToSideOutputs(Timestamp watermark) {
    for (const auto& so : sideOutputs_) so.second->processWatermark(watermark);
  }
  void forwardWatermarkStatusToSideOutputs(WatermarkStatus status) {
    for (const auto& so : sideOutputs_) so.second->processWatermarkStatus(status);
  }

  StreamingRuntimeContext* context_ = nullptr;

 private:
  std::vector<std::pair<std::string, InputBase*>> sideOutputs_;
  CheckpointedFunction* checkpointedFunction_ = nullptr;
  CheckpointListener* checkpointListener_ = nullptr;
};

// Casts a type-erased port to Input<T>; aborts with a message if the types of a
// wired edge differ (a bug in graph construction, not a user error).
template <class T>
Input<T>* inputCast(InputBase* base);

}  // namespace weir

#include <weir/core/check.h>

template <class T>
weir::Input<T>* weir::inputCast(InputBase* base) {
  auto* typed = dynamic_cast<Input<T>*>(base);
  WEIR_CHECK_MSG(typed != nullptr, "operator ports of different record types were connected");
  return typed;
}
