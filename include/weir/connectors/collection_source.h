// CollectionSource: the elements of a vector, as a bounded source
// (fromCollection / fromElements). Splits are index ranges of the shared,
// immutable vector; a split's position is the next index.
#pragma once

#include <memory>
#include <vector>

#include <weir/connectors/sequence_source.h>

namespace weir {

struct CollectionSplit {
  int64_t from = 0;  // next index to emit
  int64_t to = 0;    // last index, inclusive
};
WEIR_STRUCT(CollectionSplit, from, to);

template <class T>
class CollectionSource final : public Source<T, CollectionSplit> {
 public:
  explicit CollectionSource(std::vector<T> values)
      : values_(std::make_shared<const std::vector<T>>(std::move(values))) {}
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<CollectionSplit>> createEnumerator(
      SplitEnumeratorContext<CollectionSplit>& ctx) const override {
    std::vector<CollectionSplit> splits;
    for (const NumberSequenceSplit& s :
         splitNumberSequence(0, int64_t(values_->size()) - 1, ctx.currentParallelism()))
      splits.push_back({s.from, s.to});
    return std::make_unique<StaticSplitEnumerator<CollectionSplit>>(ctx, std::move(splits));
  }
  std::unique_ptr<SourceReader<T, CollectionSplit>> createReader(SourceReaderContext& ctx) const override {
    return std::make_unique<Reader>(ctx, values_);
  }

 private:
  class Reader final : public SourceReader<T, CollectionSplit> {
   public:
    Reader(SourceReaderContext& ctx, std::shared_ptr<const std::vector<T>> values)
        : ctx_(ctx), values_(std::move(values)) {}
    void start() override { ctx_.sendSplitRequest(); }
    InputStatus pollNext(ReaderOutput<T>& out) override {
      if (splits_.empty()) return noMore_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
      CollectionSplit& s = splits_.front();
      out.collect((*values_)[size_t(s.from)]);
      if (++s.from > s.to) {
        splits_.erase(splits_.begin());
        if (splits_.empty() && !noMore_) ctx_.sendSplitRequest();
      }
      return splits_.empty() && noMore_ ? InputStatus::kEndOfInput : InputStatus::kMoreAvailable;
    }
    void addSplits(std::vector<CollectionSplit> s) override {
      splits_.insert(splits_.end(), s.begin(), s.end());
    }
    void notifyNoMoreSplits() override { noMore_ = true; }
    std::vector<CollectionSplit> snapshotState() override { return splits_; }

   private:
    SourceReaderContext& ctx_;
    std::shared_ptr<const std::vector<T>> values_;
    std::vector<CollectionSplit> splits_;
    bool noMore_ = false;
  };
  std::shared_ptr<const std::vector<T>> values_;
};

}  // namespace weir
