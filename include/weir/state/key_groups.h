// Key groups: the unit in which keyed state is partitioned, persisted and
// redistributed on rescaling (as in Flink).
//
// A key's group is stableHash(serialized key) % maxParallelism; a key group
// belongs to subtask keyGroup * parallelism / maxParallelism, which gives every
// subtask one contiguous KeyGroupRange. The hash is defined on the key's
// serialized bytes with XXH3, so it is the same on every run, machine and
// version: checkpoints and savepoints depend on it.
//
// Pure functions and values; safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include <weir/core/check.h>

namespace weir {

inline constexpr int kDefaultMaxParallelism = 128;
inline constexpr int kUpperBoundMaxParallelism = 1 << 15;

// Inclusive range [start, end] of key groups; empty when end < start.
struct KeyGroupRange {
  int start = 0;
  int end = -1;

  int size() const { return end >= start ? end - start + 1 : 0; }
  bool contains(int keyGroup) const { return keyGroup >= start && keyGroup <= end; }
  bool operator==(const KeyGroupRange&) const = default;
  std::string toString() const { return "[" + std::to_string(start) + ", " + std::to_string(end) + "]"; }
};

inline int keyGroupForHash(uint64_t hash, int maxParallelism) { return int(hash % uint64_t(maxParallelism)); }

inline int operatorIndexForKeyGroup(int maxParallelism, int parallelism, int keyGroup) {
  return int(int64_t(keyGroup) * parallelism / maxParallelism);
}

// The key groups of subtask `index` out of `parallelism`.
inline KeyGroupRange keyGroupRangeForOperatorIndex(int maxParallelism, int parallelism, int index) {
  WEIR_CHECK(parallelism > 0 && parallelism <= maxParallelism && index >= 0 && index < parallelism);
  int start = int((int64_t(index) * maxParallelism + parallelism - 1) / parallelism);
  int end = int((int64_t(index + 1) * maxParallelism - 1) / parallelism);
  return KeyGroupRange{start, end};
}

}  // namespace weir
