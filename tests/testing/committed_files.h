// committedLines: what an exactly-once FileSink has committed in `dir`: the
// lines of every file whose name does not begin with '.', as a multiset (order
// across part files is not defined). `hidden`, if given, gets the number of
// hidden (in-progress or pending) files. For tests only.
#pragma once

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace weir::testing {

inline std::multiset<std::string> committedLines(const std::string& dir, int* hidden = nullptr) {
  std::multiset<std::string> out;
  if (hidden) *hidden = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".")) {
      if (hidden) ++*hidden;
      continue;
    }
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) out.insert(line);
  }
  return out;
}

}  // namespace weir::testing
