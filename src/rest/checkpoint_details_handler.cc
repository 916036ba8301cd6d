// GET /jobs/:jobid/checkpoints/details/:checkpointid: one checkpoint, per vertex;
// GET .../details/:checkpointid/subtasks/:vertexid: per subtask (sync, async,
// alignment, start delay) with a summary.
#include <nlohmann/json.hpp>

#include "rest/handlers.h"
#include "rest/json_views.h"

namespace weir::rest {

namespace {

// The checkpoint named by the path, if the history still has it.
cluster::CheckpointStats checkpointOrThrow(const cluster::ArchivedJob& job, const RestRequest& request) {
  const int64_t id = integerParam(request, "checkpointid");
  requireCheckpointing(job);
  const cluster::CheckpointStats* c = job.checkpoints->find(id);
  if (c == nullptr) {
    throw RestError(404,
                    "checkpoint " + std::to_string(id) + " of job " + job.details.jobId +
                        " is not in the history (it keeps the latest web.checkpoints.history checkpoints)");
  }
  return *c;
}

}  // namespace

void addCheckpointDetailsRoutes(Router& router, RestContext& context) {
  router.add("GET", "/jobs/:jobid/checkpoints/details/:checkpointid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               response.body = checkpointDetailsJson(checkpointOrThrow(job, request), job.details).dump();
             });
  router.add("GET", "/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid", RouteKind::kReadOnly,
             [&context](const RestRequest& request, RestResponse& response) {
               cluster::ArchivedJob job = jobOrThrow(context, request);
               cluster::CheckpointStats c = checkpointOrThrow(job, request);
               const std::string& vertexId = request.pathParams.at("vertexid");
               for (const cluster::VertexDetails& v : job.details.vertices) {
                 if (v.id == vertexId) {
                   response.body = checkpointSubtasksJson(c, v).dump();
                   return;
                 }
               }
               throw RestError(404, "job " + job.details.jobId + " has no vertex " + vertexId +
                                        " (GET /jobs/" + job.details.jobId + " lists the vertices)");
             });
}

}  // namespace weir::rest
