// File-system checkpoint storage (Flink's FsCheckpointStorageAccess and
// FsCheckpointStreamFactory); the directory layout is in checkpoint_storage.h.
//
// Writes: a state file is written in chunks of kWriteChunkBytes with O_DIRECT
// where the file system allows it (else through the page cache). A checkpoint
// file is written once and read only by a restore, so caching it only evicts
// pages that are useful; and copying every byte into the page cache was most of
// the CPU an asynchronous snapshot cost (a gigabyte per checkpoint, on cores the
// tasks need). The last chunk's unaligned tail is written without O_DIRECT.
//
// Durability: a state file is fsync'ed before its handle is returned. The
// directory entry of an exclusive state file becomes durable with the fsync of
// chk-N that writeMetadata does anyway; shared and task-owned files sync their
// directory on close, since no later step touches it. `_metadata` goes through
// a temp file, fsync, rename and fsync of chk-N and of the job directory, so
// after a crash it is either absent or complete.
//
// Threading: the storage holds only immutable paths, so its methods are safe
// from any thread; a stream and a reader belong to one thread at a time.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#define XXH_INLINE_ALL  // header-only XXH64: no call through the shared library
#include <xxhash.h>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"
#include "checkpoint/state_bytes.h"

namespace weir::checkpoint {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMetadataFileName = "_metadata";
constexpr std::string_view kCheckpointDirPrefix = "chk-";
constexpr std::string_view kSharedDirName = "shared";
constexpr std::string_view kTaskOwnedDirName = "taskowned";
constexpr std::string_view kFileUriPrefix = "file://";
// Once a stream has spilled to its file, bytes reach the file in chunks of this size.
constexpr size_t kWriteChunkBytes = 4 << 20;
// What O_DIRECT needs of buffer addresses, file offsets and lengths (the largest
// logical block size in use).
constexpr size_t kDirectIoAlignment = 4096;
static_assert(kWriteChunkBytes % kDirectIoAlignment == 0);

Status errnoStatus(const std::string& path, const char* action) {
  const int err = errno;
  std::string message = path + ": cannot " + action + ": " + std::strerror(err);
  return err == ENOENT ? Status::notFound(std::move(message)) : Status::ioError(std::move(message));
}

std::string checkpointDirName(int64_t checkpointId) {
  return std::string(kCheckpointDirPrefix) + std::to_string(checkpointId);
}

// The id in a "chk-<N>" directory name, or nullopt for any other name.
std::optional<int64_t> parseCheckpointDirName(std::string_view name) {
  if (!name.starts_with(kCheckpointDirPrefix)) return std::nullopt;
  const std::string_view digits = name.substr(kCheckpointDirPrefix.size());
  int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || digits.front() < '0' || digits.front() > '9' || ec != std::errc() ||
      ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return id;
}

// 128 random bits in hex: a name no concurrent writer picks (O_EXCL catches the rest).
std::string randomFileName() {
  thread_local std::mt19937_64 rng{(uint64_t(std::random_device{}()) << 32) ^ std::random_device{}()};
  char name[33];
  std::snprintf(name, sizeof name, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return name;
}

// Handles name files inside the job directory; a path that leaves it ("../x",
// "/etc/x") comes from a corrupt or forged metadata file and is never opened.
bool staysInsideJobDirectory(std::string_view relativePath) {
  if (relativePath.empty() || relativePath.front() == '/') return false;
  size_t start = 0;
  while (start <= relativePath.size()) {
    const size_t slash = std::min(relativePath.find('/', start), relativePath.size());
    if (relativePath.substr(start, slash - start) == "..") return false;
    start = slash + 1;
  }
  return true;
}

// An owned file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // close(2) with its error reported: after writing, a failed close can mean lost data.
  Status close(const std::string& path) {
    const int rc = ::close(std::exchange(fd_, -1));
    return rc == 0 ? Status::ok() : errnoStatus(path, "close");
  }

 private:
  int fd_;
};

Status writeAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(path, "write");
    }
    bytes.remove_prefix(size_t(n));
  }
  return Status::ok();
}

// A write chunk, aligned for O_DIRECT.
struct AlignedDelete {
  void operator()(char* p) const { ::operator delete (p, std::align_val_t{kDirectIoAlignment}); }
};
using AlignedChunk = std::unique_ptr<char, AlignedDelete>;
AlignedChunk newAlignedChunk() {
  return AlignedChunk(
      static_cast<char*>(::operator new (kWriteChunkBytes, std::align_val_t{kDirectIoAlignment})));
}

Status syncFile(int fd, const std::string& path) {
  return ::fsync(fd) == 0 ? Status::ok() : errnoStatus(path, "fsync");
}

// Makes the creation, rename or removal of entries in `dir` durable.
Status syncDirectory(const fs::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errnoStatus(dir.string(), "open directory");
  WEIR_RETURN_IF_ERROR(syncFile(fd.get(), dir.string()));
  return fd.close(dir.string());
}

Status writeFileDurably(const std::string& path, std::string_view bytes) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return errnoStatus(path, "create");
  WEIR_RETURN_IF_ERROR(writeAll(fd.get(), bytes, path));
  WEIR_RETURN_IF_ERROR(syncFile(fd.get(), path));
  return fd.close(path);
}

// Reads a whole regular file. With `expectedSize`, a file of another size is
// reported as Corruption without reading it.
Result<std::string> readFile(const std::string& path, std::optional<uint64_t> expectedSize = std::nullopt) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::notFound(path + ": missing");
    return errnoStatus(path, "open");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoStatus(path, "stat");
  if (!S_ISREG(st.st_mode)) return Status::ioError(path + ": cannot read: not a regular file");
  const uint64_t size = uint64_t(st.st_size);
  if (expectedSize && *expectedSize != size) {
    return Status::corruption(path + ": expected " + std::to_string(*expectedSize) + " bytes, found " +
                              std::to_string(size));
  }
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoStatus(path, "read");
    if (n == 0) break;  // shrank since fstat: the caller's size check reports it
    done += size_t(n);
  }
  bytes.resize(done);
  return bytes;
}

// Whether a stream's directory needs its own fsync on close (see the top of the file).
enum class SyncDirectoryOnClose { kNo, kYes };

class FileStateOutputStream final : public CheckpointStateOutputStream {
 public:
  FileStateOutputStream(fs::path jobDirectory, std::string relativeDirectory, uint64_t inlineThreshold,
                        SyncDirectoryOnClose syncDirectory)
      : jobDirectory_(std::move(jobDirectory)),
        relativeDirectory_(std::move(relativeDirectory)),
        inlineThreshold_(inlineThreshold),
        syncDirectory_(syncDirectory) {
    XXH64_reset(&hash_, 0);
  }
  // A stream dropped without closeAndGetHandle() leaves no file behind.
  ~FileStateOutputStream() override {
    if (!closed_) discard();
  }

  Status write(const void* data, size_t size) override {
    if (closed_) return Status::failedPrecondition("checkpoint state stream is closed");
    XXH64_update(&hash_, data, size);
    position_ += size;
    if (fd_.valid()) return failIfError(append(static_cast<const char*>(data), size));
    inline_.append(static_cast<const char*>(data), size);
    if (position_ >= inlineThreshold_) {
      WEIR_RETURN_IF_ERROR(failIfError(createFile()));
      const std::string bytes = std::exchange(inline_, std::string());
      return failIfError(append(bytes.data(), bytes.size()));
    }
    return Status::ok();
  }

  uint64_t position() const override { return position_; }

  Result<StreamStateHandle> closeAndGetHandle() override {
    if (closed_) return Status::failedPrecondition("checkpoint state stream is closed");
    StreamStateHandle handle;
    handle.size = position_;
    handle.checksum = XXH64_digest(&hash_);
    if (!fd_.valid() && position_ < inlineThreshold_) {
      handle.isInline = true;
      handle.inlineBytes = std::move(inline_);
      closed_ = true;
      return handle;
    }
    if (!fd_.valid()) {
      WEIR_RETURN_IF_ERROR(failIfError(createFile()));
      const std::string bytes = std::exchange(inline_, std::string());
      WEIR_RETURN_IF_ERROR(failIfError(append(bytes.data(), bytes.size())));
    }
    WEIR_RETURN_IF_ERROR(failIfError(finishFile()));
    closed_ = true;  // the file now belongs to the handle
    handle.relativePath = relativePath_;
    return handle;
  }

  void discard() override {
    closed_ = true;
    inline_ = std::string();
    chunk_.reset();
    fd_.reset();
    if (!relativePath_.empty()) ::unlink(absolutePath_.c_str());
  }

 private:
  Status failIfError(Status status) {
    if (!status.isOk()) discard();
    return status;
  }

  // The file is created in the existing scope directory, never the directory
  // itself: a stream that outlives an aborted checkpoint must not recreate chk-N.
  Status createFile() {
    relativePath_ =
        relativeDirectory_.empty() ? randomFileName() : relativeDirectory_ + "/" + randomFileName();
    absolutePath_ = (jobDirectory_ / relativePath_).string();
    fd_ = FileDescriptor(::open(absolutePath_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd_.valid()) {
      Status status = errnoStatus(absolutePath_, "create");
      relativePath_.clear();  // nothing for discard() to delete
      return status;
    }
    // Set after open(): a file system without O_DIRECT (tmpfs) refuses it here,
    // and the stream goes on through the page cache.
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    direct_ = flags >= 0 && ::fcntl(fd_.get(), F_SETFL, flags | O_DIRECT) == 0;
    chunk_ = newAlignedChunk();
    chunkUsed_ = 0;
    return Status::ok();
  }

  // Adds bytes to the chunk, writing every chunk that fills up.
  Status append(const char* data, size_t size) {
    while (size > 0) {
      const size_t n = std::min(size, kWriteChunkBytes - chunkUsed_);
      std::memcpy(chunk_.get() + chunkUsed_, data, n);
      chunkUsed_ += n;
      data += n;
      size -= n;
      if (chunkUsed_ == kWriteChunkBytes) {
        WEIR_RETURN_IF_ERROR(writeAll(fd_.get(), std::string_view(chunk_.get(), chunkUsed_), absolutePath_));
        chunkUsed_ = 0;
      }
    }
    return Status::ok();
  }

  Status finishFile() {
    std::string_view rest(chunk_.get(), chunkUsed_);
    if (direct_) {
      // The aligned part of the last chunk still goes direct; the tail cannot.
      const size_t aligned = rest.size() / kDirectIoAlignment * kDirectIoAlignment;
      WEIR_RETURN_IF_ERROR(writeAll(fd_.get(), rest.substr(0, aligned), absolutePath_));
      rest.remove_prefix(aligned);
      if (!rest.empty()) {
        const int flags = ::fcntl(fd_.get(), F_GETFL);
        if (flags < 0 || ::fcntl(fd_.get(), F_SETFL, flags & ~O_DIRECT) != 0)
          return errnoStatus(absolutePath_, "turn off O_DIRECT on");
      }
    }
    WEIR_RETURN_IF_ERROR(writeAll(fd_.get(), rest, absolutePath_));
    chunk_.reset();
    WEIR_RETURN_IF_ERROR(syncFile(fd_.get(), absolutePath_));
    WEIR_RETURN_IF_ERROR(fd_.close(absolutePath_));
    if (syncDirectory_ == SyncDirectoryOnClose::kYes)
      return syncDirectory(jobDirectory_ / relativeDirectory_);
    return Status::ok();
  }

  const fs::path jobDirectory_;
  const std::string relativeDirectory_;  // "chk-3", "shared", "taskowned" or "" (a savepoint's)
  const uint64_t inlineThreshold_;
  const SyncDirectoryOnClose syncDirectory_;
  std::string inline_;        // all bytes, while the state is below the inline threshold
  AlignedChunk chunk_;        // once the file exists: bytes not yet in it
  size_t chunkUsed_ = 0;      // bytes in chunk_
  bool direct_ = false;       // the file is open with O_DIRECT
  uint64_t position_ = 0;     // bytes written so far
  XXH64_state_t hash_;        // of all bytes written so far
  FileDescriptor fd_;         // valid once the state outgrew the inline threshold
  std::string relativePath_;  // set once the file exists
  std::string absolutePath_;
  bool closed_ = false;
};

// Writes `dir`/_metadata atomically: temp file, fsync, rename, fsync of `dir` and of
// its parent (which makes `dir` itself durable).
Status writeMetadataFile(const fs::path& dir, const std::string& bytes) {
  // The leading dot keeps the temp file out of the way of anything that lists the directory.
  const std::string temp = (dir / ("." + std::string(kMetadataFileName) + "." + randomFileName())).string();
  const std::string target = (dir / kMetadataFileName).string();
  Status status = writeFileDurably(temp, bytes);
  if (status.isOk() && ::rename(temp.c_str(), target.c_str()) != 0) status = errnoStatus(target, "rename to");
  if (!status.isOk()) {
    ::unlink(temp.c_str());
    return status;
  }
  WEIR_RETURN_IF_ERROR(syncDirectory(dir));
  return syncDirectory(dir.parent_path());
}

// Deletes a checkpoint's (or an unfinished savepoint's) directory. Moved aside first:
// the asynchronous part of an aborted checkpoint may still be writing into it, and a
// file it created while the directory was being deleted left the directory behind
// ("Directory not empty"). After the rename its new files fail to open (the directory
// is gone) instead of racing the delete; a create already under way when the rename
// happened can still land in the moved directory, hence the second attempt.
Status discardDirectory(const fs::path& dir) {
  const fs::path trash =
      dir.parent_path() / ("." + dir.filename().string() + ".discarded." + randomFileName());
  std::error_code ec;
  fs::rename(dir, trash, ec);
  if (ec == std::errc::no_such_file_or_directory) return Status::ok();  // already gone
  if (ec) return Status::ioError(dir.string() + ": cannot move aside to delete it: " + ec.message());
  for (int attempt = 0; attempt < 2; ++attempt) {
    fs::remove_all(trash, ec);
    if (!ec) return Status::ok();
  }
  return Status::ioError(trash.string() + ": cannot delete: " + ec.message());
}

class FileStateReader final : public StateReader {
 public:
  explicit FileStateReader(fs::path jobDirectory) : jobDirectory_(std::move(jobDirectory)) {}

  Result<std::string> readAll(const StreamStateHandle& handle) override {
    if (handle.isInline) {
      WEIR_RETURN_IF_ERROR(verifyStateBytes(handle.inlineBytes, handle, "inline state"));
      return handle.inlineBytes;
    }
    if (!staysInsideJobDirectory(handle.relativePath)) {
      return Status::corruption("state file path '" + handle.relativePath +
                                "' is not inside the job directory " + jobDirectory_.string());
    }
    const std::string path = (jobDirectory_ / handle.relativePath).string();
    Result<std::string> bytes = readFile(path, handle.size);
    if (!bytes.isOk()) return bytes.status();
    WEIR_RETURN_IF_ERROR(verifyStateBytes(*bytes, handle, path));
    return std::move(bytes).value();
  }

 private:
  const fs::path jobDirectory_;
};

class FileSystemCheckpointStorage final : public CheckpointStorage {
 public:
  FileSystemCheckpointStorage(fs::path jobDirectory, uint64_t inlineThreshold)
      : jobDirectory_(std::move(jobDirectory)), inlineThreshold_(inlineThreshold) {}

  std::string describe() const override { return std::string(kFileUriPrefix) + jobDirectory_.string(); }

  Status initializeLocation(int64_t checkpointId) override {
    const fs::path dir = checkpointDirectory(checkpointId);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::ioError(dir.string() + ": cannot create directory: " + ec.message());
    return Status::ok();
  }

  Result<std::unique_ptr<CheckpointStateOutputStream>> createOutputStream(int64_t checkpointId,
                                                                          StateScope scope) override {
    std::string dir;
    SyncDirectoryOnClose sync = SyncDirectoryOnClose::kYes;
    switch (scope) {
      case StateScope::kExclusive:
        dir = checkpointDirName(checkpointId);
        sync = SyncDirectoryOnClose::kNo;  // writeMetadata syncs chk-N
        break;
      case StateScope::kShared:
        dir = kSharedDirName;
        break;
      case StateScope::kTaskOwned:
        dir = kTaskOwnedDirName;
        break;
    }
    return std::unique_ptr<CheckpointStateOutputStream>(
        std::make_unique<FileStateOutputStream>(jobDirectory_, std::move(dir), inlineThreshold_, sync));
  }

  Status writeMetadata(int64_t checkpointId, const std::string& bytes) override {
    WEIR_RETURN_IF_ERROR(initializeLocation(checkpointId));
    return writeMetadataFile(checkpointDirectory(checkpointId), bytes)
        .withContext("writing the metadata of checkpoint " + std::to_string(checkpointId));
  }

  Status discardLocation(int64_t checkpointId) override {
    return discardDirectory(checkpointDirectory(checkpointId));
  }

  std::unique_ptr<StateReader> createReader() override {
    return createFileStateReader(jobDirectory_.string());
  }

  Result<std::vector<int64_t>> listCompletedCheckpoints() override {
    std::vector<int64_t> ids;
    std::error_code ec;
    for (fs::directory_iterator it(jobDirectory_, ec), end; !ec && it != end; it.increment(ec)) {
      const std::optional<int64_t> id = parseCheckpointDirName(it->path().filename().native());
      std::error_code ignored;  // a chk-N without a readable _metadata is not complete
      if (id && fs::is_regular_file(it->path() / kMetadataFileName, ignored)) ids.push_back(*id);
    }
    if (ec) return Status::ioError(jobDirectory_.string() + ": cannot list: " + ec.message());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  Result<std::string> readMetadata(int64_t checkpointId) override {
    return readFile((checkpointDirectory(checkpointId) / kMetadataFileName).string());
  }

 private:
  fs::path checkpointDirectory(int64_t checkpointId) const {
    return jobDirectory_ / checkpointDirName(checkpointId);
  }

  const fs::path jobDirectory_;  // absolute
  const uint64_t inlineThreshold_;
};

// Routes the ids of savepoints in progress to their own directories, everything else
// to the job's checkpoint storage. A savepoint's files lie flat in its directory and
// are named relative to it, so the directory can be moved.
class StorageWithSavepoints final : public CheckpointStorage {
 public:
  StorageWithSavepoints(std::unique_ptr<CheckpointStorage> checkpoints, std::string jobId,
                        uint64_t inlineThreshold)
      : checkpoints_(std::move(checkpoints)), jobId_(std::move(jobId)), inlineThreshold_(inlineThreshold) {}

  std::string describe() const override { return checkpoints_->describe(); }
  std::string externalPointer(int64_t checkpointId) const override {
    if (std::optional<fs::path> dir = savepointDirectory(checkpointId)) return dir->string();
    return checkpoints_->externalPointer(checkpointId);
  }

  Result<std::string> initializeSavepointLocation(int64_t savepointId,
                                                  const std::string& targetDirectory) override {
    std::string_view target = targetDirectory;
    if (target.starts_with(kFileUriPrefix)) target.remove_prefix(kFileUriPrefix.size());
    if (target.empty()) return Status::invalidArgument("the savepoint directory is empty");
    std::error_code ec;
    const fs::path base = fs::absolute(target, ec).lexically_normal();
    if (ec) return Status::ioError(targetDirectory + ": cannot resolve: " + ec.message());
    fs::create_directories(base, ec);
    if (ec)
      return Status::ioError(base.string() + ": cannot create the savepoint directory: " + ec.message());
    // Flink's name: savepoint-<the job id's first 6 characters>-<12 random hex digits>.
    const fs::path dir = base / ("savepoint-" + jobId_.substr(0, 6) + "-" + randomFileName().substr(0, 12));
    if (!fs::create_directory(dir, ec) || ec) {
      return Status::ioError(dir.string() +
                             ": cannot create: " + (ec ? ec.message() : std::string("it already exists")));
    }
    std::lock_guard lock(mu_);
    savepoints_[savepointId] = dir;
    return dir.string();
  }

  Status initializeLocation(int64_t checkpointId) override {
    if (savepointDirectory(checkpointId)) return Status::ok();
    return checkpoints_->initializeLocation(checkpointId);
  }

  Result<std::unique_ptr<CheckpointStateOutputStream>> createOutputStream(int64_t checkpointId,
                                                                          StateScope scope) override {
    std::optional<fs::path> dir = savepointDirectory(checkpointId);
    if (!dir) return checkpoints_->createOutputStream(checkpointId, scope);
    if (scope != StateScope::kExclusive) {
      return Status::failedPrecondition("savepoint " + std::to_string(checkpointId) +
                                        " is self-contained: it has no shared or task-owned state");
    }
    return std::unique_ptr<CheckpointStateOutputStream>(
        std::make_unique<FileStateOutputStream>(*dir, "", inlineThreshold_, SyncDirectoryOnClose::kNo));
  }

  Status writeMetadata(int64_t checkpointId, const std::string& bytes) override {
    std::optional<fs::path> dir = savepointDirectory(checkpointId);
    if (!dir) return checkpoints_->writeMetadata(checkpointId, bytes);
    WEIR_RETURN_IF_ERROR(
        writeMetadataFile(*dir, bytes).withContext("writing the metadata of savepoint " + dir->string()));
    // Complete: from now on the savepoint belongs to the user, and nothing the job does
    // (subsuming, cleaning up at its end) can reach it.
    std::lock_guard lock(mu_);
    savepoints_.erase(checkpointId);
    return Status::ok();
  }

  Status discardLocation(int64_t checkpointId) override {
    std::optional<fs::path> dir = savepointDirectory(checkpointId);
    if (!dir) return checkpoints_->discardLocation(checkpointId);
    {
      std::lock_guard lock(mu_);
      savepoints_.erase(checkpointId);
    }
    return discardDirectory(*dir);  // an unfinished savepoint: the job created all of it
  }

  std::unique_ptr<StateReader> createReader() override { return checkpoints_->createReader(); }
  Result<std::vector<int64_t>> listCompletedCheckpoints() override {
    return checkpoints_->listCompletedCheckpoints();
  }
  Result<std::string> readMetadata(int64_t checkpointId) override {
    return checkpoints_->readMetadata(checkpointId);
  }

 private:
  std::optional<fs::path> savepointDirectory(int64_t id) const {
    std::lock_guard lock(mu_);
    auto it = savepoints_.find(id);
    if (it == savepoints_.end()) return std::nullopt;
    return it->second;
  }

  const std::unique_ptr<CheckpointStorage> checkpoints_;
  const std::string jobId_;
  const uint64_t inlineThreshold_;
  mutable std::mutex mu_;
  std::map<int64_t, fs::path> savepoints_;  // guarded by mu_: savepoints in progress
};

}  // namespace

std::unique_ptr<CheckpointStorage> withSavepoints(std::unique_ptr<CheckpointStorage> checkpoints,
                                                  const std::string& jobId, uint64_t inlineThreshold) {
  return std::make_unique<StorageWithSavepoints>(std::move(checkpoints), jobId, inlineThreshold);
}

Result<std::unique_ptr<CheckpointStorage>> createFileSystemCheckpointStorage(const std::string& baseDir,
                                                                             const std::string& jobId,
                                                                             uint64_t inlineThreshold) {
  std::string_view base = baseDir;
  if (base.starts_with(kFileUriPrefix)) base.remove_prefix(kFileUriPrefix.size());
  if (base.empty()) return Status::invalidArgument("the checkpoint directory is empty");
  if (jobId.empty() || jobId == "." || jobId == ".." || jobId.find('/') != std::string::npos) {
    return Status::invalidArgument("job id '" + jobId + "' cannot name a checkpoint directory");
  }
  std::error_code ec;
  const fs::path jobDirectory = (fs::absolute(base, ec) / jobId).lexically_normal();
  if (ec) return Status::ioError(baseDir + ": cannot resolve: " + ec.message());
  for (std::string_view sub : {kSharedDirName, kTaskOwnedDirName}) {
    const fs::path dir = jobDirectory / sub;
    fs::create_directories(dir, ec);
    if (ec) return Status::ioError(dir.string() + ": cannot create directory: " + ec.message());
  }
  return std::unique_ptr<CheckpointStorage>(
      std::make_unique<FileSystemCheckpointStorage>(jobDirectory, inlineThreshold));
}

std::unique_ptr<StateReader> createFileStateReader(const std::string& jobDirectory) {
  return std::make_unique<FileStateReader>(jobDirectory);
}

Result<ResolvedCheckpoint> resolveCheckpointPath(const std::string& path) {
  if (path.empty()) return Status::invalidArgument("the checkpoint path is empty");
  std::error_code ec;
  fs::path target = fs::absolute(path, ec).lexically_normal();
  if (ec) return Status::ioError(path + ": cannot resolve: " + ec.message());
  if (!target.has_filename()) target = target.parent_path();  // "chk-3/"

  const fs::file_status status = fs::status(target, ec);
  if (status.type() == fs::file_type::not_found)
    return Status::notFound(path + ": no such file or directory");
  if (ec) return Status::ioError(path + ": cannot access: " + ec.message());
  fs::path checkpointDirectory = target.parent_path();
  fs::path metadataFile = target;
  if (fs::is_directory(status)) {
    checkpointDirectory = target;
    metadataFile = target / kMetadataFileName;
    if (fs::status(metadataFile, ec).type() == fs::file_type::not_found) {
      return Status::notFound(target.string() + " is not a completed checkpoint: no " +
                              std::string(kMetadataFileName));
    }
  }

  Result<std::string> bytes = readFile(metadataFile.string());
  if (!bytes.isOk()) return bytes.status();
  // Parsed here too so that a bad path fails when the user gives it, with the file named.
  Result<CheckpointMetadata> metadata = deserializeMetadata(*bytes, metadataFile.string());
  if (!metadata.isOk()) return metadata.status();
  // A checkpoint's files are named relative to its job directory (chk-N/...), a
  // savepoint's relative to its own directory (it is self-contained and movable).
  const fs::path base =
      metadata->kind == SnapshotKind::kSavepoint ? checkpointDirectory : checkpointDirectory.parent_path();
  return ResolvedCheckpoint{base.string(), checkpointDirectory.string(), metadata->checkpointId,
                            std::move(bytes).value()};
}

namespace {

// Which of the files a snapshot's metadata names a deletion may touch.
enum class OutsideFiles {
  kRefuse,  // a savepoint is self-contained: a file elsewhere means forged metadata
  kKeep,    // a checkpoint's shared files (other checkpoints of its job may name them)
};

// Deletes the snapshot `resolved`: the files its metadata names inside its own directory,
// then its _metadata, then the directory if it is empty. Every path is checked before
// anything is deleted.
Result<DisposedSavepoint> deleteSnapshot(const ResolvedCheckpoint& resolved,
                                         const CheckpointMetadata& metadata, OutsideFiles outside) {
  const fs::path jobDir = fs::path(resolved.jobDirectory).lexically_normal();
  const fs::path ownDir = fs::path(resolved.snapshotDirectory).lexically_normal();
  const std::string metadataPath = (ownDir / kMetadataFileName).string();
  std::set<fs::path> files;
  auto add = [&](const StreamStateHandle& h) -> Status {
    if (h.isInline) return Status::ok();
    if (!staysInsideJobDirectory(h.relativePath)) {
      return Status::corruption(metadataPath + ": state file path '" + h.relativePath + "' is not inside " +
                                jobDir.string() + "; nothing was deleted");
    }
    const fs::path file = (jobDir / h.relativePath).lexically_normal();
    const fs::path rel = file.lexically_relative(ownDir);
    const bool inside = !rel.empty() && *rel.begin() != "..";
    if (inside) {
      files.insert(file);
    } else if (outside == OutsideFiles::kRefuse) {
      return Status::corruption(metadataPath + ": state file path '" + h.relativePath +
                                "' is not inside the savepoint directory; nothing was deleted");
    }
    return Status::ok();
  };
  for (const OperatorState& op : metadata.operators) {
    for (const auto& [subtask, state] : op.subtaskStates) {
      for (const KeyGroupsStateHandle& h : state.keyedState) WEIR_RETURN_IF_ERROR(add(h.stream));
      for (const OperatorStateHandle& h : state.operatorState) WEIR_RETURN_IF_ERROR(add(h.stream));
      for (const ChannelStateHandle& h : state.channelState) WEIR_RETURN_IF_ERROR(add(h.stream));
    }
  }
  DisposedSavepoint out;
  out.directory = ownDir.string();
  for (const fs::path& p : files) {
    std::error_code ec;
    if (fs::remove(p, ec)) ++out.filesDeleted;
    if (ec) return Status::ioError(p.string() + ": cannot delete: " + ec.message());
  }
  // The metadata last: until it goes, the snapshot is still recognisable (and a second
  // deletion finishes what a failed one started).
  std::error_code ec;
  if (!fs::remove(metadataPath, ec) || ec)
    return Status::ioError(metadataPath + ": cannot delete: " + (ec ? ec.message() : "it vanished"));
  ++out.filesDeleted;
  for (fs::directory_iterator it(ownDir, ec), end; !ec && it != end; it.increment(ec))
    out.leftOver.push_back(it->path().filename().string());
  std::sort(out.leftOver.begin(), out.leftOver.end());
  if (out.leftOver.empty()) out.directoryRemoved = fs::remove(ownDir, ec) && !ec;
  return out;
}

}  // namespace

Result<DisposedSavepoint> disposeSavepoint(const std::string& path) {
  Result<ResolvedCheckpoint> resolved = resolveCheckpointPath(path);
  if (!resolved.isOk()) return resolved.status();
  Result<CheckpointMetadata> metadata = deserializeMetadata(resolved->metadataBytes, path);
  if (!metadata.isOk()) return metadata.status();
  if (metadata->kind != SnapshotKind::kSavepoint) {
    return Status::invalidArgument(path + " is a checkpoint of job " + metadata->jobId +
                                   ", not a savepoint: --dispose deletes savepoints only (the job that owns "
                                   "a checkpoint deletes it)");
  }
  return deleteSnapshot(*resolved, *metadata, OutsideFiles::kRefuse);
}

Result<DisposedSavepoint> discardClaimedSnapshot(const std::string& path) {
  Result<ResolvedCheckpoint> resolved = resolveCheckpointPath(path);
  if (!resolved.isOk()) return resolved.status();
  Result<CheckpointMetadata> metadata = deserializeMetadata(resolved->metadataBytes, path);
  if (!metadata.isOk()) return metadata.status();
  return deleteSnapshot(
      *resolved, *metadata,
      metadata->kind == SnapshotKind::kSavepoint ? OutsideFiles::kRefuse : OutsideFiles::kKeep);
}

}  // namespace weir::checkpoint
