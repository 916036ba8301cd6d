// CheckpointCoordinator interleavings that whole-job tests cannot force: a
// checkpoint whose metadata write is slow keeps its concurrency slot, and a
// completion that arrives after a newer checkpoint completed is discarded
// instead of replacing it; a claimed restored checkpoint is subsumed like the job's
// own, an unclaimed one never.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <vector>

#include "cluster/checkpoint_coordinator.h"

namespace weir::cluster {
namespace {

using namespace std::chrono_literals;

// Memory storage whose metadata write of one checkpoint blocks until released.
class GatedStorage final : public checkpoint::CheckpointStorage {
 public:
  explicit GatedStorage(int64_t gatedId)
      : inner_(checkpoint::createMemoryCheckpointStorage(0)), gated_(gatedId) {}
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool waitUntilBlocked() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return blocked_; });
  }
  std::set<int64_t> discarded() {
    std::lock_guard lock(mu_);
    return discarded_;
  }

  std::string describe() const override { return "gated"; }
  Status initializeLocation(int64_t id) override { return inner_->initializeLocation(id); }
  Result<std::unique_ptr<checkpoint::CheckpointStateOutputStream>> createOutputStream(
      int64_t id, checkpoint::StateScope scope) override {
    return inner_->createOutputStream(id, scope);
  }
  Status writeMetadata(int64_t id, const std::string& bytes) override {
    if (id == gated_) {
      std::unique_lock lock(mu_);
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return inner_->writeMetadata(id, bytes);
  }
  Status discardLocation(int64_t id) override {
    {
      std::lock_guard lock(mu_);
      discarded_.insert(id);
    }
    return inner_->discardLocation(id);
  }
  std::unique_ptr<checkpoint::StateReader> createReader() override { return inner_->createReader(); }
  Result<std::vector<int64_t>> listCompletedCheckpoints() override {
    return inner_->listCompletedCheckpoints();
  }
  Result<std::string> readMetadata(int64_t id) override { return inner_->readMetadata(id); }

 private:
  std::unique_ptr<checkpoint::CheckpointStorage> inner_;
  const int64_t gated_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool released_ = false;
  std::set<int64_t> discarded_;
};

class RecordingGateway final : public CheckpointCoordinatorGateway {
 public:
  bool allTasksRunning() override { return true; }
  std::map<std::string, std::string> triggerSourceTasks(int64_t, int64_t, SnapshotType) override {
    return {};
  }
  void notifyCheckpointComplete(int64_t id) override {
    std::lock_guard lock(mu_);
    completed.push_back(id);
  }
  void notifyCheckpointAborted(int64_t) override {}
  void failJob(const std::string&) override {}
  std::vector<int64_t> completedIds() {
    std::lock_guard lock(mu_);
    return completed;
  }

 private:
  std::mutex mu_;
  std::vector<int64_t> completed;
};

CheckpointCoordinatorOptions manualOptions(int maxConcurrent) {
  CheckpointCoordinatorOptions o;
  o.interval = std::chrono::milliseconds(0);  // no scheduler: triggered by hand
  o.maxConcurrent = maxConcurrent;
  return o;
}

void ack(CheckpointCoordinator& c, int64_t id) {
  c.acknowledge(0, 0, id, {}, runtime::SubtaskCheckpointMetrics{});
}

TEST(CheckpointCoordinatorTest, ACheckpointKeepsItsSlotWhileItsMetadataIsWritten) {
  GatedStorage storage(1);
  RecordingGateway gateway;
  CheckpointCoordinator c(manualOptions(1), "job", "job", storage, gateway, {{"op", "op", 1, 128}}, 1);
  c.start();
  ASSERT_EQ(c.triggerCheckpoint().value(), 1);
  auto completing = std::async(std::launch::async, [&] { ack(c, 1); });
  ASSERT_TRUE(storage.waitUntilBlocked());
  // A user's request waits for the slot (as in Flink) instead of being refused...
  auto second = std::async(std::launch::async, [&] { return c.triggerCheckpoint(); });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "checkpoint 1 is not complete yet: no second one may start";
  storage.release();
  completing.get();
  // ...and starts once checkpoint 1 is complete.
  Result<int64_t> id = second.get();
  ASSERT_TRUE(id.isOk()) << id.status().toString();
  EXPECT_EQ(id.value(), 2);
  EXPECT_EQ(c.latestCompleted()->checkpointId, 1);
  c.shutdown();
}

TEST(CheckpointCoordinatorTest, ARequestThatGetsNoSlotWithinTheTimeoutFailsClearly) {
  GatedStorage storage(-1);
  RecordingGateway gateway;
  CheckpointCoordinatorOptions o = manualOptions(1);
  o.timeout = std::chrono::milliseconds(50);
  CheckpointCoordinator c(o, "job", "job", storage, gateway, {{"op", "op", 1, 128}}, 1);
  c.start();
  ASSERT_EQ(c.triggerCheckpoint().value(), 1);  // never acknowledged (no scheduler expires it)
  Result<int64_t> second = c.triggerCheckpoint();
  ASSERT_FALSE(second.isOk());
  EXPECT_NE(second.status().message().find("no checkpoint slot became free"), std::string::npos)
      << second.status().toString();
  c.shutdown();
}

TEST(CheckpointCoordinatorTest, ACompletionOlderThanTheLatestIsDiscarded) {
  GatedStorage storage(1);
  RecordingGateway gateway;
  CheckpointCoordinator c(manualOptions(2), "job", "job", storage, gateway, {{"op", "op", 1, 128}}, 1);
  c.start();
  ASSERT_EQ(c.triggerCheckpoint().value(), 1);
  ASSERT_EQ(c.triggerCheckpoint().value(), 2);
  auto completing = std::async(std::launch::async, [&] { ack(c, 1); });
  ASSERT_TRUE(storage.waitUntilBlocked());
  ack(c, 2);  // completes while 1's metadata is still being written
  EXPECT_EQ(c.latestCompleted()->checkpointId, 2);
  storage.release();
  completing.get();
  EXPECT_EQ(c.latestCompleted()->checkpointId, 2) << "the late checkpoint 1 must not replace 2";
  EXPECT_EQ(c.retainedCheckpoints(), (std::vector<int64_t>{2}));
  EXPECT_EQ(gateway.completedIds(), (std::vector<int64_t>{2})) << "tasks must not hear of the stale one";
  EXPECT_TRUE(storage.discarded().count(1)) << "the stale checkpoint's files are deleted";
  EXPECT_FALSE(storage.discarded().count(2));
  c.shutdown();
}

// A coordinator retaining `numRetained` checkpoints, started after a restore of
// checkpoint `restoredId` of another job in `mode`; counts the restored one's deletions.
struct RestoredCoordinator {
  RestoredCoordinator(int numRetained, int64_t restoredId, ClaimMode mode)
      : coordinator(options(numRetained), "job", "job", storage, gateway, {{"op", "op", 1, 128}}, 1) {
    checkpoint::CheckpointMetadata m;
    m.checkpointId = restoredId;
    m.jobId = "old-job";
    coordinator.restoredFrom(m, mode, [this] {
      ++restoredDeletes;
      return Status::ok();
    });
    coordinator.start();
  }
  ~RestoredCoordinator() { coordinator.shutdown(); }
  static CheckpointCoordinatorOptions options(int numRetained) {
    CheckpointCoordinatorOptions o = manualOptions(1);
    o.numRetained = numRetained;
    return o;
  }
  // Triggers and acknowledges the next checkpoint, which must get id `id`.
  void complete(int64_t id) {
    ASSERT_EQ(coordinator.triggerCheckpoint().value(), id);
    ack(coordinator, id);
  }

  GatedStorage storage{-1};
  RecordingGateway gateway;
  CheckpointCoordinator coordinator;
  int restoredDeletes = 0;
};

TEST(CheckpointCoordinatorTest, AClaimedRestoredCheckpointIsDeletedOnceSubsumed) {
  RestoredCoordinator r(2, 7, ClaimMode::kClaim);
  EXPECT_EQ(r.coordinator.retainedCheckpoints(), (std::vector<int64_t>{7}));
  EXPECT_EQ(r.coordinator.claimedCheckpoint(), 7);
  r.complete(8);  // numbering continues after the restored checkpoint
  EXPECT_EQ(r.restoredDeletes, 0) << "two retained: 7 and 8";
  r.complete(9);
  EXPECT_EQ(r.restoredDeletes, 1) << "9 subsumes the claimed 7";
  EXPECT_FALSE(r.storage.discarded().count(7)) << "7 is not in this job's storage";
  EXPECT_EQ(r.coordinator.claimedCheckpoint(), std::nullopt);
  r.complete(10);
  EXPECT_EQ(r.restoredDeletes, 1);
  EXPECT_TRUE(r.storage.discarded().count(8)) << "the job's own are subsumed from its storage";
}

TEST(CheckpointCoordinatorTest, AnUnclaimedRestoredCheckpointIsNeverDeleted) {
  RestoredCoordinator r(1, 3, ClaimMode::kNoClaim);
  EXPECT_TRUE(r.coordinator.retainedCheckpoints().empty());
  EXPECT_EQ(r.coordinator.latestCompleted()->checkpointId, 3)
      << "a failure before the first checkpoint restores it";
  for (int64_t id = 4; id <= 6; ++id) r.complete(id);
  r.coordinator.discardRetained();
  EXPECT_EQ(r.restoredDeletes, 0);
  EXPECT_FALSE(r.storage.discarded().count(3));
  EXPECT_TRUE(r.storage.discarded().count(6)) << "discardRetained deletes the job's own";
}

TEST(CheckpointCoordinatorTest, AClaimedCheckpointStillRetainedGoesWithTheJobsOwn) {
  RestoredCoordinator r(3, 1, ClaimMode::kClaim);
  r.complete(2);
  r.coordinator.discardRetained();
  EXPECT_EQ(r.restoredDeletes, 1);
  EXPECT_TRUE(r.storage.discarded().count(2));
  EXPECT_TRUE(r.coordinator.retainedCheckpoints().empty());
}

}  // namespace
}  // namespace weir::cluster
