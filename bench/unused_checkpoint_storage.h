// UnusedCheckpointStorage: a CheckpointStorage for benchmarks that time only the
// synchronous part of a snapshot (snapshotKeyedState): locations succeed, and
// anything the asynchronous part would need fails, because it never runs.
// Stateless; any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_storage.h"

namespace weir::bench {

class UnusedCheckpointStorage final : public checkpoint::CheckpointStorage {
 public:
  std::string describe() const override { return "unused"; }
  Status initializeLocation(int64_t) override { return Status::ok(); }
  Result<std::unique_ptr<checkpoint::CheckpointStateOutputStream>> createOutputStream(
      int64_t, checkpoint::StateScope) override {
    return Status::internal("unused");
  }
  Status writeMetadata(int64_t, const std::string&) override { return Status::ok(); }
  Status discardLocation(int64_t) override { return Status::ok(); }
  std::unique_ptr<checkpoint::StateReader> createReader() override { return nullptr; }
  Result<std::vector<int64_t>> listCompletedCheckpoints() override { return std::vector<int64_t>{}; }
  Result<std::string> readMetadata(int64_t) override { return Status::internal("unused"); }
};

}  // namespace weir::bench
