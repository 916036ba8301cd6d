// TimestampsAndWatermarksOperator: assigns event timestamps and generates
// watermarks in the middle of a pipeline (DataStream::assignTimestampsAndWatermarks).
//
// Every record gets the strategy's timestamp and goes through the generator;
// every `pipeline.auto-watermark-interval` the generator is asked for its
// watermark, which goes downstream when it advances. Watermarks and statuses
// from upstream are replaced by this operator's own, except the final
// kMaxWatermark of an ended input, which passes (Flink's rule). Prefer a
// strategy on the source: there each split gets its own generator.
//
// Threading: task thread only (the periodic emission is a processing-time timer, i.e. a mail).
#pragma once

#include <memory>

#include <weir/api/watermark_strategy.h>
#include <weir/core/options.h>
#include <weir/runtime/operators/one_input_operator.h>

namespace weir {

template <class T>
class TimestampsAndWatermarksOperator final : public OneInputOperator<T, T>,
                                              private WatermarkOutput,
                                              private WatermarkGeneratorContext {
 public:
  explicit TimestampsAndWatermarksOperator(WatermarkStrategy<T> strategy) : strategy_(std::move(strategy)) {}

  void open() override {
    time_ = &this->context().processingTimeService();
    generator_ = strategy_.createWatermarkGenerator(*this);
    interval_ = this->context().jobConfiguration().get(options::kAutoWatermarkInterval).count();
    if (interval_ > 0) schedule();
  }
  void processElement(const T& value, Timestamp ts) override {
    const Timestamp eventTime =
        invokeUserFunction(*this, [&] { return strategy_.extractTimestamp(value, ts); });
    if (idle_) [[unlikely]]
      markActive();
    this->output_->processElement(value, eventTime);
    invokeUserFunction(*this, [&] { generator_->onEvent(value, eventTime, *this); });
  }
  void processWatermark(Timestamp watermark) override {
    if (watermark == kMaxWatermark) emitWatermark(kMaxWatermark);
  }
  void processWatermarkStatus(WatermarkStatus) override {}

 private:
  // WatermarkOutput, for the generator.
  void emitWatermark(Timestamp watermark) override {
    if (idle_) markActive();
    if (watermark <= this->currentWatermark_) return;
    this->currentWatermark_ = watermark;
    this->output_->processWatermark(watermark);
    this->forwardWatermarkToSideOutputs(watermark);
  }
  void markIdle() override {
    if (idle_) return;
    idle_ = true;
    this->output_->processWatermarkStatus(WatermarkStatus::kIdle);
    this->forwardWatermarkStatusToSideOutputs(WatermarkStatus::kIdle);
  }
  void markActive() override {
    if (!idle_) return;
    idle_ = false;
    this->output_->processWatermarkStatus(WatermarkStatus::kActive);
    this->forwardWatermarkStatusToSideOutputs(WatermarkStatus::kActive);
  }
  // WatermarkGeneratorContext.
  int64_t currentProcessingTime() const override { return time_->currentProcessingTime(); }

  void schedule() {
    time_->registerTimer(time_->currentProcessingTime() + interval_, [this](int64_t) {
      if (this->currentWatermark_ == kMaxWatermark) return;
      invokeUserFunction(*this, [&] { generator_->onPeriodicEmit(*this); });
      schedule();
    });
  }

  WatermarkStrategy<T> strategy_;
  std::unique_ptr<WatermarkGenerator<T>> generator_;
  ProcessingTimeService* time_ = nullptr;
  int64_t interval_ = 0;
  bool idle_ = false;
};

}  // namespace weir
