// FileSink: an exactly-once file sink (Flink's FileSink in row format). Each
// record becomes a line (rendered by toText or a given formatter) in part files
// of a directory.
//
// Every subtask writes the records of one checkpoint interval into a hidden
// in-progress file `.part-<subtask>-<token>-<n>.inprogress` (token: random per
// writer, so that runs and restarts never collide). A checkpoint closes and
// fsyncs it (pre-commit); when the checkpoint completes it is renamed atomically
// to `part-<subtask>-<token>-<n>` (commit). Only committed files have names that
// do not begin with '.', so a reader of the directory sees each record exactly
// once, whatever failed and however often the job restarted. An interval without
// records writes no file. Without checkpointing, the file is committed at the end
// of the input.
//
// A restore deletes the in-progress file of the transaction its checkpoint recorded
// as open (written after that checkpoint, before the crash). Files of transactions
// begun after a later, uncompleted checkpoint stay behind as hidden files (they
// hold only records that are replayed).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <weir/connectors/two_phase_commit_sink.h>
#include <weir/core/format.h>
#include <weir/core/serializer.h>

namespace weir {

struct FileTransaction {
  std::string inProgressPath;
  std::string finalPath;
  bool hasData = false;  // false: no file was ever created
};
WEIR_STRUCT(FileTransaction, inProgressPath, finalPath, hasData);

// The file work of one FileSink subtask: one in-progress file open at a time.
// Task thread only. Errors throw std::runtime_error naming the file.
class PartFileWriter {
 public:
  // Creates `dir` if needed.
  PartFileWriter(std::string dir, int subtask);
  ~PartFileWriter();
  PartFileWriter(const PartFileWriter&) = delete;
  PartFileWriter& operator=(const PartFileWriter&) = delete;

  FileTransaction begin();
  void append(FileTransaction& txn, std::string_view line);
  void preCommit(FileTransaction& txn);  // flush, fsync, close
  void commit(const FileTransaction& txn);
  void abort(const FileTransaction& txn);

 private:
  std::string dir_;
  int subtask_;
  std::string token_;
  uint64_t next_ = 0;
  std::FILE* file_ = nullptr;  // the open in-progress file, if any
  std::string openPath_;
};

template <class T>
class FileSink final : public Sink<T> {
 public:
  using Formatter = std::function<std::string(const T&)>;
  explicit FileSink(
      std::string dir, Formatter formatter = [](const T& v) { return toText(v); })
      : dir_(std::move(dir)), formatter_(std::move(formatter)) {}
  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext& ctx) const override {
    return std::make_unique<Writer>(dir_, ctx.indexOfThisSubtask(), formatter_);
  }

 private:
  class Writer final : public TwoPhaseCommitSinkWriter<T, FileTransaction> {
   public:
    Writer(const std::string& dir, int subtask, Formatter f)
        : files_(dir, subtask), formatter_(std::move(f)) {}

   protected:
    FileTransaction beginTransaction() override { return files_.begin(); }
    void invoke(FileTransaction& txn, const T& value, Timestamp) override {
      files_.append(txn, formatter_(value));
    }
    void preCommit(FileTransaction& txn) override { files_.preCommit(txn); }
    void commit(const FileTransaction& txn) override { files_.commit(txn); }
    void abort(const FileTransaction& txn) override { files_.abort(txn); }

   private:
    PartFileWriter files_;
    Formatter formatter_;
  };
  std::string dir_;
  Formatter formatter_;
};

}  // namespace weir
