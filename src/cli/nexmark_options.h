// The Nexmark generator's command-line options, shared by `weir run nexmark`
// and `weir nexmark-export` so that both describe the same event stream.
#pragma once

#include <CLI/CLI.hpp>

#include <weir/connectors/nexmark/nexmark_source.h>

namespace weir::cli {

// Validators with short messages (CLI11's own print the range of a double).
inline CLI::Validator nonNegativeNumber() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        double d = 0;
        if (!CLI::detail::lexical_cast(v, d)) return "not a number: " + v;
        return d < 0 ? "must not be negative, got " + v : std::string();
      },
      "NONNEGATIVE");
}
inline CLI::Validator positiveNumber() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        double d = 0;
        if (!CLI::detail::lexical_cast(v, d)) return "not a number: " + v;
        return d <= 0 ? "must be positive, got " + v : std::string();
      },
      "POSITIVE");
}

// Registers --events, --rate, --seed and --base-time, writing into `options`.
inline void addNexmarkStreamOptions(CLI::App& app, nexmark::NexmarkSourceOptions& options,
                                    int64_t defaultEvents) {
  options.events = defaultEvents;
  app.add_option("--events", options.events, "Number of events (0 = unbounded)")
      ->capture_default_str()
      ->check(nonNegativeNumber());
  app.add_option("--rate", options.generator.eventsPerSecond,
                 "Events per second of event time: event n happens at base time + n * 1000 / rate ms")
      ->capture_default_str()
      ->check(positiveNumber());
  app.add_option("--seed", options.generator.seed, "Seed of the generator (0 = Nexmark's own seeding)")
      ->capture_default_str();
  app.add_option("--base-time", options.generator.baseTime,
                 "Event time of event 0, ms since the epoch (default 2015-07-15T00:00:00Z)")
      ->capture_default_str()
      ->check(nonNegativeNumber());
}

}  // namespace weir::cli
