// `weir run` killed with SIGKILL at several moments, resumed each time with -s
// from the latest retained checkpoint, all runs writing into one output
// directory through the exactly-once file sink: the committed output is exactly
// what one run without failure writes. For every word the committed counts are
// 1..n, each once, n from an independent oracle (grep | sort | uniq -c). The
// resumed runs alternate claim modes: a run started with --claim-mode claim deletes
// the checkpoint it started from (at the latest when it finishes), one started with
// no_claim never does.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/test_util.h"
#include "testing/checkpoint_dirs.h"

namespace weir {
namespace {

namespace fs = std::filesystem;
using testing::latestCheckpoint;
using testing::runShell;
using testing::shellQuote;
using testing::TempDir;
using testing::weirRun;

// Committed lines only (hidden in-progress files are not output). Every line must be whole.
std::map<std::string, std::vector<long>> countsIn(const std::string& dir) {
  std::map<std::string, std::vector<long>> m;
  for (const std::string& line : testing::readLinesOfVisibleFiles(dir)) {
    size_t c = line.rfind(',');
    EXPECT_TRUE(c != std::string::npos && c + 1 < line.size()) << "torn line in committed output: " << line;
    if (c == std::string::npos || c + 1 == line.size()) continue;
    char* end = nullptr;
    long n = std::strtol(line.c_str() + c + 1, &end, 10);
    EXPECT_EQ(*end, '\0') << "torn line in committed output: " << line;
    m[line.substr(0, c)].push_back(n);
  }
  return m;
}

// Writes 80,000 lines of random words into `dir`/in/text.txt; the count of each word, by
// an independent oracle (grep | sort | uniq -c).
std::map<std::string, long> writeTextAndCountWords(const TempDir& dir) {
  std::mt19937 rng(42);
  std::ostringstream text;
  const char* words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
  for (int l = 0; l < 80000; ++l) text << words[rng() % 8] << " " << words[rng() % 8] << "\n";
  testing::writeFile(dir.file("in/text.txt"), text.str());
  auto oracle = runShell("cat " + shellQuote(dir.file("in/text.txt")) +
                         " | LC_ALL=C grep -oE \"[a-z0-9']+\" | LC_ALL=C sort | LC_ALL=C uniq -c");
  EXPECT_EQ(oracle.exitCode, 0);
  std::map<std::string, long> expected;
  std::istringstream in(oracle.output);
  long n;
  std::string w;
  while (in >> n >> w) expected[w] = n;
  return expected;
}

// Exactly the counts 1..n per word, each once: nothing lost, nothing twice.
void expectEveryCountOnce(const std::map<std::string, long>& expected, const std::string& out) {
  std::map<std::string, std::vector<long>> got = countsIn(out);
  ASSERT_EQ(got.size(), expected.size());
  for (auto& [w, n] : expected) {
    std::vector<long> counts = got[w];
    std::sort(counts.begin(), counts.end());
    ASSERT_EQ(long(counts.size()), n)
        << "word " << w << ": committed " << counts.size() << " counts, expected " << n;
    for (long i = 0; i < n; ++i) ASSERT_EQ(counts[size_t(i)], i + 1) << "word " << w;
  }
}

TEST(KillResumeTest, CommittedOutputIsExactAcrossSigkillAndResume) {
  TempDir dir;
  const std::map<std::string, long> expected = writeTextAndCountWords(dir);

  const std::string common =
      weirRun() +
      " --no-progress -p 2 -D execution.checkpointing.interval=100ms"
      " -D execution.checkpointing.dir=" +
      shellQuote(dir.file("ckpt")) +
      " -D execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION";
  std::string restoreFrom;
  std::vector<std::string> restoredFrom(4);
  const std::string out = dir.file("out");
  const double killAfter[] = {0.6, 0.8, 0.7};
  const char* claimMode[] = {"", "claim", "no_claim", "claim"};
  for (int attempt = 0; attempt <= 3; ++attempt) {
    restoredFrom[size_t(attempt)] = restoreFrom;
    std::string cmd =
        common +
        (restoreFrom.empty() ? ""
                             : " -s " + shellQuote(restoreFrom) + " --claim-mode " + claimMode[attempt]) +
        " wordcount --rate 20000 --input " + shellQuote(dir.file("in")) + " --output " + shellQuote(out);
    std::string log = dir.file("log" + std::to_string(attempt));
    if (attempt < 3) {
      // Killed without warning: no cleanup, no flush, no final checkpoint.
      auto r = runShell("(" + cmd + " > " + shellQuote(log) + " 2>&1 & echo $! > " +
                        shellQuote(log + ".pid") + "; wait) & sleep " + std::to_string(killAfter[attempt]) +
                        "; kill -9 $(cat " + shellQuote(log + ".pid") + "); sleep 0.2");
      std::string output = testing::readFile(log);
      size_t idPos = output.find("submitted with id ");
      ASSERT_NE(idPos, std::string::npos) << output;
      std::string jobId = output.substr(idPos + 18, 32);
      std::string chk = latestCheckpoint(dir.file("ckpt/" + jobId));
      ASSERT_FALSE(chk.empty()) << "attempt " << attempt << " retained no checkpoint: " << output;
      restoreFrom = chk;
    } else {
      auto r = runShell(cmd);
      ASSERT_EQ(r.exitCode, 0) << r.output;
    }
  }

  expectEveryCountOnce(expected, out);
  EXPECT_TRUE(fs::exists(restoredFrom[2] + "/_metadata")) << "no_claim: the job never deletes it";
  EXPECT_FALSE(fs::exists(restoredFrom[3])) << "claim: the job owned it and deleted it when it finished";
}

// `weir stop` (with and without --drain) on a running `weir run wordcount`, then `weir run
// -s <savepoint>` into the same output directory: the committed output is exactly what
// one run writes (the stop's savepoint is committed by the stopped run, nothing twice).
TEST(KillResumeTest, StopWithSavepointThenResumeCommitsEveryCountOnce) {
  for (const std::string drain : {"", " --drain"}) {
    SCOPED_TRACE("weir stop" + drain);
    TempDir dir;
    const std::map<std::string, long> expected = writeTextAndCountWords(dir);
    const std::string out = dir.file("out");
    const std::string job =
        " wordcount --rate 20000 --input " + shellQuote(dir.file("in")) + " --output " + shellQuote(out);
    testing::BackgroundWeir w = testing::startWeirInBackground(
        "--no-progress -p 2 -D execution.checkpointing.interval=100ms"
        " -D execution.checkpointing.data-inline-threshold=0" +
            job,
        dir.file("first.log"));
    ASSERT_TRUE(w.error.empty()) << w.error;
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    auto stop = runShell(std::string(WEIR_BINARY) + " stop -m " + w.jobManager + drain + " -p " +
                         shellQuote(dir.file("sp")) + " " + w.jobId);
    ASSERT_EQ(stop.exitCode, 0) << stop.output;
    const size_t at = stop.output.find("Savepoint completed. Path: ");
    ASSERT_NE(at, std::string::npos) << stop.output;
    const std::string savepoint = stop.output.substr(at + 27, stop.output.find('\n', at) - at - 27);
    EXPECT_TRUE(testing::waitForExit(w.pid)) << "weir run did not end after its job was stopped";
    EXPECT_NE(testing::readFile(dir.file("first.log")).find("FINISHED"), std::string::npos)
        << testing::readFile(dir.file("first.log"));
    EXPECT_FALSE(countsIn(out).empty()) << "the stopped run committed what its savepoint covers";
    auto resumed = runShell(weirRun() + " --no-progress -p 3 -s " + shellQuote(savepoint) + job);
    ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
    expectEveryCountOnce(expected, out);

    // weir inspect: what the savepoint holds, every file verified; then damaged copies.
    const std::string weir = std::string(WEIR_BINARY);
    auto inspect = runShell(weir + " inspect --verify " + shellQuote(savepoint));
    ASSERT_EQ(inspect.exitCode, 0) << inspect.output;
    EXPECT_NE(inspect.output.find("Savepoint (canonical format)"), std::string::npos) << inspect.output;
    EXPECT_NE(inspect.output.find("count: value, serializer i64 v1"), std::string::npos) << inspect.output;
    EXPECT_NE(inspect.output.find("key groups [0, 63]"), std::string::npos) << inspect.output;
    EXPECT_NE(inspect.output.find("Verified: every file has its size and checksum."), std::string::npos);
    auto asJson = runShell(weir + " inspect --json " + shellQuote(savepoint) + " 2>/dev/null");
    ASSERT_EQ(asJson.exitCode, 0) << asJson.output;
    nlohmann::json j = nlohmann::json::parse(asJson.output);
    EXPECT_EQ(j["type"], "savepoint");
    EXPECT_EQ(j["operators"].size(), 4u) << asJson.output;
    ASSERT_FALSE(j["files"].empty()) << "inline threshold 0: every state is a file";

    const std::string damaged = dir.file("damaged");
    fs::copy(savepoint, damaged, fs::copy_options::recursive);
    const fs::path victim = fs::path(damaged) / j["files"][0].get<std::string>();
    std::string bytes = testing::readFile(victim.string());
    bytes[bytes.size() / 2] ^= 0x20;
    testing::writeFile(victim.string(), bytes);
    auto flipped = runShell(weir + " inspect --verify " + shellQuote(damaged));
    EXPECT_EQ(flipped.exitCode, 1) << flipped.output;
    EXPECT_NE(flipped.output.find("checksum"), std::string::npos) << flipped.output;
    fs::remove(victim);
    auto missing = runShell(weir + " inspect --verify " + shellQuote(damaged));
    EXPECT_EQ(missing.exitCode, 1) << missing.output;
    EXPECT_NE(missing.output.find(victim.filename().string()), std::string::npos) << missing.output;
    std::string metadata = testing::readFile(damaged + "/_metadata");
    testing::writeFile(damaged + "/_metadata", metadata.substr(0, metadata.size() / 2));
    auto truncated = runShell(weir + " inspect " + shellQuote(damaged));
    EXPECT_NE(truncated.exitCode, 0) << truncated.output;
    EXPECT_NE(truncated.output.find("_metadata"), std::string::npos) << truncated.output;
  }
}

}  // namespace
}  // namespace weir
