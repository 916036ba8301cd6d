// TextFileSource's reader: lines (with and without a final newline, empty lines,
// '\r' kept), byte offsets as positions, resuming from a snapshotted split, and
// the enumerator's file listing (recursive, hidden names skipped, sorted).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <weir/connectors/text_file_source.h>

#include "testing/fake_reader_context.h"

namespace weir {
namespace {

namespace fs = std::filesystem;

using testing::FakeReaderContext;

class Lines final : public ReaderOutput<std::string> {
 public:
  void collect(const std::string& v) override { lines.push_back(v); }
  void collect(const std::string& v, Timestamp) override { lines.push_back(v); }
  std::vector<std::string> lines;
};

class TextFileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("weir-tfs-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  // Reads every line of the given splits to the end.
  std::vector<std::string> readAll(std::vector<FileSplit> splits,
                                   std::vector<FileSplit>* snapshotAfterFirst = nullptr) {
    TextFileSource source(dir_.string());
    FakeReaderContext ctx;
    auto reader = source.createReader(ctx);
    reader->start();
    reader->addSplits(std::move(splits));
    reader->notifyNoMoreSplits();
    Lines out;
    bool snapped = false;
    for (;;) {
      InputStatus s = reader->pollNext(out);
      if (!snapped && snapshotAfterFirst != nullptr && !out.lines.empty()) {
        *snapshotAfterFirst = reader->snapshotState();
        snapped = true;
      }
      if (s == InputStatus::kEndOfInput) break;
    }
    return out.lines;
  }
  fs::path dir_;
};

TEST_F(TextFileSourceTest, LinesWithAndWithoutFinalNewline) {
  std::string a = write("a.txt", "one\ntwo\n\nfour\r\nfive");
  EXPECT_EQ(readAll({{a, 0}}), (std::vector<std::string>{"one", "two", "", "four\r", "five"}));
  std::string b = write("b.txt", "x\n");
  EXPECT_EQ(readAll({{b, 0}}), (std::vector<std::string>{"x"}));
  std::string e = write("e.txt", "");
  EXPECT_TRUE(readAll({{e, 0}}).empty());
}

TEST_F(TextFileSourceTest, ResumesExactlyFromAByteOffset) {
  std::string content;
  for (int i = 0; i < 1000; ++i) content += "line " + std::to_string(i) + "\n";
  std::string f = write("f.txt", content);
  // Starting at the offset of line 500 yields lines 500..999.
  size_t offset = content.find("line 500\n");
  auto rest = readAll({{f, int64_t(offset)}});
  ASSERT_EQ(rest.size(), 500u);
  EXPECT_EQ(rest.front(), "line 500");
  EXPECT_EQ(rest.back(), "line 999");
}

TEST_F(TextFileSourceTest, SnapshotPositionIsTheOffsetOfTheNextLine) {
  std::string content;
  for (int i = 0; i < 300; ++i) content += "row-" + std::to_string(i) + "\n";
  std::string f = write("f.txt", content);
  std::vector<FileSplit> snap;
  auto all = readAll({{f, 0}}, &snap);
  ASSERT_EQ(all.size(), 300u);
  ASSERT_EQ(snap.size(), 1u);
  // The snapshot was taken after the first poll: its offset is where the next unread line starts,
  // and reading from it gives exactly the lines not yet emitted then.
  auto rest = readAll(snap);
  ASSERT_FALSE(rest.empty());
  size_t emittedBefore = all.size() - rest.size();
  EXPECT_EQ(rest.front(), all[emittedBefore]);
  EXPECT_EQ(size_t(snap[0].offset), content.find(all[emittedBefore] + "\n"));
}

TEST_F(TextFileSourceTest, ListsFilesRecursivelySortedWithoutHiddenOnes) {
  write("b.txt", "b\n");
  write("a.txt", "a\n");
  write("sub/c.txt", "c\n");
  write(".hidden", "h\n");
  write("_SUCCESS", "");
  write(".dir/d.txt", "d\n");
  auto files = listInputFiles(dir_.string());
  std::vector<std::string> names;
  for (auto& f : files) names.push_back(fs::relative(f, dir_).string());
  EXPECT_EQ(names, (std::vector<std::string>{"a.txt", "b.txt", "sub/c.txt"}));
}

TEST_F(TextFileSourceTest, MissingPathNamesIt) {
  try {
    listInputFiles((dir_ / "nope").string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "nope").string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weir
