// RestartStrategy: whether and when a failed job restarts (Flink's restart
// strategies, with Flink's names, keys and defaults).
//
//   none               never restart
//   fixed-delay        restart-strategy.fixed-delay.attempts (1), .delay (1 s)
//   failure-rate       restart-strategy.failure-rate.max-failures-per-interval (1),
//                      .failure-rate-interval (1 min), .delay (1 s)
//   exponential-delay  restart-strategy.exponential-delay.initial-backoff (1 s),
//                      .max-backoff (1 min), .backoff-multiplier (1.5),
//                      .reset-backoff-threshold (1 h), .jitter-factor (0.1),
//                      .attempts-before-reset-backoff (unbounded)
// `restart-strategy.type` selects one; unset, it is `none` without
// checkpointing and `exponential-delay` with it (Flink's default).
//
// The JobMaster calls onFailure(now) for each failure and, when the answer says
// restart, waits the delay before redeploying. Not thread-safe: one caller.
#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include <weir/core/config.h>
#include <weir/core/status.h>

namespace weir::cluster {

struct RestartDecision {
  bool restart = false;
  std::chrono::milliseconds delay{0};
  std::string reason;  // why not, when restart is false
};

class RestartStrategy {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~RestartStrategy() = default;
  virtual std::string describe() const = 0;
  // A failure happened at `now`: restart, and after how long?
  virtual RestartDecision onFailure(Clock::time_point now) = 0;
};

// From the configuration; an unknown type or a bad value is InvalidArgument naming the key.
Result<std::unique_ptr<RestartStrategy>> createRestartStrategy(const Configuration& config,
                                                               bool checkpointingEnabled);

}  // namespace weir::cluster
