// RestContext: what every REST handler works with: the cluster's Dispatcher,
// the outcomes of asynchronous operations (checkpoints triggered through the
// API, polled by request id, Flink's CompletedOperationCache), and facts about
// the server.
//
// Threading: handlers run on the HTTP server's worker threads, many at once;
// everything here is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <weir/core/status.h>

#include "cluster/dispatcher.h"

namespace weir::rest {

// Checkpoints triggered through the API, by request id; the oldest are forgotten
// after kCapacity. A trigger waits behind the checkpoints in progress (see
// CheckpointCoordinator::triggerCheckpoint), so it runs on a thread of its own and
// the request answers at once; until the trigger returns, its outcome is pending.
// The destructor waits for triggers still running (they return when their job's
// checkpoint slot frees, or at once when the job stops).
class TriggeredCheckpoints {
 public:
  static constexpr size_t kCapacity = 1000;
  // kEndsJob: a stop-with-savepoint, whose job ends with it; `weir run` keeps serving
  // after its job ended until the outcome was read (awaitEndingOutcomesRead).
  enum class Kind { kOther, kEndsJob };
  struct Entry {
    std::string requestId;
    std::string jobId;
    std::shared_future<Result<int64_t>> checkpointId;  // the id, or why the trigger was refused
    Kind kind = Kind::kOther;
    std::shared_ptr<std::atomic<bool>> outcomeRead = std::make_shared<std::atomic<bool>>(false);
  };
  // Runs `trigger` on its own thread; returns the request id: `requestId` when given
  // (a client-chosen id), else a new one.
  std::string add(const std::string& jobId, std::function<Result<int64_t>()> trigger,
                  std::string requestId = "", Kind kind = Kind::kOther);
  std::optional<Entry> find(const std::string& jobId, const std::string& requestId) const;
  // Waits until the outcome of every kEndsJob trigger was answered as COMPLETED to a
  // poll, at most `limit`.
  void awaitEndingOutcomesRead(std::chrono::milliseconds limit) const;

 private:
  mutable std::mutex mu_;
  std::deque<Entry> entries_;  // guarded by mu_
};

struct RestContext {
  cluster::Dispatcher& dispatcher;
  std::string version;
  TriggeredCheckpoints triggers;
};

}  // namespace weir::rest
