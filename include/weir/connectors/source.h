// Sources in Flink's split/reader model (FLIP-27).
//
// A Source describes where data comes from. Its SplitEnumerator runs once per
// job in the JobMaster and hands out splits (a file, a range of numbers) to the
// parallel SourceReaders when they ask; a reader reads its splits and can report
// each split's current position (snapshotState), which is what a checkpoint
// stores so that a restored job resumes exactly there.
//
// Threading: a Source object is shared by all subtasks and the coordinator, so
// its const methods must be thread-safe. An enumerator is called by one thread
// at a time (the coordinator serialises calls). A reader is called only on its
// task thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <weir/core/serializer.h>
#include <weir/runtime/stream_operator.h>

namespace weir {

enum class Boundedness { kBounded, kContinuousUnbounded };

// What SourceReader::pollNext says; each value tells the task what to do next.
enum class InputStatus {
  kMoreAvailable,     // call pollNext again right away
  kNothingAvailable,  // wait: the reader calls SourceReaderContext::wakeUp() when it has data again
  kEndOfInput,        // the reader is done: never call pollNext again
};

// Where a SourceReader puts its records. With a WatermarkStrategy on the source,
// the strategy assigns each record's event time and its generator derives the
// watermarks. A reader that reads several splits at once should emit each
// split's records through createOutputForSplit(splitId): each split then gets
// its own generator, and the source's watermark is the minimum over its
// splits, so a split that is behind holds event time back instead of making
// the others' records late (Flink's per-split watermarks).
template <class T>
class ReaderOutput {
 public:
  virtual ~ReaderOutput() = default;
  virtual void collect(const T& value) = 0;
  // `timestamp`: the record's timestamp as the source knows it (the strategy's assigner may replace it).
  virtual void collect(const T& value, Timestamp timestamp) = 0;
  // The output for the records of split `splitId` (created on first call, the
  // same one afterwards). Release it when the split is finished.
  virtual ReaderOutput<T>& createOutputForSplit(const std::string& splitId) {
    (void)splitId;
    return *this;
  }
  // The split is finished: its output no longer holds the watermark back.
  virtual void releaseOutputForSplit(const std::string& splitId) { (void)splitId; }
};

class SourceReaderContext {
 public:
  virtual ~SourceReaderContext() = default;
  virtual int indexOfSubtask() const = 0;
  virtual int parallelism() const = 0;
  // Asks the enumerator for a split; it answers with addSplits or notifyNoMoreSplits.
  virtual void sendSplitRequest() = 0;
  // Milliseconds since the epoch.
  virtual int64_t currentTimeMillis() const = 0;
  // Makes the task poll the reader again at (or after) `timestampMillis` (rate limiting).
  virtual void wakeUpAt(int64_t timestampMillis) = 0;
  // Makes the task poll the reader again soon. Thread-safe.
  virtual void wakeUp() = 0;
};

template <class T, class Split>
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  virtual void start() {}
  // Emits zero or more records (a few at most: the task checks for control
  // actions between calls) and says whether more are available.
  virtual InputStatus pollNext(ReaderOutput<T>& output) = 0;
  virtual void addSplits(std::vector<Split> splits) = 0;
  virtual void notifyNoMoreSplits() = 0;
  // The unfinished splits with their current positions.
  virtual std::vector<Split> snapshotState() = 0;
  virtual void close() {}
};

template <class Split>
class SplitEnumeratorContext {
 public:
  virtual ~SplitEnumeratorContext() = default;
  virtual int currentParallelism() const = 0;
  virtual void assignSplit(const Split& split, int subtask) = 0;
  virtual void signalNoMoreSplits(int subtask) = 0;
};

template <class Split>
class SplitEnumerator {
 public:
  virtual ~SplitEnumerator() = default;
  virtual void start() {}
  virtual void handleSplitRequest(int subtask) = 0;
  // Splits of a failed reader come back to be assigned again.
  virtual void addSplitsBack(std::vector<Split> splits, int subtask) = 0;
  // The splits not yet assigned (what a checkpoint stores of the enumerator).
  virtual std::vector<Split> snapshotState() = 0;
};

// Hands out splits in order, one per request, then "no more splits".
template <class Split>
class StaticSplitEnumerator final : public SplitEnumerator<Split> {
 public:
  StaticSplitEnumerator(SplitEnumeratorContext<Split>& ctx, std::vector<Split> splits)
      : ctx_(ctx), pending_(splits.begin(), splits.end()) {}
  void handleSplitRequest(int subtask) override {
    if (pending_.empty()) {
      ctx_.signalNoMoreSplits(subtask);
      return;
    }
    ctx_.assignSplit(pending_.front(), subtask);
    pending_.pop_front();
  }
  void addSplitsBack(std::vector<Split> splits, int) override {
    pending_.insert(pending_.begin(), splits.begin(), splits.end());
  }
  std::vector<Split> snapshotState() override { return {pending_.begin(), pending_.end()}; }

 private:
  SplitEnumeratorContext<Split>& ctx_;
  std::deque<Split> pending_;
};

template <class T, class Split>
class Source {
 public:
  using OutputType = T;
  using SplitType = Split;
  virtual ~Source() = default;
  virtual Boundedness boundedness() const = 0;
  virtual std::unique_ptr<SplitEnumerator<Split>> createEnumerator(
      SplitEnumeratorContext<Split>& ctx) const = 0;
  // The enumerator of a job restored from a checkpoint: `unassigned` are the splits it
  // had not handed out when the checkpoint was taken (the readers' splits come back
  // through their own state). Sources whose enumerator holds more state override this.
  virtual std::unique_ptr<SplitEnumerator<Split>> restoreEnumerator(SplitEnumeratorContext<Split>& ctx,
                                                                    std::vector<Split> unassigned) const {
    return std::make_unique<StaticSplitEnumerator<Split>>(ctx, std::move(unassigned));
  }
  virtual std::unique_ptr<SourceReader<T, Split>> createReader(SourceReaderContext& ctx) const = 0;
};

}  // namespace weir
