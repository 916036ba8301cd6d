// stableHash: the hash that assigns keys to key groups.
//
// Key groups are persisted in checkpoints and savepoints and decide which
// subtask owns a key after a restore or rescale, so this hash must give the
// same value for the same bytes across runs, processes, machines and Weir
// versions. It is XXH3-64 with seed 0 (its output is frozen since xxHash 0.8.0)
// over the given bytes; never change it without a savepoint format version
// bump. Hash the key's serialized bytes only for types whose encoding is
// canonical (not unordered_map).
//
// Thread-safety: pure function, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace weir {

uint64_t stableHash(const void* data, size_t n);

inline uint64_t stableHash(std::string_view bytes) { return stableHash(bytes.data(), bytes.size()); }

}  // namespace weir
