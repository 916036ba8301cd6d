// PrintSink: writes every record as a line to stdout (DataStream::print).
// With parallelism > 1 each line starts with the subtask number ("2> ..."), and
// with a prefix "prefix:2> ...", as Flink does. Lines of concurrent subtasks
// never interleave within a line.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <weir/connectors/sink.h>
#include <weir/core/format.h>

namespace weir {

// Writes one complete line to stdout atomically with respect to other callers.
void writeStdoutLine(const std::string& line);

template <class T>
class PrintSink final : public Sink<T> {
 public:
  explicit PrintSink(std::string prefix = "") : prefix_(std::move(prefix)) {}
  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext& ctx) const override {
    std::string p = prefix_;
    if (ctx.numberOfParallelSubtasks() > 1) {
      p += (p.empty() ? "" : ":") + std::to_string(ctx.indexOfThisSubtask() + 1) + "> ";
    } else if (!p.empty()) {
      p += "> ";
    }
    return std::make_unique<Writer>(std::move(p));
  }

 private:
  class Writer final : public SinkWriter<T> {
   public:
    explicit Writer(std::string prefix) : prefix_(std::move(prefix)) {}
    void write(const T& value, Timestamp) override { writeStdoutLine(prefix_ + toText(value)); }

   private:
    std::string prefix_;
  };
  std::string prefix_;
};

}  // namespace weir
