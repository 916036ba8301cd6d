#include "wordcount.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "cli/job_registry.h"

namespace weir::examples {

namespace {

// Counts occurrences per word in keyed state and emits "word,count" each time.
class CountWords final : public KeyedProcessFunction<std::string, std::string, std::string> {
 public:
  void open(RuntimeContext& ctx) override { count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count")); }
  void processElement(const std::string& word, Context&, Collector<std::string>& out) override {
    int64_t n = count_->value().value_or(0) + 1;
    count_->update(n);
    out.collect(word + "," + std::to_string(n));
  }

 private:
  ValueState<int64_t>* count_ = nullptr;
};

}  // namespace

void tokenize(const std::string& line, Collector<std::string>& out) {
  std::string word;
  for (char c : line) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '\'') {
      word += c;
    } else if (u >= 'A' && u <= 'Z') {
      word += char(u - 'A' + 'a');
    } else if (!word.empty()) {
      out.collect(word);
      word.clear();
    }
  }
  if (!word.empty()) out.collect(word);
}

void buildWordCount(StreamExecutionEnvironment& env, const std::string& input, const std::string& outputDir,
                    double linesPerSecond) {
  std::shared_ptr<const Source<std::string, FileSplit>> source = std::make_shared<TextFileSource>(input);
  if (linesPerSecond > 0)
    source = std::make_shared<RateLimitedSource<std::string, FileSplit>>(source, linesPerSecond);
  // A reader gets whole files, so more readers than files would idle (and would hold
  // a share of the rate limit that nobody uses).
  size_t files = listInputFiles(input).size();
  int sourceParallelism = int(std::max<size_t>(1, std::min<size_t>(files, size_t(env.parallelism()))));
  env.fromSource(source, "lines")
      .setParallelism(sourceParallelism)
      .uid("lines")
      .flatMap([](const std::string& line, Collector<std::string>& out) { tokenize(line, out); })
      .name("tokenize")
      .uid("tokenize")
      .keyBy([](const std::string& word) { return word; })
      .process(CountWords{})
      .name("count")
      .uid("count")
      .sinkTo(std::make_shared<FileSink<std::string>>(outputDir), "counts")
      .uid("counts");
}

}  // namespace weir::examples

namespace weir::cli {

int runWordCount(const std::vector<std::string>& args, StreamExecutionEnvironment& env, JobRunner& runner) {
  CLI::App app("Counts words: for every occurrence writes 'word,count' (the running count) to text files.",
               "weir run wordcount");
  std::string input, output;
  double rate = 0;
  app.add_option("--input", input, "Text file or directory of text files to read")->required();
  app.add_option("--output", output,
                 "Directory for the result files (committed exactly once, at each checkpoint)")
      ->required();
  app.add_option("--rate", rate, "Throttle the source to this many lines per second (0 = unthrottled)")
      ->check(CLI::NonNegativeNumber);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    examples::buildWordCount(env, input, output, rate);
  } catch (const std::runtime_error& e) {  // the input cannot be listed: a usage error
    std::fprintf(stderr, "weir: %s\n", e.what());
    return 2;
  }
  return runner.run(env, "wordcount");
}

}  // namespace weir::cli
