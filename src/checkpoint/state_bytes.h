// Helpers shared by the checkpoint storages: the checksum every state handle
// carries, and the check a StateReader applies to the bytes a handle names.
//
// Pure functions; callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <weir/core/status.h>

#include "checkpoint/state_handles.h"

namespace weir::checkpoint {

// XXH64 with seed 0, the checksum of StreamStateHandle::checksum.
uint64_t stateChecksum(std::string_view bytes);

// OK when `bytes` has the handle's size and checksum, else Corruption
// "<what>: expected N bytes, found M" or "<what>: bad checksum ...".
Status verifyStateBytes(std::string_view bytes, const StreamStateHandle& handle, const std::string& what);

}  // namespace weir::checkpoint
