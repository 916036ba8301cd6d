// DataGeneratorSource: records made by a function of their index 0..count-1,
// optionally rate-limited (Flink's DataGeneratorSource). The rate is for the
// whole source and is shared evenly by its subtasks. Rate limiting never
// sleeps on the task thread: the reader asks to be woken when the next record
// is due, so checkpoints and other mails still run at low rates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>

#include <weir/connectors/sequence_source.h>

namespace weir {

template <class T>
class DataGeneratorSource final : public Source<T, NumberSequenceSplit> {
 public:
  using Generator = std::function<T(int64_t index)>;

  // `recordsPerSecond` <= 0 means unlimited.
  DataGeneratorSource(Generator generator, int64_t count, double recordsPerSecond = 0)
      : generator_(std::move(generator)), count_(count), rate_(recordsPerSecond) {
    if (count < 0) throw std::invalid_argument("datagen source: count must not be negative");
  }
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit>& ctx) const override {
    return std::make_unique<StaticSplitEnumerator<NumberSequenceSplit>>(
        ctx, splitNumberSequence(0, count_ - 1, ctx.currentParallelism()));
  }
  std::unique_ptr<SourceReader<T, NumberSequenceSplit>> createReader(
      SourceReaderContext& ctx) const override {
    double perSubtask = rate_ > 0 ? rate_ / ctx.parallelism() : 0;
    Emit emit{generator_, perSubtask, &ctx, 0, 0};
    return std::make_unique<NumberSequenceReader<T, Emit>>(ctx, std::move(emit));
  }

 private:
  struct Emit {
    Generator generator;
    double rate;
    SourceReaderContext* ctx;
    int64_t startMillis;
    int64_t emitted;
    bool operator()(int64_t index, ReaderOutput<T>& out) {
      if (rate > 0) {
        int64_t now = ctx->currentTimeMillis();
        if (emitted == 0) startMillis = now;
        // The record number `emitted` is due at start + emitted / rate.
        int64_t due = startMillis + int64_t(double(emitted) * 1000.0 / rate);
        if (due > now) {
          ctx->wakeUpAt(due);
          return false;
        }
      }
      out.collect(generator(index));
      ++emitted;
      return true;
    }
  };
  Generator generator_;
  int64_t count_;
  double rate_;
};

}  // namespace weir
