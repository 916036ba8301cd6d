// TextFileSource: the lines of a text file, or of every file under a directory
// (recursively; names starting with '.' or '_' are skipped, as Flink does), as
// std::string records without the line terminator.
//
// One split per file. A split's position is the byte offset of the next line,
// so a restored reader reopens the file and continues exactly there. Files are
// assigned to readers on request, largest first is not attempted: files are
// handed out in path order so that runs are reproducible.
// A missing input path fails the job at submission with the path in the message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <weir/connectors/source.h>
#include <weir/core/serializer.h>

namespace weir {

struct FileSplit {
  std::string path;
  int64_t offset = 0;  // byte offset of the next line to read
};
WEIR_STRUCT(FileSplit, path, offset);

// The files a path names: itself if a file, else the non-hidden files under it, sorted.
// Throws std::runtime_error naming the path if it does not exist or cannot be listed.
std::vector<std::string> listInputFiles(const std::string& path);

class TextFileSource final : public Source<std::string, FileSplit> {
 public:
  explicit TextFileSource(std::string path) : path_(std::move(path)) {}
  Boundedness boundedness() const override { return Boundedness::kBounded; }
  std::unique_ptr<SplitEnumerator<FileSplit>> createEnumerator(
      SplitEnumeratorContext<FileSplit>& ctx) const override;
  std::unique_ptr<SourceReader<std::string, FileSplit>> createReader(SourceReaderContext& ctx) const override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace weir
