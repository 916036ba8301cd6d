// End to end: Nexmark queries run by `weir run nexmark` (parallelism 2, results
// in exactly-once CSV part files) against an independent oracle: the same
// events exported to CSV by `weir nexmark-export`, imported into SQLite
// (Debian's sqlite3), and the query written in SQL. Rows are compared as exact
// multisets of their CSV fields (both sides parsed as RFC 4180, since SQLite
// quotes more eagerly than Weir); numbers are compared as text, so exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/test_util.h"

namespace weir {
namespace {

using testing::runShell;
using testing::shellQuote;
using testing::TempDir;

using Row = std::vector<std::string>;

// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines;
// lines end with LF or CRLF.
std::vector<Row> parseCsv(const std::string& text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false, inRow = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = inRow = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      inRow = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (inRow || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      field.clear();
      row.clear();
      inRow = false;
    } else {
      field += c;
      inRow = true;
    }
  }
  if (inRow || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The tables as `weir nexmark-export` writes them (docs/nexmark.md).
constexpr const char* kSchema = R"sql(
CREATE TABLE person(id INTEGER, name TEXT, emailAddress TEXT, creditCard TEXT, city TEXT, state TEXT,
                    dateTime INTEGER, extra TEXT);
CREATE TABLE auction(id INTEGER, itemName TEXT, description TEXT, initialBid INTEGER, reserve INTEGER,
                     dateTime INTEGER, expires INTEGER, seller INTEGER, category INTEGER, extra TEXT);
CREATE TABLE bid(auction INTEGER, bidder INTEGER, price INTEGER, channel TEXT, url TEXT, dateTime INTEGER,
                 extra TEXT);
)sql";

// The queries in SQL, written from the Nexmark definitions, not from Weir's code.
constexpr const char* kQ0 = "SELECT auction, bidder, price, channel, url, dateTime, extra FROM bid;";
// 0.908 * price exactly: price * 908 thousandths, printed with three decimals (prices are positive).
constexpr const char* kQ1 =
    "SELECT auction, bidder, printf('%d.%03d', price * 908 / 1000, price * 908 % 1000), dateTime, extra "
    "FROM bid;";
constexpr const char* kQ2 = "SELECT auction, price FROM bid WHERE auction % 123 = 0;";

// Exports the stream of (events, seed) to `dir`/csv.
void exportEvents(const TempDir& dir, int64_t events, int seed) {
  auto r = runShell(std::string(WEIR_BINARY) + " nexmark-export --events " + std::to_string(events) +
                    " --seed " + std::to_string(seed) + " --dir " + shellQuote(dir.file("csv")));
  ASSERT_EQ(r.exitCode, 0) << r.output;
}

std::vector<Row> sqliteRows(const TempDir& dir, const std::string& sql) {
  std::string script = kSchema;
  for (const char* table : {"person", "auction", "bid"})
    script += ".import --csv --skip 1 " + dir.file("csv/") + table + ".csv " + table + "\n";
  script += ".mode csv\n.headers off\n" + sql + "\n";
  testing::writeFile(dir.file("oracle.sql"), script);
  auto r = runShell("sqlite3 -bail -batch :memory: < " + shellQuote(dir.file("oracle.sql")) + " 2>" +
                    shellQuote(dir.file("oracle.err")));
  EXPECT_EQ(r.exitCode, 0) << "sqlite3 failed (is Debian's sqlite3 installed? scripts/install-deps.sh): "
                           << testing::readFile(dir.file("oracle.err"));
  return parseCsv(r.output);
}

std::vector<Row> jobRows(const TempDir& dir, const std::string& query, int64_t events, int seed,
                         const std::string& extraRunOptions = "", const std::string& extraJobOptions = "") {
  auto r =
      runShell(std::string(WEIR_BINARY) + " run --no-progress -p 2 " + extraRunOptions + " nexmark --query " +
               query + " --events " + std::to_string(events) + " --seed " + std::to_string(seed) +
               " --sink file --output " + shellQuote(dir.file("out")) + " " + extraJobOptions);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::string text;
  for (const std::string& line : testing::readLinesOfVisibleFiles(dir.file("out"))) text += line + "\n";
  return parseCsv(text);
}

void expectSameMultiset(std::vector<Row> job, std::vector<Row> oracle) {
  std::sort(job.begin(), job.end());
  std::sort(oracle.begin(), oracle.end());
  ASSERT_EQ(job.size(), oracle.size()) << "the job and SQLite disagree on the number of rows";
  for (size_t i = 0; i < job.size(); ++i) {
    ASSERT_EQ(job[i], oracle[i]) << "first differing row (in sorted order) at " << i << " of " << job.size();
  }
}

constexpr int64_t kEvents = 30'000;  // 27,600 bids

TEST(NexmarkE2E, Q0EqualsSqliteWithCheckpoints) {
  TempDir dir;
  exportEvents(dir, kEvents, 11);
  // Checkpoints every 50 ms: results are committed by the file sink at each of them.
  std::vector<Row> job = jobRows(dir, "q0", kEvents, 11, "-D execution.checkpointing.interval=50ms");
  std::vector<Row> oracle = sqliteRows(dir, kQ0);
  ASSERT_EQ(oracle.size(), 27'600u);
  ASSERT_EQ(oracle[0].size(), 7u);
  expectSameMultiset(std::move(job), std::move(oracle));
}

TEST(NexmarkE2E, Q1EqualsSqlite) {
  TempDir dir;
  exportEvents(dir, kEvents, 12);
  std::vector<Row> oracle = sqliteRows(dir, kQ1);
  ASSERT_EQ(oracle.size(), 27'600u);
  expectSameMultiset(jobRows(dir, "q1", kEvents, 12), std::move(oracle));
}

TEST(NexmarkE2E, Q2EqualsSqliteWithMoreSplitsThanSubtasks) {
  TempDir dir;
  exportEvents(dir, kEvents, 13);
  std::vector<Row> oracle = sqliteRows(dir, kQ2);
  ASSERT_GT(oracle.size(), 20u) << "too few rows for a meaningful check";
  expectSameMultiset(jobRows(dir, "q2", kEvents, 13, "", "--splits 5"), std::move(oracle));
}

// The comparison can fail: a job over another seed's stream does not match the oracle.
TEST(NexmarkE2E, OracleRejectsAnotherStream) {
  TempDir dir;
  exportEvents(dir, 5'000, 21);
  std::vector<Row> job = jobRows(dir, "q1", 5'000, 22);
  std::vector<Row> oracle = sqliteRows(dir, kQ1);
  ASSERT_EQ(job.size(), oracle.size());  // same number of bids: only the contents differ
  std::sort(job.begin(), job.end());
  std::sort(oracle.begin(), oracle.end());
  EXPECT_NE(job, oracle);
}

TEST(NexmarkE2E, BadOptionsFailWithUsageErrors) {
  auto r = runShell(std::string(WEIR_BINARY) + " run nexmark --query q99 --events 10");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("q0, q1, q2"), std::string::npos) << r.output;
  r = runShell(std::string(WEIR_BINARY) + " run nexmark --query q1 --events -3");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("must not be negative"), std::string::npos) << r.output;
  r = runShell(std::string(WEIR_BINARY) + " run nexmark --query q1 --rate 0");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  r = runShell(std::string(WEIR_BINARY) + " run nexmark --query q1 --sink file");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("--output"), std::string::npos) << r.output;
  r = runShell(std::string(WEIR_BINARY) + " nexmark-export --events 0 --dir /tmp/never-written");
  EXPECT_NE(r.exitCode, 0) << r.output;
}

}  // namespace
}  // namespace weir
