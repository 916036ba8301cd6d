// RateLimitedSource: wraps any source and caps how many records per second it
// emits, shared evenly by its subtasks. Like the data-generator source it never
// sleeps on the task thread: when ahead of schedule the reader asks to be woken
// when the next record is due, so mails (and checkpoints) keep running. The
// wrapped reader may emit a small batch per poll, so the cap holds on average
// over a second, not per record.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <weir/connectors/source.h>

namespace weir {

template <class T, class Split>
class RateLimitedSource final : public Source<T, Split> {
 public:
  RateLimitedSource(std::shared_ptr<const Source<T, Split>> inner, double recordsPerSecond)
      : inner_(std::move(inner)), rate_(recordsPerSecond) {
    if (!(recordsPerSecond > 0))
      throw std::invalid_argument("rate limit must be a positive number of records per second");
  }
  Boundedness boundedness() const override { return inner_->boundedness(); }
  std::unique_ptr<SplitEnumerator<Split>> createEnumerator(
      SplitEnumeratorContext<Split>& ctx) const override {
    return inner_->createEnumerator(ctx);
  }
  std::unique_ptr<SplitEnumerator<Split>> restoreEnumerator(SplitEnumeratorContext<Split>& ctx,
                                                            std::vector<Split> unassigned) const override {
    return inner_->restoreEnumerator(ctx, std::move(unassigned));
  }
  std::unique_ptr<SourceReader<T, Split>> createReader(SourceReaderContext& ctx) const override {
    return std::make_unique<Reader>(inner_->createReader(ctx), ctx, rate_ / ctx.parallelism());
  }

 private:
  class Reader final : public SourceReader<T, Split>, private ReaderOutput<T> {
   public:
    Reader(std::unique_ptr<SourceReader<T, Split>> inner, SourceReaderContext& ctx, double rate)
        : inner_(std::move(inner)), ctx_(ctx), rate_(rate) {}
    void start() override {
      start_ = ctx_.currentTimeMillis();
      inner_->start();
    }
    InputStatus pollNext(ReaderOutput<T>& out) override {
      int64_t due = start_ + int64_t(double(emitted_) * 1000.0 / rate_);
      if (due > ctx_.currentTimeMillis()) {
        ctx_.wakeUpAt(due);
        return InputStatus::kNothingAvailable;
      }
      out_ = &out;
      return inner_->pollNext(*this);
    }
    void addSplits(std::vector<Split> splits) override { inner_->addSplits(std::move(splits)); }
    void notifyNoMoreSplits() override { inner_->notifyNoMoreSplits(); }
    std::vector<Split> snapshotState() override { return inner_->snapshotState(); }
    void close() override { inner_->close(); }

   private:
    void collect(const T& v) override {
      ++emitted_;
      out_->collect(v);
    }
    void collect(const T& v, Timestamp ts) override {
      ++emitted_;
      out_->collect(v, ts);
    }
    // Per-split outputs count towards the rate too.
    class SplitOutput final : public ReaderOutput<T> {
     public:
      SplitOutput(Reader& reader, std::string id) : reader_(reader), id_(std::move(id)) {}
      void collect(const T& v) override {
        ++reader_.emitted_;
        reader_.out_->createOutputForSplit(id_).collect(v);
      }
      void collect(const T& v, Timestamp ts) override {
        ++reader_.emitted_;
        reader_.out_->createOutputForSplit(id_).collect(v, ts);
      }

     private:
      Reader& reader_;
      std::string id_;
    };
    ReaderOutput<T>& createOutputForSplit(const std::string& id) override {
      auto& slot = splitOutputs_[id];
      if (!slot) {
        slot = std::make_unique<SplitOutput>(*this, id);
        out_->createOutputForSplit(id);  // now: a split that has not emitted holds the watermark back
      }
      return *slot;
    }
    void releaseOutputForSplit(const std::string& id) override {
      splitOutputs_.erase(id);
      out_->releaseOutputForSplit(id);
    }
    std::map<std::string, std::unique_ptr<SplitOutput>> splitOutputs_;
    std::unique_ptr<SourceReader<T, Split>> inner_;
    SourceReaderContext& ctx_;
    double rate_;
    int64_t start_ = 0;
    int64_t emitted_ = 0;
    ReaderOutput<T>* out_ = nullptr;
  };
  std::shared_ptr<const Source<T, Split>> inner_;
  double rate_;
};

}  // namespace weir
