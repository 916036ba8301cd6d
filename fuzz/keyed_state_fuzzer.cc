// libFuzzer target for the keyed-state restore path: the snapshot stream of a
// subtask's keyed state (state/state_snapshot.h) read into a heap backend, and
// its entries deserialized when the states are registered, as an operator's
// open() does after a restore.
//
// Input: one byte k (k % 8 + 1 key groups, [0, k-1]), then k little-endian u32
// key-group offsets (what the handle in `_metadata` records), then the stream.
// The handle carries the stream's real size and checksum, so mutations reach the
// stream's parser rather than stopping at the checksum check. A bad stream must
// come back as a Status from restoreKeyedState or as a StateMigrationException
// when the state is registered; anything else (a crash, another exception, an
// allocation far beyond the input's size) is a bug.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <weir/core/state_migration.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_bytes.h"
#include "fuzz/keyed_state_types.h"
#include "state/state_snapshot.h"
#include "testing/testing_runtime_context.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weir;
  if (size < 1) return 0;
  const int groups = data[0] % 8 + 1;
  const size_t headerBytes = 1 + 4 * size_t(groups);
  if (size < headerBytes) return 0;

  checkpoint::KeyGroupsStateHandle handle;
  handle.range = KeyGroupRange{0, groups - 1};
  for (int g = 0; g < groups; ++g) {
    uint32_t offset;
    std::memcpy(&offset, data + 1 + 4 * size_t(g), 4);
    handle.offsets.push_back(offset);
  }
  handle.stream.isInline = true;
  handle.stream.inlineBytes.assign(reinterpret_cast<const char*>(data) + headerBytes, size - headerBytes);
  handle.stream.size = handle.stream.inlineBytes.size();
  handle.stream.checksum = checkpoint::stateChecksum(handle.stream.inlineBytes);

  testing::TestingRuntimeContext ctx(KeyGroupRange{0, fuzz::kMaxParallelism - 1}, fuzz::kMaxParallelism);
  auto storage = checkpoint::createMemoryCheckpointStorage(1 << 20);
  auto reader = storage->createReader();
  if (!state::restoreKeyedState(ctx.backend(), {handle}, *reader).isOk()) return 0;
  try {
    fuzz::registerEveryState(ctx);
  } catch (const StateMigrationException&) {
    // A stream whose entries its serializers cannot read: the task fails with this.
  }
  return 0;
}
