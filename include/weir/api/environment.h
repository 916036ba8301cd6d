// StreamExecutionEnvironment: where a job is defined and started (Flink's
// StreamExecutionEnvironment). It holds the job's configuration and the
// StreamGraph that DataStream calls build, and execute() runs the job on an
// embedded local cluster.
//
// Configuration comes from a YAML file and key=value overrides with Flink's key
// names (see core/options.h); setters here override both.
//
// Not thread-safe: build and execute a job from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <weir/api/job_client.h>
#include <weir/core/config.h>
#include <weir/core/options.h>
#include <weir/graph/stream_graph.h>

namespace weir {

template <class T>
class DataStream;
template <class T>
class SingleOutputStreamOperator;
template <class T, class Split>
class Source;
template <class T>
class WatermarkStrategy;

class StreamExecutionEnvironment {
 public:
  StreamExecutionEnvironment() : StreamExecutionEnvironment(Configuration()) {}
  explicit StreamExecutionEnvironment(Configuration config)
      : config_(std::move(config)), graph_(std::make_shared<StreamGraph>()) {}

  // An environment configured from a YAML file (empty path: none) and then
  // `key=value` overrides, in that order, as `weir run -c FILE -D k=v` does.
  // Errors name the file, line, or override that is wrong.
  static Result<StreamExecutionEnvironment> fromConfiguration(const std::string& yamlPath,
                                                              const std::vector<std::string>& overrides);

  StreamExecutionEnvironment& setParallelism(int parallelism) {
    config_.set(options::kDefaultParallelism.key, std::to_string(parallelism));
    return *this;
  }
  int parallelism() const { return config_.get(options::kDefaultParallelism); }
  StreamExecutionEnvironment& setMaxParallelism(int maxParallelism) {
    config_.set(options::kMaxParallelism.key, std::to_string(maxParallelism));
    return *this;
  }
  int maxParallelism() const { return config_.get(options::kMaxParallelism); }
  StreamExecutionEnvironment& setBufferTimeout(std::chrono::milliseconds timeout) {
    config_.set(options::kBufferTimeout.key, std::to_string(timeout.count()) + " ms");
    return *this;
  }
  StreamExecutionEnvironment& disableOperatorChaining() {
    config_.set(options::kOperatorChaining.key, "false");
    return *this;
  }
  Configuration& configuration() { return config_; }
  const Configuration& configuration() const { return config_; }

  // Adds a source; the stream it returns has the source's record type.
  template <class T, class Split>
  SingleOutputStreamOperator<T> fromSource(std::shared_ptr<const Source<T, Split>> source,
                                           const std::string& name);
  // A source whose records get event timestamps and watermarks from `strategy`
  // (see weir/api/watermark_strategy.h), per split.
  template <class T, class Split>
  SingleOutputStreamOperator<T> fromSource(std::shared_ptr<const Source<T, Split>> source,
                                           const WatermarkStrategy<T>& strategy, const std::string& name);
  // The numbers from..to (inclusive), split among the source's subtasks.
  SingleOutputStreamOperator<int64_t> fromSequence(int64_t from, int64_t to);
  template <class T>
  SingleOutputStreamOperator<T> fromCollection(std::vector<T> values,
                                               const std::string& name = "Collection Source");
  template <class T, class... Ts>
  SingleOutputStreamOperator<T> fromElements(T first, Ts... rest) {
    return fromCollection<T>(std::vector<T>{std::move(first), T(std::move(rest))...}, "Elements Source");
  }

  // Runs the job and waits for it. Throws JobExecutionException if it fails or
  // is cancelled, StatusException if it cannot be deployed (bad graph or config).
  JobExecutionResult execute(const std::string& jobName = "Weir Job");
  // Deploys the job and returns at once. Throws StatusException if it cannot be deployed.
  std::unique_ptr<JobClient> executeAsync(const std::string& jobName = "Weir Job");

  // The graph under construction (used by DataStream; not for user code).
  StreamGraph& streamGraph() { return *graph_; }

 private:
  template <class T, class Split>
  SingleOutputStreamOperator<T> fromSourceWith(std::shared_ptr<const Source<T, Split>> source,
                                               std::shared_ptr<const WatermarkStrategy<T>> strategy,
                                               const std::string& name);
  Configuration config_;
  std::shared_ptr<StreamGraph> graph_;
};

}  // namespace weir
