// What weir-bench's jobs share: the record types, a source that builds records
// from a counter and a sink that only counts, so that the jobs measure the
// engine and not the connectors.
//
// CounterSource<T> reads number-sequence splits and fills record i with
// makeRecord(i, T&) in batches, with no per-record allocation. CountingSink<T>
// counts records per subtask, adds the count to a shared total at end of input
// and remembers when the last subtask saw its end of input (the end of the
// processing, before the job's teardown).
//
// Threading: the source and sink objects are shared by the job's subtasks; their
// readers and writers run on task threads; total() and endOfInput() may be read
// from any thread once the job is over.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <weir/weir.h>

namespace weir::bench {

// Three u64: 25 bytes on the wire with the element tag, 29 with the length prefix.
struct Event {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
};
WEIR_STRUCT(Event, a, b, c);

// Event plus 13 u64 of payload: 128 bytes in memory and on the wire (plus tag and
// length), so that a few million keys hold about a gigabyte of heap state.
struct WideEvent {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
  std::array<uint64_t, 13> payload{};
};
WEIR_STRUCT(WideEvent, a, b, c, payload);

inline constexpr uint64_t kCounterMul = 0x9E3779B97F4A7C15ull;

// Record i of the counter source: {i, i * kCounterMul, ~i} (+ payload i + j).
inline void makeRecord(uint64_t i, Event& e) {
  e.a = i;
  e.b = i * kCounterMul;
  e.c = ~i;
}
inline void makeRecord(uint64_t i, WideEvent& e) {
  e.a = i;
  e.b = i * kCounterMul;
  e.c = ~i;
  for (size_t j = 0; j < e.payload.size(); ++j) e.payload[j] = i + j;
}

// ---------------------------------------------------------------- source

// One record on the stack is reused for every record, so emitting allocates nothing.
template <class T>
class CounterReader final : public SourceReader<T, NumberSequenceSplit> {
 public:
  // Records per pollNext: large enough to amortise the call, small enough that
  // the task still looks at its mailbox often (it asks for 256 per turn).
  static constexpr int64_t kBatch = 256;

  explicit CounterReader(SourceReaderContext& ctx) : ctx_(ctx) {}

  void start() override { ctx_.sendSplitRequest(); }

  InputStatus pollNext(ReaderOutput<T>& out) override {
    if (next_ == splits_.size()) {
      return noMoreSplits_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
    }
    NumberSequenceSplit& s = splits_[next_];
    const int64_t end = s.to - s.from < kBatch ? s.to : s.from + kBatch - 1;
    T e;
    for (int64_t i = s.from; i <= end; ++i) {
      makeRecord(uint64_t(i), e);
      out.collect(e);
    }
    s.from = end + 1;
    if (end == s.to) {
      ++next_;
      // The answer (a split or "no more") arrives as a mail, which wakes the task.
      if (next_ == splits_.size() && !noMoreSplits_) ctx_.sendSplitRequest();
    }
    if (next_ == splits_.size()) {
      return noMoreSplits_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
    }
    return InputStatus::kMoreAvailable;
  }

  void addSplits(std::vector<NumberSequenceSplit> splits) override {
    splits_.insert(splits_.end(), splits.begin(), splits.end());
  }
  void notifyNoMoreSplits() override { noMoreSplits_ = true; }
  std::vector<NumberSequenceSplit> snapshotState() override {
    return {splits_.begin() + std::ptrdiff_t(next_), splits_.end()};
  }

 private:
  SourceReaderContext& ctx_;
  std::vector<NumberSequenceSplit> splits_;
  size_t next_ = 0;  // splits_[next_] is being read; the ones before are done
  bool noMoreSplits_ = false;
};

// Records 0..count-1, split evenly among the source's subtasks.
template <class T>
class CounterSource final : public Source<T, NumberSequenceSplit> {
 public:
  explicit CounterSource(int64_t count) : count_(count) {}
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit>& ctx) const override {
    return std::make_unique<StaticSplitEnumerator<NumberSequenceSplit>>(
        ctx, splitNumberSequence(0, count_ - 1, ctx.currentParallelism()));
  }
  std::unique_ptr<SourceReader<T, NumberSequenceSplit>> createReader(
      SourceReaderContext& ctx) const override {
    return std::make_unique<CounterReader<T>>(ctx);
  }

 private:
  int64_t count_;
};

template <class T>
std::shared_ptr<const Source<T, NumberSequenceSplit>> counterSource(int64_t records) {
  return std::make_shared<CounterSource<T>>(records);
}

// ---------------------------------------------------------------- sink

template <class T>
class CountingSink final : public Sink<T> {
 public:
  CountingSink() : shared_(std::make_shared<Shared>()) {}
  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>(shared_);
  }
  uint64_t total() const { return shared_->total.load(); }
  // When the last subtask reached its end of input (the epoch if none did).
  std::chrono::steady_clock::time_point endOfInput() const {
    std::lock_guard lock(shared_->mu);
    return shared_->endOfInput;
  }

 private:
  struct Shared {
    std::atomic<uint64_t> total{0};
    mutable std::mutex mu;
    std::chrono::steady_clock::time_point endOfInput;  // guarded by mu
  };
  class Writer final : public SinkWriter<T> {
   public:
    explicit Writer(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
    void write(const T&, Timestamp) override { ++count_; }
    void flush(FlushReason reason) override {
      if (reason == FlushReason::kEndOfInput) {
        shared_->total.fetch_add(count_);
        count_ = 0;
        std::lock_guard lock(shared_->mu);
        shared_->endOfInput = std::max(shared_->endOfInput, std::chrono::steady_clock::now());
      }
    }

   private:
    std::shared_ptr<Shared> shared_;
    uint64_t count_ = 0;
  };
  std::shared_ptr<Shared> shared_;
};

// ---------------------------------------------------------------- figures

struct Percentiles {
  double min = 0, p50 = 0, p99 = 0, max = 0;
};

// min, median, p99 (nearest rank) and max of `v`; all 0 when empty.
inline Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.min = v.front();
  p.p50 = (v[(v.size() - 1) / 2] + v[v.size() / 2]) / 2;  // the median
  p.p99 = v[size_t(std::ceil(0.99 * double(v.size()))) - 1];
  p.max = v.back();
  return p;
}

// Parses a positive integer option value; false if malformed.
bool parsePositive(const char* text, int64_t& value);

}  // namespace weir::bench
