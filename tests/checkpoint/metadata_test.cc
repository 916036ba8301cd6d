// The `_metadata` format: a rich round trip, and proof that every damaged file
// (any truncation, any single bit flip, forged counts behind a valid checksum,
// unknown versions) fails as Corruption naming the file, never as a crash or a
// huge allocation.
#include "checkpoint/metadata.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <weir/core/data_io.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace weir::checkpoint {
namespace {

constexpr const char* kOrigin = "/ckpt/3f2a/chk-42/_metadata";

::testing::AssertionResult hasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

StreamStateHandle fileHandle(std::string path, uint64_t size, uint64_t checksum) {
  StreamStateHandle h;
  h.relativePath = std::move(path);
  h.size = size;
  h.checksum = checksum;
  return h;
}

StreamStateHandle inlineHandle(std::string bytes) {
  StreamStateHandle h;
  h.isInline = true;
  h.size = bytes.size();
  h.checksum = XXH64(bytes.data(), bytes.size(), 0);
  h.inlineBytes = std::move(bytes);
  return h;
}

CheckpointMetadata richMetadata() {
  CheckpointMetadata m;
  m.checkpointId = 42;
  m.jobId = "3f2a9c0d";
  m.jobName = "word count \xC3\xBC";
  m.timestampMillis = std::numeric_limits<int64_t>::min();
  m.kind = SnapshotKind::kSavepoint;

  OperatorState source{"source-uid", "Kafka Source", 2, 128, {}, std::string("\x01\x02enumerator", 12)};
  OperatorSubtaskState s0;
  s0.operatorState.push_back(OperatorStateHandle{
      {{"offsets", {OperatorStateDistribution::kUnion, {0, 17, std::numeric_limits<uint64_t>::max()}}},
       {"splits", {OperatorStateDistribution::kSplitDistribute, {}}},
       {"rules", {OperatorStateDistribution::kBroadcast, {3}}}},
      fileHandle("chk-42/0123abcd", 5000, 0xdeadbeefcafef00dULL)});
  source.subtaskStates[0] = s0;
  OperatorSubtaskState s1;
  s1.operatorState.push_back(OperatorStateHandle{{}, inlineHandle(std::string("\0binary\xff", 8))});
  // In-flight data of an unaligned checkpoint: two input channels and one subpartition.
  s1.channelState.push_back(ChannelStateHandle{fileHandle("chk-42/channels-1", 900, 77),
                                               {{0, 1, 12, 300}, {1, 0, 312, 88}},
                                               {{0, 3, 400, std::numeric_limits<uint64_t>::max()}}});
  source.subtaskStates[1] = s1;

  OperatorState window{"window-uid", "Tumbling Window", 3, 16, {}};
  for (int i : {0, 2}) {  // subtask 1 had no state
    KeyGroupsStateHandle keyed;
    keyed.range = keyGroupRangeForOperatorIndex(16, 3, i);
    for (int g = 0; g < keyed.range.size(); ++g) keyed.offsets.push_back(uint64_t(g) * 1000);
    keyed.stream = i == 0 ? fileHandle("shared/ffee", 6000, 1) : inlineHandle("");
    window.subtaskStates[i].keyedState.push_back(keyed);
  }
  KeyGroupsStateHandle empty;  // a subtask that owns no key group
  empty.stream = inlineHandle("x");
  window.subtaskStates[2].keyedState.push_back(empty);

  m.operators = {source, window, OperatorState{"sink-uid", "", 1, 1, {}}};
  return m;
}

// The v1 payload fields before the operator count.
void writePayloadHeader(DataOutput& out) {
  out.writeI64(7);
  out.writeString("job");
  out.writeString("name");
  out.writeI64(0);
  out.writeU8(0);
}

// Wraps a payload into a file with a valid checksum.
std::string seal(uint32_t version, std::string_view payload) {
  DataOutput out;
  out.writeBytes("WEIRCKPT", 8);
  out.writeU32(version);
  out.writeU64(payload.size());
  out.writeBytes(payload.data(), payload.size());
  out.writeU64(XXH64(out.data(), out.size(), 0));
  return std::string(out.view());
}

Status parse(const std::string& bytes) { return deserializeMetadata(bytes, kOrigin).status(); }

void expectCorruption(const std::string& bytes, const std::string& what) {
  const Status s = parse(bytes);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
  EXPECT_TRUE(hasSubstr(s.message(), std::string(kOrigin) + ": ")) << s.message();
  EXPECT_TRUE(hasSubstr(s.message(), what));
}

TEST(MetadataTest, RoundTripsEveryField) {
  const CheckpointMetadata m = richMetadata();
  Result<CheckpointMetadata> back = deserializeMetadata(serializeMetadata(m), kOrigin);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(*back, m);

  Result<CheckpointMetadata> empty = deserializeMetadata(serializeMetadata(CheckpointMetadata{}), kOrigin);
  ASSERT_TRUE(empty.isOk()) << empty.status().toString();
  EXPECT_EQ(*empty, CheckpointMetadata{});
}

TEST(MetadataTest, EnvelopeHasMagicVersionLengthAndChecksum) {
  const std::string bytes = serializeMetadata(richMetadata());
  ASSERT_GT(bytes.size(), 28u);
  DataInput in(bytes);
  char magic[8];
  in.readBytes(magic, 8);
  EXPECT_EQ(std::string_view(magic, 8), "WEIRCKPT");
  EXPECT_EQ(in.readU32(), kMetadataVersion);
  EXPECT_EQ(in.readU64(), bytes.size() - 28);
  DataInput trailer(std::string_view(bytes).substr(bytes.size() - 8));
  EXPECT_EQ(trailer.readU64(), XXH64(bytes.data(), bytes.size() - 8, 0));
}

TEST(MetadataTest, EveryTruncationFailsAsCorruption) {
  const std::string bytes = serializeMetadata(richMetadata());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const Status s = parse(bytes.substr(0, n));
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "prefix " << n << ": " << s.toString();
    ASSERT_TRUE(hasSubstr(s.message(), kOrigin));
  }
}

TEST(MetadataTest, EverySingleBitFlipIsDetected) {
  const std::string bytes = serializeMetadata(richMetadata());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = char(flipped[i] ^ (1 << bit));
      const Status s = parse(flipped);
      ASSERT_EQ(s.code(), StatusCode::kCorruption) << "byte " << i << " bit " << bit << ": " << s.toString();
    }
  }
}

// The checksum hides payload damage from the payload reader; resealing the
// damaged payload with a valid checksum puts every reader path under test.
TEST(MetadataTest, DamagedPayloadsBehindAValidChecksumFailCleanly) {
  const std::string bytes = serializeMetadata(richMetadata());
  const std::string payload = bytes.substr(20, bytes.size() - 28);
  for (size_t n = 0; n < payload.size(); ++n) {
    const Status s = parse(seal(kMetadataVersion, payload.substr(0, n)));
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "payload prefix " << n << ": " << s.toString();
  }
  for (size_t i = 0; i < payload.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = payload;
      flipped[i] = char(flipped[i] ^ (1 << bit));
      // Some flips give another valid file (a different name or offset); none may crash.
      const Status s = parse(seal(kMetadataVersion, flipped));
      ASSERT_TRUE(s.isOk() || s.code() == StatusCode::kCorruption) << s.toString();
    }
  }
}

TEST(MetadataTest, ReportsBadChecksumWithTheFile) {
  std::string bytes = serializeMetadata(richMetadata());
  bytes[30] = char(bytes[30] ^ 0x10);
  expectCorruption(bytes, "bad checksum (file corrupted or truncated)");
  bytes.push_back('x');
  expectCorruption(bytes, "payload bytes");
}

TEST(MetadataTest, ReportsBadMagic) {
  expectCorruption("PK\x03\x04 this is a zip file, not metadata",
                   "not a Weir checkpoint metadata file (bad magic)");
  expectCorruption("{", "bad magic");
  expectCorruption("", "truncated");
  expectCorruption("WEIR", "truncated");
}

TEST(MetadataTest, ReportsNewerAndUnknownVersions) {
  DataOutput payload;
  writePayloadHeader(payload);
  payload.writeVarU64(0);
  expectCorruption(seal(7, payload.view()),
                   "metadata format version 7 is newer than this Weir understands (2)");
  expectCorruption(seal(0, payload.view()), "unknown metadata format version 0");
  EXPECT_TRUE(parse(seal(1, payload.view())).isOk());
  EXPECT_TRUE(parse(seal(2, payload.view())).isOk());
}

// Version 1 (before channel state) stays readable; version 2 reads channel state
// handles, and a forged section count fails before it allocates.
TEST(MetadataTest, ReadsVersion1AndChecksChannelStateCounts) {
  auto withSubtask = [](uint32_t version, uint64_t channelHandles, uint64_t sections) {
    DataOutput out;
    writePayloadHeader(out);
    out.writeVarU64(1);
    out.writeString("op");
    out.writeString("");
    out.writeVarU64(1);
    out.writeVarU64(1);
    out.writeVarU64(1);  // one subtask
    out.writeVarU64(0);
    out.writeVarU64(0);  // no keyed state
    out.writeVarU64(0);  // no operator state
    if (version >= 2) {
      out.writeVarU64(channelHandles);
      for (uint64_t i = 0; i < channelHandles && i < 2; ++i) {
        out.writeU8(1);  // inline stream
        out.writeString("");
        out.writeU64(XXH64("", 0, 0));
        out.writeVarU64(sections);
        out.writeVarU64(0);
      }
    }
    out.writeString("");  // coordinator state
    return seal(version, out.view());
  };
  Result<CheckpointMetadata> v1 = deserializeMetadata(withSubtask(1, 0, 0), kOrigin);
  ASSERT_TRUE(v1.isOk()) << v1.status().toString();
  EXPECT_TRUE(v1->operators[0].subtaskStates.at(0).channelState.empty());
  Result<CheckpointMetadata> v2 = deserializeMetadata(withSubtask(2, 1, 0), kOrigin);
  ASSERT_TRUE(v2.isOk()) << v2.status().toString();
  EXPECT_EQ(v2->operators[0].subtaskStates.at(0).channelState.size(), 1u);
  expectCorruption(withSubtask(2, uint64_t{1} << 50, 0), "length");
  expectCorruption(withSubtask(2, 1, uint64_t{1} << 40), "length");
}

TEST(MetadataTest, RejectsHugeCountsBehindAValidChecksum) {
  // Operator count: would be a 2^60-element vector if trusted.
  DataOutput operators;
  writePayloadHeader(operators);
  operators.writeVarU64(uint64_t{1} << 60);
  expectCorruption(seal(1, operators.view()), "length 1152921504606846976");

  // Key group offsets: a count of 2^40 8-byte offsets inside an otherwise valid operator.
  DataOutput offsets;
  writePayloadHeader(offsets);
  offsets.writeVarU64(1);  // one operator
  offsets.writeString("op");
  offsets.writeString("");
  offsets.writeVarU64(1);    // parallelism
  offsets.writeVarU64(128);  // max parallelism
  offsets.writeVarU64(1);    // one subtask
  offsets.writeVarU64(0);    // subtask 0
  offsets.writeVarU64(1);    // one keyed handle
  offsets.writeI32(0);
  offsets.writeI32(127);
  offsets.writeVarU64(uint64_t{1} << 40);
  expectCorruption(seal(1, offsets.view()), "exceeds the");

  // A string length far beyond the payload.
  DataOutput name;
  name.writeI64(7);
  name.writeVarU64(uint64_t{1} << 50);
  expectCorruption(seal(1, name.view()), "length");

  // A payload length far beyond the file.
  std::string bytes = serializeMetadata(CheckpointMetadata{});
  DataOutput header;
  header.writeU64(~uint64_t{0});
  bytes.replace(12, 8, header.view());
  expectCorruption(bytes, "announces");
}

// Well-formed encodings of impossible values, each behind a valid checksum.
TEST(MetadataTest, RejectsInvalidValues) {
  auto withOperator = [](int parallelism, int maxParallelism, const std::vector<int>& subtasks) {
    DataOutput out;
    writePayloadHeader(out);
    out.writeVarU64(1);
    out.writeString("op");
    out.writeString("");
    out.writeVarU64(uint64_t(parallelism));
    out.writeVarU64(uint64_t(maxParallelism));
    out.writeVarU64(subtasks.size());
    for (int index : subtasks) {
      out.writeVarU64(uint64_t(index));
      out.writeVarU64(0);
      out.writeVarU64(0);
    }
    out.writeString("");  // coordinator state
    return seal(1, out.view());
  };
  EXPECT_TRUE(parse(withOperator(2, 4, {0, 1})).isOk());
  expectCorruption(withOperator(0, 4, {}), "parallelism 0 is outside");
  expectCorruption(withOperator(5, 4, {}), "max parallelism 4 is outside [5, 32768]");
  expectCorruption(withOperator(2, 4, {2}), "subtask index 2 is outside [0, 1]");
  expectCorruption(withOperator(2, 4, {1, 1}), "has subtask 1 twice");

  DataOutput kind;
  kind.writeI64(7);
  kind.writeString("job");
  kind.writeString("name");
  kind.writeI64(0);
  kind.writeU8(9);
  kind.writeVarU64(0);
  expectCorruption(seal(1, kind.view()), "unknown snapshot kind 9");

  DataOutput extra;
  writePayloadHeader(extra);
  extra.writeVarU64(0);
  extra.writeU8(0);
  expectCorruption(seal(1, extra.view()), "1 unexpected bytes after the payload");
}

}  // namespace
}  // namespace weir::checkpoint
