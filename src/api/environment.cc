#include <weir/api/environment.h>

#include <weir/api/data_stream.h>
#include <weir/connectors/sequence_source.h>

#include "cluster/local_cluster.h"

namespace weir {

SingleOutputStreamOperator<int64_t> StreamExecutionEnvironment::fromSequence(int64_t from, int64_t to) {
  return fromSource<int64_t, NumberSequenceSplit>(std::make_shared<NumberSequenceSource>(from, to),
                                                  "Sequence Source");
}

Result<StreamExecutionEnvironment> StreamExecutionEnvironment::fromConfiguration(
    const std::string& yamlPath, const std::vector<std::string>& overrides) {
  Configuration config;
  if (!yamlPath.empty()) {
    Result<Configuration> loaded = Configuration::fromYamlFile(yamlPath);
    if (!loaded.isOk()) return loaded.status();
    config = std::move(loaded).value();
  }
  for (const std::string& kv : overrides) {
    Status s = config.applyOverride(kv);
    if (!s.isOk()) return s.withContext("-D " + kv);
  }
  return StreamExecutionEnvironment(std::move(config));
}

std::unique_ptr<JobClient> StreamExecutionEnvironment::executeAsync(const std::string& jobName) {
  auto graph = std::move(graph_);
  graph_ = std::make_shared<StreamGraph>();
  auto config = std::make_shared<const Configuration>(config_);
  Result<std::unique_ptr<JobClient>> client = cluster::submitJob(std::move(graph), jobName, config);
  if (!client.isOk()) throw StatusException(client.status());
  return std::move(client).value();
}

JobExecutionResult StreamExecutionEnvironment::execute(const std::string& jobName) {
  std::unique_ptr<JobClient> client = executeAsync(jobName);
  JobExecutionResult result = client->waitForResult();
  if (result.status != JobStatus::kFinished) throw JobExecutionException(result);
  return result;
}

}  // namespace weir
