#include <weir/connectors/nexmark/nexmark_source.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace weir::nexmark {

std::string NexmarkSourceOptions::validate() const {
  if (std::string problem = generator.validate(); !problem.empty()) return problem;
  if (events < 0)
    return "the number of events must not be negative (0 means unbounded), got " + std::to_string(events);
  if (splits < 0) return "the number of splits must not be negative (0 means one per subtask)";
  if (!(maxEventsPerSecond >= 0) || std::isinf(maxEventsPerSecond))
    return "the wall-clock rate limit must be a finite number >= 0 (0 means unthrottled)";
  return "";
}

std::vector<NexmarkSplit> makeNexmarkSplits(int64_t events, int32_t splits) {
  std::vector<NexmarkSplit> result;
  const int64_t end = events > 0 ? events : std::numeric_limits<int64_t>::max();
  for (int32_t k = 0; k < splits && k < end; ++k) result.push_back({k, splits, k, end});
  return result;
}

NexmarkSource::NexmarkSource(NexmarkSourceOptions options) : options_(std::move(options)) {
  if (std::string problem = options_.validate(); !problem.empty())
    throw std::invalid_argument("nexmark source: " + problem);
  generator_ = std::make_shared<const NexmarkGenerator>(options_.generator);
}

std::unique_ptr<SplitEnumerator<NexmarkSplit>> NexmarkSource::createEnumerator(
    SplitEnumeratorContext<NexmarkSplit>& ctx) const {
  const int32_t splits = options_.splits > 0 ? options_.splits : int32_t(ctx.currentParallelism());
  return std::make_unique<NexmarkSplitEnumerator>(ctx, makeNexmarkSplits(options_.events, splits));
}

std::unique_ptr<SplitEnumerator<NexmarkSplit>> NexmarkSource::restoreEnumerator(
    SplitEnumeratorContext<NexmarkSplit>& ctx, std::vector<NexmarkSplit> unassigned) const {
  return std::make_unique<NexmarkSplitEnumerator>(ctx, std::move(unassigned));
}

std::unique_ptr<SourceReader<Event, NexmarkSplit>> NexmarkSource::createReader(
    SourceReaderContext& ctx) const {
  const double perSubtask =
      options_.maxEventsPerSecond > 0 ? options_.maxEventsPerSecond / ctx.parallelism() : 0;
  return std::make_unique<NexmarkReader>(ctx, generator_, perSubtask);
}

void NexmarkSplitEnumerator::handleSplitRequest(int subtask) {
  const int parallelism = ctx_.currentParallelism();
  std::vector<NexmarkSplit> kept;
  for (const NexmarkSplit& s : pending_) {
    if (s.index % parallelism == subtask) {
      ctx_.assignSplit(s, subtask);
    } else {
      kept.push_back(s);
    }
  }
  pending_ = std::move(kept);
  ctx_.signalNoMoreSplits(subtask);
}

void NexmarkSplitEnumerator::addSplitsBack(std::vector<NexmarkSplit> splits, int) {
  pending_.insert(pending_.end(), splits.begin(), splits.end());
}

void NexmarkReader::addSplits(std::vector<NexmarkSplit> splits) {
  for (const NexmarkSplit& s : splits) {
    if (s.count <= 0 || s.index < 0 || s.next < 0)
      throw std::invalid_argument("nexmark reader: malformed split " + s.id());
    if (s.next < s.end) splits_.push_back({s, nullptr});
  }
  outputsOf_ = nullptr;  // the new splits' outputs are looked up at the next poll
}

std::vector<NexmarkSplit> NexmarkReader::snapshotState() {
  std::vector<NexmarkSplit> result;
  result.reserve(splits_.size());
  for (const ActiveSplit& s : splits_) result.push_back(s.split);
  return result;
}

int64_t NexmarkReader::allowedNow() {
  if (rate_ <= 0) return kBatch;
  const int64_t now = ctx_.currentTimeMillis();
  if (startMillis_ < 0) startMillis_ = now;
  // Event number `emitted_` (counted from this reader's start) is due at start + emitted_ / rate.
  const int64_t dueSoFar = int64_t(double(now - startMillis_) * rate_ / 1000.0) + 1;
  if (dueSoFar > emitted_) return std::min<int64_t>(kBatch, dueSoFar - emitted_);
  ctx_.wakeUpAt(startMillis_ + int64_t(std::ceil(double(emitted_) * 1000.0 / rate_)));
  return 0;
}

InputStatus NexmarkReader::pollNext(ReaderOutput<Event>& output) {
  // All of this reader's splits come at once, before "no more splits": waiting for it keeps
  // the merge below complete, so no split starts behind event time already emitted.
  if (!noMoreSplits_) return InputStatus::kNothingAvailable;
  if (splits_.empty()) return InputStatus::kEndOfInput;
  if (outputsOf_ != &output) {
    outputsOf_ = &output;
    for (ActiveSplit& s : splits_) s.output = &output.createOutputForSplit(s.split.id());
  }
  int64_t budget = allowedNow();
  if (budget == 0) return InputStatus::kNothingAvailable;
  const NexmarkGenerator& generator = *generator_;
  while (budget-- > 0) {
    // The split with the lowest next event number: the reader's records stay in event-time order.
    ActiveSplit* s = &splits_[0];
    for (size_t i = 1; i < splits_.size(); ++i)
      if (splits_[i].split.next < s->split.next) s = &splits_[i];
    generator.generate(s->split.next, scratch_);
    s->output->collect(scratch_, scratch_.dateTime());
    ++emitted_;
    // Past `end` (or past INT64_MAX when unbounded) the split is done.
    if (s->split.next >= s->split.end - s->split.count) {
      output.releaseOutputForSplit(s->split.id());
      splits_.erase(splits_.begin() + (s - splits_.data()));
      if (splits_.empty()) return InputStatus::kEndOfInput;
    } else {
      s->split.next += s->split.count;
    }
  }
  return InputStatus::kMoreAvailable;
}

WatermarkStrategy<Event> nexmarkWatermarks(std::chrono::milliseconds maxOutOfOrderness) {
  return WatermarkStrategy<Event>::forBoundedOutOfOrderness(maxOutOfOrderness);
}

}  // namespace weir::nexmark
