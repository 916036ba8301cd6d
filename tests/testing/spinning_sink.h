// SpinningSink: a sink that spends `perRecord` of CPU on every record, so that its
// producers are backpressured (and the time shows as busy, not idle, in metrics).
// It spins instead of sleeping: a sleeping thread's wake-up latency on a loaded
// machine would stretch the time per record unpredictably.
#pragma once

#include <chrono>
#include <memory>

#include <weir/weir.h>

namespace weir::testing {

class SpinningSink final : public Sink<int64_t> {
 public:
  explicit SpinningSink(std::chrono::microseconds perRecord) : perRecord_(perRecord) {}
  std::unique_ptr<SinkWriter<int64_t>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>(perRecord_);
  }

 private:
  class Writer final : public SinkWriter<int64_t> {
   public:
    explicit Writer(std::chrono::microseconds perRecord) : perRecord_(perRecord) {}
    void write(const int64_t&, Timestamp) override {
      auto until = std::chrono::steady_clock::now() + perRecord_;
      while (std::chrono::steady_clock::now() < until) {
      }
    }

   private:
    std::chrono::microseconds perRecord_;
  };
  std::chrono::microseconds perRecord_;
};

}  // namespace weir::testing
