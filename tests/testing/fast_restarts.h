// Test configuration shared by the failure tests: a checkpoint every `interval`
// and up to `attempts` restarts `delay` apart (fixed delay), so that an
// injected failure is recovered from the latest checkpoint at once.
#pragma once

#include <string>

#include <weir/api/environment.h>

namespace weir::testing {

inline void checkpointAndRestartFast(StreamExecutionEnvironment& env, const std::string& interval,
                                     int attempts = 2, const std::string& delay = "0 ms") {
  Configuration& c = env.configuration();
  c.set("execution.checkpointing.interval", interval);
  c.set("restart-strategy.type", "fixed-delay");
  c.set("restart-strategy.fixed-delay.attempts", std::to_string(attempts));
  c.set("restart-strategy.fixed-delay.delay", delay);
}

}  // namespace weir::testing
