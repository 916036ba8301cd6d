// Snapshot and restore of heap keyed state and operator list state; see
// state_snapshot.h for the contract.
//
// Keyed stream format (one per subtask), version 2:
//   magic "WEIRKEYS" (8 bytes), u32 version,
//   varint number of states, then per state (sorted by name):
//     string name, u8 StateKind, string serializer name, u32 serializer version;
//   then per key group of the range, in order (KeyGroupsStateHandle::offsets
//   points at each group's first byte), per state in header order:
//     varint entry count, varint byte length, the entries (key bytes as a
//     string, then the value written by TypeSerializer of the stored type).
// The byte length lets a restore split a group into its states without knowing
// the value types: the bytes wait in the backend until the state is registered.
// Timers are one of these states (kind kTimers, a name under "_timer_state/",
// an entry per key: its sorted timestamps as vector<i64>; heap_timer_state.h).
//
// Keyed versions (kReadableKeyedFormats keeps every one ever written):
//   1: the layout above, kinds value..aggregating. Written before timers were
//      checkpointed; still read (such a checkpoint has no timers).
//   2: the same layout; adds kind kTimers. Written since timers are checkpointed:
//      a build that reads only v1 refuses the version instead of misreading timers.
//
// Operator stream format, version 1:
//   magic "WEIROPST" (8 bytes), u32 version,
//   varint number of lists, then per list (sorted by name):
//     string name, u8 distribution, string element serializer name,
//     u32 serializer version, varint element count;
//   then every list's elements in header order, each as varint byte length and
//   the bytes TypeSerializer<V> wrote. OperatorStateHandle::states[name]
//   .elementOffsets points at each element's length, so a handle may name any
//   subset of the elements (see operator_state_redistribution.h).
//
// Strings are varint length + bytes; numbers little endian (core/data_io.h).
#include "state/state_snapshot.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <weir/core/data_io.h>
#include <weir/core/state_migration.h>

namespace weir::state {
namespace {

constexpr char kKeyedMagic[8] = {'W', 'E', 'I', 'R', 'K', 'E', 'Y', 'S'};
constexpr char kOperatorMagic[8] = {'W', 'E', 'I', 'R', 'O', 'P', 'S', 'T'};
constexpr uint32_t kKeyedFormatVersion = 2;  // written; see kReadableKeyedFormats
constexpr uint32_t kOperatorFormatVersion = 1;
constexpr uint8_t kMaxDistribution = uint8_t(OperatorListDistribution::kBroadcast);

std::string describeHandle(const checkpoint::StreamStateHandle& h) {
  return h.isInline ? "inline state of " + std::to_string(h.size) + " bytes" : "state file " + h.relativePath;
}

std::string identityString(const SerializerIdentity& s) {
  return "'" + s.name + "' (version " + std::to_string(s.version) + ")";
}

// Writes to a checkpoint stream, counting the bytes (the offsets in the handles).
class CountingWriter {
 public:
  explicit CountingWriter(checkpoint::CheckpointStateOutputStream& stream) : stream_(stream) {}
  Status write(const void* data, size_t size) {
    if (size == 0) return Status::ok();
    WEIR_RETURN_IF_ERROR(stream_.write(data, size));
    written_ += size;
    return Status::ok();
  }
  Status write(const DataOutput& out) { return write(out.data(), out.size()); }
  uint64_t written() const { return written_; }

 private:
  checkpoint::CheckpointStateOutputStream& stream_;
  uint64_t written_ = 0;
};

// Runs `body` (which writes to `stream`), discarding the stream on an error or
// an exception (a user serializer may throw).
template <class T, class Body>
Result<T> writeOrDiscard(checkpoint::CheckpointStateOutputStream& stream, const char* what, Body&& body) {
  Result<T> result = Status::internal("unset");
  try {
    result = body();
  } catch (const std::exception& e) {
    result = Status::internal(std::string("writing ") + what + ": " + e.what());
  }
  if (!result.isOk()) stream.discard();
  return result;
}

void writeMagic(DataOutput& out, const char (&magic)[8], uint32_t version) {
  out.writeBytes(magic, sizeof(magic));
  out.writeU32(version);
}

// Reads and checks magic and version; throws SerializationError on truncation.
Status readMagic(DataInput& in, const char (&magic)[8], uint32_t version, const char* what,
                 const std::string& origin) {
  char got[8];
  in.readBytes(got, sizeof(got));
  if (std::memcmp(got, magic, sizeof(got)) != 0) {
    return Status::corruption(origin + ": bad magic (expected " + std::string(magic, sizeof(magic)) +
                              "): not a Weir " + what + " state snapshot");
  }
  uint32_t v = in.readU32();
  if (v != version) {
    return Status::corruption(origin + ": unsupported format version " + std::to_string(v) +
                              " (this build reads " + std::to_string(version) + ")");
  }
  return Status::ok();
}

// ---------------------------------------------------------------- keyed

// The registry of keyed stream versions this build reads. The versions share one
// layout and differ in the state kinds they may contain; a new version with
// another layout adds its own header/group reader here, never edits a row.
struct KeyedFormat {
  uint32_t version;
  StateKind maxKind;  // the highest StateKind the version can carry
};
constexpr KeyedFormat kReadableKeyedFormats[] = {
    {1, StateKind::kAggregating},
    {2, StateKind::kTimers},
};
static_assert(kReadableKeyedFormats[std::size(kReadableKeyedFormats) - 1].version == kKeyedFormatVersion,
              "the written keyed format version must be readable");

// Reads and checks magic and version of a keyed stream; throws SerializationError on truncation.
Result<const KeyedFormat*> readKeyedMagic(DataInput& in, const std::string& origin) {
  char got[8];
  in.readBytes(got, sizeof(got));
  if (std::memcmp(got, kKeyedMagic, sizeof(got)) != 0) {
    return Status::corruption(origin + ": bad magic (expected " +
                              std::string(kKeyedMagic, sizeof(kKeyedMagic)) +
                              "): not a Weir keyed state snapshot");
  }
  const uint32_t v = in.readU32();
  for (const KeyedFormat& f : kReadableKeyedFormats) {
    if (f.version == v) return &f;
  }
  return Status::corruption(origin + ": unsupported format version " + std::to_string(v) +
                            " (this build reads 1 to " + std::to_string(kKeyedFormatVersion) + ")");
}

struct KeyedStateToWrite {
  std::string name;
  StateKind kind = StateKind::kValue;
  SerializerIdentity serializer;
  std::unique_ptr<KvStateSnapshot> live;               // a registered state, or
  std::shared_ptr<const RestoredKeyedState> restored;  // one restored and not registered
};

struct KeyedSnapshotJob {
  KeyGroupRange range;
  std::vector<KeyedStateToWrite> states;
  checkpoint::CheckpointStorage* storage = nullptr;
  int64_t checkpointId = 0;
};

Result<checkpoint::KeyGroupsStateHandle> writeKeyedSnapshot(const KeyedSnapshotJob& job,
                                                            checkpoint::CheckpointStateOutputStream& stream) {
  CountingWriter writer(stream);
  DataOutput header;
  writeMagic(header, kKeyedMagic, kKeyedFormatVersion);
  header.writeVarU64(job.states.size());
  for (const KeyedStateToWrite& s : job.states) {
    header.writeString(s.name);
    header.writeU8(uint8_t(s.kind));
    header.writeString(s.serializer.name);
    header.writeU32(s.serializer.version);
  }
  WEIR_RETURN_IF_ERROR(writer.write(header));

  checkpoint::KeyGroupsStateHandle handle;
  handle.range = job.range;
  handle.offsets.reserve(size_t(job.range.size()));
  DataOutput prefix;
  DataOutput entries;
  for (int g = 0; g < job.range.size(); ++g) {
    handle.offsets.push_back(writer.written());
    for (const KeyedStateToWrite& s : job.states) {
      entries.clear();
      uint64_t count = 0;
      const void* data = nullptr;
      size_t size = 0;
      if (s.live) {
        count = s.live->writeKeyGroup(g, entries);
        data = entries.data();
        size = entries.size();
      } else {
        count = s.restored->counts[size_t(g)];
        data = s.restored->bytes[size_t(g)].data();
        size = s.restored->bytes[size_t(g)].size();
      }
      prefix.clear();
      prefix.writeVarU64(count);
      prefix.writeVarU64(size);
      WEIR_RETURN_IF_ERROR(writer.write(prefix));
      WEIR_RETURN_IF_ERROR(writer.write(data, size));
      // Key groups are written once, in order: let the task write this one in place again.
      if (s.live) s.live->releaseKeyGroup(g);
    }
  }
  Result<checkpoint::StreamStateHandle> closed = stream.closeAndGetHandle();
  if (!closed.isOk()) return closed.status();
  handle.stream = std::move(closed).value();
  return handle;
}

struct ParsedKeyedState {
  std::string name;
  StateKind kind;
  SerializerIdentity serializer;
};

// Parses the header of a keyed snapshot; throws SerializationError on truncation.
Result<std::vector<ParsedKeyedState>> readKeyedHeader(DataInput& in, const std::string& origin) {
  Result<const KeyedFormat*> format = readKeyedMagic(in, origin);
  if (!format.isOk()) return format.status();
  const uint8_t maxKind = uint8_t(format.value()->maxKind);
  const size_t n = in.readLength(1);
  std::vector<ParsedKeyedState> states(n);
  for (ParsedKeyedState& s : states) {
    in.readString(s.name);
    uint8_t kind = in.readU8();
    if (kind > maxKind) {
      return Status::corruption(origin + ": state '" + s.name + "' has unknown kind " + std::to_string(kind) +
                                " for format version " + std::to_string(format.value()->version));
    }
    s.kind = StateKind(kind);
    in.readString(s.serializer.name);
    s.serializer.version = in.readU32();
  }
  return states;
}

Status restoreKeyedHandle(const checkpoint::KeyGroupsStateHandle& handle, const KeyGroupRange& range,
                          checkpoint::StateReader& reader,
                          std::map<std::string, std::shared_ptr<RestoredKeyedState>>& restored) {
  const std::string origin = describeHandle(handle.stream);
  if (handle.offsets.size() != size_t(handle.range.size())) {
    return Status::corruption(origin + ": " + std::to_string(handle.offsets.size()) +
                              " key-group offsets for the range " + handle.range.toString());
  }
  Result<std::string> bytes = reader.readAll(handle.stream);
  if (!bytes.isOk()) return bytes.status();
  const std::string& data = bytes.value();
  try {
    DataInput in(data);
    Result<std::vector<ParsedKeyedState>> header = readKeyedHeader(in, origin);
    if (!header.isOk()) return header.status();
    std::vector<RestoredKeyedState*> targets;
    for (const ParsedKeyedState& s : header.value()) {
      auto& target = restored[s.name];
      if (!target) {
        target = std::make_shared<RestoredKeyedState>();
        target->kind = s.kind;
        target->valueSerializer = s.serializer;
        target->counts.assign(size_t(range.size()), 0);
        target->bytes.assign(size_t(range.size()), std::string());
      } else if (target->kind != s.kind || target->valueSerializer != s.serializer) {
        return Status::corruption(origin + ": state '" + s.name + "' is " + stateKindName(s.kind) + " of " +
                                  identityString(s.serializer) + " here but " + stateKindName(target->kind) +
                                  " of " + identityString(target->valueSerializer) +
                                  " in another subtask's snapshot");
      }
      targets.push_back(target.get());
    }
    const int lo = std::max(range.start, handle.range.start);
    const int hi = std::min(range.end, handle.range.end);
    for (int g = lo; g <= hi; ++g) {
      const uint64_t offset = handle.offsets[size_t(g - handle.range.start)];
      if (offset > data.size()) {
        return Status::corruption(origin + ": key group " + std::to_string(g) + " starts at " +
                                  std::to_string(offset) + ", beyond the end (" +
                                  std::to_string(data.size()) + " bytes)");
      }
      DataInput group(reinterpret_cast<const uint8_t*>(data.data()) + offset, data.size() - offset);
      for (RestoredKeyedState* t : targets) {
        const uint64_t count = group.readVarU64();
        const size_t size = group.readLength(1);
        if (count > size) {
          return Status::corruption(origin + ": key group " + std::to_string(g) + " claims " +
                                    std::to_string(count) + " entries in " + std::to_string(size) + " bytes");
        }
        const size_t index = size_t(g - range.start);
        t->counts[index] += count;
        t->bytes[index].append(reinterpret_cast<const char*>(group.current()), size);
        t->totalEntries += count;
        group.skip(size);
      }
    }
  } catch (const SerializationError& e) {
    return Status::corruption(origin + ": truncated or malformed keyed state snapshot: " + e.what());
  }
  return Status::ok();
}

// ---------------------------------------------------------------- operator

struct OperatorListToWrite {
  std::string name;
  OperatorListDistribution distribution = OperatorListDistribution::kSplitDistribute;
  SerializerIdentity serializer;
  std::shared_ptr<const OperatorStateStore::ListSnapshot> live;      // a registered list, or
  std::shared_ptr<const OperatorStateStore::RestoredList> restored;  // one restored and not registered
  size_t size() const { return live ? live->size() : restored->elements.size(); }
};

struct OperatorSnapshotJob {
  std::vector<OperatorListToWrite> lists;
  checkpoint::CheckpointStorage* storage = nullptr;
  int64_t checkpointId = 0;
};

Result<checkpoint::OperatorStateHandle> writeOperatorSnapshot(
    const OperatorSnapshotJob& job, checkpoint::CheckpointStateOutputStream& stream) {
  CountingWriter writer(stream);
  DataOutput header;
  writeMagic(header, kOperatorMagic, kOperatorFormatVersion);
  header.writeVarU64(job.lists.size());
  for (const OperatorListToWrite& l : job.lists) {
    header.writeString(l.name);
    header.writeU8(uint8_t(l.distribution));
    header.writeString(l.serializer.name);
    header.writeU32(l.serializer.version);
    header.writeVarU64(l.size());
  }
  WEIR_RETURN_IF_ERROR(writer.write(header));

  checkpoint::OperatorStateHandle handle;
  DataOutput element;
  DataOutput length;
  for (const OperatorListToWrite& l : job.lists) {
    checkpoint::OperatorStateHandle::StateMeta& meta = handle.states[l.name];
    meta.distribution = checkpoint::OperatorStateDistribution(uint8_t(l.distribution));
    const size_t n = l.size();
    meta.elementOffsets.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      meta.elementOffsets.push_back(writer.written());
      const void* data = nullptr;
      size_t size = 0;
      if (l.live) {
        element.clear();
        l.live->writeElement(i, element);
        data = element.data();
        size = element.size();
      } else {
        data = l.restored->elements[i].data();
        size = l.restored->elements[i].size();
      }
      length.clear();
      length.writeVarU64(size);
      WEIR_RETURN_IF_ERROR(writer.write(length));
      WEIR_RETURN_IF_ERROR(writer.write(data, size));
    }
  }
  Result<checkpoint::StreamStateHandle> closed = stream.closeAndGetHandle();
  if (!closed.isOk()) return closed.status();
  handle.stream = std::move(closed).value();
  return handle;
}

struct ParsedOperatorList {
  OperatorListDistribution distribution;
  SerializerIdentity serializer;
};

Status restoreOperatorHandle(
    const checkpoint::OperatorStateHandle& handle, checkpoint::StateReader& reader,
    std::map<std::string, std::shared_ptr<OperatorStateStore::RestoredList>>& restored) {
  if (handle.states.empty()) return Status::ok();
  const std::string origin = describeHandle(handle.stream);
  Result<std::string> bytes = reader.readAll(handle.stream);
  if (!bytes.isOk()) return bytes.status();
  const std::string& data = bytes.value();
  try {
    DataInput in(data);
    WEIR_RETURN_IF_ERROR(readMagic(in, kOperatorMagic, kOperatorFormatVersion, "operator", origin));
    std::map<std::string, ParsedOperatorList> header;
    const size_t n = in.readLength(1);
    for (size_t i = 0; i < n; ++i) {
      std::string name;
      in.readString(name);
      uint8_t distribution = in.readU8();
      if (distribution > kMaxDistribution) {
        return Status::corruption(origin + ": operator state '" + name + "' has unknown distribution mode " +
                                  std::to_string(distribution));
      }
      ParsedOperatorList& l = header[name];
      l.distribution = OperatorListDistribution(distribution);
      in.readString(l.serializer.name);
      l.serializer.version = in.readU32();
      in.readVarU64();  // element count; the handle's offsets say which elements to read
    }
    for (const auto& [name, meta] : handle.states) {
      auto h = header.find(name);
      if (h == header.end()) {
        return Status::corruption(origin + ": the handle names operator state '" + name +
                                  "', which the snapshot does not contain");
      }
      if (uint8_t(meta.distribution) != uint8_t(h->second.distribution)) {
        return Status::corruption(origin + ": operator state '" + name +
                                  "' has another distribution mode in the handle than in the snapshot");
      }
      auto& target = restored[name];
      if (!target) {
        target = std::make_shared<OperatorStateStore::RestoredList>();
        target->distribution = h->second.distribution;
        target->elementSerializer = h->second.serializer;
      } else if (target->distribution != h->second.distribution ||
                 target->elementSerializer != h->second.serializer) {
        return Status::corruption(origin + ": operator state '" + name + "' has serializer " +
                                  identityString(h->second.serializer) + " here but " +
                                  identityString(target->elementSerializer) +
                                  " (or another distribution mode) in another subtask's snapshot");
      }
      for (uint64_t offset : meta.elementOffsets) {
        if (offset > data.size()) {
          return Status::corruption(origin + ": an element of operator state '" + name + "' starts at " +
                                    std::to_string(offset) + ", beyond the end (" +
                                    std::to_string(data.size()) + " bytes)");
        }
        DataInput element(reinterpret_cast<const uint8_t*>(data.data()) + offset, data.size() - offset);
        std::string_view b = element.readStringView();
        target->elements.emplace_back(b);
      }
    }
  } catch (const SerializationError& e) {
    return Status::corruption(origin + ": truncated or malformed operator state snapshot: " + e.what());
  }
  return Status::ok();
}

}  // namespace

AsyncKeyedSnapshot snapshotKeyedState(KeyedStateBackend& backend, checkpoint::CheckpointStorage& storage,
                                      int64_t checkpointId) {
  auto job = std::make_shared<KeyedSnapshotJob>();
  job->range = backend.keyGroupRange();
  job->storage = &storage;
  job->checkpointId = checkpointId;
  uint64_t entries = 0;
  std::map<std::string, KeyedStateToWrite> byName;  // a stable order for the header
  for (const auto& [name, state] : backend.states()) {
    KeyedStateToWrite& s = byName[name];
    s.name = name;
    s.kind = state->kind();
    s.serializer = state->valueSerializer();
    s.live = state->snapshot();
    entries += state->numEntries();
  }
  for (const auto& [name, restored] : backend.restoredStates()) {
    KeyedStateToWrite& s = byName[name];
    s.name = name;
    s.kind = restored->kind;
    s.serializer = restored->valueSerializer;
    s.restored = restored;
    entries += restored->totalEntries;
  }
  if (entries == 0) {
    return [] { return Result<std::optional<checkpoint::KeyGroupsStateHandle>>(std::nullopt); };
  }
  job->states.reserve(byName.size());
  for (auto& [name, s] : byName) job->states.push_back(std::move(s));

  return [job]() -> Result<std::optional<checkpoint::KeyGroupsStateHandle>> {
    auto stream = job->storage->createOutputStream(job->checkpointId, checkpoint::StateScope::kExclusive);
    if (!stream.isOk()) return stream.status();
    Result<checkpoint::KeyGroupsStateHandle> handle = writeOrDiscard<checkpoint::KeyGroupsStateHandle>(
        *stream.value(), "keyed state", [&] { return writeKeyedSnapshot(*job, *stream.value()); });
    if (!handle.isOk()) {
      return handle.status().withContext("checkpoint " + std::to_string(job->checkpointId) +
                                         ": keyed state of key groups " + job->range.toString());
    }
    return std::optional<checkpoint::KeyGroupsStateHandle>(std::move(handle).value());
  };
}

Status restoreKeyedState(KeyedStateBackend& backend,
                         const std::vector<checkpoint::KeyGroupsStateHandle>& handles,
                         checkpoint::StateReader& reader) {
  const KeyGroupRange range = backend.keyGroupRange();
  std::map<std::string, std::shared_ptr<RestoredKeyedState>> restored;
  for (const checkpoint::KeyGroupsStateHandle& handle : handles) {
    if (std::max(range.start, handle.range.start) > std::min(range.end, handle.range.end)) continue;
    WEIR_RETURN_IF_ERROR(restoreKeyedHandle(handle, range, reader, restored)
                             .withContext("restoring keyed state of key groups " + range.toString()));
  }
  for (auto& [name, state] : restored) {
    if (InternalKvState* registered = backend.findState(name)) {
      try {
        applyRestoredKeyedState(name, *state, *registered);
      } catch (const std::exception& e) {
        return Status::failedPrecondition(e.what());
      }
    } else {
      backend.addRestoredState(name, std::move(state));
    }
  }
  return Status::ok();
}

AsyncOperatorSnapshot snapshotOperatorState(OperatorStateStore& store, checkpoint::CheckpointStorage& storage,
                                            int64_t checkpointId) {
  auto job = std::make_shared<OperatorSnapshotJob>();
  job->storage = &storage;
  job->checkpointId = checkpointId;
  size_t elements = 0;
  std::map<std::string, OperatorListToWrite> byName;
  for (OperatorStateStore::RegisteredListSnapshot& l : store.snapshotLists()) {
    OperatorListToWrite& w = byName[l.name];
    w.name = l.name;
    w.distribution = l.distribution;
    w.serializer = l.elementSerializer;
    w.live = std::move(l.elements);
    elements += w.size();
  }
  for (const auto& [name, list] : store.restoredLists()) {
    OperatorListToWrite& w = byName[name];
    w.name = name;
    w.distribution = list->distribution;
    w.serializer = list->elementSerializer;
    w.restored = list;
    elements += w.size();
  }
  if (elements == 0) {
    return [] { return Result<std::optional<checkpoint::OperatorStateHandle>>(std::nullopt); };
  }
  job->lists.reserve(byName.size());
  for (auto& [name, l] : byName) job->lists.push_back(std::move(l));

  return [job]() -> Result<std::optional<checkpoint::OperatorStateHandle>> {
    auto stream = job->storage->createOutputStream(job->checkpointId, checkpoint::StateScope::kExclusive);
    if (!stream.isOk()) return stream.status();
    Result<checkpoint::OperatorStateHandle> handle = writeOrDiscard<checkpoint::OperatorStateHandle>(
        *stream.value(), "operator state", [&] { return writeOperatorSnapshot(*job, *stream.value()); });
    if (!handle.isOk()) {
      return handle.status().withContext("checkpoint " + std::to_string(job->checkpointId) +
                                         ": operator state");
    }
    return std::optional<checkpoint::OperatorStateHandle>(std::move(handle).value());
  };
}

Status restoreOperatorState(OperatorStateStore& store,
                            const std::vector<checkpoint::OperatorStateHandle>& handles,
                            checkpoint::StateReader& reader) {
  std::map<std::string, std::shared_ptr<OperatorStateStore::RestoredList>> restored;
  for (const checkpoint::OperatorStateHandle& handle : handles) {
    WEIR_RETURN_IF_ERROR(
        restoreOperatorHandle(handle, reader, restored).withContext("restoring operator state"));
  }
  for (auto& [name, list] : restored) {
    try {
      store.addRestoredList(name, std::move(list));
    } catch (const std::exception& e) {
      return Status::failedPrecondition(e.what());
    }
  }
  return Status::ok();
}

Result<std::vector<SnapshotStateInfo>> describeKeyedSnapshot(const std::string& bytes,
                                                             const std::string& origin) {
  try {
    DataInput in(bytes);
    Result<std::vector<ParsedKeyedState>> header = readKeyedHeader(in, origin);
    if (!header.isOk()) return header.status();
    std::vector<SnapshotStateInfo> out;
    for (const ParsedKeyedState& s : *header)
      out.push_back({s.name, stateKindName(s.kind), s.serializer.name, s.serializer.version, 0});
    return out;
  } catch (const SerializationError& e) {
    return Status::corruption(origin + ": truncated or malformed keyed state snapshot: " + e.what());
  }
}

Result<std::vector<SnapshotStateInfo>> describeOperatorSnapshot(const std::string& bytes,
                                                                const std::string& origin) {
  static const char* kDistribution[] = {"split list", "union list", "broadcast list"};
  try {
    DataInput in(bytes);
    WEIR_RETURN_IF_ERROR(readMagic(in, kOperatorMagic, kOperatorFormatVersion, "operator", origin));
    std::vector<SnapshotStateInfo> out;
    const size_t n = in.readLength(1);
    for (size_t i = 0; i < n; ++i) {
      SnapshotStateInfo info;
      in.readString(info.name);
      const uint8_t distribution = in.readU8();
      if (distribution > kMaxDistribution) {
        return Status::corruption(origin + ": operator state '" + info.name +
                                  "' has unknown distribution mode " + std::to_string(distribution));
      }
      info.kind = kDistribution[distribution];
      in.readString(info.serializer);
      info.serializerVersion = in.readU32();
      info.elements = in.readVarU64();
      out.push_back(std::move(info));
    }
    return out;
  } catch (const SerializationError& e) {
    return Status::corruption(origin + ": truncated or malformed operator state snapshot: " + e.what());
  }
}

}  // namespace weir::state

namespace weir {

void applyRestoredKeyedState(const std::string& name, const RestoredKeyedState& restored,
                             InternalKvState& state) {
  const SerializerIdentity now = state.valueSerializer();
  if (restored.kind != state.kind() || restored.valueSerializer != now) {
    throw StateMigrationException(
        "keyed state '" + name + "' was checkpointed as " + stateKindName(restored.kind) +
        " state with serializer '" + restored.valueSerializer.name + "' (version " +
        std::to_string(restored.valueSerializer.version) + ") but is now registered as " +
        stateKindName(state.kind()) + " state with serializer '" + now.name + "' (version " +
        std::to_string(now.version) +
        "): register it with the type it was checkpointed with, or start without that state");
  }
  WEIR_CHECK(restored.counts.size() == restored.bytes.size());
  for (size_t g = 0; g < restored.counts.size(); ++g) {
    if (restored.counts[g] == 0) continue;
    DataInput in(restored.bytes[g]);
    try {
      state.restoreKeyGroup(int(g), restored.counts[g], in);
      if (!in.atEnd()) {
        throw SerializationError(std::to_string(in.remaining()) + " bytes left after the last entry");
      }
    } catch (const std::exception& e) {
      throw StateMigrationException("keyed state '" + name +
                                    "': cannot restore the entries of key group index " + std::to_string(g) +
                                    " with serializer '" + now.name + "': " + e.what());
    }
  }
}

}  // namespace weir
