// NumberSequenceSource: the numbers from..to (inclusive) as int64, split into
// contiguous ranges handed out on request (Flink's NumberSequenceSource). A
// split's position is the next number to emit, so a restored reader resumes
// exactly there. Also the base of the data-generator source.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <weir/connectors/source.h>
#include <weir/core/serializer.h>

namespace weir {

struct NumberSequenceSplit {
  int64_t from = 0;  // next number to emit
  int64_t to = 0;    // last number, inclusive
};
WEIR_STRUCT(NumberSequenceSplit, from, to);

// Splits [from, to] into `n` contiguous, non-empty ranges (fewer if there are fewer numbers).
std::vector<NumberSequenceSplit> splitNumberSequence(int64_t from, int64_t to, int n);

// Reads number-sequence splits one after another, asking for the next when one is done.
// `Emit` turns a number into records (identity for the sequence source). Each split's
// records go through its own output (ReaderOutput::createOutputForSplit), and every
// split it holds has its output before any record is emitted: with several splits (a
// restore onto fewer subtasks), the ones still waiting hold the watermark back, instead
// of the split read first making their records late.
template <class T, class Emit>
class NumberSequenceReader final : public SourceReader<T, NumberSequenceSplit> {
 public:
  NumberSequenceReader(SourceReaderContext& ctx, Emit emit) : ctx_(ctx), emit_(std::move(emit)) {}
  void start() override { requestSplit(); }
  InputStatus pollNext(ReaderOutput<T>& out) override {
    if (splits_.empty()) {
      if (noMoreSplits_) return InputStatus::kEndOfInput;
      return InputStatus::kNothingAvailable;  // a split or "no more" arrives as a mail, which wakes the task
    }
    if (current_ == nullptr) {
      for (const NumberSequenceSplit& waiting : splits_) out.createOutputForSplit(splitId(waiting));
      current_ = &out.createOutputForSplit(splitId(splits_.front()));
    }
    NumberSequenceSplit& s = splits_.front();
    // Emit a small batch per call: cheap per record, still responsive to mails.
    int64_t end = s.to - s.from < 64 ? s.to : s.from + 63;
    for (; s.from <= end; ++s.from) {
      if (!emit_(s.from, *current_)) return InputStatus::kNothingAvailable;
    }
    if (s.from > s.to) {
      out.releaseOutputForSplit(splitId(s));
      current_ = nullptr;
      splits_.pop_front();
      if (splits_.empty()) requestSplit();
    }
    return splits_.empty() && noMoreSplits_ ? InputStatus::kEndOfInput : InputStatus::kMoreAvailable;
  }
  void addSplits(std::vector<NumberSequenceSplit> splits) override {
    splits_.insert(splits_.end(), splits.begin(), splits.end());
    current_ = nullptr;  // the next poll creates the new splits' outputs first
  }
  void notifyNoMoreSplits() override { noMoreSplits_ = true; }
  std::vector<NumberSequenceSplit> snapshotState() override { return {splits_.begin(), splits_.end()}; }

 private:
  void requestSplit() {
    if (!noMoreSplits_) ctx_.sendSplitRequest();
  }
  // Stable while the split is read (its `to` never changes; splits do not overlap).
  static std::string splitId(const NumberSequenceSplit& s) { return "numbers-to-" + std::to_string(s.to); }
  SourceReaderContext& ctx_;
  Emit emit_;
  std::deque<NumberSequenceSplit> splits_;
  ReaderOutput<T>* current_ = nullptr;  // the front split's output; null: create the outputs first
  bool noMoreSplits_ = false;
};

class NumberSequenceSource final : public Source<int64_t, NumberSequenceSplit> {
 public:
  NumberSequenceSource(int64_t from, int64_t to);
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit>& ctx) const override;
  std::unique_ptr<SourceReader<int64_t, NumberSequenceSplit>> createReader(
      SourceReaderContext& ctx) const override;

 private:
  int64_t from_, to_;
};

}  // namespace weir
