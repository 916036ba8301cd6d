// An in-memory CheckpointStorage for state tests: streams keep their bytes in a
// map (inline in the handle when smaller than the inline threshold), the reader
// hands them back. Counts the streams created, closed and discarded, and can be
// told to fail writes. Thread-safe like the real storage.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_storage.h"

namespace weir::fake {

class FakeCheckpointStorage final : public checkpoint::CheckpointStorage {
 public:
  explicit FakeCheckpointStorage(uint64_t inlineThreshold = 0) : inlineThreshold_(inlineThreshold) {}

  std::string describe() const override { return "fake"; }
  Status initializeLocation(int64_t) override { return Status::ok(); }
  Result<std::unique_ptr<checkpoint::CheckpointStateOutputStream>> createOutputStream(
      int64_t checkpointId, checkpoint::StateScope) override {
    ++created_;
    std::lock_guard<std::mutex> lock(mu_);
    std::string path = "chk-" + std::to_string(checkpointId) + "/" + std::to_string(nextFile_++);
    return std::unique_ptr<checkpoint::CheckpointStateOutputStream>(new Stream(*this, std::move(path)));
  }
  Status writeMetadata(int64_t, const std::string&) override { return Status::ok(); }
  Status discardLocation(int64_t) override { return Status::ok(); }
  std::unique_ptr<checkpoint::StateReader> createReader() override { return std::make_unique<Reader>(*this); }
  Result<std::vector<int64_t>> listCompletedCheckpoints() override { return std::vector<int64_t>{}; }
  Result<std::string> readMetadata(int64_t) override { return Status::notFound("no metadata in the fake"); }

  // The bytes of a file handle, for tests that corrupt them.
  std::string& fileBytes(const std::string& relativePath) {
    std::lock_guard<std::mutex> lock(mu_);
    return files_[relativePath];
  }
  int streamsCreated() const { return created_; }
  int streamsDiscarded() const { return discarded_; }
  void failWrites(bool fail) { failWrites_ = fail; }

 private:
  class Stream final : public checkpoint::CheckpointStateOutputStream {
   public:
    Stream(FakeCheckpointStorage& storage, std::string path) : storage_(storage), path_(std::move(path)) {}
    Status write(const void* data, size_t size) override {
      if (storage_.failWrites_) return Status::ioError(path_ + ": injected write failure");
      bytes_.append(static_cast<const char*>(data), size);
      return Status::ok();
    }
    uint64_t position() const override { return bytes_.size(); }
    Result<checkpoint::StreamStateHandle> closeAndGetHandle() override {
      checkpoint::StreamStateHandle h;
      h.size = bytes_.size();
      if (bytes_.size() < storage_.inlineThreshold_) {
        h.isInline = true;
        h.inlineBytes = std::move(bytes_);
      } else {
        h.relativePath = path_;
        std::lock_guard<std::mutex> lock(storage_.mu_);
        storage_.files_[path_] = std::move(bytes_);
      }
      return h;
    }
    void discard() override { ++storage_.discarded_; }

   private:
    FakeCheckpointStorage& storage_;
    std::string path_;
    std::string bytes_;
  };

  class Reader final : public checkpoint::StateReader {
   public:
    explicit Reader(FakeCheckpointStorage& storage) : storage_(storage) {}
    Result<std::string> readAll(const checkpoint::StreamStateHandle& h) override {
      if (h.isInline) return h.inlineBytes;
      std::lock_guard<std::mutex> lock(storage_.mu_);
      auto it = storage_.files_.find(h.relativePath);
      if (it == storage_.files_.end()) return Status::notFound(h.relativePath + ": no such file");
      return it->second;
    }

   private:
    FakeCheckpointStorage& storage_;
  };

  const uint64_t inlineThreshold_;
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  int nextFile_ = 0;
  std::atomic<int> created_{0};
  std::atomic<int> discarded_{0};
  std::atomic<bool> failWrites_{false};
};

}  // namespace weir::fake
