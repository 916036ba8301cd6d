// End to end: `weir run wordcount` at several parallelisms, checked against an
// independent oracle (tr | grep -o | sort | uniq -c over the same input): for
// every word the emitted running counts are exactly 1..n, no gap, no duplicate.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "e2e/test_util.h"

namespace weir {
namespace {

using testing::runShell;
using testing::shellQuote;
using testing::TempDir;
using testing::weirRun;

// Deterministic text with mixed case, digits, apostrophes, punctuation, empty
// lines, non-ASCII bytes and a last line without newline.
std::string makeText(uint32_t seed, int lines) {
  static const char* kWords[] = {"the",  "Stream", "flows",   "WEIR", "river", "don't",
                                 "it's", "42",     "x1",      "Café", "naïve", "barrier",
                                 "key",  "Group",  "o'clock", "a",    "I",     "zz9"};
  static const char* kSeps[] = {" ", ", ", ". ", "! ", " -- ", "\t", "; ", "? ", "(", ") "};
  std::mt19937 rng(seed);
  std::ostringstream out;
  for (int l = 0; l < lines; ++l) {
    int n = int(rng() % 12);
    for (int w = 0; w < n; ++w) {
      out << kWords[rng() % (sizeof(kWords) / sizeof(*kWords))];
      out << kSeps[rng() % (sizeof(kSeps) / sizeof(*kSeps))];
    }
    if (l + 1 < lines) out << "\n";
  }
  return out.str();
}

std::map<std::string, int64_t> oracleCounts(const std::string& inputGlob) {
  auto r = runShell("cat " + inputGlob +
                    " | LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C grep -oE \"[a-z0-9']+\" | "
                    "LC_ALL=C sort | LC_ALL=C uniq -c");
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::map<std::string, int64_t> counts;
  std::istringstream in(r.output);
  int64_t n;
  std::string w;
  while (in >> n >> w) counts[w] = n;
  return counts;
}

void expectExactRunningCounts(const std::string& outputDir, const std::map<std::string, int64_t>& oracle) {
  std::map<std::string, std::vector<int64_t>> seen;
  for (const std::string& line : testing::readLinesOfVisibleFiles(outputDir)) {
    size_t comma = line.rfind(',');
    ASSERT_NE(comma, std::string::npos) << line;
    seen[line.substr(0, comma)].push_back(std::stoll(line.substr(comma + 1)));
  }
  ASSERT_EQ(seen.size(), oracle.size());
  for (auto& [word, counts] : seen) {
    ASSERT_TRUE(oracle.count(word)) << "unexpected word " << word;
    std::sort(counts.begin(), counts.end());
    std::vector<int64_t> expected(size_t(oracle.at(word)));
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = int64_t(i) + 1;
    ASSERT_EQ(counts, expected) << "word '" << word << "'";
  }
}

class WordCountE2E : public ::testing::TestWithParam<int> {};

TEST_P(WordCountE2E, EqualsOracle) {
  TempDir dir;
  // Three input files and a hidden one the source must skip.
  testing::writeFile(dir.file("in/a.txt"), makeText(1, 3000));
  testing::writeFile(dir.file("in/b.txt"), makeText(2, 5000));
  testing::writeFile(dir.file("in/sub/c.txt"), makeText(3, 2000));
  testing::writeFile(dir.file("in/.hidden.txt"), "secret words never counted\n");
  auto r = runShell(weirRun() + " --no-progress -p " + std::to_string(GetParam()) + " wordcount --input " +
                    shellQuote(dir.file("in")) + " --output " + shellQuote(dir.file("out")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("FINISHED"), std::string::npos) << r.output;
  auto oracle = oracleCounts(shellQuote(dir.file("in/a.txt")) + " " + shellQuote(dir.file("in/b.txt")) + " " +
                             shellQuote(dir.file("in/sub/c.txt")));
  ASSERT_GT(oracle.size(), 10u);
  expectExactRunningCounts(dir.file("out"), oracle);
}

INSTANTIATE_TEST_SUITE_P(Parallelism, WordCountE2E, ::testing::Values(1, 2, 4));

// Small buffers, flushing after every record, and no chaining: records span
// buffers, every operator talks over the network, producers hit backpressure.
TEST(WordCountE2EConfig, SmallBuffersNoChainingFlushEveryRecord) {
  TempDir dir;
  testing::writeFile(dir.file("in/a.txt"), makeText(7, 20000));
  auto r =
      runShell(weirRun() +
               " --no-progress -p 3 -D taskmanager.memory.segment-size=4kb -D execution.buffer-timeout=0 "
               "-D pipeline.operator-chaining.enabled=false wordcount --input " +
               shellQuote(dir.file("in")) + " --output " + shellQuote(dir.file("out")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  expectExactRunningCounts(dir.file("out"), oracleCounts(shellQuote(dir.file("in/a.txt"))));
}

// The credit-based path (what a TCP exchange uses) with few buffers per channel.
TEST(WordCountE2EConfig, CreditBasedChannels) {
  TempDir dir;
  testing::writeFile(dir.file("in/a.txt"), makeText(11, 20000));
  auto r =
      runShell(weirRun() +
               " --no-progress -p 3 -D taskmanager.network.local-channel-mode=credit-based"
               " -D taskmanager.memory.segment-size=4kb -D taskmanager.network.memory.buffers-per-channel=1"
               " -D taskmanager.network.memory.floating-buffers-per-gate=2 wordcount --input " +
               shellQuote(dir.file("in")) + " --output " + shellQuote(dir.file("out")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  expectExactRunningCounts(dir.file("out"), oracleCounts(shellQuote(dir.file("in/a.txt"))));
}

TEST(WordCountCliTest, UnknownChannelModeIsAClearError) {
  TempDir dir;
  testing::writeFile(dir.file("in.txt"), "a b c\n");
  auto r = runShell(weirRun() +
                    " --no-progress -D taskmanager.network.local-channel-mode=tcp"
                    " wordcount --input " +
                    shellQuote(dir.file("in.txt")) + " --output " + shellQuote(dir.file("out")));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("taskmanager.network.local-channel-mode"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("credit-based"), std::string::npos) << r.output;
}

size_t countFiles(const std::string& dir) {
  auto r = runShell("ls " + shellQuote(dir) + " | wc -l");
  return size_t(std::stoul(r.output));
}

// -c loads a nested YAML file (Flink 2 style); -D overrides it; -p overrides both.
TEST(WordCountCliTest, ConfigFileOverridesAndParallelismFlag) {
  TempDir dir;
  testing::writeFile(dir.file("in.txt"), makeText(5, 500));
  testing::writeFile(dir.file("conf.yaml"),
                     "parallelism:\n  default: 3\ntaskmanager:\n  memory:\n    segment-size: 8kb\n");
  std::string base = weirRun() + " --no-progress -c " + shellQuote(dir.file("conf.yaml"));
  std::string job = " wordcount --input " + shellQuote(dir.file("in.txt")) + " --output ";
  auto r = runShell(base + job + shellQuote(dir.file("out3")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(countFiles(dir.file("out3")), 3u) << "one file per sink subtask at parallelism.default 3";
  r = runShell(base + " -D parallelism.default=2" + job + shellQuote(dir.file("out2")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(countFiles(dir.file("out2")), 2u);
  r = runShell(base + " -D parallelism.default=2 -p 4" + job + shellQuote(dir.file("out4")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(countFiles(dir.file("out4")), 4u);
  expectExactRunningCounts(dir.file("out4"), oracleCounts(shellQuote(dir.file("in.txt"))));
}

TEST(WordCountCliTest, BrokenConfigFileNamesFileAndLine) {
  TempDir dir;
  testing::writeFile(dir.file("in.txt"), "a\n");
  testing::writeFile(dir.file("bad.yaml"), "parallelism.default: 2\nexecution: [unclosed\n  x: : y\n");
  auto r =
      runShell(weirRun() + " --no-progress -c " + shellQuote(dir.file("bad.yaml")) + " wordcount --input " +
               shellQuote(dir.file("in.txt")) + " --output " + shellQuote(dir.file("out")));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find(dir.file("bad.yaml")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("line"), std::string::npos) << r.output;
}

TEST(WordCountCliTest, MissingInputIsAClearError) {
  TempDir dir;
  auto r = runShell(weirRun() + " --no-progress wordcount --input " + shellQuote(dir.file("nope")) +
                    " --output " + shellQuote(dir.file("out")));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir.file("nope")), std::string::npos) << r.output;
}

TEST(WordCountCliTest, BadConfigurationValueIsAClearError) {
  TempDir dir;
  testing::writeFile(dir.file("in.txt"), "a b c\n");
  auto r = runShell(weirRun() + " --no-progress -D execution.buffer-timeout=soon wordcount --input " +
                    shellQuote(dir.file("in.txt")) + " --output " + shellQuote(dir.file("out")));
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("execution.buffer-timeout"), std::string::npos) << r.output;
}

TEST(WordCountCliTest, ListShowsWordCount) {
  auto r = runShell(weirRun() + " --list");
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("wordcount"), std::string::npos) << r.output;
}

TEST(WordCountCliTest, UnknownJobIsAClearError) {
  auto r = runShell(weirRun() + " nosuchjob");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("unknown job 'nosuchjob'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace weir
