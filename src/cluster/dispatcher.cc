#include "cluster/dispatcher.h"

#include <algorithm>
#include <mutex>

#include <weir/core/check.h>

#include "cluster/job_master.h"

namespace weir::cluster {

namespace {

Status unknownJob(const std::string& jobId) {
  return Status::notFound("job " + jobId +
                          " is not known to this cluster (`weir list` shows the jobs it has)");
}

}  // namespace

Dispatcher::Dispatcher(size_t maxArchivedJobs) : maxArchivedJobs_(std::max<size_t>(1, maxArchivedJobs)) {}

Dispatcher::~Dispatcher() {
  std::unique_lock lock(mu_);
  WEIR_CHECK_MSG(running_.empty(), "a Dispatcher destroyed while a job is still registered");
}

Dispatcher::Registration::Registration(Registration&& other) noexcept
    : dispatcher_(std::exchange(other.dispatcher_, nullptr)), jobId_(std::move(other.jobId_)) {}

Dispatcher::Registration& Dispatcher::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    if (dispatcher_ != nullptr) dispatcher_->archive(jobId_);
    dispatcher_ = std::exchange(other.dispatcher_, nullptr);
    jobId_ = std::move(other.jobId_);
  }
  return *this;
}

Dispatcher::Registration::~Registration() {
  if (dispatcher_ != nullptr) dispatcher_->archive(jobId_);
}

Dispatcher::Registration Dispatcher::add(JobMaster& jobMaster) {
  std::unique_lock lock(mu_);
  running_[jobMaster.jobId()] = &jobMaster;
  return Registration(this, jobMaster.jobId());
}

Status Dispatcher::notRunningLocked(const std::string& jobId) const {
  for (const ArchivedJob& a : archived_) {
    if (a.details.jobId == jobId)
      return Status::failedPrecondition("job " + jobId + " already ended (" +
                                        jobStatusName(a.details.status) + ")");
  }
  return unknownJob(jobId);
}

void Dispatcher::archive(const std::string& jobId) {
  std::unique_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it == running_.end()) return;
  archived_.push_back(it->second->archive());
  running_.erase(it);
  while (archived_.size() > maxArchivedJobs_) archived_.pop_front();
}

std::vector<JobDetails> Dispatcher::jobs() const {
  std::shared_lock lock(mu_);
  std::vector<JobDetails> running, ended;
  for (const auto& [id, jm] : running_) running.push_back(jm->details());
  for (const ArchivedJob& a : archived_) ended.push_back(a.details);
  auto newestFirst = [](const JobDetails& a, const JobDetails& b) {
    return a.startTimeMillis > b.startTimeMillis;
  };
  std::sort(running.begin(), running.end(), newestFirst);
  std::sort(ended.begin(), ended.end(), newestFirst);
  running.insert(running.end(), ended.begin(), ended.end());
  return running;
}

Result<ArchivedJob> Dispatcher::job(const std::string& jobId) const {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it != running_.end()) return it->second->archive();
  for (const ArchivedJob& a : archived_)
    if (a.details.jobId == jobId) return a;
  return unknownJob(jobId);
}

Result<JobMetrics> Dispatcher::metrics(const std::string& jobId) const {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it != running_.end()) return it->second->metrics();
  for (const ArchivedJob& a : archived_)
    if (a.details.jobId == jobId) return a.metrics;
  return unknownJob(jobId);
}

std::vector<JobMetrics> Dispatcher::runningJobMetrics() const {
  std::shared_lock lock(mu_);
  std::vector<JobMetrics> all;
  for (const auto& [id, jobMaster] : running_) all.push_back(jobMaster->metrics());
  return all;
}

Status Dispatcher::cancel(const std::string& jobId) {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it == running_.end()) return notRunningLocked(jobId);
  JobStatus s = it->second->status();
  if (isGloballyTerminal(s))
    return Status::failedPrecondition("job " + jobId + " already ended (" + jobStatusName(s) + ")");
  it->second->cancel();
  return Status::ok();
}

Result<int64_t> Dispatcher::triggerCheckpoint(const std::string& jobId) {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it == running_.end()) return notRunningLocked(jobId);
  return it->second->triggerCheckpoint();
}

Result<int64_t> Dispatcher::triggerSavepoint(const std::string& jobId, const std::string& targetDirectory) {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it == running_.end()) return notRunningLocked(jobId);
  return it->second->triggerSavepoint(targetDirectory);
}

Result<int64_t> Dispatcher::stopWithSavepoint(const std::string& jobId, const std::string& targetDirectory,
                                              StopMode mode) {
  std::shared_lock lock(mu_);
  auto it = running_.find(jobId);
  if (it == running_.end()) return notRunningLocked(jobId);
  return it->second->stopWithSavepoint(targetDirectory, mode);
}

}  // namespace weir::cluster
