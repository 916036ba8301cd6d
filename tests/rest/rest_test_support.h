// What the REST API tests share: a REST server on a free loopback port in front
// of a Dispatcher, jobs registered with it, an HTTP client, and checks of
// Flink's error shape.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <weir/weir.h>

#include "cluster/dispatcher.h"
#include "cluster/local_cluster.h"
#include "rest/rest_server.h"
#include "testing/temp_dir.h"

namespace weir::rest {

using namespace std::chrono_literals;
using nlohmann::json;

// Polls `condition` every 20 ms for up to `timeout`.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

// A keyed job at a bounded rate: source (parallelism 2) -> keyBy/reduce -> sink.
inline void buildKeyedJob(StreamExecutionEnvironment& env) {
  auto gen =
      std::make_shared<DataGeneratorSource<int64_t>>([](int64_t i) { return i; }, 1'000'000'000, 20000);
  env.fromSource(std::shared_ptr<const Source<int64_t, NumberSequenceSplit>>(gen), "numbers")
      .uid("numbers")
      .keyBy([](int64_t x) { return x % 100; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .uid("sum")
      .sinkTo(std::make_shared<CollectSink<int64_t>>())
      .uid("sink");
}

struct Reply {
  int status = 0;
  json body;
  std::string allow;
};

// A running job served by a REST server on a free loopback port.
class RestApiTest : public ::testing::Test {
 protected:
  void startServer(RestServerOptions o = {}) {
    o.port = 0;
    o.version = "test";
    auto s = RestServer::start(o, dispatcher_);
    ASSERT_TRUE(s.isOk()) << s.status().toString();
    server_ = std::move(s).value();
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    http_->set_read_timeout(10, 0);
  }
  void startJob(StreamExecutionEnvironment& env, const std::string& name = "rest-test") {
    // A previous job is archived before its JobMaster goes (the Registration's contract).
    registration_ = {};
    client_.reset();
    client_ = env.executeAsync(name);
    registration_ = dispatcher_.add(*cluster::jobMasterOf(*client_));
    jobId_ = client_->jobId();
  }
  void startCheckpointedJob(const std::string& interval = "100 ms") {
    env_.setParallelism(2);
    env_.configuration().set("execution.checkpointing.interval", interval);
    env_.configuration().set("execution.checkpointing.dir", dir_.str());
    env_.configuration().set("execution.checkpointing.num-retained", "1000");
    buildKeyedJob(env_);
    startJob(env_);
  }
  void TearDown() override {
    if (client_) {
      client_->cancel();
      client_->waitForResult();
    }
    registration_ = {};
    client_.reset();
    server_.reset();
  }

  static Reply toReply(const httplib::Result& r) {
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body.empty() ? json() : json::parse(r->body, nullptr, false);
    out.allow = r->get_header_value("Allow");
    return out;
  }
  Reply get(const std::string& path) { return toReply(http_->Get(path)); }
  Reply post(const std::string& path, const std::string& body = "", const httplib::Headers& headers = {}) {
    return toReply(http_->Post(path, headers, body, "application/json"));
  }
  Reply patch(const std::string& path, const httplib::Headers& headers = {}) {
    return toReply(http_->Patch(path, headers, "", "application/json"));
  }
  std::string job() const { return "/jobs/" + jobId_; }

  testing::TempDir dir_;
  cluster::Dispatcher dispatcher_;
  std::unique_ptr<RestServer> server_;
  std::unique_ptr<httplib::Client> http_;
  StreamExecutionEnvironment env_;
  std::unique_ptr<JobClient> client_;
  cluster::Dispatcher::Registration registration_;
  std::string jobId_;
};

// Every error is Flink's {"errors": ["..."]} with a message.
inline void expectError(const Reply& r, int status, const std::string& fragment) {
  EXPECT_EQ(r.status, status) << r.body.dump();
  ASSERT_TRUE(r.body.is_object() && r.body.contains("errors")) << r.body.dump();
  ASSERT_EQ(r.body["errors"].size(), 1u);
  EXPECT_NE(r.body["errors"][0].get<std::string>().find(fragment), std::string::npos) << r.body.dump();
}

}  // namespace weir::rest
