// Sinks: where a job's results leave the dataflow (Flink's Sink V2).
//
// A Sink is shared by all subtasks; it creates one SinkWriter per subtask on
// that subtask's thread. A writer gets every record, flush(kCheckpoint) at every
// checkpoint barrier (so that a plain sink's output is at-least-once across
// failures), flush(kEndOfInput) when its input ended, then close(). A writer that
// also implements CheckpointedFunction / CheckpointListener keeps state in
// checkpoints and hears of their completion; TwoPhaseCommitSinkWriter
// (two_phase_commit_sink.h) builds exactly-once sinks on that.
#pragma once

#include <memory>

#include <weir/runtime/runtime_context.h>
#include <weir/runtime/stream_operator.h>

namespace weir {

enum class FlushReason {
  kBufferTimeout,
  kCheckpoint,  // at a checkpoint barrier: everything before it must reach the external system
  kEndOfInput,
};

template <class T>
class SinkWriter {
 public:
  virtual ~SinkWriter() = default;
  virtual void write(const T& value, Timestamp timestamp) = 0;
  virtual void flush(FlushReason reason) { (void)reason; }
  virtual void close() {}
};

template <class T>
class Sink {
 public:
  using InputType = T;
  virtual ~Sink() = default;
  virtual std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext& context) const = 0;
};

}  // namespace weir
