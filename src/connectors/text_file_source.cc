#include <weir/connectors/sequence_source.h>
#include <weir/connectors/text_file_source.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>

namespace weir {

namespace fs = std::filesystem;

std::vector<std::string> listInputFiles(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    throw std::runtime_error("text file source: input path '" + path + "' does not exist");
  }
  if (fs::is_regular_file(st)) return {path};
  if (!fs::is_directory(st))
    throw std::runtime_error("text file source: '" + path + "' is neither a file nor a directory");
  std::vector<std::string> files;
  auto hidden = [](const fs::path& p) {
    std::string n = p.filename().string();
    return !n.empty() && (n[0] == '.' || n[0] == '_');
  };
  fs::recursive_directory_iterator it(path, ec), end;
  if (ec) throw std::runtime_error("text file source: cannot list '" + path + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw std::runtime_error("text file source: cannot list '" + path + "': " + ec.message());
    if (hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

class TextFileReader final : public SourceReader<std::string, FileSplit> {
 public:
  explicit TextFileReader(SourceReaderContext& ctx) : ctx_(ctx), buf_(kBufferSize) {}
  ~TextFileReader() override { closeFile(); }

  void start() override { ctx_.sendSplitRequest(); }

  InputStatus pollNext(ReaderOutput<std::string>& out) override {
    if (file_ == nullptr && !openNext()) {
      return noMore_ ? InputStatus::kEndOfInput : InputStatus::kNothingAvailable;
    }
    for (int i = 0; i < kLinesPerPoll; ++i) {
      if (!readLine()) {
        // End of this file.
        closeFile();
        splits_.pop_front();
        if (splits_.empty() && !noMore_) ctx_.sendSplitRequest();
        return splits_.empty() && noMore_ ? InputStatus::kEndOfInput : InputStatus::kMoreAvailable;
      }
      out.collect(line_);
    }
    return InputStatus::kMoreAvailable;
  }
  void addSplits(std::vector<FileSplit> splits) override {
    splits_.insert(splits_.end(), splits.begin(), splits.end());
  }
  void notifyNoMoreSplits() override { noMore_ = true; }
  std::vector<FileSplit> snapshotState() override { return {splits_.begin(), splits_.end()}; }
  void close() override { closeFile(); }

 private:
  static constexpr size_t kBufferSize = 1 << 16;
  static constexpr int kLinesPerPoll = 64;

  bool openNext() {
    if (splits_.empty()) return false;
    FileSplit& s = splits_.front();
    file_ = std::fopen(s.path.c_str(), "rb");
    if (file_ == nullptr) {
      throw std::runtime_error("text file source: cannot open '" + s.path + "': " + std::strerror(errno));
    }
    if (s.offset > 0 && fseeko(file_, off_t(s.offset), SEEK_SET) != 0) {
      throw std::runtime_error("text file source: cannot seek to " + std::to_string(s.offset) + " in '" +
                               s.path + "': " + std::strerror(errno));
    }
    pos_ = len_ = 0;
    return true;
  }
  void closeFile() {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
  }
  // Reads the next line into line_ and advances the split's offset past it.
  bool readLine() {
    line_.clear();
    bool any = false;
    for (;;) {
      if (pos_ == len_) {
        len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
        pos_ = 0;
        if (len_ == 0) {
          if (std::ferror(file_)) {
            throw std::runtime_error("text file source: read error in '" + splits_.front().path +
                                     "': " + std::strerror(errno));
          }
          return any;  // a last line without '\n' still counts
        }
      }
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      size_t n = nl ? size_t(static_cast<const char*>(nl) - start) : len_ - pos_;
      line_.append(start, n);
      any = true;
      pos_ += n;
      splits_.front().offset += int64_t(n);
      if (nl) {
        ++pos_;
        ++splits_.front().offset;
        return true;
      }
    }
  }

  SourceReaderContext& ctx_;
  std::deque<FileSplit> splits_;
  bool noMore_ = false;
  std::FILE* file_ = nullptr;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  std::string line_;
};

}  // namespace

std::unique_ptr<SplitEnumerator<FileSplit>> TextFileSource::createEnumerator(
    SplitEnumeratorContext<FileSplit>& ctx) const {
  std::vector<FileSplit> splits;
  for (std::string& f : listInputFiles(path_)) splits.push_back({std::move(f), 0});
  return std::make_unique<StaticSplitEnumerator<FileSplit>>(ctx, std::move(splits));
}

std::unique_ptr<SourceReader<std::string, FileSplit>> TextFileSource::createReader(
    SourceReaderContext& ctx) const {
  return std::make_unique<TextFileReader>(ctx);
}

}  // namespace weir
