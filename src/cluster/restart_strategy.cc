#include "cluster/restart_strategy.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace weir::cluster {

namespace {

using std::chrono::milliseconds;

class NoRestart final : public RestartStrategy {
 public:
  std::string describe() const override { return "none"; }
  RestartDecision onFailure(Clock::time_point) override {
    return {false, milliseconds(0), "restart-strategy.type is none"};
  }
};

class FixedDelay final : public RestartStrategy {
 public:
  FixedDelay(int attempts, milliseconds delay) : attempts_(attempts), delay_(delay) {}
  std::string describe() const override {
    return "fixed-delay (" + std::to_string(attempts_) + " attempts, " + formatDuration(delay_) + " apart)";
  }
  RestartDecision onFailure(Clock::time_point) override {
    if (used_ >= attempts_) {
      return {false, milliseconds(0),
              "all " + std::to_string(attempts_) +
                  " restart attempts used (restart-strategy.fixed-delay.attempts)"};
    }
    ++used_;
    return {true, delay_, ""};
  }

 private:
  int attempts_;
  milliseconds delay_;
  int used_ = 0;
};

class FailureRate final : public RestartStrategy {
 public:
  FailureRate(int maxFailures, milliseconds interval, milliseconds delay)
      : maxFailures_(maxFailures), interval_(interval), delay_(delay) {}
  std::string describe() const override {
    return "failure-rate (at most " + std::to_string(maxFailures_) + " failures per " +
           formatDuration(interval_) + ", " + formatDuration(delay_) + " delay)";
  }
  RestartDecision onFailure(Clock::time_point now) override {
    failures_.push_back(now);
    while (!failures_.empty() && now - failures_.front() > interval_) failures_.pop_front();
    if (int(failures_.size()) > maxFailures_) {
      return {false, milliseconds(0),
              std::to_string(failures_.size()) + " failures within " + formatDuration(interval_) +
                  " exceed restart-strategy.failure-rate.max-failures-per-interval (" +
                  std::to_string(maxFailures_) + ")"};
    }
    return {true, delay_, ""};
  }

 private:
  int maxFailures_;
  milliseconds interval_;
  milliseconds delay_;
  std::deque<Clock::time_point> failures_;
};

class ExponentialDelay final : public RestartStrategy {
 public:
  ExponentialDelay(milliseconds initial, milliseconds max, double multiplier, milliseconds resetThreshold,
                   double jitter, int64_t attempts)
      : initial_(initial),
        max_(max),
        multiplier_(multiplier),
        resetThreshold_(resetThreshold),
        jitter_(jitter),
        attempts_(attempts),
        rng_(std::random_device{}()) {}
  std::string describe() const override {
    return "exponential-delay (from " + formatDuration(initial_) + " to " + formatDuration(max_) + ", x" +
           std::to_string(multiplier_) + ")";
  }
  RestartDecision onFailure(Clock::time_point now) override {
    // A job that ran longer than the reset threshold since the last failure starts over.
    if (hadFailure_ && now - lastFailure_ >= resetThreshold_) {
      current_ = initial_;
      attemptsSinceReset_ = 0;
    }
    hadFailure_ = true;
    lastFailure_ = now;
    if (attemptsSinceReset_ >= attempts_) {
      return {false, milliseconds(0),
              "restart-strategy.exponential-delay.attempts-before-reset-backoff (" +
                  std::to_string(attempts_) + ") reached"};
    }
    ++attemptsSinceReset_;
    milliseconds base = current_;
    current_ = std::min(max_, milliseconds(int64_t(double(current_.count()) * multiplier_)));
    double j = jitter_ > 0 ? std::uniform_real_distribution<double>(-jitter_, jitter_)(rng_) : 0.0;
    auto delay = milliseconds(std::max<int64_t>(0, int64_t(std::llround(double(base.count()) * (1.0 + j)))));
    return {true, std::min(delay, max_), ""};
  }

 private:
  milliseconds initial_, max_;
  double multiplier_;
  milliseconds resetThreshold_;
  double jitter_;
  int64_t attempts_;
  std::mt19937_64 rng_;
  milliseconds current_ = initial_;
  int64_t attemptsSinceReset_ = 0;
  bool hadFailure_ = false;
  Clock::time_point lastFailure_;
};

const ConfigOption<std::string> kType{"restart-strategy.type", "", {"restart-strategy"}, ""};
const ConfigOption<int32_t> kFixedAttempts{"restart-strategy.fixed-delay.attempts", 1, {}, ""};
const ConfigOption<milliseconds> kFixedDelay{
    "restart-strategy.fixed-delay.delay", milliseconds(1000), {}, ""};
const ConfigOption<int32_t> kRateMax{"restart-strategy.failure-rate.max-failures-per-interval", 1, {}, ""};
const ConfigOption<milliseconds> kRateInterval{
    "restart-strategy.failure-rate.failure-rate-interval", milliseconds(60000), {}, ""};
const ConfigOption<milliseconds> kRateDelay{
    "restart-strategy.failure-rate.delay", milliseconds(1000), {}, ""};
const ConfigOption<milliseconds> kExpInitial{
    "restart-strategy.exponential-delay.initial-backoff", milliseconds(1000), {}, ""};
const ConfigOption<milliseconds> kExpMax{
    "restart-strategy.exponential-delay.max-backoff", milliseconds(60000), {}, ""};
const ConfigOption<double> kExpMultiplier{
    "restart-strategy.exponential-delay.backoff-multiplier", 1.5, {}, ""};
const ConfigOption<milliseconds> kExpReset{
    "restart-strategy.exponential-delay.reset-backoff-threshold", milliseconds(3600000), {}, ""};
const ConfigOption<double> kExpJitter{"restart-strategy.exponential-delay.jitter-factor", 0.1, {}, ""};
const ConfigOption<int64_t> kExpAttempts{"restart-strategy.exponential-delay.attempts-before-reset-backoff",
                                         std::numeric_limits<int64_t>::max(),
                                         {},
                                         ""};

}  // namespace

Result<std::unique_ptr<RestartStrategy>> createRestartStrategy(const Configuration& config,
                                                               bool checkpointingEnabled) {
  try {
    std::string type = config.get(kType);
    size_t kind;
    if (type.empty()) {
      kind = checkpointingEnabled ? 3 : 0;
    } else {
      // Flink's older spellings are accepted too.
      kind = parseEnum(kType.key, type,
                       {"none", "fixed-delay", "failure-rate", "exponential-delay", "off", "disable",
                        "fixeddelay", "failurerate", "exponentialdelay"});
      static const size_t kCanonical[] = {0, 1, 2, 3, 0, 0, 1, 2, 3};
      kind = kCanonical[kind];
    }
    switch (kind) {
      case 0:
        return std::unique_ptr<RestartStrategy>(std::make_unique<NoRestart>());
      case 1: {
        int attempts = config.get(kFixedAttempts);
        milliseconds delay = config.get(kFixedDelay);
        if (attempts < 0) return Status::invalidArgument(kFixedAttempts.key + " must not be negative");
        if (delay.count() < 0) return Status::invalidArgument(kFixedDelay.key + " must not be negative");
        return std::unique_ptr<RestartStrategy>(std::make_unique<FixedDelay>(attempts, delay));
      }
      case 2: {
        int max = config.get(kRateMax);
        if (max < 1) return Status::invalidArgument(kRateMax.key + " must be at least 1");
        milliseconds interval = config.get(kRateInterval);
        if (interval.count() <= 0) return Status::invalidArgument(kRateInterval.key + " must be positive");
        return std::unique_ptr<RestartStrategy>(
            std::make_unique<FailureRate>(max, interval, config.get(kRateDelay)));
      }
      default: {
        milliseconds initial = config.get(kExpInitial), max = config.get(kExpMax);
        double multiplier = config.get(kExpMultiplier), jitter = config.get(kExpJitter);
        if (initial.count() <= 0) return Status::invalidArgument(kExpInitial.key + " must be positive");
        if (max < initial)
          return Status::invalidArgument(kExpMax.key + " must not be smaller than " + kExpInitial.key);
        if (multiplier < 1.0) return Status::invalidArgument(kExpMultiplier.key + " must be at least 1");
        if (jitter < 0.0 || jitter > 1.0)
          return Status::invalidArgument(kExpJitter.key + " must be within [0, 1]");
        int64_t attempts = config.get(kExpAttempts);
        if (attempts < 0) return Status::invalidArgument(kExpAttempts.key + " must not be negative");
        return std::unique_ptr<RestartStrategy>(std::make_unique<ExponentialDelay>(
            initial, max, multiplier, config.get(kExpReset), jitter, attempts));
      }
    }
  } catch (const ConfigError& e) {
    return Status::invalidArgument(e.what());
  }
}

}  // namespace weir::cluster
