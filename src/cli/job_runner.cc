#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include <weir/core/options.h>

#include "cli/job_registry.h"
#include "cluster/dispatcher.h"
#include "cluster/local_cluster.h"
#include "rest/rest_server.h"

namespace weir::cli {

namespace {

std::atomic<bool> gInterrupted{false};

void onSignal(int) { gInterrupted.store(true); }

std::string human(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}K", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string clock(std::chrono::milliseconds d) {
  auto s = d.count() / 1000;
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

}  // namespace

int JobRunner::run(StreamExecutionEnvironment& env, const std::string& jobName) {
  // Declared so that they go in this order: the job's registration (which archives
  // it), the job, the REST server, the dispatcher.
  cluster::Dispatcher dispatcher;
  std::unique_ptr<rest::RestServer> server;
  if (env.configuration().get(options::kRestEnabled)) {
    Result<rest::RestServerOptions> o =
        rest::RestServerOptions::fromConfiguration(env.configuration(), WEIR_VERSION);
    Result<std::unique_ptr<rest::RestServer>> started =
        o.isOk() ? rest::RestServer::start(*o, dispatcher)
                 : Result<std::unique_ptr<rest::RestServer>>(o.status());
    if (!started.isOk()) {
      std::fprintf(stderr, "weir: %s\n", started.status().message().c_str());
      return 2;
    }
    server = std::move(started).value();
  }
  std::unique_ptr<JobClient> client;
  try {
    client = env.executeAsync(jobName);
  } catch (const StatusException& e) {
    std::fprintf(stderr, "weir: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weir: job '%s' could not be started: %s\n", jobName.c_str(), e.what());
    return 2;
  }
  cluster::Dispatcher::Registration registration;
  if (cluster::JobMaster* jm = cluster::jobMasterOf(*client)) registration = dispatcher.add(*jm);
  std::fprintf(stderr, "Job '%s' submitted with id %s (parallelism %d). Ctrl-C cancels it.\n",
               jobName.c_str(), client->jobId().c_str(), env.parallelism());
  if (server) std::fprintf(stderr, "REST API: %s\n", server->url().c_str());

  auto oldInt = std::signal(SIGINT, onSignal);
  auto oldTerm = std::signal(SIGTERM, onSignal);
  const bool tty = options_.progress && isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  auto lastTick = start;
  JobProgress last = client->progress();
  bool cancelRequested = false;
  bool printedLine = false;
  while (!isGloballyTerminal(client->status())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (gInterrupted.load() && !cancelRequested) {
      cancelRequested = true;
      std::fprintf(stderr, "%sweir: cancelling job %s...\n", printedLine ? "\n" : "",
                   client->jobId().c_str());
      printedLine = false;
      client->cancel();
    }
    auto now = std::chrono::steady_clock::now();
    if (now - lastTick < std::chrono::seconds(1)) continue;
    JobProgress p = client->progress();
    double secs = std::chrono::duration<double>(now - lastTick).count();
    if (tty) {
      std::string ckpt = p.checkpointsCompleted + p.checkpointsFailed == 0
                             ? ""
                             : fmt::format("  chk {} ({} ms, {}B)", p.lastCheckpointId,
                                           p.lastCheckpointDurationMs, human(double(p.lastCheckpointSize)));
      if (p.restarts > 0) ckpt += fmt::format("  restarts {}", p.restarts);
      std::fprintf(stderr, "\r\033[K%s  in %s rec/s  out %s rec/s  (read %s, written %s)%s  elapsed %s",
                   jobStatusName(client->status()),
                   human(double(p.sourceRecordsOut - last.sourceRecordsOut) / secs).c_str(),
                   human(double(p.sinkRecordsIn - last.sinkRecordsIn) / secs).c_str(),
                   human(double(p.sourceRecordsOut)).c_str(), human(double(p.sinkRecordsIn)).c_str(),
                   ckpt.c_str(),
                   clock(std::chrono::duration_cast<std::chrono::milliseconds>(now - start)).c_str());
      std::fflush(stderr);
      printedLine = true;
    }
    last = p;
    lastTick = now;
  }
  JobExecutionResult r = client->waitForResult();
  // A `weir stop` still polling for its savepoint's path gets it before the server goes.
  if (server) server->awaitStopOutcomesRead(std::chrono::seconds(5));
  std::signal(SIGINT, oldInt);
  std::signal(SIGTERM, oldTerm);
  if (printedLine) std::fprintf(stderr, "\n");

  double secs = std::max(0.001, double(r.duration.count()) / 1000.0);
  std::fprintf(
      stderr,
      "Job '%s' %s in %.3f s\n"
      "  records read by sources:   %llu (%s rec/s)\n"
      "  records written by sinks:  %llu (%s rec/s)\n"
      "  records through exchanges: %llu\n",
      r.jobName.c_str(), jobStatusName(r.status), secs, (unsigned long long)r.progress.sourceRecordsOut,
      human(double(r.progress.sourceRecordsOut) / secs).c_str(), (unsigned long long)r.progress.sinkRecordsIn,
      human(double(r.progress.sinkRecordsIn) / secs).c_str(),
      (unsigned long long)r.progress.networkRecordsIn);
  if (r.progress.checkpointsCompleted + r.progress.checkpointsFailed > 0) {
    std::fprintf(stderr, "  checkpoints: %lld completed, %lld failed; last: %lld (%lld ms, %llu bytes)\n",
                 (long long)r.progress.checkpointsCompleted, (long long)r.progress.checkpointsFailed,
                 (long long)r.progress.lastCheckpointId, (long long)r.progress.lastCheckpointDurationMs,
                 (unsigned long long)r.progress.lastCheckpointSize);
  }
  if (r.progress.restarts > 0 || !r.restartCauses.empty()) {
    std::fprintf(stderr, "  restarts: %lld\n", (long long)r.progress.restarts);
    for (const std::string& cause : r.restartCauses) std::fprintf(stderr, "    after: %s\n", cause.c_str());
  }
  if (r.status == JobStatus::kFailed) {
    std::fprintf(stderr, "  cause: %s\n", r.failure.c_str());
    return 1;
  }
  return r.status == JobStatus::kFinished ? 0 : 130;
}

}  // namespace weir::cli
