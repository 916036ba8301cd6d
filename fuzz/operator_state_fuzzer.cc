// libFuzzer target for the operator-state restore path: a subtask's operator
// (non-keyed) list state stream (state/state_snapshot.h) read into an
// OperatorStateStore, and its elements deserialized when the lists are
// registered, as a source's or sink's initializeState does.
//
// Input: two bytes n1, n2 (element counts of the lists "names" and "accounts",
// each % 16), one byte of distributions (d % 3 and d / 3 % 3: split, union,
// broadcast), then n1 + n2 little-endian u32 element offsets (what the handle in
// `_metadata` records), then the stream. The handle carries the stream's real
// size and checksum. A bad stream must come back as a Status from
// restoreOperatorState or as a StateMigrationException when a list is
// registered; anything else is a bug.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <weir/core/state_migration.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_bytes.h"
#include "fuzz/keyed_state_types.h"
#include "state/state_snapshot.h"

namespace {

template <class V>
void registerAs(weir::OperatorStateStore& store, const std::string& name, weir::OperatorListDistribution d) {
  try {
    if (d == weir::OperatorListDistribution::kUnion) {
      store.getUnionListState(weir::ListStateDescriptor<V>(name)).get();
    } else {
      store.getListState(weir::ListStateDescriptor<V>(name)).get();  // broadcast: refused as a mismatch
    }
  } catch (const weir::StateMigrationException&) {
    // Elements its serializer cannot read, or another distribution: the task fails with this.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weir;
  if (size < 3) return 0;
  const size_t counts[2] = {size_t(data[0] % 16), size_t(data[1] % 16)};
  const OperatorListDistribution distributions[2] = {OperatorListDistribution(data[2] % 3),
                                                     OperatorListDistribution(data[2] / 3 % 3)};
  const size_t headerBytes = 3 + 4 * (counts[0] + counts[1]);
  if (size < headerBytes) return 0;

  checkpoint::OperatorStateHandle handle;
  const uint8_t* p = data + 3;
  const char* names[2] = {"names", "accounts"};
  for (int s = 0; s < 2; ++s) {
    checkpoint::OperatorStateHandle::StateMeta meta;
    meta.distribution = checkpoint::OperatorStateDistribution(uint8_t(distributions[s]));
    for (size_t i = 0; i < counts[s]; ++i, p += 4) {
      uint32_t offset;
      std::memcpy(&offset, p, 4);
      meta.elementOffsets.push_back(offset);
    }
    handle.states[names[s]] = meta;
  }
  handle.stream.isInline = true;
  handle.stream.inlineBytes.assign(reinterpret_cast<const char*>(data) + headerBytes, size - headerBytes);
  handle.stream.size = handle.stream.inlineBytes.size();
  handle.stream.checksum = checkpoint::stateChecksum(handle.stream.inlineBytes);

  OperatorStateStore store;
  auto storage = checkpoint::createMemoryCheckpointStorage(1 << 20);
  auto reader = storage->createReader();
  if (!state::restoreOperatorState(store, {handle}, *reader).isOk()) return 0;
  registerAs<std::string>(store, "names", distributions[0]);
  registerAs<fuzz::Account>(store, "accounts", distributions[1]);
  return 0;
}
