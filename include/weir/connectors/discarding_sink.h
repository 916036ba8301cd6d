// DiscardingSink: drops every record (Flink's DiscardingSink). For benchmarks
// and jobs run for their side effects; the job's sink metrics still count the
// records it received.
// Threading: stateless; its writers run on their task threads.
#pragma once

#include <memory>

#include <weir/connectors/sink.h>

namespace weir {

template <class T>
class DiscardingSink final : public Sink<T> {
 public:
  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>();
  }

 private:
  class Writer final : public SinkWriter<T> {
   public:
    void write(const T&, Timestamp) override {}
  };
};

}  // namespace weir
