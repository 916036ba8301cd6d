// ChannelStateFileGroups (execution.checkpointing.unaligned.max-subtasks-per-channel-state-file):
// the subtasks of a group share one file per checkpoint, each reads back exactly its
// own channels from it; nobody is acknowledged before the group's last member added
// its part; an abort releases the waiting members with an error and refuses late
// parts; small groups stay inline without repeating each other's bytes.
#include "runtime/channel_state_file_groups.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "checkpoint/channel_state.h"
#include "testing/temp_dir.h"

namespace weir::runtime {
namespace {

using Buffers = std::vector<std::vector<uint8_t>>;
using HandleResult = Result<std::optional<checkpoint::ChannelStateHandle>>;

// One gate of two channels, one output of one subpartition; `tag` makes the bytes
// of each subtask distinct.
std::unique_ptr<ChannelStateCollector> dataOf(int64_t id, uint8_t tag) {
  auto c = std::make_unique<ChannelStateCollector>(id, std::vector<int>{2}, std::vector<int>{1});
  const uint8_t in[] = {tag, 1, 2};
  c->inputSink(0).add(1, in, sizeof(in));
  std::vector<std::vector<network::BufferBytes>> out(1);
  out[0].push_back(network::BufferBytes{tag, 9});
  c->addOutput(0, std::move(out));
  return c;
}

struct Recorder {
  std::vector<std::optional<HandleResult>> results;
  explicit Recorder(size_t n) : results(n) {}
  ChannelStateFileGroups::Done at(size_t i) {
    return [this, i](HandleResult r) { results[i].emplace(std::move(r)); };
  }
};

size_t filesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) ++n;
  return n;
}

class ChannelStateFileGroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = checkpoint::createFileSystemCheckpointStorage(dir_.path(), "job", /*inlineThreshold=*/0);
    ASSERT_TRUE(s.isOk()) << s.status().toString();
    storage_ = std::move(s).value();
    ASSERT_TRUE(storage_->initializeLocation(7).isOk());
  }

  // The buffers of `handle`'s input channel 1 and subpartition 0, read back through the storage.
  void expectOwnData(const checkpoint::ChannelStateHandle& handle, uint8_t tag) {
    auto reader = checkpoint::createFileStateReader(dir_.path() + "/job");
    auto bytes = reader->readAll(handle.stream);
    ASSERT_TRUE(bytes.isOk()) << bytes.status().toString();
    ASSERT_EQ(handle.inputChannels.size(), 1u);
    ASSERT_EQ(handle.resultSubpartitions.size(), 1u);
    auto in = checkpoint::decodeChannelSection(*bytes, handle.inputChannels[0], "t");
    ASSERT_TRUE(in.isOk()) << in.status().toString();
    EXPECT_EQ(*in, (Buffers{{tag, 1, 2}}));
    EXPECT_EQ(handle.inputChannels[0].channel, 1);
    auto out = checkpoint::decodeChannelSection(*bytes, handle.resultSubpartitions[0], "t");
    ASSERT_TRUE(out.isOk()) << out.status().toString();
    EXPECT_EQ(*out, (Buffers{{tag, 9}}));
  }

  testing::TempDir dir_;
  std::unique_ptr<checkpoint::CheckpointStorage> storage_;
};

TEST_F(ChannelStateFileGroupsTest, GroupMembersShareOneFileAndReadTheirOwnChannels) {
  ChannelStateFileGroups groups(*storage_, 2);
  Recorder r(3);
  // Parallelism 3 in groups of 2: {0, 1} and {2}. Subtask 1 has nothing in flight.
  groups.add(/*vertex=*/4, 3, 0, 7, dataOf(7, 10), r.at(0));
  EXPECT_FALSE(r.results[0]) << "acknowledged before its group's other member added its part";
  groups.add(4, 3, 2, 7, dataOf(7, 12), r.at(2));
  ASSERT_TRUE(r.results[2]) << "a group of one completes at once";
  EXPECT_FALSE(r.results[0]);
  std::thread other([&] { groups.add(4, 3, 1, 7, nullptr, r.at(1)); });
  other.join();
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(r.results[i]);
    ASSERT_TRUE(r.results[i]->isOk()) << r.results[i]->status().toString();
  }
  EXPECT_FALSE(r.results[1]->value().has_value()) << "no data, no handle";
  const checkpoint::ChannelStateHandle& h0 = *r.results[0]->value();
  const checkpoint::ChannelStateHandle& h2 = *r.results[2]->value();
  EXPECT_FALSE(h0.stream.isInline);
  EXPECT_NE(h0.stream.relativePath, h2.stream.relativePath);
  expectOwnData(h0, 10);
  expectOwnData(h2, 12);
  EXPECT_EQ(filesIn(dir_.path() + "/job/chk-7"), 2u);
  EXPECT_EQ(groups.pendingGroups(), 0u);
}

TEST_F(ChannelStateFileGroupsTest, FiveSubtasksWriteOneFile) {
  ChannelStateFileGroups groups(*storage_, 5);
  Recorder r(5);
  for (int s = 4; s >= 0; --s) groups.add(0, 5, s, 7, dataOf(7, uint8_t(20 + s)), r.at(size_t(s)));
  for (int s = 0; s < 5; ++s) {
    ASSERT_TRUE(r.results[size_t(s)] && r.results[size_t(s)]->isOk());
    const checkpoint::ChannelStateHandle& h = *r.results[size_t(s)]->value();
    EXPECT_EQ(h.stream.relativePath, r.results[0]->value()->stream.relativePath);
    expectOwnData(h, uint8_t(20 + s));
  }
  EXPECT_EQ(filesIn(dir_.path() + "/job/chk-7"), 1u);
}

TEST_F(ChannelStateFileGroupsTest, AGroupWithoutDataWritesNothing) {
  ChannelStateFileGroups groups(*storage_, 5);
  Recorder r(2);
  groups.add(0, 2, 0, 7, nullptr, r.at(0));
  groups.add(0, 2, 1, 7, std::make_unique<ChannelStateCollector>(7, std::vector<int>{1}, std::vector<int>{}),
             r.at(1));
  for (auto& res : r.results) {
    ASSERT_TRUE(res && res->isOk());
    EXPECT_FALSE(res->value().has_value());
  }
  EXPECT_EQ(filesIn(dir_.path() + "/job/chk-7"), 0u);
}

TEST_F(ChannelStateFileGroupsTest, AbortReleasesWaitingMembersAndRefusesLateParts) {
  ChannelStateFileGroups groups(*storage_, 3);
  Recorder r(3);
  groups.add(0, 3, 0, 7, dataOf(7, 1), r.at(0));
  groups.add(0, 3, 1, 8, dataOf(8, 1), r.at(1));  // another checkpoint: stays
  groups.checkpointAborted(7);
  ASSERT_TRUE(r.results[0]);
  EXPECT_EQ(r.results[0]->status().code(), StatusCode::kCancelled);
  EXPECT_NE(r.results[0]->status().message().find("checkpoint 7 was aborted"), std::string::npos);
  EXPECT_FALSE(r.results[1]);
  groups.add(0, 3, 1, 7, dataOf(7, 1), r.at(2));
  ASSERT_TRUE(r.results[2]) << "a part of an aborted checkpoint must not wait";
  EXPECT_EQ(r.results[2]->status().code(), StatusCode::kCancelled);
  EXPECT_EQ(groups.pendingGroups(), 1u);
  EXPECT_EQ(filesIn(dir_.path() + "/job/chk-7"), 0u);
}

TEST_F(ChannelStateFileGroupsTest, InlineStreamsCarryOnlyTheirOwnBytes) {
  auto memory = checkpoint::createMemoryCheckpointStorage(/*inlineThreshold=*/1 << 20);
  ASSERT_TRUE(memory->initializeLocation(7).isOk());
  ChannelStateFileGroups groups(*memory, 5);
  Recorder r(2);
  groups.add(0, 2, 0, 7, dataOf(7, 30), r.at(0));
  groups.add(0, 2, 1, 7, dataOf(7, 31), r.at(1));
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(r.results[i] && r.results[i]->isOk());
    const checkpoint::ChannelStateHandle& h = *r.results[i]->value();
    ASSERT_TRUE(h.stream.isInline);
    auto expected = dataOf(7, uint8_t(30 + i));
    checkpoint::ChannelStateHandle alone;
    EXPECT_EQ(h.stream.inlineBytes, checkpoint::encodeChannelState(expected->inputChannels(),
                                                                   expected->resultSubpartitions(), alone));
    EXPECT_EQ(h.inputChannels, alone.inputChannels);
    EXPECT_EQ(h.resultSubpartitions, alone.resultSubpartitions);
  }
}

}  // namespace
}  // namespace weir::runtime
