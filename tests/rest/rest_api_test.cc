// The REST API against real jobs over real HTTP: jobs are listed and described,
// checkpoint statistics grow and agree with the checkpoints on disk, a checkpoint
// triggered through the API completes, cancel ends the job (which stays
// queryable), failures show in the exception history, and bad requests get
// clean JSON errors. The JSON shapes checked here are the ones docs/rest-api.md
// documents.
#include <filesystem>
#include <set>

#include "rest/rest_test_support.h"
#include "testing/fast_restarts.h"

namespace weir::rest {
namespace {

namespace fs = std::filesystem;

TEST_F(RestApiTest, ListsTheRunningJobWithItsVerticesAndCounters) {
  startServer();
  startCheckpointedJob();

  Reply jobs = get("/jobs");
  ASSERT_EQ(jobs.status, 200);
  ASSERT_EQ(jobs.body["jobs"].size(), 1u);
  EXPECT_EQ(jobs.body["jobs"][0]["id"], jobId_);

  ASSERT_TRUE(eventually([&] { return get(job()).body["state"] == "RUNNING"; }));
  ASSERT_TRUE(eventually([&] { return get(job()).body["status-counts"]["RUNNING"] == 4; }))
      << get(job()).body.dump();
  Reply d = get(job());
  EXPECT_EQ(d.body["jid"], jobId_);
  EXPECT_EQ(d.body["name"], "rest-test");
  EXPECT_EQ(d.body["end-time"], -1);
  EXPECT_GT(d.body["start-time"].get<int64_t>(), 0);
  EXPECT_GT(d.body["timestamps"]["RUNNING"].get<int64_t>(), 0);
  // Two vertices: the chained source and the chained reduce -> sink, each with parallelism 2.
  ASSERT_EQ(d.body["vertices"].size(), 2u);
  const json& source = d.body["vertices"][0];
  const json& sum = d.body["vertices"][1];
  EXPECT_NE(source["name"].get<std::string>().find("numbers"), std::string::npos);
  EXPECT_EQ(source["parallelism"], 2);
  EXPECT_EQ(source["status"], "RUNNING");
  EXPECT_EQ(source["tasks"]["RUNNING"], 2);
  EXPECT_EQ(source["id"].get<std::string>().size(), 32u);
  ASSERT_EQ(d.body["plan"]["nodes"].size(), 2u);
  EXPECT_EQ(d.body["plan"]["nodes"][1]["inputs"][0]["id"], source["id"]);
  EXPECT_EQ(d.body["plan"]["nodes"][1]["inputs"][0]["ship_strategy"], "HASH");

  // Records cross the exchange: what the source vertex wrote, the sum vertex read.
  ASSERT_TRUE(eventually([&] { return get(job()).body["vertices"][1]["metrics"]["read-records"] > 1000; }));
  Reply later = get(job());
  EXPECT_GE(later.body["vertices"][0]["metrics"]["write-records"].get<uint64_t>(),
            later.body["vertices"][1]["metrics"]["read-records"].get<uint64_t>());
  EXPECT_GE(later.body["vertices"][1]["metrics"]["read-records"].get<uint64_t>(),
            sum["metrics"]["read-records"].get<uint64_t>());

  Reply overview = get("/jobs/overview");
  ASSERT_EQ(overview.body["jobs"].size(), 1u);
  EXPECT_EQ(overview.body["jobs"][0]["state"], "RUNNING");
  EXPECT_EQ(overview.body["jobs"][0]["tasks"]["total"], 4);
  Reply cluster = get("/overview");
  EXPECT_EQ(cluster.body["jobs-running"], 1);
  EXPECT_EQ(cluster.body["weir-version"], "test");
}

TEST_F(RestApiTest, CheckpointStatisticsGrowAndMatchTheCheckpointsOnDisk) {
  startServer();
  startCheckpointedJob();
  ASSERT_TRUE(eventually([&] { return get(job() + "/checkpoints").body["counts"]["completed"] >= 3; }));
  Reply first = get(job() + "/checkpoints");
  ASSERT_TRUE(eventually([&] {
    return get(job() + "/checkpoints").body["counts"]["completed"] > first.body["counts"]["completed"];
  })) << "the statistics must keep growing while the job runs";

  Reply r = get(job() + "/checkpoints");
  ASSERT_EQ(r.status, 200);
  const json& counts = r.body["counts"];
  EXPECT_EQ(counts["total"].get<int64_t>(), counts["completed"].get<int64_t>() +
                                                counts["failed"].get<int64_t>() +
                                                counts["in_progress"].get<int64_t>());
  EXPECT_EQ(counts["restored"], 0);

  // History: newest first, at most web.checkpoints.history (10) entries.
  const json& history = r.body["history"];
  ASSERT_FALSE(history.empty());
  EXPECT_LE(history.size(), 10u);
  for (size_t i = 1; i < history.size(); ++i) EXPECT_GT(history[i - 1]["id"], history[i]["id"]);

  // The latest completed checkpoint is on disk where the API says, with its metadata.
  const json& latest = r.body["latest"]["completed"];
  ASSERT_TRUE(latest.is_object());
  const std::string path = latest["external_path"];
  ASSERT_EQ(path.rfind("file://", 0), 0u) << path;
  EXPECT_TRUE(fs::exists(fs::path(path.substr(7)) / "_metadata")) << path;
  EXPECT_EQ(path.substr(path.rfind('/') + 1), "chk-" + std::to_string(latest["id"].get<int64_t>()));
  EXPECT_EQ(latest["num_acknowledged_subtasks"], 4);
  EXPECT_GT(latest["state_size"].get<uint64_t>(), 0u)
      << "the reduce keeps 100 keys and the sources their positions";

  const json& e2e = r.body["summary"]["end_to_end_duration"];
  EXPECT_LE(e2e["min"].get<double>(), e2e["p50"].get<double>());
  EXPECT_LE(e2e["p50"].get<double>(), e2e["p99"].get<double>());
  EXPECT_LE(e2e["p999"].get<double>(), e2e["max"].get<double>());
  for (const char* key :
       {"state_size", "checkpointed_size", "processed_data", "persisted_data", "alignment_buffered"})
    EXPECT_TRUE(r.body["summary"][key].contains("p90")) << key;

  // Details: per vertex, then per subtask with sync, async, alignment and start delay.
  const int64_t id = latest["id"];
  Reply details = get(job() + "/checkpoints/details/" + std::to_string(id));
  ASSERT_EQ(details.status, 200) << details.body.dump();
  EXPECT_EQ(details.body["status"], "COMPLETED");
  ASSERT_EQ(details.body["tasks"].size(), 2u);
  const std::string sumVertex = get(job()).body["vertices"][1]["id"];
  EXPECT_EQ(details.body["tasks"][sumVertex]["num_acknowledged_subtasks"], 2);
  Reply subtasks = get(job() + "/checkpoints/details/" + std::to_string(id) + "/subtasks/" + sumVertex);
  ASSERT_EQ(subtasks.status, 200) << subtasks.body.dump();
  ASSERT_EQ(subtasks.body["subtasks"].size(), 2u);
  for (const json& s : subtasks.body["subtasks"]) {
    EXPECT_EQ(s["status"], "completed");
    EXPECT_TRUE(s["checkpoint"].contains("sync") && s["checkpoint"].contains("async"));
    EXPECT_TRUE(s["alignment"].contains("duration"));
    EXPECT_GE(s["start_delay"].get<int64_t>(), 0);
    EXPECT_GE(s["ack_timestamp"].get<int64_t>(), details.body["trigger_timestamp"].get<int64_t>());
  }
  EXPECT_TRUE(subtasks.body["summary"]["checkpoint_duration"].contains("async"));

  Reply config = get(job() + "/checkpoints/config");
  EXPECT_EQ(config.body["interval"], 100);
  EXPECT_EQ(config.body["mode"], "exactly_once");
  EXPECT_EQ(config.body["max_concurrent"], 1);
}

TEST_F(RestApiTest, ACheckpointTriggeredThroughTheApiCompletes) {
  startServer();
  startCheckpointedJob("1 h");  // only the triggered checkpoint
  ASSERT_TRUE(eventually([&] { return get(job()).body["status-counts"]["RUNNING"] == 4; }));
  Reply trigger = post(job() + "/checkpoints");
  ASSERT_EQ(trigger.status, 202) << trigger.body.dump();
  const std::string requestId = trigger.body["request-id"];
  Reply status;
  ASSERT_TRUE(eventually([&] {
    status = get(job() + "/checkpoints/" + requestId);
    return status.body["status"]["id"] == "COMPLETED";
  })) << status.body.dump();
  ASSERT_TRUE(status.body["operation"].contains("checkpointId")) << status.body.dump();
  const int64_t id = status.body["operation"]["checkpointId"];
  EXPECT_TRUE(fs::exists(fs::path(dir_.str()) / jobId_ / ("chk-" + std::to_string(id)) / "_metadata"));
  Reply details = get(job() + "/checkpoints/details/" + std::to_string(id));
  EXPECT_EQ(details.body["status"], "COMPLETED");

  // A client-chosen trigger id is the request id.
  Reply named = post(job() + "/checkpoints", R"({"triggerId": "mine", "checkpointType": "FULL"})");
  ASSERT_EQ(named.status, 202) << named.body.dump();
  EXPECT_EQ(named.body["request-id"], "mine");
  ASSERT_TRUE(
      eventually([&] { return get(job() + "/checkpoints/mine").body["status"]["id"] == "COMPLETED"; }));

  // Requests made while another is in progress (max-concurrent-checkpoints 1) are not
  // refused: each waits for its turn, and all complete as distinct checkpoints.
  std::vector<std::string> burst;
  for (int i = 0; i < 3; ++i) {
    Reply r = post(job() + "/checkpoints");
    ASSERT_EQ(r.status, 202) << r.body.dump();
    burst.push_back(r.body["request-id"]);
  }
  std::set<int64_t> ids;
  for (const std::string& request : burst) {
    Reply s;
    ASSERT_TRUE(eventually([&] {
      s = get(job() + "/checkpoints/" + request);
      return s.body["status"]["id"] == "COMPLETED";
    })) << s.body.dump();
    ASSERT_TRUE(s.body["operation"].contains("checkpointId")) << "refused: " << s.body.dump();
    ids.insert(s.body["operation"]["checkpointId"].get<int64_t>());
  }
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(RestApiTest, ASavepointTriggeredThroughTheApiReportsItsLocation) {
  startServer();
  startCheckpointedJob("1 h");
  ASSERT_TRUE(eventually([&] { return get(job()).body["status-counts"]["RUNNING"] == 4; }));
  const std::string target = (fs::path(dir_.str()) / "savepoints").string();
  Reply trigger = post(job() + "/savepoints", nlohmann::json{{"target-directory", target}}.dump());
  ASSERT_EQ(trigger.status, 202) << trigger.body.dump();
  Reply status;
  ASSERT_TRUE(eventually([&] {
    status = get(job() + "/savepoints/" + trigger.body["request-id"].get<std::string>());
    return status.body["status"]["id"] == "COMPLETED";
  })) << status.body.dump();
  ASSERT_TRUE(status.body["operation"].contains("location")) << status.body.dump();
  const std::string location = status.body["operation"]["location"];
  EXPECT_EQ(fs::path(location).parent_path(), fs::path(target));
  EXPECT_TRUE(fs::exists(fs::path(location) / "_metadata"));
  Reply stats = get(job() + "/checkpoints");
  EXPECT_EQ(stats.body["latest"]["savepoint"]["is_savepoint"], true) << stats.body.dump();
  EXPECT_EQ(stats.body["latest"]["savepoint"]["checkpoint_type"], "SAVEPOINT");
  EXPECT_EQ(stats.body["latest"]["savepoint"]["external_path"], location);
  EXPECT_TRUE(stats.body["latest"]["completed"].is_null()) << "a savepoint is not a checkpoint";

  // Without a directory (none configured) the request fails with what to do.
  Reply none = post(job() + "/savepoints");
  ASSERT_EQ(none.status, 202);
  ASSERT_TRUE(eventually([&] {
    status = get(job() + "/savepoints/" + none.body["request-id"].get<std::string>());
    return status.body["status"]["id"] == "COMPLETED";
  }));
  EXPECT_NE(status.body.dump().find("execution.checkpointing.savepoint-dir"), std::string::npos)
      << status.body.dump();
  EXPECT_EQ(post(job() + "/savepoints", R"({"formatType": "ZIP"})").status, 400);
  EXPECT_EQ(post(job() + "/savepoints", R"({"cancel-job": true})").status, 400);
  EXPECT_EQ(get(job() + "/savepoints/unknown").status, 404);
}

TEST_F(RestApiTest, StopWithASavepointEndsTheJobFinished) {
  startServer();
  startCheckpointedJob();
  ASSERT_TRUE(eventually([&] { return get(job() + "/checkpoints").body["counts"]["completed"] >= 1; }));
  EXPECT_EQ(post(job() + "/stop", R"({"drain": "yes"})").status, 400);
  const std::string target = (fs::path(dir_.str()) / "stopped").string();
  Reply stop = post(job() + "/stop", nlohmann::json{{"targetDirectory", target}, {"drain", false}}.dump());
  ASSERT_EQ(stop.status, 202) << stop.body.dump();
  Reply status;
  ASSERT_TRUE(eventually([&] {
    status = get(job() + "/savepoints/" + stop.body["request-id"].get<std::string>());
    return status.body["status"]["id"] == "COMPLETED";
  })) << status.body.dump();
  ASSERT_TRUE(status.body["operation"].contains("location")) << status.body.dump();
  EXPECT_TRUE(fs::exists(fs::path(status.body["operation"]["location"].get<std::string>()) / "_metadata"));
  ASSERT_TRUE(eventually([&] { return get(job()).body["state"] == "FINISHED"; })) << get(job()).body.dump();
}

TEST_F(RestApiTest, CancelEndsTheJobWhichStaysQueryable) {
  startServer();
  startCheckpointedJob();
  ASSERT_TRUE(eventually([&] { return get(job() + "/checkpoints").body["counts"]["completed"] >= 1; }));
  Reply cancel = patch(job() + "?mode=cancel");
  ASSERT_EQ(cancel.status, 202) << cancel.body.dump();
  JobExecutionResult result = client_->waitForResult();
  EXPECT_EQ(result.status, JobStatus::kCanceled);
  EXPECT_EQ(get(job()).body["state"], "CANCELED");

  // Archived: the job's figures outlive it.
  registration_ = {};
  client_.reset();
  Reply d = get(job());
  EXPECT_EQ(d.body["state"], "CANCELED");
  EXPECT_GT(d.body["end-time"].get<int64_t>(), 0);
  EXPECT_GE(get(job() + "/checkpoints").body["counts"]["completed"].get<int64_t>(), 1);
  expectError(patch(job() + "?mode=cancel"), 409, "already ended");
  expectError(post(job() + "/checkpoints"), 409, "already ended");
  EXPECT_EQ(get("/overview").body["jobs-cancelled"], 1);
}

TEST_F(RestApiTest, ARestoreFromARetainedCheckpointIsReported) {
  startServer();
  env_.configuration().set("execution.checkpointing.externalized-checkpoint-retention",
                           "RETAIN_ON_CANCELLATION");
  startCheckpointedJob();
  ASSERT_TRUE(eventually([&] { return get(job() + "/checkpoints").body["counts"]["completed"] >= 1; }));
  ASSERT_EQ(patch(job() + "?mode=cancel").status, 202);
  ASSERT_EQ(client_->waitForResult().status, JobStatus::kCanceled);
  const json retained = get(job() + "/checkpoints").body["latest"]["completed"];
  ASSERT_TRUE(retained.is_object());
  const std::string path = retained["external_path"].get<std::string>().substr(7);  // without file://
  ASSERT_TRUE(fs::exists(fs::path(path) / "_metadata")) << path;
  EXPECT_TRUE(get(job() + "/checkpoints").body["latest"]["restored"].is_null());

  StreamExecutionEnvironment resumed;
  resumed.setParallelism(2);
  resumed.configuration().set("execution.checkpointing.interval", "100 ms");
  resumed.configuration().set("execution.checkpointing.dir", dir_.str());
  resumed.configuration().set("execution.state-recovery.path", path);
  buildKeyedJob(resumed);
  startJob(resumed, "resumed");
  Reply r = get(job() + "/checkpoints");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["counts"]["restored"], 1);
  ASSERT_TRUE(r.body["latest"]["restored"].is_object()) << r.body.dump();
  EXPECT_EQ(r.body["latest"]["restored"]["id"], retained["id"]);
  EXPECT_EQ(r.body["latest"]["restored"]["external_path"], path);
  EXPECT_GT(r.body["latest"]["restored"]["restore_timestamp"].get<int64_t>(), 0);
  // Checkpoints of the resumed job continue the numbering after the restored one.
  ASSERT_TRUE(eventually([&] { return get(job() + "/checkpoints").body["counts"]["completed"] >= 1; }));
  EXPECT_GT(get(job() + "/checkpoints").body["latest"]["completed"]["id"].get<int64_t>(),
            retained["id"].get<int64_t>());
}

TEST_F(RestApiTest, FailuresShowInTheExceptionHistory) {
  startServer();
  env_.setParallelism(1);
  weir::testing::checkpointAndRestartFast(env_, "50 ms", /*attempts=*/1);
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 1'000'000'000, 2000);
  env_.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .map([](int64_t x) -> int64_t {
        if (x == 300) throw std::runtime_error("record 300 is poisoned");
        return x;
      })
      .name("poisoned-map")
      .disableChaining()
      .sinkTo(std::make_shared<CollectSink<int64_t>>());
  startJob(env_);

  // The first failure restarts the job; replaying record 300 fails it again, for good.
  JobExecutionResult result = client_->waitForResult();
  ASSERT_EQ(result.status, JobStatus::kFailed);
  Reply e = get(job() + "/exceptions");
  ASSERT_EQ(e.status, 200);
  const json& entries = e.body["exceptionHistory"]["entries"];
  ASSERT_EQ(entries.size(), 2u) << e.body.dump();
  EXPECT_EQ(entries[0]["restarted"], false) << "newest first: the failure that ended the job";
  EXPECT_EQ(entries[1]["restarted"], true);
  for (const json& entry : entries) {
    EXPECT_NE(entry["stacktrace"].get<std::string>().find("record 300 is poisoned"), std::string::npos);
    EXPECT_NE(entry["taskName"].get<std::string>().find("poisoned-map (1/1)"), std::string::npos);
    EXPECT_GT(entry["timestamp"].get<int64_t>(), 0);
  }
  ASSERT_TRUE(e.body["root-exception"].is_string());
  EXPECT_NE(e.body["root-exception"].get<std::string>().find("record 300 is poisoned"), std::string::npos);
  EXPECT_EQ(get(job()).body["restarts"], 1);
}

TEST_F(RestApiTest, BadRequestsGetCleanErrors) {
  RestServerOptions o;
  o.maxContentLength = 4096;
  startServer(o);
  env_.setParallelism(1);
  buildKeyedJob(env_);  // no checkpointing
  startJob(env_);

  expectError(get("/jobs/0123456789abcdef0123456789abcdef"), 404, "not known");
  expectError(get("/no/such/thing"), 404, "no such resource");
  Reply wrongMethod = toReply(http_->Delete(job()));
  expectError(wrongMethod, 405, "not allowed");
  EXPECT_EQ(wrongMethod.allow, "GET, PATCH");
  expectError(post(job() + "/checkpoints", "{not json"), 400, "not valid JSON");
  expectError(post(job() + "/checkpoints", "[1, 2]"), 400, "JSON object");
  expectError(post(job() + "/checkpoints", R"({"checkpointType": "SOMETIMES"})"), 400, "checkpointType");
  expectError(post(job() + "/checkpoints", std::string(10000, 'x')), 413, "max-content-length");
  expectError(get(job() + "/checkpoints"), 404, "checkpointing is not enabled");
  expectError(get(job() + "/checkpoints/config"), 404, "checkpointing is not enabled");
  expectError(get(job() + "/checkpoints/details/abc"), 400, "non-negative integer");
  expectError(get(job() + "/checkpoints/nope"), 404, "no checkpoint was triggered");
  expectError(patch(job() + "?mode=stop"), 400, "mode=cancel");

  // A trigger on a job without checkpointing is accepted and reports why it failed.
  Reply trigger = post(job() + "/checkpoints");
  ASSERT_EQ(trigger.status, 202);
  // The trigger runs on its own thread: its outcome shows once it returned.
  Reply status;
  ASSERT_TRUE(eventually([&] {
    status = get(job() + "/checkpoints/" + trigger.body["request-id"].get<std::string>());
    return status.body["status"]["id"] == "COMPLETED";
  })) << status.body.dump();
  EXPECT_NE(status.body["operation"]["failure-cause"]["stack-trace"].get<std::string>().find("not enabled"),
            std::string::npos);

  // None of it hurt the job or the server.
  EXPECT_EQ(get(job()).body["state"], "RUNNING");
}

TEST_F(RestApiTest, MutatingRequestsNeedTheTokenWhenOneIsSet) {
  RestServerOptions o;
  o.authToken = "s3cret";
  startServer(o);
  startCheckpointedJob();
  ASSERT_TRUE(eventually([&] { return get(job()).body["state"] == "RUNNING"; }));
  EXPECT_EQ(get(job()).status, 200) << "reading needs no token";
  expectError(patch(job() + "?mode=cancel"), 401, "Authorization: Bearer");
  expectError(patch(job() + "?mode=cancel", {{"Authorization", "Bearer wrong"}}), 401, "Authorization");
  expectError(post(job() + "/checkpoints"), 401, "Authorization");
  EXPECT_EQ(get(job()).body["state"], "RUNNING");
  EXPECT_EQ(patch(job() + "?mode=cancel", {{"Authorization", "Bearer s3cret"}}).status, 202);
  EXPECT_EQ(client_->waitForResult().status, JobStatus::kCanceled);
}

TEST(RestServerTest, RefusesANonLoopbackAddressWithoutAToken) {
  cluster::Dispatcher dispatcher;
  RestServerOptions o;
  o.address = "0.0.0.0";
  o.port = 0;
  auto s = RestServer::start(o, dispatcher);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.status().message().find("rest.auth.token"), std::string::npos) << s.status().message();
  o.authToken = "t";
  EXPECT_TRUE(RestServer::start(o, dispatcher).isOk());
}

TEST(RestServerTest, APortInUseGivesAnActionableError) {
  cluster::Dispatcher dispatcher;
  RestServerOptions o;
  o.port = 0;
  auto first = RestServer::start(o, dispatcher);
  ASSERT_TRUE(first.isOk());
  o.port = (*first)->port();
  auto second = RestServer::start(o, dispatcher);
  ASSERT_FALSE(second.isOk());
  EXPECT_NE(second.status().message().find("rest.port"), std::string::npos) << second.status().message();
}

TEST(RestServerTest, OptionsComeFromTheConfiguration) {
  Configuration c;
  c.set("rest.port", "0");
  c.set("rest.address", "localhost");
  c.set("rest.auth.token", "abc");
  auto o = RestServerOptions::fromConfiguration(c, "v");
  ASSERT_TRUE(o.isOk());
  EXPECT_EQ(o->port, 0);
  EXPECT_EQ(o->address, "localhost");
  EXPECT_EQ(o->authToken.value_or(""), "abc");
  c.set("rest.port", "70000");
  EXPECT_FALSE(RestServerOptions::fromConfiguration(c, "v").isOk());
  c.set("rest.port", "eighty");
  auto bad = RestServerOptions::fromConfiguration(c, "v");
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("rest.port"), std::string::npos);
}

TEST(RestServerTest, LoopbackAddresses) {
  EXPECT_TRUE(isLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(isLoopbackAddress("127.1.2.3"));
  EXPECT_TRUE(isLoopbackAddress("localhost"));
  EXPECT_TRUE(isLoopbackAddress("::1"));
  EXPECT_FALSE(isLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(isLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("example.com"));
}

}  // namespace
}  // namespace weir::rest
