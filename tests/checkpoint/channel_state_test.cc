// The channel state stream (in-flight data of unaligned checkpoints): a round
// trip keeps every channel's buffers in order, and a damaged stream or a section
// pointing outside it is refused as Corruption naming the origin, never trusted
// for an allocation.
#include "checkpoint/channel_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace weir::checkpoint {
namespace {

using Buffers = std::vector<std::vector<uint8_t>>;

TEST(ChannelStateTest, RoundTripsEveryChannelsBuffersInOrder) {
  std::vector<ChannelData> inputs = {{0, 0, {{1, 2, 3}, {4}}}, {0, 1, {}}, {1, 2, {{5, 6}}}};
  std::vector<ChannelData> outputs = {{0, 3, {{7}, {}, {8, 9}}}};
  ChannelStateHandle h;
  const std::string stream = encodeChannelState(inputs, outputs, h);
  EXPECT_EQ(stream.substr(0, 8), "WEIRCHAN");
  ASSERT_EQ(h.inputChannels.size(), 2u) << "a channel without data gets no section";
  ASSERT_EQ(h.resultSubpartitions.size(), 1u);
  EXPECT_EQ(h.inputChannels[1].index, 1);
  EXPECT_EQ(h.inputChannels[1].channel, 2);
  auto first = decodeChannelSection(stream, h.inputChannels[0], "f");
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(*first, (Buffers{{1, 2, 3}, {4}}));
  auto out = decodeChannelSection(stream, h.resultSubpartitions[0], "f");
  ASSERT_TRUE(out.isOk());
  EXPECT_EQ(*out, (Buffers{{7}, {}, {8, 9}}));
}

TEST(ChannelStateTest, RefusesDamagedStreamsAndSections) {
  ChannelStateHandle h;
  const std::string stream = encodeChannelState({{0, 0, {{1, 2, 3}, {4, 5}}}}, {}, h);
  const ChannelStateSection s = h.inputChannels[0];
  auto expectCorrupt = [](const Result<Buffers>& r, const std::string& what) {
    ASSERT_FALSE(r.isOk());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("chk-3/x: "), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  };
  expectCorrupt(decodeChannelSection("PK\x03\x04zip", s, "chk-3/x"), "bad magic");
  std::string v9 = stream;
  v9[8] = 9;
  expectCorrupt(decodeChannelSection(v9, s, "chk-3/x"), "format version 9");
  ChannelStateSection outside = s;
  outside.size = 1ull << 60;
  expectCorrupt(decodeChannelSection(stream, outside, "chk-3/x"), "outside");
  outside = s;
  outside.offset = 2;  // inside the header
  expectCorrupt(decodeChannelSection(stream, outside, "chk-3/x"), "outside");
  // A buffer size larger than what is left: no allocation of that size.
  std::string forged = stream;
  forged[s.offset + 3] = char(0x7f);
  expectCorrupt(decodeChannelSection(forged, s, "chk-3/x"), "exceeds");
  ChannelStateSection cut = s;
  cut.size -= 1;
  expectCorrupt(decodeChannelSection(stream, cut, "chk-3/x"), "exceeds");
  cut.size = 2;
  expectCorrupt(decodeChannelSection(stream, cut, "chk-3/x"), "truncated");
}

}  // namespace
}  // namespace weir::checkpoint
