// The JSON shapes of the REST API, with Flink's field names (docs/rest-api.md
// documents every one; tests/rest checks them). Pure functions of the
// cluster's plain data.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "cluster/job_details.h"

namespace weir::rest {

// GET /jobs/:jobid
nlohmann::json jobDetailsJson(const cluster::JobDetails& d);
// One entry of GET /jobs/overview.
nlohmann::json jobOverviewJson(const cluster::JobDetails& d);
// GET /jobs/:jobid/exceptions
nlohmann::json jobExceptionsJson(const cluster::JobExceptions& e);
// GET /jobs/:jobid/checkpoints
nlohmann::json checkpointStatsJson(const cluster::CheckpointStatsSnapshot& s, const cluster::JobDetails& d);
// GET /jobs/:jobid/checkpoints/details/:checkpointid (per vertex)
nlohmann::json checkpointDetailsJson(const cluster::CheckpointStats& c, const cluster::JobDetails& d);
// GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid
nlohmann::json checkpointSubtasksJson(const cluster::CheckpointStats& c, const cluster::VertexDetails& v);
// GET /jobs/:jobid/checkpoints/config
nlohmann::json checkpointConfigJson(const cluster::CheckpointConfigInfo& c);

}  // namespace weir::rest
