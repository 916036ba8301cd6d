// NexmarkSource: the Nexmark event stream (see generator.h) as a FLIP-27 source.
//
// Splits partition the event numbers round-robin: with S splits, split k holds
// events k, k + S, k + 2S, ... below the total. Every split thus advances
// through event time at the same pace (S contiguous ranges would put split k
// k/S of the stream ahead in event time, and hold back every window
// downstream until split 0 caught up). A split's position is the next event
// number it will emit; snapshotState() returns it, so a restored reader
// resumes exactly there. Because event n depends only on (config, n), the
// stream is the same whatever the number of splits or the parallelism.
//
// The enumerator gives split k to subtask k % parallelism, all of a subtask's
// splits in answer to its first request, then "no more splits". A reader
// starts emitting only once it knows all its splits, and always emits the
// lowest pending event number among them, so its records are in event-time
// order (each split's through its own output, createOutputForSplit, for
// per-split watermarks).
//
// Records carry their event time (the event's dateTime) as their timestamp, so
// nexmarkWatermarks() needs no timestamp assigner. Optionally the source is
// throttled in wall-clock time (maxEventsPerSecond, shared evenly by the
// subtasks); throttling never sleeps on the task thread.
//
// Threading: as for every Source (source.h). The generator is shared,
// immutable, by the source's readers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <weir/api/watermark_strategy.h>
#include <weir/connectors/nexmark/generator.h>
#include <weir/connectors/source.h>

namespace weir::nexmark {

struct NexmarkSplit {
  int32_t index = 0;  // k: this split holds the event numbers n with n % count == k
  int32_t count = 1;  // S: the number of splits of the source
  int64_t next = 0;   // the next event number to emit
  int64_t end = 0;    // event numbers below `end` (the source's total; INT64_MAX when unbounded)
  std::string id() const { return "nexmark-" + std::to_string(index) + "/" + std::to_string(count); }
};
WEIR_STRUCT(NexmarkSplit, index, count, next, end);

struct NexmarkSourceOptions {
  GeneratorConfig generator;
  // Events 0..events-1; 0 means unbounded.
  int64_t events = 0;
  // Number of splits; 0 means one per source subtask.
  int32_t splits = 0;
  // Wall-clock throttle for the whole source, events per second; 0 means as fast as possible.
  double maxEventsPerSecond = 0;

  // Empty if valid, otherwise what is wrong.
  std::string validate() const;
};

// The S splits of `events` events (INT64_MAX when 0), leaving out splits that would be empty.
std::vector<NexmarkSplit> makeNexmarkSplits(int64_t events, int32_t splits);

class NexmarkSource final : public Source<Event, NexmarkSplit> {
 public:
  // Throws std::invalid_argument (naming the parameter) if the options are invalid.
  explicit NexmarkSource(NexmarkSourceOptions options);

  Boundedness boundedness() const override {
    return options_.events > 0 ? Boundedness::kBounded : Boundedness::kContinuousUnbounded;
  }
  std::unique_ptr<SplitEnumerator<NexmarkSplit>> createEnumerator(
      SplitEnumeratorContext<NexmarkSplit>& ctx) const override;
  std::unique_ptr<SplitEnumerator<NexmarkSplit>> restoreEnumerator(
      SplitEnumeratorContext<NexmarkSplit>& ctx, std::vector<NexmarkSplit> unassigned) const override;
  std::unique_ptr<SourceReader<Event, NexmarkSplit>> createReader(SourceReaderContext& ctx) const override;

  const NexmarkSourceOptions& options() const { return options_; }
  const NexmarkGenerator& generator() const { return *generator_; }

 private:
  NexmarkSourceOptions options_;
  std::shared_ptr<const NexmarkGenerator> generator_;
};

// Gives split k to subtask k % parallelism: all of them at the subtask's first request, then
// "no more splits".
class NexmarkSplitEnumerator final : public SplitEnumerator<NexmarkSplit> {
 public:
  NexmarkSplitEnumerator(SplitEnumeratorContext<NexmarkSplit>& ctx, std::vector<NexmarkSplit> pending)
      : ctx_(ctx), pending_(std::move(pending)) {}
  void handleSplitRequest(int subtask) override;
  void addSplitsBack(std::vector<NexmarkSplit> splits, int subtask) override;
  std::vector<NexmarkSplit> snapshotState() override { return pending_; }

 private:
  SplitEnumeratorContext<NexmarkSplit>& ctx_;
  std::vector<NexmarkSplit> pending_;
};

class NexmarkReader final : public SourceReader<Event, NexmarkSplit> {
 public:
  // Events per pollNext: amortises the call, keeps the task responsive to mails.
  static constexpr int kBatch = 256;

  // `eventsPerSecond`: this reader's wall-clock throttle, 0 for none.
  NexmarkReader(SourceReaderContext& ctx, std::shared_ptr<const NexmarkGenerator> generator,
                double eventsPerSecond)
      : ctx_(ctx), generator_(std::move(generator)), rate_(eventsPerSecond) {}

  void start() override { ctx_.sendSplitRequest(); }
  InputStatus pollNext(ReaderOutput<Event>& output) override;
  void addSplits(std::vector<NexmarkSplit> splits) override;
  void notifyNoMoreSplits() override { noMoreSplits_ = true; }
  std::vector<NexmarkSplit> snapshotState() override;

 private:
  struct ActiveSplit {
    NexmarkSplit split;
    ReaderOutput<Event>* output = nullptr;  // valid while outputsOf_ is the current ReaderOutput
  };
  // How many events the throttle lets out now (kBatch without throttle); 0 after asking for a wake-up.
  int64_t allowedNow();

  SourceReaderContext& ctx_;
  std::shared_ptr<const NexmarkGenerator> generator_;
  double rate_;
  std::vector<ActiveSplit> splits_;
  ReaderOutput<Event>* outputsOf_ = nullptr;
  bool noMoreSplits_ = false;
  Event scratch_;  // every event is generated into it: its strings' memory is reused
  int64_t startMillis_ = -1;
  int64_t emitted_ = 0;
};

// Event time for a Nexmark stream: the records' timestamps (the events' dateTime,
// set by the reader), watermarks per split lagging by `maxOutOfOrderness` (each
// split is in order, so 0 is exact; a positive value only delays windows).
WatermarkStrategy<Event> nexmarkWatermarks(
    std::chrono::milliseconds maxOutOfOrderness = std::chrono::milliseconds(0));

}  // namespace weir::nexmark
