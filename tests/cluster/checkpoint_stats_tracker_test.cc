// CheckpointStatsTracker: counts, the summary of completed checkpoints, the
// bounded history (in-progress checkpoints included) and the latest completed,
// failed and restored checkpoint.
#include <gtest/gtest.h>

#include "cluster/checkpoint_stats_tracker.h"

namespace weir::cluster {
namespace {

using std::chrono::milliseconds;

runtime::SubtaskCheckpointMetrics metricsOfSize(uint64_t bytes) {
  runtime::SubtaskCheckpointMetrics m;
  m.stateSize = bytes;
  m.syncDuration = milliseconds(1);
  m.asyncDuration = milliseconds(5);
  return m;
}

TEST(StatsSummaryTest, MinMaxAverageAndInterpolatedQuantiles) {
  StatsSummary s;
  EXPECT_EQ(s.quantile(0.5), 0);
  EXPECT_EQ(s.min(), 0);
  for (int v : {40, 10, 30, 20}) s.add(v);
  EXPECT_EQ(s.count(), 4);
  EXPECT_EQ(s.min(), 10);
  EXPECT_EQ(s.max(), 40);
  EXPECT_DOUBLE_EQ(s.average(), 25);
  EXPECT_DOUBLE_EQ(s.quantile(0), 10);
  EXPECT_DOUBLE_EQ(s.quantile(1), 40);
  EXPECT_DOUBLE_EQ(s.quantile(0.5), 25);  // halfway between 20 and 30
  EXPECT_DOUBLE_EQ(s.quantile(0.9), 37);  // rank 2.7: 30 + 0.7 * 10
}

TEST(StatsSummaryTest, QuantilesCoverOnlyTheLatestWindowButMinMaxEverything) {
  StatsSummary s;
  s.add(1e9);  // an outlier that falls out of the window
  for (size_t i = 0; i < StatsSummary::kSummaryWindow; ++i) s.add(5);
  EXPECT_EQ(s.max(), 1e9);
  EXPECT_DOUBLE_EQ(s.quantile(1), 5);
}

TEST(CheckpointStatsTrackerTest, CountsAndLatestFollowEachCheckpoint) {
  CheckpointStatsTracker t;
  t.reportPending(1, 1000, 2);
  CheckpointStatsSnapshot s = t.snapshot();
  EXPECT_EQ(s.total, 1);
  EXPECT_EQ(s.inProgress, 1);
  ASSERT_EQ(s.history.size(), 1u);
  EXPECT_EQ(s.history[0].status, CheckpointStatus::kInProgress);

  t.reportAcknowledged(1, 0, 0, 1010, metricsOfSize(100));
  t.reportAcknowledged(1, 1, 0, 1030, metricsOfSize(50));
  t.reportCompleted(1, milliseconds(35), "file:///c/chk-1", false);
  s = t.snapshot();
  EXPECT_EQ(s.completed, 1);
  EXPECT_EQ(s.inProgress, 0);
  ASSERT_TRUE(s.latestCompleted.has_value());
  EXPECT_EQ(s.latestCompleted->stateSize, 150u);
  EXPECT_EQ(s.latestCompleted->acknowledged, 2);
  EXPECT_EQ(s.latestCompleted->latestAckTimestampMillis, 1030);
  EXPECT_EQ(s.latestCompleted->externalPath, "file:///c/chk-1");
  EXPECT_EQ(s.summary.endToEndDuration.max(), 35);
  EXPECT_EQ(s.summary.stateSize.min(), 150);

  t.reportPending(2, 2000, 2);
  t.reportFailed(2, 2500, "declined by subtask 1");
  s = t.snapshot();
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.total, 2);
  ASSERT_TRUE(s.latestFailed.has_value());
  EXPECT_EQ(s.latestFailed->failureMessage, "declined by subtask 1");
  EXPECT_EQ(s.latestFailed->endToEndDuration, milliseconds(500));
  EXPECT_EQ(s.summary.endToEndDuration.count(), 1) << "failed checkpoints stay out of the summary";

  // A checkpoint whose location could not even be created counts as triggered and failed.
  t.reportFailed(3, 3000, "disk full");
  s = t.snapshot();
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.inProgress, 0);
}

TEST(CheckpointStatsTrackerTest, HistoryKeepsTheLatestIncludingInProgressOnes) {
  CheckpointStatsTracker t(3);
  for (int64_t id = 1; id <= 5; ++id) {
    t.reportPending(id, id * 100, 1);
    t.reportCompleted(id, milliseconds(1), "", false);
  }
  t.reportPending(6, 600, 1);
  CheckpointStatsSnapshot s = t.snapshot();
  ASSERT_EQ(s.history.size(), 3u);
  EXPECT_EQ(s.history[0].id, 4);
  EXPECT_EQ(s.history[2].id, 6);
  EXPECT_EQ(s.history[2].status, CheckpointStatus::kInProgress);
  EXPECT_NE(s.find(5), nullptr);
  EXPECT_EQ(s.find(3), nullptr);
  EXPECT_EQ(s.completed, 5) << "counts are not bounded by the history";
}

TEST(CheckpointStatsTrackerTest, SubsumedCheckpointsAreMarkedDiscarded) {
  CheckpointStatsTracker t;
  t.reportPending(1, 100, 1);
  t.reportCompleted(1, milliseconds(1), "p1", false);
  t.reportPending(2, 200, 1);
  t.reportCompleted(2, milliseconds(1), "p2", false);
  t.reportDiscarded(1);
  CheckpointStatsSnapshot s = t.snapshot();
  EXPECT_TRUE(s.find(1)->discarded);
  EXPECT_FALSE(s.find(2)->discarded);
  EXPECT_EQ(s.latestCompleted->id, 2);
}

TEST(CheckpointStatsTrackerTest, AnOlderCheckpointCompletingLateDoesNotBecomeTheLatest) {
  CheckpointStatsTracker t;
  t.reportPending(1, 100, 1);
  t.reportPending(2, 200, 1);
  t.reportCompleted(2, milliseconds(1), "p2", false);
  t.reportCompleted(1, milliseconds(1), "p1", true);
  CheckpointStatsSnapshot s = t.snapshot();
  EXPECT_EQ(s.completed, 2);
  EXPECT_EQ(s.latestCompleted->id, 2);
  EXPECT_TRUE(s.find(1)->discarded);
  EXPECT_EQ(s.history.front().id, 1) << "history is ordered by id";
}

TEST(CheckpointStatsTrackerTest, RestoresAreCounted) {
  CheckpointStatsTracker t;
  t.reportRestored({7, 123, false, "file:///c/chk-7"});
  t.reportRestored({9, 456, false, "file:///c/chk-9"});
  CheckpointStatsSnapshot s = t.snapshot();
  EXPECT_EQ(s.restored, 2);
  ASSERT_TRUE(s.latestRestored.has_value());
  EXPECT_EQ(s.latestRestored->id, 9);
  EXPECT_EQ(s.latestRestored->externalPath, "file:///c/chk-9");
}

TEST(CheckpointStatsTrackerTest, AcknowledgementsOfUnknownCheckpointsAreIgnored) {
  CheckpointStatsTracker t;
  t.reportAcknowledged(42, 0, 0, 1, metricsOfSize(1));
  t.reportCompleted(42, milliseconds(1), "", false);
  CheckpointStatsSnapshot s = t.snapshot();
  EXPECT_EQ(s.completed, 0);
  EXPECT_TRUE(s.history.empty());
}

}  // namespace
}  // namespace weir::cluster
