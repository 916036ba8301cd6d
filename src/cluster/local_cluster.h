// LocalCluster: the embedded cluster that StreamExecutionEnvironment::execute
// and `weir run` use: one process hosting the JobMaster and every task, with a
// shared network buffer budget and timer thread (Flink's MiniCluster).
//
// submitJob builds the JobGraph, deploys it and returns a JobClient; the client
// keeps the cluster's services alive until the job is over. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include <weir/api/job_client.h>
#include <weir/core/config.h>
#include <weir/core/status.h>
#include <weir/graph/stream_graph.h>

namespace weir::cluster {

// Creates a new job id: 32 lowercase hex digits, as Flink's JobID.
std::string newJobId();

class JobMaster;

// The JobMaster behind a client that submitJob returned (null for any other client),
// for registering the job with a Dispatcher.
JobMaster* jobMasterOf(JobClient& client);

Result<std::unique_ptr<JobClient>> submitJob(std::shared_ptr<const StreamGraph> graph,
                                             const std::string& jobName,
                                             std::shared_ptr<const Configuration> config);

}  // namespace weir::cluster
