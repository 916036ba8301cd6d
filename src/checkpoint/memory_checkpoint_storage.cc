// In-memory checkpoint storage, for tests: the file storage's contract (inline
// threshold, handles with size and checksum, verified reads) with the "files"
// kept in a map under the relative paths the file storage would use.
//
// Threading: one mutex guards the store that the storage, its streams and its
// readers share (and keep alive), so every method is thread-safe.
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/state_bytes.h"

namespace weir::checkpoint {
namespace {

struct MemoryStore {
  std::mutex mutex;
  std::map<std::string, std::string> files;  // relative path -> bytes
  std::map<int64_t, std::string> metadata;   // checkpoint id -> `_metadata` bytes
  uint64_t nextFileId = 0;
};

std::string checkpointDirName(int64_t checkpointId) { return "chk-" + std::to_string(checkpointId); }

class MemoryStateOutputStream final : public CheckpointStateOutputStream {
 public:
  MemoryStateOutputStream(std::shared_ptr<MemoryStore> store, std::string directory, uint64_t inlineThreshold)
      : store_(std::move(store)), directory_(std::move(directory)), inlineThreshold_(inlineThreshold) {}

  Status write(const void* data, size_t size) override {
    if (closed_) return Status::failedPrecondition("checkpoint state stream is closed");
    buffer_.append(static_cast<const char*>(data), size);
    return Status::ok();
  }

  uint64_t position() const override { return buffer_.size(); }

  Result<StreamStateHandle> closeAndGetHandle() override {
    if (closed_) return Status::failedPrecondition("checkpoint state stream is closed");
    closed_ = true;
    StreamStateHandle handle;
    handle.size = buffer_.size();
    handle.checksum = stateChecksum(buffer_);
    if (handle.size < inlineThreshold_) {
      handle.isInline = true;
      handle.inlineBytes = std::move(buffer_);
      return handle;
    }
    std::lock_guard lock(store_->mutex);
    handle.relativePath = directory_ + "/" + std::to_string(store_->nextFileId++);
    store_->files[handle.relativePath] = std::move(buffer_);
    return handle;
  }

  void discard() override {
    closed_ = true;
    buffer_ = std::string();
  }

 private:
  const std::shared_ptr<MemoryStore> store_;
  const std::string directory_;
  const uint64_t inlineThreshold_;
  std::string buffer_;
  bool closed_ = false;
};

class MemoryStateReader final : public StateReader {
 public:
  explicit MemoryStateReader(std::shared_ptr<MemoryStore> store) : store_(std::move(store)) {}

  Result<std::string> readAll(const StreamStateHandle& handle) override {
    if (handle.isInline) {
      WEIR_RETURN_IF_ERROR(verifyStateBytes(handle.inlineBytes, handle, "inline state"));
      return handle.inlineBytes;
    }
    const std::string name = "memory:" + handle.relativePath;
    std::string bytes;
    {
      std::lock_guard lock(store_->mutex);
      auto it = store_->files.find(handle.relativePath);
      if (it == store_->files.end()) return Status::notFound(name + ": missing");
      bytes = it->second;
    }
    WEIR_RETURN_IF_ERROR(verifyStateBytes(bytes, handle, name));
    return bytes;
  }

 private:
  const std::shared_ptr<MemoryStore> store_;
};

class MemoryCheckpointStorage final : public CheckpointStorage {
 public:
  explicit MemoryCheckpointStorage(uint64_t inlineThreshold) : inlineThreshold_(inlineThreshold) {}

  std::string describe() const override { return "memory"; }
  // Flink's word for it: memory checkpoints die with the process.
  std::string externalPointer(int64_t) const override { return "<checkpoint-not-externally-addressable>"; }

  Status initializeLocation(int64_t) override { return Status::ok(); }

  Result<std::unique_ptr<CheckpointStateOutputStream>> createOutputStream(int64_t checkpointId,
                                                                          StateScope scope) override {
    std::string directory = scope == StateScope::kExclusive ? checkpointDirName(checkpointId)
                            : scope == StateScope::kShared  ? "shared"
                                                            : "taskowned";
    return std::unique_ptr<CheckpointStateOutputStream>(
        std::make_unique<MemoryStateOutputStream>(store_, std::move(directory), inlineThreshold_));
  }

  Status writeMetadata(int64_t checkpointId, const std::string& bytes) override {
    std::lock_guard lock(store_->mutex);
    store_->metadata[checkpointId] = bytes;
    return Status::ok();
  }

  Status discardLocation(int64_t checkpointId) override {
    const std::string prefix = checkpointDirName(checkpointId) + "/";
    std::lock_guard lock(store_->mutex);
    store_->metadata.erase(checkpointId);
    auto it = store_->files.lower_bound(prefix);
    while (it != store_->files.end() && it->first.starts_with(prefix)) it = store_->files.erase(it);
    return Status::ok();
  }

  std::unique_ptr<StateReader> createReader() override { return std::make_unique<MemoryStateReader>(store_); }

  Result<std::vector<int64_t>> listCompletedCheckpoints() override {
    std::lock_guard lock(store_->mutex);
    std::vector<int64_t> ids;
    for (const auto& entry : store_->metadata) ids.push_back(entry.first);
    return ids;
  }

  Result<std::string> readMetadata(int64_t checkpointId) override {
    std::lock_guard lock(store_->mutex);
    auto it = store_->metadata.find(checkpointId);
    if (it == store_->metadata.end()) {
      return Status::notFound("memory: checkpoint " + std::to_string(checkpointId) + " has no metadata");
    }
    return it->second;
  }

 private:
  const uint64_t inlineThreshold_;
  const std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>();
};

}  // namespace

std::unique_ptr<CheckpointStorage> createMemoryCheckpointStorage(uint64_t inlineThreshold) {
  return std::make_unique<MemoryCheckpointStorage>(inlineThreshold);
}

}  // namespace weir::checkpoint
