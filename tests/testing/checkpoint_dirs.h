// latestCheckpoint: the retained checkpoint a test resumes from, found on disk
// the way a user would (`weir run -s`): the `chk-N` directory with the highest
// N under a job's checkpoint directory whose `_metadata` exists (a checkpoint
// without it never completed). Empty when there is none. For tests only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace weir::testing {

inline std::string latestCheckpoint(const std::filesystem::path& jobDir) {
  std::string best;
  int64_t bestId = -1;
  if (!std::filesystem::exists(jobDir)) return best;
  for (const auto& e : std::filesystem::directory_iterator(jobDir)) {
    std::string n = e.path().filename().string();
    if (n.rfind("chk-", 0) != 0 || !std::filesystem::exists(e.path() / "_metadata")) continue;
    int64_t id = std::stoll(n.substr(4));
    if (id > bestId) {
      bestId = id;
      best = e.path().string();
    }
  }
  return best;
}

}  // namespace weir::testing
