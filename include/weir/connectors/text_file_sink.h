// TextFileSink: writes each record as a line (rendered by toText or a given
// formatter) to files in a directory, one file per sink subtask named
// `part-<subtask>-0`. Not transactional: after a failure a file may hold a
// partial result or records written twice; FileSink (file_sink.h) is the
// exactly-once one. The directory is created if missing.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include <weir/connectors/sink.h>
#include <weir/core/format.h>

namespace weir {

// A buffered, append-only text file; errors throw std::runtime_error naming the file.
class LineFileWriter {
 public:
  // Opens (truncating) `dir`/`name`, creating `dir` if needed.
  LineFileWriter(const std::string& dir, const std::string& name);
  ~LineFileWriter();
  void writeLine(std::string_view line);
  void flush();
  void close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

template <class T>
class TextFileSink final : public Sink<T> {
 public:
  using Formatter = std::function<std::string(const T&)>;
  explicit TextFileSink(
      std::string dir, Formatter formatter = [](const T& v) { return toText(v); })
      : dir_(std::move(dir)), formatter_(std::move(formatter)) {}
  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext& ctx) const override {
    return std::make_unique<Writer>(dir_, "part-" + std::to_string(ctx.indexOfThisSubtask()) + "-0",
                                    formatter_);
  }

 private:
  class Writer final : public SinkWriter<T> {
   public:
    Writer(const std::string& dir, const std::string& name, Formatter f)
        : file_(dir, name), formatter_(std::move(f)) {}
    void write(const T& value, Timestamp) override { file_.writeLine(formatter_(value)); }
    void flush(FlushReason) override { file_.flush(); }
    void close() override { file_.close(); }

   private:
    LineFileWriter file_;
    Formatter formatter_;
  };
  std::string dir_;
  Formatter formatter_;
};

}  // namespace weir
