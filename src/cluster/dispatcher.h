// Dispatcher: the jobs a cluster process runs and has run, for the REST API and
// the CLI (Flink's Dispatcher with its ExecutionGraphInfoStore).
//
// A running job is registered with add(); the returned Registration archives
// it (a copy of its details, exceptions, checkpoint statistics and
// configuration) when it is destroyed, which its owner does before the
// JobMaster goes. Ended jobs stay queryable until `maxArchivedJobs` newer ones
// ended.
//
// Threading: every method is thread-safe. Queries of a running job call the
// JobMaster under a shared lock; archiving takes the lock exclusively, so no
// query ever sees a JobMaster that is being destroyed.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include <weir/core/status.h>

#include "cluster/job_details.h"

namespace weir::cluster {

class JobMaster;

class Dispatcher {
 public:
  static constexpr size_t kDefaultMaxArchivedJobs = 100;
  explicit Dispatcher(size_t maxArchivedJobs = kDefaultMaxArchivedJobs);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&& other) noexcept;
    ~Registration();  // archives the job

   private:
    friend class Dispatcher;
    Registration(Dispatcher* d, std::string jobId) : dispatcher_(d), jobId_(std::move(jobId)) {}
    Dispatcher* dispatcher_ = nullptr;
    std::string jobId_;
  };

  // REQUIRES: the Registration is destroyed before `jobMaster` and before this Dispatcher.
  [[nodiscard]] Registration add(JobMaster& jobMaster);

  // Details of every known job, running ones first, each newest first.
  std::vector<JobDetails> jobs() const;
  // Everything about one job; NotFound for an unknown id.
  Result<ArchivedJob> job(const std::string& jobId) const;
  // One job's metrics (an ended job's as it ended); NotFound for an unknown id.
  Result<JobMetrics> metrics(const std::string& jobId) const;
  // The metrics of every running job (what the Prometheus endpoint exports).
  std::vector<JobMetrics> runningJobMetrics() const;
  // NotFound for an unknown id; FailedPrecondition for an ended job.
  Status cancel(const std::string& jobId);
  // Triggers a checkpoint of a running job once no other is in progress (see
  // CheckpointCoordinator::triggerCheckpoint): it may wait for up to a checkpoint's
  // duration, holding the shared lock (so the job is archived after it returns).
  // NotFound for an unknown id; FailedPrecondition for an ended job or a refusal.
  Result<int64_t> triggerCheckpoint(const std::string& jobId);
  // The same for a savepoint into `targetDirectory` (empty: the job's configured one).
  Result<int64_t> triggerSavepoint(const std::string& jobId, const std::string& targetDirectory);
  // `weir stop` (JobMaster::stopWithSavepoint): the savepoint's id once triggered.
  Result<int64_t> stopWithSavepoint(const std::string& jobId, const std::string& targetDirectory,
                                    StopMode mode);

 private:
  void archive(const std::string& jobId);
  // Why `jobId` cannot be acted on: it ended, or it is unknown. REQUIRES: mu_.
  Status notRunningLocked(const std::string& jobId) const;

  const size_t maxArchivedJobs_;
  mutable std::shared_mutex mu_;
  std::map<std::string, JobMaster*> running_;  // guarded by mu_
  std::deque<ArchivedJob> archived_;           // guarded by mu_; oldest first
};

}  // namespace weir::cluster
