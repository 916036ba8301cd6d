// Restart strategies: Flink's names, keys, defaults and decisions.
#include <gtest/gtest.h>

#include "cluster/restart_strategy.h"

namespace weir::cluster {
namespace {

using namespace std::chrono_literals;
using Clock = RestartStrategy::Clock;

std::unique_ptr<RestartStrategy> make(std::initializer_list<std::pair<std::string, std::string>> kv,
                                      bool checkpointing = false) {
  Configuration c;
  for (auto& [k, v] : kv) c.set(k, v);
  auto r = createRestartStrategy(c, checkpointing);
  EXPECT_TRUE(r.isOk()) << r.status().toString();
  return r.isOk() ? std::move(r).value() : nullptr;
}

TEST(RestartStrategyTest, DefaultsFollowCheckpointing) {
  EXPECT_EQ(make({}, false)->describe(), "none");
  EXPECT_NE(make({}, true)->describe().find("exponential-delay"), std::string::npos);
  EXPECT_FALSE(make({}, false)->onFailure(Clock::now()).restart);
}

TEST(RestartStrategyTest, FixedDelayUsesItsAttempts) {
  auto s = make({{"restart-strategy.type", "fixed-delay"},
                 {"restart-strategy.fixed-delay.attempts", "2"},
                 {"restart-strategy.fixed-delay.delay", "250 ms"}});
  auto t = Clock::now();
  auto d1 = s->onFailure(t), d2 = s->onFailure(t), d3 = s->onFailure(t);
  EXPECT_TRUE(d1.restart);
  EXPECT_EQ(d1.delay, 250ms);
  EXPECT_TRUE(d2.restart);
  EXPECT_FALSE(d3.restart);
  EXPECT_NE(d3.reason.find("restart-strategy.fixed-delay.attempts"), std::string::npos);
}

TEST(RestartStrategyTest, FailureRateCountsWithinTheInterval) {
  auto s = make({{"restart-strategy.type", "failure-rate"},
                 {"restart-strategy.failure-rate.max-failures-per-interval", "2"},
                 {"restart-strategy.failure-rate.failure-rate-interval", "10 s"}});
  auto t = Clock::now();
  EXPECT_TRUE(s->onFailure(t).restart);
  EXPECT_TRUE(s->onFailure(t + 1s).restart);
  EXPECT_FALSE(s->onFailure(t + 2s).restart) << "three failures within 10 s";
  auto s2 = make({{"restart-strategy.type", "failure-rate"},
                  {"restart-strategy.failure-rate.max-failures-per-interval", "2"},
                  {"restart-strategy.failure-rate.failure-rate-interval", "10 s"}});
  EXPECT_TRUE(s2->onFailure(t).restart);
  EXPECT_TRUE(s2->onFailure(t + 6s).restart);
  EXPECT_TRUE(s2->onFailure(t + 12s).restart) << "the first failure left the window";
}

TEST(RestartStrategyTest, ExponentialDelayGrowsCapsAndResets) {
  auto s = make({{"restart-strategy.type", "exponential-delay"},
                 {"restart-strategy.exponential-delay.initial-backoff", "100 ms"},
                 {"restart-strategy.exponential-delay.max-backoff", "1 s"},
                 {"restart-strategy.exponential-delay.backoff-multiplier", "2"},
                 {"restart-strategy.exponential-delay.jitter-factor", "0"},
                 {"restart-strategy.exponential-delay.reset-backoff-threshold", "1 min"}});
  auto t = Clock::now();
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(s->onFailure(t + std::chrono::seconds(i)).delay.count());
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 1000, 1000}));
  EXPECT_EQ(s->onFailure(t + 10min).delay, 100ms) << "a long healthy run resets the backoff";
}

TEST(RestartStrategyTest, JitterStaysWithinItsFactor) {
  auto s = make({{"restart-strategy.type", "exponential-delay"},
                 {"restart-strategy.exponential-delay.initial-backoff", "1 s"},
                 {"restart-strategy.exponential-delay.backoff-multiplier", "1"}});
  for (int i = 0; i < 50; ++i) {
    auto d = s->onFailure(Clock::now()).delay;
    EXPECT_GE(d, 900ms);
    EXPECT_LE(d, 1100ms);
  }
}

TEST(RestartStrategyTest, BadConfigurationIsAClearError) {
  Configuration c;
  c.set("restart-strategy.type", "sometimes");
  auto r = createRestartStrategy(c, false);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("restart-strategy.type"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("fixed-delay"), std::string::npos) << r.status().message();
  Configuration c2;
  c2.set("restart-strategy.type", "exponential-delay");
  c2.set("restart-strategy.exponential-delay.backoff-multiplier", "0.5");
  r = createRestartStrategy(c2, false);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("backoff-multiplier"), std::string::npos);
}

}  // namespace
}  // namespace weir::cluster
