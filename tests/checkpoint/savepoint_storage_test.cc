// Savepoint locations (withSavepoints) and disposal: a savepoint is a directory of its
// own with Flink's name, its files flat and named relative to it, so it restores after
// being moved; once its metadata is written nothing the job does deletes it; an
// unfinished one is deleted whole; dispose deletes exactly the savepoint's files and
// refuses checkpoints and forged paths before deleting anything; a claimed checkpoint
// (claim mode CLAIM) is deleted with exactly its own directory's files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"

namespace weir::checkpoint {
namespace {

namespace fs = std::filesystem;

StreamStateHandle writeState(CheckpointStorage& storage, int64_t id, const std::string& bytes) {
  auto stream = storage.createOutputStream(id, StateScope::kExclusive);
  EXPECT_TRUE(stream.isOk()) << stream.status().toString();
  EXPECT_TRUE((*stream)->write(bytes.data(), bytes.size()).isOk());
  Result<StreamStateHandle> handle = (*stream)->closeAndGetHandle();
  EXPECT_TRUE(handle.isOk()) << handle.status().toString();
  return handle.isOk() ? *handle : StreamStateHandle{};
}

// Metadata whose one operator's subtask 0 has `handle` as operator state.
CheckpointMetadata metadataWith(int64_t id, SnapshotKind kind, const StreamStateHandle& handle) {
  CheckpointMetadata md{id, "3f2a9c000000", "job", 1, kind, {}};
  OperatorState op;
  op.operatorId = "count";
  OperatorStateHandle h;
  h.stream = handle;
  op.subtaskStates[0].operatorState.push_back(h);
  md.operators.push_back(op);
  return md;
}

class SavepointStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("weir_savepoint_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(base_);
    storage_ = withSavepoints(createMemoryCheckpointStorage(/*inlineThreshold=*/16), "3f2a9c000000", 16);
  }
  void TearDown() override { fs::remove_all(base_); }

  // A complete savepoint 7 with one 1000-byte state file; its directory.
  fs::path completeSavepoint() {
    Result<std::string> dir = storage_->initializeSavepointLocation(7, (base_ / "sp").string());
    EXPECT_TRUE(dir.isOk()) << dir.status().toString();
    state_ = writeState(*storage_, 7, std::string(1000, 'x'));
    EXPECT_TRUE(
        storage_->writeMetadata(7, serializeMetadata(metadataWith(7, SnapshotKind::kSavepoint, state_)))
            .isOk());
    return *dir;
  }

  static inline int counter_ = 0;
  fs::path base_;
  std::unique_ptr<CheckpointStorage> storage_;
  StreamStateHandle state_;
};

TEST_F(SavepointStorageTest, ASavepointIsASelfContainedDirectoryThatSurvivesTheJob) {
  const fs::path dir = completeSavepoint();
  EXPECT_EQ(dir.parent_path(), base_ / "sp");
  const std::string name = dir.filename().string();
  ASSERT_EQ(name.size(), std::string("savepoint-3f2a9c-").size() + 12) << name;
  EXPECT_EQ(name.substr(0, 17), "savepoint-3f2a9c-");
  EXPECT_FALSE(state_.isInline);
  EXPECT_EQ(state_.relativePath.find('/'), std::string::npos) << "named relative to the savepoint";
  EXPECT_TRUE(fs::exists(dir / "_metadata"));
  EXPECT_TRUE(fs::exists(dir / state_.relativePath));
  // Complete: the job's clean-up of "checkpoint 7" no longer reaches it.
  EXPECT_TRUE(storage_->discardLocation(7).isOk());
  EXPECT_TRUE(fs::exists(dir / "_metadata"));
  EXPECT_EQ(storage_->externalPointer(7), "<checkpoint-not-externally-addressable>")
      << "the id means the job's own checkpoint storage again";
}

TEST_F(SavepointStorageTest, AMovedSavepointResolvesAndReads) {
  const fs::path dir = completeSavepoint();
  const fs::path moved = base_ / "elsewhere" / "mine";
  fs::create_directories(moved.parent_path());
  fs::rename(dir, moved);
  Result<ResolvedCheckpoint> resolved = resolveCheckpointPath(moved.string());
  ASSERT_TRUE(resolved.isOk()) << resolved.status().toString();
  EXPECT_EQ(resolved->jobDirectory, moved.string()) << "a savepoint's handles are relative to itself";
  Result<std::string> bytes = createFileStateReader(resolved->jobDirectory)->readAll(state_);
  ASSERT_TRUE(bytes.isOk()) << bytes.status().toString();
  EXPECT_EQ(*bytes, std::string(1000, 'x'));
}

TEST_F(SavepointStorageTest, AnUnfinishedSavepointIsDeletedWhole) {
  Result<std::string> dir = storage_->initializeSavepointLocation(8, (base_ / "sp").string());
  ASSERT_TRUE(dir.isOk());
  writeState(*storage_, 8, std::string(1000, 'y'));
  EXPECT_EQ(storage_->externalPointer(8), *dir);
  ASSERT_TRUE(storage_->discardLocation(8).isOk());
  EXPECT_FALSE(fs::exists(*dir));
  EXPECT_TRUE(fs::exists(base_ / "sp")) << "the target directory is the user's";
}

TEST_F(SavepointStorageTest, SavepointsHaveNoSharedState) {
  ASSERT_TRUE(storage_->initializeSavepointLocation(9, (base_ / "sp").string()).isOk());
  auto shared = storage_->createOutputStream(9, StateScope::kShared);
  ASSERT_FALSE(shared.isOk());
  EXPECT_NE(shared.status().message().find("self-contained"), std::string::npos);
}

TEST_F(SavepointStorageTest, AnUnwritableTargetIsReported) {
  std::ofstream(base_.string() + "-file") << "x";
  Result<std::string> dir = storage_->initializeSavepointLocation(10, base_.string() + "-file/sub");
  ASSERT_FALSE(dir.isOk());
  EXPECT_NE(dir.status().message().find("-file"), std::string::npos) << dir.status().message();
  fs::remove(base_.string() + "-file");
}

TEST_F(SavepointStorageTest, DisposeDeletesTheSavepointAndNothingElse) {
  const fs::path dir = completeSavepoint();
  std::ofstream(dir / "notes.txt") << "mine";
  Result<DisposedSavepoint> done = disposeSavepoint((dir / "_metadata").string());
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  EXPECT_EQ(done->filesDeleted, 2);
  EXPECT_FALSE(done->directoryRemoved);
  EXPECT_EQ(done->leftOver, std::vector<std::string>{"notes.txt"});
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  EXPECT_FALSE(fs::exists(dir / "_metadata"));
  fs::remove(dir / "notes.txt");

  const fs::path second = completeSavepoint();
  done = disposeSavepoint(second.string());
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  EXPECT_TRUE(done->directoryRemoved);
  EXPECT_FALSE(fs::exists(second));
  EXPECT_TRUE(fs::exists(base_ / "sp"));
}

TEST_F(SavepointStorageTest, DisposeRefusesCheckpointsAndForgedPathsBeforeDeletingAnything) {
  auto files = createFileSystemCheckpointStorage(base_.string(), "job1", 16);
  ASSERT_TRUE(files.isOk());
  ASSERT_TRUE((*files)->initializeLocation(3).isOk());
  StreamStateHandle h = writeState(**files, 3, std::string(100, 'z'));
  ASSERT_TRUE(
      (*files)->writeMetadata(3, serializeMetadata(metadataWith(3, SnapshotKind::kCheckpoint, h))).isOk());
  Result<DisposedSavepoint> refused = disposeSavepoint((base_ / "job1" / "chk-3").string());
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("not a savepoint"), std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(fs::exists(base_ / "job1" / "chk-3" / "_metadata"));

  // A savepoint whose metadata names a file outside its directory (a victim next to it).
  const fs::path dir = completeSavepoint();
  std::ofstream(base_ / "sp" / "victim") << "keep me";
  StreamStateHandle forged = state_;
  forged.relativePath = "../victim";
  CheckpointMetadata md = metadataWith(7, SnapshotKind::kSavepoint, state_);
  OperatorStateHandle extra;
  extra.stream = forged;
  md.operators[0].parallelism = 2;
  md.operators[0].subtaskStates[1].operatorState.push_back(extra);
  std::ofstream(dir / "_metadata", std::ios::binary | std::ios::trunc) << serializeMetadata(md);
  refused = disposeSavepoint(dir.string());
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find("nothing was deleted"), std::string::npos);
  EXPECT_TRUE(fs::exists(base_ / "sp" / "victim"));
  EXPECT_TRUE(fs::exists(dir / state_.relativePath));
}

TEST_F(SavepointStorageTest, AClaimedCheckpointIsDeletedWithItsOwnFilesOnly) {
  auto files = createFileSystemCheckpointStorage(base_.string(), "job1", 16);
  ASSERT_TRUE(files.isOk());
  for (int64_t id : {3, 4}) {
    ASSERT_TRUE((*files)->initializeLocation(id).isOk());
    StreamStateHandle h = writeState(**files, id, std::string(100, 'z'));
    CheckpointMetadata md = metadataWith(id, SnapshotKind::kCheckpoint, h);
    if (id == 3) {
      // A file in shared/ that other checkpoints of job1 could name too.
      auto shared = (*files)->createOutputStream(id, StateScope::kShared);
      ASSERT_TRUE(shared.isOk());
      ASSERT_TRUE((*shared)->write(std::string(100, 's').data(), 100).isOk());
      OperatorStateHandle extra;
      extra.stream = *(*shared)->closeAndGetHandle();
      md.operators[0].parallelism = 2;
      md.operators[0].subtaskStates[1].operatorState.push_back(extra);
    }
    ASSERT_TRUE((*files)->writeMetadata(id, serializeMetadata(md)).isOk());
  }
  const size_t sharedFiles = size_t(std::distance(fs::directory_iterator(base_ / "job1" / "shared"), {}));
  ASSERT_EQ(sharedFiles, 1u);

  Result<DisposedSavepoint> done = discardClaimedSnapshot((base_ / "job1" / "chk-3").string());
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  EXPECT_EQ(done->filesDeleted, 2) << "its state file and its _metadata";
  EXPECT_TRUE(done->directoryRemoved);
  EXPECT_FALSE(fs::exists(base_ / "job1" / "chk-3"));
  EXPECT_TRUE(fs::exists(base_ / "job1" / "chk-4" / "_metadata")) << "its sibling is not claimed";
  EXPECT_EQ(size_t(std::distance(fs::directory_iterator(base_ / "job1" / "shared"), {})), sharedFiles)
      << "shared files stay";

  // A claimed savepoint goes whole.
  const fs::path sp = completeSavepoint();
  done = discardClaimedSnapshot(sp.string());
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  EXPECT_TRUE(done->directoryRemoved);
  EXPECT_FALSE(fs::exists(sp));
}

}  // namespace
}  // namespace weir::checkpoint
