#include "state/operator_state_redistribution.h"

#include <map>
#include <set>
#include <string>

#include <weir/core/check.h>

namespace weir::state {

std::vector<std::vector<checkpoint::OperatorStateHandle>> redistributeOperatorState(
    const std::vector<checkpoint::OperatorStateHandle>& old, int newParallelism) {
  using checkpoint::OperatorStateDistribution;
  using checkpoint::OperatorStateHandle;
  WEIR_CHECK(newParallelism > 0);
  const size_t targets = size_t(newParallelism);
  const bool sameParallelism = old.size() == targets;

  // parts[j][h]: what new subtask j takes from the stream of old handle h.
  std::vector<std::vector<OperatorStateHandle>> parts(targets, std::vector<OperatorStateHandle>(old.size()));
  auto give = [&](size_t j, size_t h, const std::string& name, OperatorStateDistribution d, uint64_t offset) {
    OperatorStateHandle::StateMeta& meta = parts[j][h].states[name];
    meta.distribution = d;
    meta.elementOffsets.push_back(offset);
  };
  std::map<std::string, uint64_t> dealt;  // split lists: elements dealt so far
  std::set<std::string> broadcastTaken;
  for (size_t h = 0; h < old.size(); ++h) {
    for (const auto& [name, meta] : old[h].states) {
      switch (meta.distribution) {
        case OperatorStateDistribution::kSplitDistribute:
          for (uint64_t offset : meta.elementOffsets) {
            const size_t j = sameParallelism ? h : size_t(dealt[name]++ % targets);
            give(j, h, name, meta.distribution, offset);
          }
          break;
        case OperatorStateDistribution::kUnion:
          for (size_t j = 0; j < targets; ++j) {
            for (uint64_t offset : meta.elementOffsets) give(j, h, name, meta.distribution, offset);
          }
          break;
        case OperatorStateDistribution::kBroadcast:
          if (!broadcastTaken.insert(name).second) break;
          for (size_t j = 0; j < targets; ++j) {
            for (uint64_t offset : meta.elementOffsets) give(j, h, name, meta.distribution, offset);
          }
          break;
      }
    }
  }

  std::vector<std::vector<OperatorStateHandle>> result(targets);
  for (size_t j = 0; j < targets; ++j) {
    for (size_t h = 0; h < old.size(); ++h) {
      if (parts[j][h].states.empty()) continue;
      parts[j][h].stream = old[h].stream;
      result[j].push_back(std::move(parts[j][h]));
    }
  }
  return result;
}

}  // namespace weir::state
