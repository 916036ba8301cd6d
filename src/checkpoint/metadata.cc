// The `_metadata` file format: a version-independent envelope (magic, version,
// payload length, payload, XXH64) around a per-version payload. Writing always
// uses the current version; reading looks the version up in kReadableFormats,
// which keeps every version ever written so old checkpoints and savepoints
// still load. A new version adds a payload reader and a row, never edits one.
#include "checkpoint/metadata.h"

#include <weir/core/check.h>
#include <weir/core/data_io.h>

#include <string_view>

#define XXH_INLINE_ALL  // header-only XXH64: no call through the shared library
#include <xxhash.h>

namespace weir::checkpoint {
namespace {

constexpr std::string_view kMagic = "WEIRCKPT";
constexpr size_t kHeaderBytes = kMagic.size() + sizeof(uint32_t) + sizeof(uint64_t);
constexpr size_t kChecksumBytes = sizeof(uint64_t);

[[noreturn]] void malformed(const std::string& what) { throw SerializationError("malformed data: " + what); }

// Reads a varint that must fit an int in [min, max].
int readInt(DataInput& in, int min, int max, const char* what) {
  const uint64_t v = in.readVarU64();
  if (v < uint64_t(min) || v > uint64_t(max)) {
    malformed(std::string(what) + " " + std::to_string(v) + " is outside [" + std::to_string(min) + ", " +
              std::to_string(max) + "]");
  }
  return int(v);
}

void writeOffsets(DataOutput& out, const std::vector<uint64_t>& offsets) {
  out.writeVarU64(offsets.size());
  for (uint64_t offset : offsets) out.writeVarU64(offset);
}

std::vector<uint64_t> readOffsets(DataInput& in) {
  std::vector<uint64_t> offsets(in.readLength(1));  // a varint takes at least one byte
  for (uint64_t& offset : offsets) offset = in.readVarU64();
  return offsets;
}

// --- Versions 1 and 2 ---
//
// Counts and lengths are varints, ids and timestamps fixed i64, enums one byte.
// A stream handle is a tag byte (0 file, 1 inline) followed by the path and size
// (file) or the bytes (inline), then the checksum. Version 2 adds, to each
// subtask's state, its channel state handles (unaligned checkpoints): a count,
// then per handle the stream and two section lists (input channels, result
// subpartitions), each a count and per section index, channel, offset and size.
//
// Every count is checked against the bytes left, assuming each element's
// smallest encoding (the readLength arguments), and vectors of structs grow as
// elements are read: garbage fails before it allocates more than a small
// multiple of the file's size.

namespace v1 {

constexpr uint8_t kFileHandle = 0;
constexpr uint8_t kInlineHandle = 1;

void writeStream(DataOutput& out, const StreamStateHandle& h) {
  if (h.isInline) {
    WEIR_CHECK_MSG(h.relativePath.empty() && h.size == h.inlineBytes.size(),
                   "inconsistent inline state handle");
    out.writeU8(kInlineHandle);
    out.writeString(h.inlineBytes);
  } else {
    WEIR_CHECK_MSG(h.inlineBytes.empty(), "file state handle with inline bytes");
    out.writeU8(kFileHandle);
    out.writeString(h.relativePath);
    out.writeVarU64(h.size);
  }
  out.writeU64(h.checksum);
}

StreamStateHandle readStream(DataInput& in) {
  StreamStateHandle h;
  const uint8_t tag = in.readU8();
  if (tag == kInlineHandle) {
    h.isInline = true;
    in.readString(h.inlineBytes);
    h.size = h.inlineBytes.size();
  } else if (tag == kFileHandle) {
    in.readString(h.relativePath);
    h.size = in.readVarU64();
  } else {
    malformed("unknown state handle kind " + std::to_string(tag));
  }
  h.checksum = in.readU64();
  return h;
}

void writeKeyed(DataOutput& out, const KeyGroupsStateHandle& h) {
  WEIR_CHECK_MSG(h.offsets.size() == size_t(h.range.size()), "key group offsets do not match the range");
  out.writeI32(h.range.start);
  out.writeI32(h.range.end);
  writeOffsets(out, h.offsets);
  writeStream(out, h.stream);
}

KeyGroupsStateHandle readKeyed(DataInput& in) {
  KeyGroupsStateHandle h;
  h.range.start = in.readI32();
  h.range.end = in.readI32();
  if (h.range.start < 0 || h.range.end >= kUpperBoundMaxParallelism || h.range.end < h.range.start - 1) {
    malformed("invalid key group range " + h.range.toString());
  }
  h.offsets = readOffsets(in);
  if (h.offsets.size() != size_t(h.range.size())) {
    malformed(std::to_string(h.offsets.size()) + " key group offsets for range " + h.range.toString());
  }
  h.stream = readStream(in);
  return h;
}

void writeOperatorHandle(DataOutput& out, const OperatorStateHandle& h) {
  out.writeVarU64(h.states.size());
  for (const auto& [name, meta] : h.states) {
    out.writeString(name);
    out.writeU8(static_cast<uint8_t>(meta.distribution));
    writeOffsets(out, meta.elementOffsets);
  }
  writeStream(out, h.stream);
}

OperatorStateHandle readOperatorHandle(DataInput& in) {
  OperatorStateHandle h;
  // Each state takes at least a name length, a distribution and an offset count.
  for (size_t n = in.readLength(3); n > 0; --n) {
    std::string name;
    in.readString(name);
    OperatorStateHandle::StateMeta meta;
    const uint8_t distribution = in.readU8();
    if (distribution > uint8_t(OperatorStateDistribution::kBroadcast)) {
      malformed("operator state '" + name + "' has unknown distribution " + std::to_string(distribution));
    }
    meta.distribution = OperatorStateDistribution(distribution);
    meta.elementOffsets = readOffsets(in);
    if (!h.states.emplace(name, std::move(meta)).second)
      malformed("operator state '" + name + "' appears twice");
  }
  h.stream = readStream(in);
  return h;
}

void writeSections(DataOutput& out, const std::vector<ChannelStateSection>& sections) {
  out.writeVarU64(sections.size());
  for (const ChannelStateSection& s : sections) {
    out.writeVarU64(uint64_t(s.index));
    out.writeVarU64(uint64_t(s.channel));
    out.writeVarU64(s.offset);
    out.writeVarU64(s.size);
  }
}

std::vector<ChannelStateSection> readSections(DataInput& in) {
  std::vector<ChannelStateSection> sections;
  for (size_t n = in.readLength(4); n > 0; --n) {  // four varints each
    ChannelStateSection s;
    s.index = readInt(in, 0, kUpperBoundMaxParallelism, "channel state gate or partition");
    s.channel = readInt(in, 0, kUpperBoundMaxParallelism, "channel state channel");
    s.offset = in.readVarU64();
    s.size = in.readVarU64();
    sections.push_back(s);
  }
  return sections;
}

void writeSubtask(DataOutput& out, const OperatorSubtaskState& s) {
  out.writeVarU64(s.keyedState.size());
  for (const KeyGroupsStateHandle& h : s.keyedState) writeKeyed(out, h);
  out.writeVarU64(s.operatorState.size());
  for (const OperatorStateHandle& h : s.operatorState) writeOperatorHandle(out, h);
  out.writeVarU64(s.channelState.size());
  for (const ChannelStateHandle& h : s.channelState) {
    writeStream(out, h.stream);
    writeSections(out, h.inputChannels);
    writeSections(out, h.resultSubpartitions);
  }
}

OperatorSubtaskState readSubtask(DataInput& in, uint32_t version) {
  OperatorSubtaskState s;
  // A keyed handle takes at least 8 bytes of range, an offset count and a 10-byte
  // stream handle; an operator handle a state count and a stream handle; a channel
  // state handle a stream handle and two counts.
  for (size_t n = in.readLength(19); n > 0; --n) s.keyedState.push_back(readKeyed(in));
  for (size_t n = in.readLength(11); n > 0; --n) s.operatorState.push_back(readOperatorHandle(in));
  if (version >= 2) {
    for (size_t n = in.readLength(12); n > 0; --n) {
      ChannelStateHandle h;
      h.stream = readStream(in);
      h.inputChannels = readSections(in);
      h.resultSubpartitions = readSections(in);
      s.channelState.push_back(std::move(h));
    }
  }
  return s;
}

void writeOperator(DataOutput& out, const OperatorState& op) {
  WEIR_CHECK_MSG(op.parallelism >= 1 && op.parallelism <= op.maxParallelism &&
                     op.maxParallelism <= kUpperBoundMaxParallelism,
                 "operator state with an invalid parallelism");
  out.writeString(op.operatorId);
  out.writeString(op.operatorName);
  out.writeVarU64(uint64_t(op.parallelism));
  out.writeVarU64(uint64_t(op.maxParallelism));
  out.writeVarU64(op.subtaskStates.size());
  for (const auto& [index, state] : op.subtaskStates) {
    WEIR_CHECK_MSG(index >= 0 && index < op.parallelism, "subtask state index outside the parallelism");
    out.writeVarU64(uint64_t(index));
    writeSubtask(out, state);
  }
  out.writeString(op.coordinatorState);
}

OperatorState readOperator(DataInput& in, uint32_t version) {
  OperatorState op;
  in.readString(op.operatorId);
  in.readString(op.operatorName);
  op.parallelism = readInt(in, 1, kUpperBoundMaxParallelism, "parallelism");
  op.maxParallelism = readInt(in, op.parallelism, kUpperBoundMaxParallelism, "max parallelism");
  // Each subtask takes at least an index and two counts.
  for (size_t n = in.readLength(3); n > 0; --n) {
    const int index = readInt(in, 0, op.parallelism - 1, "subtask index");
    if (!op.subtaskStates.emplace(index, readSubtask(in, version)).second) {
      malformed("operator '" + op.operatorId + "' has subtask " + std::to_string(index) + " twice");
    }
  }
  in.readString(op.coordinatorState);
  return op;
}

std::string writePayload(const CheckpointMetadata& m) {
  DataOutput out;
  out.writeI64(m.checkpointId);
  out.writeString(m.jobId);
  out.writeString(m.jobName);
  out.writeI64(m.timestampMillis);
  out.writeU8(static_cast<uint8_t>(m.kind));
  out.writeVarU64(m.operators.size());
  for (const OperatorState& op : m.operators) writeOperator(out, op);
  return std::string(out.view());
}

CheckpointMetadata readPayload(DataInput& in, uint32_t version) {
  CheckpointMetadata m;
  m.checkpointId = in.readI64();
  in.readString(m.jobId);
  in.readString(m.jobName);
  m.timestampMillis = in.readI64();
  const uint8_t kind = in.readU8();
  if (kind > uint8_t(SnapshotKind::kSavepoint)) malformed("unknown snapshot kind " + std::to_string(kind));
  m.kind = SnapshotKind(kind);
  // An operator takes at least two string lengths, two parallelisms and a count.
  for (size_t n = in.readLength(5); n > 0; --n) m.operators.push_back(readOperator(in, version));
  return m;
}

CheckpointMetadata readPayloadV1(DataInput& in) { return readPayload(in, 1); }
CheckpointMetadata readPayloadV2(DataInput& in) { return readPayload(in, 2); }

}  // namespace v1

// The registry: every format version this Weir can read. Readers throw
// SerializationError on bad input.
struct MetadataFormat {
  uint32_t version;
  CheckpointMetadata (*readPayload)(DataInput&);
};
constexpr MetadataFormat kReadableFormats[] = {
    {1, &v1::readPayloadV1},
    {2, &v1::readPayloadV2},
};
static_assert(kMetadataVersion == 2, "serializeMetadata writes v2: update it with kMetadataVersion");

const MetadataFormat* findFormat(uint32_t version) {
  for (const MetadataFormat& f : kReadableFormats) {
    if (f.version == version) return &f;
  }
  return nullptr;
}

// Checks the envelope and returns the payload; throws SerializationError. The
// checksum is verified before the version is looked at, so a flipped bit in the
// version field reads as corruption, not as a file from a newer Weir.
CheckpointMetadata readEnvelope(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic.substr(0, bytes.size())) {
    throw SerializationError("not a Weir checkpoint metadata file (bad magic)");
  }
  if (bytes.size() < kHeaderBytes + kChecksumBytes) {
    throw SerializationError("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                             std::to_string(kHeaderBytes + kChecksumBytes) + "-byte header and checksum");
  }
  DataInput in(bytes);
  in.skip(kMagic.size());
  const uint32_t version = in.readU32();
  const uint64_t payloadBytes = in.readU64();
  const uint64_t available = bytes.size() - kHeaderBytes - kChecksumBytes;
  if (payloadBytes != available) {
    throw SerializationError("the header announces " + std::to_string(payloadBytes) + " payload bytes but " +
                             std::to_string(available) + " are present (file truncated or corrupted)");
  }
  const size_t checked = bytes.size() - kChecksumBytes;
  DataInput trailer(bytes.substr(checked));
  if (XXH64(bytes.data(), checked, 0) != trailer.readU64()) {
    throw SerializationError("bad checksum (file corrupted or truncated)");
  }
  const MetadataFormat* format = findFormat(version);
  if (format == nullptr) {
    if (version > kMetadataVersion) {
      throw SerializationError("metadata format version " + std::to_string(version) +
                               " is newer than this Weir understands (" + std::to_string(kMetadataVersion) +
                               ")");
    }
    throw SerializationError("unknown metadata format version " + std::to_string(version));
  }
  DataInput payload(bytes.substr(kHeaderBytes, available));
  CheckpointMetadata m = format->readPayload(payload);
  if (!payload.atEnd()) {
    throw SerializationError(std::to_string(payload.remaining()) + " unexpected bytes after the payload");
  }
  return m;
}

}  // namespace

std::string serializeMetadata(const CheckpointMetadata& metadata) {
  const std::string payload = v1::writePayload(metadata);
  DataOutput out(kHeaderBytes + payload.size() + kChecksumBytes);
  out.writeBytes(kMagic.data(), kMagic.size());
  out.writeU32(kMetadataVersion);
  out.writeU64(payload.size());
  out.writeBytes(payload.data(), payload.size());
  out.writeU64(XXH64(out.data(), out.size(), 0));
  return std::string(out.view());
}

Result<CheckpointMetadata> deserializeMetadata(const std::string& bytes, const std::string& origin) {
  try {
    return readEnvelope(bytes);
  } catch (const SerializationError& e) {
    return Status::corruption(origin + ": " + e.what());
  }
}

}  // namespace weir::checkpoint
