// The wordcount example: reads text, lowercases it, splits it into words
// ([a-z0-9']+), keeps a running count per word in keyed state and writes
// "word,count" for every occurrence to text files (one per sink subtask).
#pragma once

#include <string>
#include <vector>

#include <weir/weir.h>

namespace weir::examples {

// Appends the words of `line` to `out` (lowercased ASCII; every byte outside [A-Za-z0-9'] separates).
void tokenize(const std::string& line, Collector<std::string>& out);

// Builds the wordcount dataflow on `env`.
void buildWordCount(StreamExecutionEnvironment& env, const std::string& input, const std::string& outputDir,
                    double linesPerSecond);

}  // namespace weir::examples
