#include <weir/connectors/sequence_source.h>

#include <stdexcept>
#include <string>

namespace weir {

std::vector<NumberSequenceSplit> splitNumberSequence(int64_t from, int64_t to, int n) {
  std::vector<NumberSequenceSplit> splits;
  if (to < from || n < 1) return splits;
  // Count in unsigned arithmetic: to - from may exceed INT64_MAX.
  uint64_t total = uint64_t(to) - uint64_t(from) + 1;  // 0 means 2^64 numbers
  uint64_t parts = uint64_t(n);
  if (total != 0 && total < parts) parts = total;
  uint64_t base = total == 0 ? (UINT64_MAX / parts) : total / parts;
  uint64_t extra = total == 0 ? 0 : total % parts;
  uint64_t start = uint64_t(from);
  for (uint64_t i = 0; i < parts; ++i) {
    uint64_t len = base + (i < extra ? 1 : 0);
    uint64_t last = i + 1 == parts ? uint64_t(to) : start + len - 1;
    splits.push_back({int64_t(start), int64_t(last)});
    start = last + 1;
  }
  return splits;
}

NumberSequenceSource::NumberSequenceSource(int64_t from, int64_t to) : from_(from), to_(to) {
  if (to < from) {
    throw std::invalid_argument("sequence source: 'to' (" + std::to_string(to) +
                                ") is smaller than 'from' (" + std::to_string(from) + ")");
  }
}

std::unique_ptr<SplitEnumerator<NumberSequenceSplit>> NumberSequenceSource::createEnumerator(
    SplitEnumeratorContext<NumberSequenceSplit>& ctx) const {
  return std::make_unique<StaticSplitEnumerator<NumberSequenceSplit>>(
      ctx, splitNumberSequence(from_, to_, ctx.currentParallelism()));
}

std::unique_ptr<SourceReader<int64_t, NumberSequenceSplit>> NumberSequenceSource::createReader(
    SourceReaderContext& ctx) const {
  auto emit = [](int64_t v, ReaderOutput<int64_t>& out) {
    out.collect(v);
    return true;
  };
  return std::make_unique<NumberSequenceReader<int64_t, decltype(emit)>>(ctx, emit);
}

}  // namespace weir
