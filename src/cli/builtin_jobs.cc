#include "cli/job_registry.h"

namespace weir::cli {

int runWordCount(const std::vector<std::string>& args, StreamExecutionEnvironment& env, JobRunner& runner);
int runNexmark(const std::vector<std::string>& args, StreamExecutionEnvironment& env, JobRunner& runner);

const std::vector<BuiltinJob>& builtinJobs() {
  static const std::vector<BuiltinJob> jobs = {
      {"wordcount",
       "count words of text files; writes 'word,count' per occurrence (--input, --output, --rate)",
       runWordCount},
      {"nexmark", "a Nexmark query over the deterministic Nexmark stream (--query, --events, --rate, --sink)",
       runNexmark},
  };
  return jobs;
}

}  // namespace weir::cli
