// Checkpoint storage: the file-system layout, inline vs file state, verified
// reads that name the damaged file, atomic metadata, discarding, listing,
// resolving a user-given checkpoint path; and the in-memory storage.
#include "checkpoint/checkpoint_storage.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <thread>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "checkpoint/metadata.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace weir::checkpoint {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult hasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char(i * 31 + i / 7);
  return s;
}

std::string readFileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFileBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::set<std::string> entriesOf(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// Writes `bytes` through a new stream, in chunks of at most `chunk` bytes.
StreamStateHandle writeState(CheckpointStorage& storage, int64_t checkpointId, StateScope scope,
                             const std::string& bytes, size_t chunk = 1000) {
  auto stream = storage.createOutputStream(checkpointId, scope);
  EXPECT_TRUE(stream.isOk()) << stream.status().toString();
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    const size_t n = std::min(chunk, bytes.size() - at);
    EXPECT_TRUE((*stream)->write(bytes.data() + at, n).isOk());
    EXPECT_EQ((*stream)->position(), at + n);
  }
  Result<StreamStateHandle> handle = (*stream)->closeAndGetHandle();
  EXPECT_TRUE(handle.isOk()) << handle.status().toString();
  return handle.isOk() ? *handle : StreamStateHandle{};
}

class FileCheckpointStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("weir_checkpoint_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(base_);
    storage_ = create(100);
  }
  void TearDown() override { fs::remove_all(base_); }

  std::unique_ptr<CheckpointStorage> create(uint64_t inlineThreshold) {
    auto storage = createFileSystemCheckpointStorage(base_.string(), "job1", inlineThreshold);
    EXPECT_TRUE(storage.isOk()) << storage.status().toString();
    return std::move(storage).value();
  }
  fs::path jobDir() const { return base_ / "job1"; }

  // A state file of checkpoint 1 and its handle.
  StreamStateHandle fileState(const std::string& bytes) {
    EXPECT_TRUE(storage_->initializeLocation(1).isOk());
    StreamStateHandle handle = writeState(*storage_, 1, StateScope::kExclusive, bytes);
    EXPECT_FALSE(handle.isInline);
    return handle;
  }

  Status readStatus(const StreamStateHandle& handle) {
    return storage_->createReader()->readAll(handle).status();
  }

  static inline int counter_ = 0;
  fs::path base_;
  std::unique_ptr<CheckpointStorage> storage_;
};

TEST_F(FileCheckpointStorageTest, CreatesTheJobLayout) {
  EXPECT_TRUE(fs::is_directory(jobDir() / "shared"));
  EXPECT_TRUE(fs::is_directory(jobDir() / "taskowned"));
  EXPECT_EQ(storage_->describe(), "file://" + jobDir().string());
  ASSERT_TRUE(storage_->initializeLocation(5).isOk());
  EXPECT_TRUE(fs::is_directory(jobDir() / "chk-5"));

  EXPECT_TRUE(createFileSystemCheckpointStorage("file://" + base_.string(), "job2", 0).isOk());
  EXPECT_TRUE(fs::is_directory(base_ / "job2" / "shared"));
  for (const char* badJobId : {"", ".", "..", "a/b"}) {
    EXPECT_EQ(createFileSystemCheckpointStorage(base_.string(), badJobId, 0).status().code(),
              StatusCode::kInvalidArgument)
        << badJobId;
  }
}

TEST_F(FileCheckpointStorageTest, StateBelowTheThresholdStaysInline) {
  ASSERT_TRUE(storage_->initializeLocation(1).isOk());
  const std::string bytes = pattern(99);
  const StreamStateHandle handle = writeState(*storage_, 1, StateScope::kExclusive, bytes, 10);
  EXPECT_TRUE(handle.isInline);
  EXPECT_EQ(handle.inlineBytes, bytes);
  EXPECT_TRUE(handle.relativePath.empty());
  EXPECT_EQ(handle.size, 99u);
  EXPECT_EQ(handle.checksum, XXH64(bytes.data(), bytes.size(), 0));
  EXPECT_TRUE(entriesOf(jobDir() / "chk-1").empty());

  Result<std::string> read = storage_->createReader()->readAll(handle);
  ASSERT_TRUE(read.isOk()) << read.status().toString();
  EXPECT_EQ(*read, bytes);
}

TEST_F(FileCheckpointStorageTest, StateAtOrAboveTheThresholdGoesToAFile) {
  for (size_t size : {size_t{100}, size_t{300'000}}) {
    const std::string bytes = pattern(size);
    const StreamStateHandle handle = fileState(bytes);
    EXPECT_TRUE(handle.inlineBytes.empty());
    EXPECT_TRUE(handle.relativePath.starts_with("chk-1/")) << handle.relativePath;
    EXPECT_EQ(handle.size, size);
    EXPECT_EQ(handle.checksum, XXH64(bytes.data(), bytes.size(), 0));
    EXPECT_EQ(readFileBytes(jobDir() / handle.relativePath), bytes);

    Result<std::string> read = storage_->createReader()->readAll(handle);
    ASSERT_TRUE(read.isOk()) << read.status().toString();
    EXPECT_EQ(*read, bytes);
  }
  EXPECT_EQ(entriesOf(jobDir() / "chk-1").size(), 2u);
}

// Files are written in 4 MiB chunks (with O_DIRECT where the file system allows
// it) and a tail that is not a multiple of the block size: sizes around those
// boundaries, written in small and in large pieces, come back exactly.
TEST_F(FileCheckpointStorageTest, LargeStateAroundChunkAndBlockBoundariesRoundTrips) {
  ASSERT_TRUE(storage_->initializeLocation(1).isOk());
  constexpr size_t kMiB = size_t{1} << 20;
  for (size_t size : {size_t{4096}, size_t{4097}, 4 * kMiB - 1, 4 * kMiB, 4 * kMiB + 4096, 9 * kMiB + 123}) {
    for (size_t piece : {size_t{1000}, 3 * kMiB}) {
      const std::string bytes = pattern(size);
      const StreamStateHandle handle = writeState(*storage_, 1, StateScope::kExclusive, bytes, piece);
      ASSERT_FALSE(handle.isInline);
      EXPECT_EQ(fs::file_size(jobDir() / handle.relativePath), size) << size << " in pieces of " << piece;
      EXPECT_EQ(handle.checksum, XXH64(bytes.data(), bytes.size(), 0));
      Result<std::string> read = storage_->createReader()->readAll(handle);
      ASSERT_TRUE(read.isOk()) << read.status().toString();
      EXPECT_TRUE(*read == bytes) << size << " in pieces of " << piece;
    }
  }
}

// tmpfs takes O_DIRECT only on recent kernels (6.6); older ones refuse it and the
// stream writes through the page cache. Either way the bytes come back.
TEST(FileCheckpointStorageOnTmpfsTest, WritesWithOrWithoutDirectIo) {
  const fs::path shm = "/dev/shm";
  if (!fs::is_directory(shm)) GTEST_SKIP() << "no /dev/shm";
  const fs::path base = shm / ("weir_checkpoint_test_" + std::to_string(::getpid()));
  auto storage = createFileSystemCheckpointStorage(base.string(), "job1", 100);
  ASSERT_TRUE(storage.isOk()) << storage.status().toString();
  ASSERT_TRUE((*storage)->initializeLocation(1).isOk());
  const std::string bytes = pattern((size_t{5} << 20) + 77);
  const StreamStateHandle handle = writeState(**storage, 1, StateScope::kExclusive, bytes, 1 << 20);
  Result<std::string> read = (*storage)->createReader()->readAll(handle);
  ASSERT_TRUE(read.isOk()) << read.status().toString();
  EXPECT_TRUE(*read == bytes);
  fs::remove_all(base);
}

TEST_F(FileCheckpointStorageTest, ScopesWriteToTheirDirectories) {
  const StreamStateHandle shared = writeState(*storage_, 1, StateScope::kShared, pattern(500));
  const StreamStateHandle owned = writeState(*storage_, 1, StateScope::kTaskOwned, pattern(500));
  EXPECT_TRUE(shared.relativePath.starts_with("shared/")) << shared.relativePath;
  EXPECT_TRUE(owned.relativePath.starts_with("taskowned/")) << owned.relativePath;
  EXPECT_TRUE(fs::is_regular_file(jobDir() / shared.relativePath));
  EXPECT_TRUE(fs::is_regular_file(jobDir() / owned.relativePath));
  EXPECT_FALSE(fs::exists(jobDir() / "chk-1"));
}

TEST_F(FileCheckpointStorageTest, ZeroThresholdPutsEvenEmptyStateInAFile) {
  auto storage = create(0);
  ASSERT_TRUE(storage->initializeLocation(1).isOk());
  const StreamStateHandle handle = writeState(*storage, 1, StateScope::kExclusive, "");
  EXPECT_FALSE(handle.isInline);
  EXPECT_EQ(handle.size, 0u);
  EXPECT_EQ(fs::file_size(jobDir() / handle.relativePath), 0u);
  EXPECT_TRUE(storage->createReader()->readAll(handle).isOk());
}

TEST_F(FileCheckpointStorageTest, DiscardedOrDroppedStreamsLeaveNoFile) {
  ASSERT_TRUE(storage_->initializeLocation(1).isOk());
  const std::string bytes = pattern(1000);
  {
    auto stream = storage_->createOutputStream(1, StateScope::kExclusive);
    ASSERT_TRUE(stream.isOk());
    ASSERT_TRUE((*stream)->write(bytes.data(), bytes.size()).isOk());
    EXPECT_EQ(entriesOf(jobDir() / "chk-1").size(), 1u);
    (*stream)->discard();
    EXPECT_TRUE(entriesOf(jobDir() / "chk-1").empty());
    EXPECT_EQ((*stream)->write("x", 1).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ((*stream)->closeAndGetHandle().status().code(), StatusCode::kFailedPrecondition);
  }
  {
    auto stream = storage_->createOutputStream(1, StateScope::kExclusive);
    ASSERT_TRUE(stream.isOk());
    ASSERT_TRUE((*stream)->write(bytes.data(), bytes.size()).isOk());
  }
  EXPECT_TRUE(entriesOf(jobDir() / "chk-1").empty());
}

TEST_F(FileCheckpointStorageTest, StreamOfAnUninitializedOrDiscardedLocationFails) {
  auto stream = storage_->createOutputStream(9, StateScope::kExclusive);
  ASSERT_TRUE(stream.isOk());
  const std::string bytes = pattern(1000);
  const Status s = (*stream)->write(bytes.data(), bytes.size());
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(hasSubstr(s.message(), (jobDir() / "chk-9").string())) << s.message();
  EXPECT_FALSE(fs::exists(jobDir() / "chk-9"));
}

TEST_F(FileCheckpointStorageTest, ReaderReportsACorruptedFileWithItsPath) {
  const StreamStateHandle handle = fileState(pattern(500));
  const fs::path path = jobDir() / handle.relativePath;
  std::string bytes = readFileBytes(path);
  bytes[250] = char(bytes[250] ^ 1);
  writeFileBytes(path, bytes);
  const Status s = readStatus(handle);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(hasSubstr(s.message(), path.string() + ": bad checksum"));
}

TEST_F(FileCheckpointStorageTest, ReaderReportsATruncatedFileWithItsPath) {
  const StreamStateHandle handle = fileState(pattern(500));
  const fs::path path = jobDir() / handle.relativePath;
  fs::resize_file(path, 499);
  const Status s = readStatus(handle);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(hasSubstr(s.message(), path.string() + ": expected 500 bytes, found 499"));
}

TEST_F(FileCheckpointStorageTest, ReaderReportsAMissingFileWithItsPath) {
  const StreamStateHandle handle = fileState(pattern(500));
  const fs::path path = jobDir() / handle.relativePath;
  fs::remove(path);
  const Status s = readStatus(handle);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(hasSubstr(s.message(), path.string() + ": missing"));
}

TEST_F(FileCheckpointStorageTest, ReaderVerifiesInlineState) {
  StreamStateHandle handle = writeState(*storage_, 1, StateScope::kShared, "small");
  ASSERT_TRUE(handle.isInline);
  handle.inlineBytes = "smalL";
  EXPECT_TRUE(hasSubstr(readStatus(handle).message(), "inline state: bad checksum"));
  handle.inlineBytes = "smal";
  EXPECT_TRUE(hasSubstr(readStatus(handle).message(), "inline state: expected 5 bytes, found 4"));
}

TEST_F(FileCheckpointStorageTest, ReaderRejectsPathsOutsideTheJobDirectory) {
  // A file outside the job directory whose size and checksum match the handle:
  // only the path check stands between the reader and it.
  const std::string secret = "secret";
  writeFileBytes(base_ / "secret", secret);
  ASSERT_TRUE(storage_->initializeLocation(1).isOk());
  for (const std::string& path : {std::string("../secret"), std::string("chk-1/../../secret"),
                                  (base_ / "secret").string(), std::string("")}) {
    StreamStateHandle handle;
    handle.relativePath = path;
    handle.size = secret.size();
    handle.checksum = XXH64(secret.data(), secret.size(), 0);
    const Status s = readStatus(handle);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << path;
    EXPECT_TRUE(hasSubstr(s.message(), "'" + path + "' is not inside the job directory"));
  }
}

TEST_F(FileCheckpointStorageTest, WriteMetadataIsAtomicAndExact) {
  ASSERT_TRUE(storage_->initializeLocation(3).isOk());
  const std::string first =
      serializeMetadata(CheckpointMetadata{3, "job1", "name", 1, SnapshotKind::kCheckpoint, {}});
  ASSERT_TRUE(storage_->writeMetadata(3, first).isOk());
  EXPECT_EQ(entriesOf(jobDir() / "chk-3"), std::set<std::string>{"_metadata"});
  EXPECT_EQ(readFileBytes(jobDir() / "chk-3" / "_metadata"), first);

  // A rewrite replaces the file whole and leaves no temp file either.
  const std::string second = pattern(10'000);
  ASSERT_TRUE(storage_->writeMetadata(3, second).isOk());
  EXPECT_EQ(entriesOf(jobDir() / "chk-3"), std::set<std::string>{"_metadata"});
  Result<std::string> read = storage_->readMetadata(3);
  ASSERT_TRUE(read.isOk());
  EXPECT_EQ(*read, second);

  const Status missing = storage_->readMetadata(4).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_TRUE(hasSubstr(missing.message(), (jobDir() / "chk-4" / "_metadata").string()));
}

TEST_F(FileCheckpointStorageTest, DiscardLocationRemovesTheCheckpoint) {
  const StreamStateHandle state = fileState(pattern(500));
  const StreamStateHandle shared = writeState(*storage_, 1, StateScope::kShared, pattern(500));
  ASSERT_TRUE(storage_->writeMetadata(1, "meta").isOk());
  ASSERT_TRUE(storage_->discardLocation(1).isOk());
  EXPECT_FALSE(fs::exists(jobDir() / "chk-1"));
  EXPECT_TRUE(fs::exists(jobDir() / shared.relativePath));  // shared state outlives a checkpoint
  EXPECT_EQ(readStatus(state).code(), StatusCode::kNotFound);
  EXPECT_TRUE(storage_->discardLocation(1).isOk());  // already gone: nothing to do
}

// Regression: a checkpoint aborted while its asynchronous part still wrote into chk-N
// left chk-N behind ("Directory not empty"). A stream open during the discard must not
// bring chk-N back, and the discard leaves nothing (hidden or not) in the job directory.
TEST_F(FileCheckpointStorageTest, DiscardWhileAStreamStillWritesLeavesNothing) {
  ASSERT_TRUE(storage_->initializeLocation(4).isOk());
  const std::string bytes = pattern(1000);
  auto early = storage_->createOutputStream(4, StateScope::kExclusive);
  ASSERT_TRUE(early.isOk());
  ASSERT_TRUE((*early)->write(bytes.data(), bytes.size()).isOk());  // its file exists in chk-4
  ASSERT_TRUE(storage_->discardLocation(4).isOk());
  EXPECT_FALSE(fs::exists(jobDir() / "chk-4"));
  // The writer goes on. Finishing the open file may succeed (it went with the moved
  // directory: its handle names nothing), starting another fails, and chk-4 stays gone.
  Result<StreamStateHandle> finished = (*early)->closeAndGetHandle();
  if (finished.isOk()) {
    EXPECT_FALSE(fs::exists(jobDir() / finished->relativePath));
  }
  auto late = storage_->createOutputStream(4, StateScope::kExclusive);
  ASSERT_TRUE(late.isOk());
  EXPECT_FALSE((*late)->write(bytes.data(), bytes.size()).isOk());
  EXPECT_FALSE(fs::exists(jobDir() / "chk-4"));
  for (const auto& entry : fs::directory_iterator(jobDir())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "shared" || name == "taskowned") << "left behind: " << name;
  }
}

// The same with the writer on another thread, creating files while the discard runs
// (how the race shows in a job): every discard succeeds and leaves no chk-N.
TEST_F(FileCheckpointStorageTest, DiscardRacingAWriterThreadLeavesNothing) {
  const std::string bytes = pattern(1000);
  for (int64_t id = 100; id < 300; ++id) {
    ASSERT_TRUE(storage_->initializeLocation(id).isOk());
    std::atomic<bool> stop{false};
    std::atomic<int> created{0};
    std::thread writer([&] {
      while (!stop.load()) {
        auto stream = storage_->createOutputStream(id, StateScope::kExclusive);
        if (!stream.isOk() || !(*stream)->write(bytes.data(), bytes.size()).isOk()) continue;
        ++created;
        if (created % 2 == 0) (void)(*stream)->closeAndGetHandle();  // kept; the others are dropped
      }
    });
    while (created.load() < 3) std::this_thread::yield();
    const Status discarded = storage_->discardLocation(id);
    stop = true;
    writer.join();
    ASSERT_TRUE(discarded.isOk()) << discarded.toString();
    ASSERT_FALSE(fs::exists(jobDir() / ("chk-" + std::to_string(id))));
  }
  for (const auto& entry : fs::directory_iterator(jobDir())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "shared" || name == "taskowned") << "left behind: " << name;
  }
}

TEST_F(FileCheckpointStorageTest, ListsOnlyCompletedCheckpointsAscending) {
  for (int64_t id : {1, 2, 3, 10}) ASSERT_TRUE(storage_->initializeLocation(id).isOk());
  for (int64_t id : {10, 2, 3}) ASSERT_TRUE(storage_->writeMetadata(id, "meta").isOk());
  fs::create_directories(jobDir() / "chk-x");
  writeFileBytes(jobDir() / "chk-x" / "_metadata", "meta");
  fs::create_directories(jobDir() / "chk-4" / "_metadata");  // a directory, not metadata
  writeFileBytes(jobDir() / "chk-7", "a file, not a checkpoint");
  Result<std::vector<int64_t>> ids = storage_->listCompletedCheckpoints();
  ASSERT_TRUE(ids.isOk()) << ids.status().toString();
  EXPECT_EQ(*ids, (std::vector<int64_t>{2, 3, 10}));
}

TEST_F(FileCheckpointStorageTest, ResolvesACheckpointDirectoryOrItsMetadataFile) {
  ASSERT_TRUE(storage_->initializeLocation(3).isOk());
  const StreamStateHandle state = writeState(*storage_, 3, StateScope::kExclusive, pattern(500));
  CheckpointMetadata metadata{3, "job1", "name", 1, SnapshotKind::kCheckpoint, {}};
  const std::string bytes = serializeMetadata(metadata);
  ASSERT_TRUE(storage_->writeMetadata(3, bytes).isOk());

  const fs::path dir = jobDir() / "chk-3";
  for (const std::string& path : {dir.string(), dir.string() + "/", (dir / "_metadata").string()}) {
    Result<ResolvedCheckpoint> resolved = resolveCheckpointPath(path);
    ASSERT_TRUE(resolved.isOk()) << path << ": " << resolved.status().toString();
    EXPECT_EQ(resolved->jobDirectory, jobDir().string());
    EXPECT_EQ(resolved->checkpointId, 3);
    EXPECT_EQ(resolved->metadataBytes, bytes);
    // What a restore does with it: read the state relative to the job directory.
    Result<std::string> read = createFileStateReader(resolved->jobDirectory)->readAll(state);
    ASSERT_TRUE(read.isOk()) << read.status().toString();
    EXPECT_EQ(*read, pattern(500));
  }
}

TEST_F(FileCheckpointStorageTest, ResolveReportsMissingIncompleteAndDamagedCheckpoints) {
  const std::string missing = (jobDir() / "chk-99").string();
  Status s = resolveCheckpointPath(missing).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(hasSubstr(s.message(), missing));

  ASSERT_TRUE(storage_->initializeLocation(4).isOk());
  s = resolveCheckpointPath((jobDir() / "chk-4").string()).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(
      hasSubstr(s.message(), (jobDir() / "chk-4").string() + " is not a completed checkpoint: no _metadata"));

  fs::create_directories(jobDir() / "chk-5" / "_metadata");
  s = resolveCheckpointPath((jobDir() / "chk-5").string()).status();
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_TRUE(hasSubstr(s.message(), (jobDir() / "chk-5" / "_metadata").string()));

  std::string bytes =
      serializeMetadata(CheckpointMetadata{6, "job1", "name", 1, SnapshotKind::kCheckpoint, {}});
  bytes.pop_back();
  ASSERT_TRUE(storage_->writeMetadata(6, bytes).isOk());
  s = resolveCheckpointPath((jobDir() / "chk-6").string()).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_TRUE(hasSubstr(s.message(), (jobDir() / "chk-6" / "_metadata").string() + ": "));

  EXPECT_EQ(resolveCheckpointPath("").status().code(), StatusCode::kInvalidArgument);
}

TEST(MemoryCheckpointStorageTest, KeepsStateAndMetadataInMemory) {
  auto storage = createMemoryCheckpointStorage(100);
  EXPECT_EQ(storage->describe(), "memory");
  ASSERT_TRUE(storage->initializeLocation(1).isOk());
  const StreamStateHandle small = writeState(*storage, 1, StateScope::kExclusive, pattern(99));
  const StreamStateHandle large = writeState(*storage, 1, StateScope::kExclusive, pattern(5000));
  const StreamStateHandle shared = writeState(*storage, 1, StateScope::kShared, pattern(5000));
  EXPECT_TRUE(small.isInline);
  EXPECT_FALSE(large.isInline);
  EXPECT_TRUE(large.relativePath.starts_with("chk-1/"));
  EXPECT_TRUE(shared.relativePath.starts_with("shared/"));
  EXPECT_EQ(large.checksum, XXH64(pattern(5000).data(), 5000, 0));

  auto reader = storage->createReader();
  for (const StreamStateHandle& h : {small, large, shared}) {
    Result<std::string> read = reader->readAll(h);
    ASSERT_TRUE(read.isOk()) << read.status().toString();
    EXPECT_EQ(*read, pattern(h.size));
  }
  StreamStateHandle forged = large;
  forged.checksum ^= 1;
  EXPECT_EQ(reader->readAll(forged).status().code(), StatusCode::kCorruption);

  ASSERT_TRUE(storage->writeMetadata(2, "two").isOk());
  ASSERT_TRUE(storage->writeMetadata(1, "one").isOk());
  EXPECT_EQ(*storage->listCompletedCheckpoints(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*storage->readMetadata(2), "two");

  ASSERT_TRUE(storage->discardLocation(1).isOk());
  EXPECT_EQ(*storage->listCompletedCheckpoints(), (std::vector<int64_t>{2}));
  EXPECT_EQ(storage->readMetadata(1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader->readAll(large).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(reader->readAll(shared).isOk());
}

}  // namespace
}  // namespace weir::checkpoint
