// NumberSequenceReader (the sequence and data-generator sources' reader) with
// several splits, as after a restore onto fewer subtasks: every split's output
// exists before the first record, each split's records go through its own
// output in order, and a finished split's output is released.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <weir/connectors/sequence_source.h>

#include "testing/fake_reader_context.h"

namespace weir {
namespace {

using testing::FakeReaderContext;

// Records what the reader does, in order: "create <id>", "<id>: <value>", "release <id>".
class RecordingOutput final : public ReaderOutput<int64_t> {
 public:
  class Split final : public ReaderOutput<int64_t> {
   public:
    Split(RecordingOutput& owner, std::string id) : owner_(owner), id_(std::move(id)) {}
    void collect(const int64_t& v) override { owner_.events.push_back(id_ + ": " + std::to_string(v)); }
    void collect(const int64_t& v, Timestamp) override { collect(v); }

   private:
    RecordingOutput& owner_;
    std::string id_;
  };
  void collect(const int64_t& v) override { events.push_back("main: " + std::to_string(v)); }
  void collect(const int64_t& v, Timestamp) override { collect(v); }
  ReaderOutput<int64_t>& createOutputForSplit(const std::string& id) override {
    auto& slot = splits_[id];
    if (!slot) {
      slot = std::make_unique<Split>(*this, id);
      events.push_back("create " + id);
    }
    return *slot;
  }
  void releaseOutputForSplit(const std::string& id) override {
    splits_.erase(id);
    events.push_back("release " + id);
  }
  std::vector<std::string> events;

 private:
  std::map<std::string, std::unique_ptr<Split>> splits_;
};

TEST(NumberSequenceReaderTest, EverySplitHasItsOutputBeforeTheFirstRecordAndEachIsReleasedWhenDone) {
  FakeReaderContext ctx;
  NumberSequenceSource source(0, 0);
  auto reader = source.createReader(ctx);
  reader->start();
  // The later split first, as a restore may hand them over.
  reader->addSplits({NumberSequenceSplit{20, 21}, NumberSequenceSplit{1, 2}});
  reader->notifyNoMoreSplits();
  RecordingOutput out;
  while (reader->pollNext(out) == InputStatus::kMoreAvailable) {
  }
  EXPECT_EQ(out.events,
            std::vector<std::string>({"create numbers-to-21", "create numbers-to-2", "numbers-to-21: 20",
                                      "numbers-to-21: 21", "release numbers-to-21", "numbers-to-2: 1",
                                      "numbers-to-2: 2", "release numbers-to-2"}));
}

TEST(NumberSequenceReaderTest, SplitsAddedLaterGetTheirOutputsBeforeTheirRecords) {
  FakeReaderContext ctx;
  NumberSequenceSource source(0, 0);
  auto reader = source.createReader(ctx);
  reader->start();
  RecordingOutput out;
  EXPECT_EQ(reader->pollNext(out), InputStatus::kNothingAvailable);
  reader->addSplits({NumberSequenceSplit{5, 5}});
  EXPECT_EQ(reader->pollNext(out), InputStatus::kMoreAvailable) << "the next poll waits for a split";
  reader->addSplits({NumberSequenceSplit{7, 7}});
  reader->notifyNoMoreSplits();
  EXPECT_EQ(reader->pollNext(out), InputStatus::kEndOfInput);
  EXPECT_EQ(out.events,
            std::vector<std::string>({"create numbers-to-5", "numbers-to-5: 5", "release numbers-to-5",
                                      "create numbers-to-7", "numbers-to-7: 7", "release numbers-to-7"}));
  EXPECT_EQ(ctx.splitRequests, 2) << "one at the start, one when the first split was done";
}

}  // namespace
}  // namespace weir
