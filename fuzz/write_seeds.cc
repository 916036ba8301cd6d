// Writes the seed corpora of the fuzz targets: `write_seeds <dir>` fills
// <dir>/metadata (inputs of metadata_fuzzer: u32 version + payload of real
// `_metadata` files) and <dir>/keyed_state (inputs of keyed_state_fuzzer: a key-
// group count, offsets and the stream of real keyed-state snapshots). Written
// by the current code, so the seeds follow the formats as they change. And
// <dir>/operator_state (inputs of operator_state_fuzzer: element counts,
// distributions, offsets and the stream of a real operator-state snapshot).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <weir/core/data_io.h>
#include <weir/core/hash.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"
#include "fuzz/envelope.h"
#include "fuzz/keyed_state_types.h"
#include "state/state_snapshot.h"
#include "testing/testing_runtime_context.h"

namespace weir::fuzz {
namespace {

namespace fs = std::filesystem;
using namespace checkpoint;

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

StreamStateHandle fileHandle(const std::string& path, uint64_t size) {
  StreamStateHandle h;
  h.relativePath = path;
  h.size = size;
  h.checksum = 0x1234567890abcdefULL;
  return h;
}

StreamStateHandle inlineHandle(const std::string& bytes) {
  StreamStateHandle h;
  h.isInline = true;
  h.inlineBytes = bytes;
  h.size = bytes.size();
  h.checksum = 42;
  return h;
}

std::vector<CheckpointMetadata> sampleMetadata() {
  std::vector<CheckpointMetadata> out;
  CheckpointMetadata empty;
  empty.checkpointId = 1;
  empty.jobId = "0123456789abcdef0123456789abcdef";
  empty.jobName = "empty";
  out.push_back(empty);

  CheckpointMetadata full;
  full.checkpointId = 7;
  full.jobId = "fedcba9876543210fedcba9876543210";
  full.jobName = "windows";
  full.timestampMillis = 1'700'000'000'000;
  full.kind = SnapshotKind::kSavepoint;
  OperatorState source;
  source.operatorId = "numbers";
  source.operatorName = "Source: numbers";
  source.parallelism = 2;
  source.maxParallelism = 128;
  source.coordinatorState = std::string("\x02\x00\x01split-3", 10);
  for (int s = 0; s < 2; ++s) {
    OperatorStateHandle list;
    list.states["splits"] = {OperatorStateDistribution::kSplitDistribute, {12, 40}};
    list.states["offsets"] = {OperatorStateDistribution::kUnion, {80}};
    list.stream = inlineHandle(std::string(96, char('a' + s)));
    source.subtaskStates[s].operatorState.push_back(list);
    ChannelStateHandle channels;
    channels.stream = fileHandle("chk-7/channels-" + std::to_string(s), 512);
    channels.inputChannels.push_back({0, 1, 12, 100});
    channels.resultSubpartitions.push_back({0, 3, 112, 400});
    source.subtaskStates[s].channelState.push_back(channels);
  }
  full.operators.push_back(source);
  OperatorState windows;
  windows.operatorId = "windows";
  windows.operatorName = "Window(aggregate)";
  windows.parallelism = 3;
  windows.maxParallelism = 128;
  for (int s = 0; s < 3; ++s) {
    KeyGroupsStateHandle keyed;
    keyed.range = KeyGroupRange{s * 43, std::min(127, s * 43 + 42)};
    for (int g = 0; g < keyed.range.size(); ++g) keyed.offsets.push_back(uint64_t(20 + 9 * g));
    keyed.stream = fileHandle("chk-7/" + std::to_string(s) + "-keyed", 20 + 9 * 43);
    windows.subtaskStates[s].keyedState.push_back(keyed);
  }
  full.operators.push_back(windows);
  OperatorState broadcast;
  broadcast.operatorId = "rules";
  broadcast.operatorName = "rules";
  OperatorStateHandle rules;
  rules.states["rules"] = {OperatorStateDistribution::kBroadcast, {12}};
  rules.stream = fileHandle("shared/rules-0", 64);
  broadcast.subtaskStates[0].operatorState.push_back(rules);
  full.operators.push_back(broadcast);
  out.push_back(full);
  return out;
}

// A keyed-state snapshot of key groups [0, groups - 1] holding `keys` keys.
std::string keyedSeed(int groups, int keys) {
  const KeyGroupRange range{0, groups - 1};
  testing::TestingRuntimeContext ctx(range, kMaxParallelism);
  auto& count = ctx.getState(countState());
  auto& names = ctx.getListState(namesState());
  auto& accounts = ctx.getMapState(accountsState());
  auto& total = ctx.getReducingState(totalState());
  int written = 0;
  for (int64_t key = 0; written < keys; ++key) {
    DataOutput k;
    TypeSerializer<int64_t>::serialize(key, k);
    if (!range.contains(keyGroupForHash(stableHash(k.data(), k.size()), kMaxParallelism))) continue;
    ctx.setKey(key);
    count.update(key * 3);
    names.add("name-" + std::to_string(key));
    names.add(std::string(size_t(key % 5), 'x'));
    accounts.put("acct-" + std::to_string(key), Account{"owner", key, {1, 2, int32_t(key)}});
    total.add(Account{"t", key, {int32_t(key)}});
    processingTimers(ctx).add(1000 + key);
    processingTimers(ctx).add(5000 + key);
    eventTimers(ctx).add(-key);
    ++written;
  }
  auto storage = createMemoryCheckpointStorage(1 << 20);
  auto handle = state::snapshotKeyedState(ctx.backend(), *storage, 1)();
  if (!handle.isOk() || !handle->has_value()) throw std::runtime_error("the seed snapshot failed");
  std::string seed(1, char(groups - 1));
  for (uint64_t offset : (*handle)->offsets) {
    const uint32_t o = uint32_t(offset);
    seed.append(reinterpret_cast<const char*>(&o), 4);
  }
  return seed + (*handle)->stream.inlineBytes;
}

// An operator-state snapshot: a split list of strings and a union list of accounts.
std::string operatorSeed(int elements) {
  OperatorStateStore store;
  auto& names = store.getListState(ListStateDescriptor<std::string>("names"));
  auto& accounts = store.getUnionListState(ListStateDescriptor<Account>("accounts"));
  for (int i = 0; i < elements; ++i) {
    names.add("split-" + std::to_string(i));
    accounts.add(Account{"owner-" + std::to_string(i), i, {i, -i}});
  }
  auto storage = createMemoryCheckpointStorage(1 << 20);
  auto handle = state::snapshotOperatorState(store, *storage, 1)();
  if (!handle.isOk() || !handle->has_value()) throw std::runtime_error("the seed snapshot failed");
  const auto& namesMeta = (*handle)->states.at("names");
  const auto& accountsMeta = (*handle)->states.at("accounts");
  std::string seed;
  seed += char(namesMeta.elementOffsets.size());
  seed += char(accountsMeta.elementOffsets.size());
  seed += char(uint8_t(namesMeta.distribution) + 3 * uint8_t(accountsMeta.distribution));
  for (const auto* offsets : {&namesMeta.elementOffsets, &accountsMeta.elementOffsets}) {
    for (uint64_t offset : *offsets) {
      const uint32_t o = uint32_t(offset);
      seed.append(reinterpret_cast<const char*>(&o), 4);
    }
  }
  return seed + (*handle)->stream.inlineBytes;
}

}  // namespace
}  // namespace weir::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seeds <corpus directory>\n");
    return 2;
  }
  try {
    const fs::path root = argv[1];
    fs::create_directories(root / "metadata");
    fs::create_directories(root / "keyed_state");
    fs::create_directories(root / "operator_state");
    int n = 0;
    for (const auto& m : weir::fuzz::sampleMetadata()) {
      weir::fuzz::writeFile(root / "metadata" / ("seed-" + std::to_string(n++)),
                            weir::fuzz::versionAndPayload(weir::checkpoint::serializeMetadata(m)));
    }
    n = 0;
    for (auto [groups, keys] : {std::pair{1, 1}, std::pair{3, 6}, std::pair{8, 20}})
      weir::fuzz::writeFile(root / "keyed_state" / ("seed-" + std::to_string(n++)),
                            weir::fuzz::keyedSeed(groups, keys));
    n = 0;
    for (int elements : {1, 3, 7})
      weir::fuzz::writeFile(root / "operator_state" / ("seed-" + std::to_string(n++)),
                            weir::fuzz::operatorSeed(elements));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
