// Checkpoint storage: where checkpoint data and metadata live (Flink's
// CheckpointStorage, CheckpointStorageLocation, CheckpointStreamFactory).
//
// Layout of the file-system storage (`execution.checkpointing.dir`):
//   <dir>/<job-id>/chk-<N>/_metadata   the checkpoint's metadata (written last, atomically)
//   <dir>/<job-id>/chk-<N>/<files>     state exclusive to checkpoint N
//   <dir>/<job-id>/shared/             state shared by checkpoints (incremental, later)
//   <dir>/<job-id>/taskowned/          state owned by tasks (later)
// Handles name files relative to <dir>/<job-id>. A savepoint (withSavepoints) is a
// directory of its own, anywhere (`execution.checkpointing.savepoint-dir`):
//   <target>/savepoint-<job id prefix>-<random>/_metadata and its files, named relative to it.
//
// A CheckpointStateOutputStream collects bytes for one piece of state and, on
// closeAndGetHandle(), returns a handle: inline bytes when the state is smaller
// than the inline threshold, else a file written completely (fsync'ed) before
// the handle is returned. Threading: a stream is used by one thread (the async
// snapshot thread); storage methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <weir/core/status.h>

#include "checkpoint/state_handles.h"

namespace weir::checkpoint {

enum class StateScope { kExclusive, kShared, kTaskOwned };

class CheckpointStateOutputStream {
 public:
  virtual ~CheckpointStateOutputStream() = default;
  virtual Status write(const void* data, size_t size) = 0;
  virtual uint64_t position() const = 0;
  // Finishes the state: flushes and fsyncs a file, or keeps the bytes inline.
  virtual Result<StreamStateHandle> closeAndGetHandle() = 0;
  // Abandons the state: deletes a partly written file.
  virtual void discard() = 0;
};

// Reads back the bytes a handle names, verifying size and checksum.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual Result<std::string> readAll(const StreamStateHandle& handle) = 0;
};

class CheckpointStorage {
 public:
  virtual ~CheckpointStorage() = default;
  // A description for messages ("file:///tmp/ckpt/3f2a...", "memory").
  virtual std::string describe() const = 0;
  // Where checkpoint `id` can be found from outside the job (its chk-N directory), as
  // the REST API and `weir run -s` show it.
  virtual std::string externalPointer(int64_t checkpointId) const {
    return describe() + "/chk-" + std::to_string(checkpointId);
  }

  // Savepoints: creates the directory of savepoint `id`,
  // <targetDirectory>/savepoint-<job id's first 6 characters>-<12 random hex digits>, and
  // returns its absolute path. From then on every other method takes `id` to mean that
  // directory: the savepoint's files lie flat in it, named relative to it (so it can be
  // moved), and its _metadata goes there. Once the metadata is written the storage forgets
  // the location: nothing the job does afterwards deletes a complete savepoint.
  // discardLocation(id) before that deletes the unfinished directory.
  virtual Result<std::string> initializeSavepointLocation(int64_t id, const std::string& targetDirectory) {
    (void)id;
    (void)targetDirectory;
    return Status::failedPrecondition(describe() + " cannot write savepoints");
  }

  // Creates the location of checkpoint `id` (the chk-N directory).
  virtual Status initializeLocation(int64_t checkpointId) = 0;
  virtual Result<std::unique_ptr<CheckpointStateOutputStream>> createOutputStream(int64_t checkpointId,
                                                                                  StateScope scope) = 0;
  // Writes `_metadata` of checkpoint `id` atomically (temp file, fsync, rename, fsync of the
  // directory): after it returns OK the checkpoint survives a crash, before it never half-exists.
  virtual Status writeMetadata(int64_t checkpointId, const std::string& bytes) = 0;
  // Deletes everything of checkpoint `id` (aborted or subsumed checkpoints).
  virtual Status discardLocation(int64_t checkpointId) = 0;
  virtual std::unique_ptr<StateReader> createReader() = 0;
  // Ids of the checkpoints whose metadata is complete, ascending.
  virtual Result<std::vector<int64_t>> listCompletedCheckpoints() = 0;
  virtual Result<std::string> readMetadata(int64_t checkpointId) = 0;
};

// <baseDir>/<jobId>; state smaller than `inlineThreshold` bytes stays in the metadata.
Result<std::unique_ptr<CheckpointStorage>> createFileSystemCheckpointStorage(const std::string& baseDir,
                                                                             const std::string& jobId,
                                                                             uint64_t inlineThreshold);
// Reads the state of checkpoints in `jobDirectory` (the directory file handles are
// relative to, e.g. ResolvedCheckpoint::jobDirectory) without creating anything there.
std::unique_ptr<StateReader> createFileStateReader(const std::string& jobDirectory);
// `checkpoints` plus savepoint locations (initializeSavepointLocation) on the file
// system, whatever `checkpoints` keeps its checkpoints in; `jobId` names them.
std::unique_ptr<CheckpointStorage> withSavepoints(std::unique_ptr<CheckpointStorage> checkpoints,
                                                  const std::string& jobId, uint64_t inlineThreshold);
// Keeps everything in memory; for tests.
std::unique_ptr<CheckpointStorage> createMemoryCheckpointStorage(uint64_t inlineThreshold);

// The checkpoint or savepoint directory (or its _metadata file) a user passes to
// `weir run -s`: reads and returns the metadata bytes and the directory its handles are
// relative to (a checkpoint's job directory; a savepoint's own directory).
struct ResolvedCheckpoint {
  std::string jobDirectory;
  std::string snapshotDirectory;  // where its _metadata is (chk-N, or the savepoint's own)
  int64_t checkpointId = 0;
  std::string metadataBytes;
};
Result<ResolvedCheckpoint> resolveCheckpointPath(const std::string& path);

// What deleting a snapshot did: its directory, the files deleted and whether the
// directory went too (else leftOver lists what kept it).
struct DisposedSavepoint {
  std::string directory;
  int filesDeleted = 0;  // including _metadata
  bool directoryRemoved = false;
  std::vector<std::string> leftOver;
};
// `weir savepoint --dispose <path>`: deletes the savepoint at `path` (its directory or
// _metadata) and nothing else: the state files its metadata names, then the _metadata,
// then the directory if nothing else is in it. A checkpoint is refused (its job owns
// it), and so is metadata naming a file outside the directory, before anything is deleted.
Result<DisposedSavepoint> disposeSavepoint(const std::string& path);
// Claim mode CLAIM (`weir run -s <path> --claim-mode claim`): the job owns the checkpoint
// or savepoint it was started from, and deletes it as it deletes its own once it is
// subsumed or the job ends: the files its metadata names inside its directory, then the
// _metadata, then the directory if nothing else is in it. Files its metadata names
// outside its directory but inside the job directory (shared/, none today) stay: other
// checkpoints may name them. A file outside the job directory refuses the whole deletion.
Result<DisposedSavepoint> discardClaimedSnapshot(const std::string& path);

}  // namespace weir::checkpoint
