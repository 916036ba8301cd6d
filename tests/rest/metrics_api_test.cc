// Metrics through the REST API and the Prometheus endpoint, against real jobs:
// the job metrics agree with the checkpoint statistics; every record of a
// bounded job is counted once per exchange side (the oracle is the input size,
// not the engine); aggregates agree with the per-subtask values; a slow sink
// shows as backpressure at its producer; the Prometheus text parses and names
// every subtask; bad queries get clean errors. docs/rest-api.md documents the shapes.
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "cluster/job_metrics.h"
#include "rest/handlers.h"
#include "rest/rest_test_support.h"
#include "testing/spinning_sink.h"

namespace weir::rest {
namespace {

class MetricsApiTest : public RestApiTest {
 protected:
  // The value of one metric from a `[{"id", "value"}]` answer; NaN if absent.
  static double valueOf(const json& answer, const std::string& id) {
    for (const json& m : answer)
      if (m["id"] == id) return std::stod(m["value"].get<std::string>());
    return std::nan("");
  }
  // The vertex ids of the job, in topological order.
  std::vector<std::string> vertexIds() {
    std::vector<std::string> ids;
    Reply r = get(job());
    EXPECT_EQ(r.status, 200) << r.body.dump();
    for (const json& v : r.body["vertices"]) ids.push_back(v["id"]);
    return ids;
  }
  // One aggregate of one metric over a vertex's subtasks.
  double aggregate(const std::string& vertex, const std::string& metric, const std::string& agg) {
    Reply r = get(job() + "/vertices/" + vertex + "/subtasks/metrics?get=" + metric + "&agg=" + agg);
    if (r.status != 200 || r.body.size() != 1) return std::nan("");
    return r.body[0][agg].get<double>();
  }
};

TEST_F(MetricsApiTest, JobMetricsAgreeWithTheCheckpointStatistics) {
  startServer();
  startCheckpointedJob();

  Reply list = get(job() + "/metrics");
  ASSERT_EQ(list.status, 200) << list.body.dump();
  std::set<std::string> ids;
  for (const json& m : list.body) ids.insert(m["id"]);
  for (const cluster::MetricInfo& info : cluster::jobMetricInfos())
    EXPECT_TRUE(ids.count(info.name)) << info.name;

  const std::string query =
      "/metrics?get=numRestarts,numberOfCompletedCheckpoints,numberOfFailedCheckpoints,"
      "lastCompletedCheckpointId,lastCheckpointDuration,lastCheckpointFullSize,lastCheckpointSize,uptime,"
      "noSuchMetric";
  json metrics;
  ASSERT_TRUE(eventually([&] {
    metrics = get(job() + query).body;
    return valueOf(metrics, "numberOfCompletedCheckpoints") >= 3;
  })) << metrics.dump();
  EXPECT_EQ(metrics.size(), 8u) << "unknown names are left out: " << metrics.dump();
  EXPECT_EQ(valueOf(metrics, "numRestarts"), 0);
  EXPECT_GE(valueOf(metrics, "lastCheckpointDuration"), 0);
  EXPECT_GT(valueOf(metrics, "lastCheckpointFullSize"), 0);
  EXPECT_EQ(valueOf(metrics, "lastCheckpointSize"), valueOf(metrics, "lastCheckpointFullSize"))
      << "full snapshots write the whole state";
  EXPECT_GT(valueOf(metrics, "uptime"), 0);

  // The statistics, read after the metrics, are at least as far along, and the
  // latest completed checkpoint the metrics name is one the statistics know.
  json stats = get(job() + "/checkpoints").body;
  const double completed = valueOf(metrics, "numberOfCompletedCheckpoints");
  EXPECT_GE(stats["counts"]["completed"].get<double>(), completed);
  EXPECT_GE(stats["latest"]["completed"]["id"].get<double>(), valueOf(metrics, "lastCompletedCheckpointId"));

  // Every subtask that took part in a checkpoint reports its alignment and start delay.
  for (const std::string& vertex : vertexIds()) {
    Reply r = get(job() + "/vertices/" + vertex + "/subtasks/metrics?get=checkpointStartDelayNanos&agg=min");
    ASSERT_EQ(r.status, 200);
    EXPECT_GE(r.body[0]["min"].get<double>(), 0);
  }
}

TEST_F(MetricsApiTest, EveryRecordOfABoundedJobIsCountedOnBothSidesOfEachExchange) {
  const int64_t kRecords = 200000;
  startServer();
  StreamExecutionEnvironment env;
  env.setParallelism(2);
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, kRecords);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .rebalance()
      .map([](int64_t x) { return x * 3; })
      .keyBy([](int64_t x) { return x % 7; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .sinkTo(std::make_shared<DiscardingSink<int64_t>>());
  startJob(env, "bounded-count");
  ASSERT_EQ(client_->waitForResult().status, JobStatus::kFinished);

  const std::vector<std::string> v = vertexIds();
  ASSERT_EQ(v.size(), 3u);  // source | map | reduce -> sink
  EXPECT_EQ(aggregate(v[0], "numRecordsOut", "sum"), double(kRecords));
  EXPECT_EQ(aggregate(v[1], "numRecordsIn", "sum"), double(kRecords));
  EXPECT_EQ(aggregate(v[1], "numRecordsOut", "sum"), double(kRecords));
  EXPECT_EQ(aggregate(v[2], "numRecordsIn", "sum"), double(kRecords));
  EXPECT_EQ(aggregate(v[2], "numRecordsOut", "sum"), 0) << "the sink is chained: nothing leaves the task";
  // Bytes are conserved over each exchange, and each record takes at least its
  // 4-byte length and 8-byte value.
  for (size_t e = 0; e + 1 < v.size(); ++e) {
    EXPECT_EQ(aggregate(v[e], "numBytesOut", "sum"), aggregate(v[e + 1], "numBytesIn", "sum"))
        << "edge " << e;
    EXPECT_GE(aggregate(v[e], "numBytesOut", "sum"), 12.0 * kRecords) << "edge " << e;
  }

  // The vertex listing names "<subtask>.<metric>" and agrees with the aggregates.
  Reply perSubtask =
      get(job() + "/vertices/" + v[1] + "/metrics?get=0.numRecordsIn,1.numRecordsIn,2.numRecordsIn");
  ASSERT_EQ(perSubtask.status, 200);
  ASSERT_EQ(perSubtask.body.size(), 2u) << "subtask 2 does not exist: " << perSubtask.body.dump();
  const double s0 = valueOf(perSubtask.body, "0.numRecordsIn"),
               s1 = valueOf(perSubtask.body, "1.numRecordsIn");
  EXPECT_EQ(s0 + s1, double(kRecords));
  Reply all = get(job() + "/vertices/" + v[1] + "/subtasks/metrics?get=numRecordsIn");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body[0]["min"].get<double>(), std::min(s0, s1));
  EXPECT_EQ(all.body[0]["max"].get<double>(), std::max(s0, s1));
  EXPECT_EQ(all.body[0]["avg"].get<double>(), (s0 + s1) / 2);
  EXPECT_EQ(all.body[0]["sum"].get<double>(), s0 + s1);
  Reply one = get(job() + "/vertices/" + v[1] + "/subtasks/metrics?get=numRecordsIn&agg=sum&subtasks=1");
  EXPECT_EQ(one.body[0]["sum"].get<double>(), s1);
  EXPECT_FALSE(one.body[0].contains("min")) << "only the aggregates asked for";
  Reply single = get(job() + "/vertices/" + v[1] + "/subtasks/0/metrics?get=numRecordsIn,numBytesIn");
  ASSERT_EQ(single.status, 200);
  EXPECT_EQ(valueOf(single.body, "numRecordsIn"), s0);

  // /jobs/:id reports the same counts and bytes per vertex.
  json details = get(job()).body;
  EXPECT_EQ(details["vertices"][1]["metrics"]["read-records"].get<double>(), double(kRecords));
  EXPECT_EQ(details["vertices"][1]["metrics"]["read-bytes"].get<double>(),
            aggregate(v[1], "numBytesIn", "sum"));
  EXPECT_EQ(details["vertices"][0]["metrics"]["write-bytes"].get<double>(),
            aggregate(v[0], "numBytesOut", "sum"));
}

TEST_F(MetricsApiTest, ASlowSinkShowsAsBackpressureAtItsProducer) {
  startServer();
  StreamExecutionEnvironment env;
  env.setParallelism(1);
  env.configuration().set("taskmanager.memory.segment-size", "4kb");
  auto gen = std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 1'000'000'000);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .rebalance()
      .sinkTo(std::make_shared<testing::SpinningSink>(200us));
  startJob(env, "slow-sink");
  const std::vector<std::string> v = vertexIds();
  ASSERT_EQ(v.size(), 2u);
  // The source waits for buffers that the sink frees slowly, the sink is never short of input.
  EXPECT_TRUE(eventually([&] {
    return aggregate(v[0], "backPressuredTimeMsPerSecond", "max") > 500 &&
           aggregate(v[0], "buffers.outPoolUsage", "max") > 0.5 &&
           aggregate(v[1], "busyTimeMsPerSecond", "max") > 500 &&
           aggregate(v[1], "numRecordsInPerSecond", "sum") > 0;
  })) << "source backpressured "
      << aggregate(v[0], "backPressuredTimeMsPerSecond", "max") << " ms/s, pool "
      << aggregate(v[0], "buffers.outPoolUsage", "max") << ", sink busy "
      << aggregate(v[1], "busyTimeMsPerSecond", "max") << " ms/s";
  for (const char* name : {"busyTimeMsPerSecond", "idleTimeMsPerSecond", "backPressuredTimeMsPerSecond"}) {
    EXPECT_LE(aggregate(v[0], name, "max"), 1000.0) << name;
    EXPECT_GE(aggregate(v[0], name, "min"), 0.0) << name;
  }
  EXPECT_GT(get(job()).body["vertices"][0]["metrics"]["accumulated-backpressured-time"].get<double>(), 0);
}

// "name{labels} value" lines, grouped by family, each family announced by HELP and TYPE.
struct ParsedPrometheus {
  std::map<std::string, std::string> types;                  // family -> counter/gauge
  std::vector<std::pair<std::string, std::string>> samples;  // (name{labels}, value)
  std::string error;
};

ParsedPrometheus parsePrometheus(const std::string& text) {
  ParsedPrometheus out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream l(line.substr(7));
      std::string family, type;
      l >> family >> type;
      out.types[family] = type;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    size_t space = line.rfind(' ');
    if (line.empty() || space == std::string::npos) {
      out.error = "malformed line: " + line;
      return out;
    }
    std::string name = line.substr(0, space), value = line.substr(space + 1);
    std::string family = name.substr(0, name.find('{'));
    if (!out.types.count(family)) out.error = "sample before its TYPE: " + line;
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    if (*end != '\0' && value != "NaN" && value != "+Inf" && value != "-Inf")
      out.error = "bad value: " + line;
    out.samples.emplace_back(name, value);
  }
  return out;
}

TEST_F(MetricsApiTest, PrometheusEndpointExportsEveryRunningSubtask) {
  startServer();
  env_.setParallelism(2);
  env_.configuration().set("execution.checkpointing.interval", "100 ms");
  env_.configuration().set("execution.checkpointing.dir", dir_.str());
  buildKeyedJob(env_);
  startJob(env_, "a \"quoted\" job");

  httplib::Result r = http_->Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  ParsedPrometheus p = parsePrometheus(r->body);
  ASSERT_TRUE(p.error.empty()) << p.error << "\n" << r->body;
  EXPECT_EQ(p.types["weir_job_numRestarts"], "counter");
  EXPECT_EQ(p.types["weir_task_busyTimeMsPerSecond"], "gauge");
  EXPECT_TRUE(p.types.count("weir_task_buffers_outPoolUsage"));
  const std::string jobLabels = "job_id=\"" + jobId_ + "\",job_name=\"a \\\"quoted\\\" job\"";
  std::set<std::string> numRecordsIn;
  for (const auto& [name, value] : p.samples) {
    if (name.rfind("weir_task_numRecordsIn{", 0) == 0) numRecordsIn.insert(name);
  }
  std::vector<std::string> v = vertexIds();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(numRecordsIn.size(), 4u) << "two vertices of two subtasks";
  for (const std::string& vertex : v) {
    for (int s = 0; s < 2; ++s) {
      const std::string sample = "weir_task_numRecordsIn{" + jobLabels + ",task_id=\"" + vertex + "\"";
      bool found = false;
      for (const std::string& n : numRecordsIn) {
        if (n.rfind(sample, 0) == 0 &&
            n.find("subtask_index=\"" + std::to_string(s) + "\"") != std::string::npos)
          found = true;
      }
      EXPECT_TRUE(found) << sample << " subtask " << s << "\n" << r->body;
    }
  }
  bool runningJobs = false;
  for (const auto& [name, value] : p.samples)
    if (name == "weir_jobmanager_numRunningJobs") runningJobs = value == "1";
  EXPECT_TRUE(runningJobs);

  // An ended job is no longer exported.
  client_->cancel();
  client_->waitForResult();
  registration_ = {};
  p = parsePrometheus(http_->Get("/metrics")->body);
  ASSERT_TRUE(p.error.empty()) << p.error;
  for (const auto& [name, value] : p.samples) {
    EXPECT_EQ(name.find(jobId_), std::string::npos) << name;
    if (name == "weir_jobmanager_numRunningJobs") {
      EXPECT_EQ(value, "0");
    }
  }
  // Its metrics as it ended stay queryable through the job's own routes.
  EXPECT_EQ(get(job() + "/metrics?get=numRestarts").status, 200);
}

TEST_F(MetricsApiTest, BadMetricQueriesGetCleanErrors) {
  startServer();
  startCheckpointedJob();
  const std::string vertex = vertexIds()[0];
  expectError(get("/jobs/0123456789abcdef0123456789abcdef/metrics"), 404, "0123456789abcdef0123456789abcdef");
  expectError(get(job() + "/vertices/feedface/metrics"), 404, "no vertex feedface");
  expectError(get(job() + "/vertices/feedface/subtasks/metrics?get=numRecordsIn"), 404, "no vertex");
  expectError(get(job() + "/vertices/" + vertex + "/subtasks/2/metrics"), 404, "no subtask 2");
  expectError(get(job() + "/vertices/" + vertex + "/subtasks/x/metrics"), 400, "subtaskindex");
  expectError(get(job() + "/vertices/" + vertex + "/subtasks/metrics?get=numRecordsIn&agg=median"), 400,
              "median");
  expectError(get(job() + "/vertices/" + vertex + "/subtasks/metrics?get=numRecordsIn&subtasks=1-x"), 400,
              "subtasks must list indexes and ranges");
  expectError(post(job() + "/metrics"), 405, "");
  // Names that do not exist are left out, as in Flink.
  Reply r = get(job() + "/vertices/" + vertex + "/subtasks/metrics?get=nope,numRecordsOut");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body.size(), 1u);
  EXPECT_EQ(r.body[0]["id"], "numRecordsOut");
}

TEST(PrometheusTextTest, WritesFamiliesWithEscapedLabels) {
  cluster::JobMetrics m;
  m.jobId = "j1";
  m.jobName = "say \"hi\"\\\n";
  m.job.assign(cluster::kNumJobMetrics, std::nullopt);
  m.job[cluster::kNumRestarts] = 3;
  m.vertices.push_back({"v1", "Map", {std::vector<double>(cluster::kNumSubtaskMetrics, 0.5)}});
  const std::string text = prometheusText({m});
  EXPECT_NE(text.find("weir_jobmanager_numRunningJobs 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE weir_job_numRestarts counter\n"
                      "weir_job_numRestarts{job_id=\"j1\",job_name=\"say \\\"hi\\\"\\\\\\n\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("weir_job_lastCheckpointDuration"), std::string::npos)
      << "metrics that do not apply are not exported";
  EXPECT_NE(
      text.find(
          "weir_task_buffers_inPoolUsage{job_id=\"j1\",job_name=\"say \\\"hi\\\"\\\\\\n\",task_id=\"v1\","
          "task_name=\"Map\",subtask_index=\"0\"} 0.5\n"),
      std::string::npos)
      << text;
}

}  // namespace
}  // namespace weir::rest
