#include <weir/connectors/file_sink.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace weir {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error("file sink: " + what + " '" + path + "': " + std::strerror(errno));
}

void fsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot sync directory", dir);
}

}  // namespace

PartFileWriter::PartFileWriter(std::string dir, int subtask) : dir_(std::move(dir)), subtask_(subtask) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("file sink: cannot create directory '" + dir_ + "': " + ec.message());
  std::random_device rd;
  token_ = fmt::format("{:08x}", uint32_t(rd()));
}

PartFileWriter::~PartFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

FileTransaction PartFileWriter::begin() {
  std::string name = fmt::format("part-{}-{}-{}", subtask_, token_, next_++);
  FileTransaction t;
  t.finalPath = (fs::path(dir_) / name).string();
  t.inProgressPath = (fs::path(dir_) / ("." + name + ".inprogress")).string();
  return t;
}

void PartFileWriter::append(FileTransaction& txn, std::string_view line) {
  if (!txn.hasData) {
    if (file_ != nullptr) throw std::logic_error("file sink: two transactions open at once");
    file_ = std::fopen(txn.inProgressPath.c_str(), "wb");
    if (file_ == nullptr) fail("cannot create", txn.inProgressPath);
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    openPath_ = txn.inProgressPath;
    txn.hasData = true;
  }
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF)
    fail("cannot write to", openPath_);
}

void PartFileWriter::preCommit(FileTransaction& txn) {
  if (!txn.hasData || file_ == nullptr || openPath_ != txn.inProgressPath) return;
  std::FILE* f = file_;
  file_ = nullptr;
  bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  int err = errno;
  if (std::fclose(f) != 0 || !ok) {
    errno = ok ? errno : err;
    fail("cannot write to", txn.inProgressPath);
  }
  fsyncDirectory(dir_);  // the in-progress file's name survives a power loss: commit can rename it
}

void PartFileWriter::commit(const FileTransaction& txn) {
  if (!txn.hasData) return;
  if (::rename(txn.inProgressPath.c_str(), txn.finalPath.c_str()) == 0) {
    fsyncDirectory(dir_);
    return;
  }
  if (errno == ENOENT && fs::exists(txn.finalPath)) return;  // committed before a restore
  if (errno == ENOENT) {
    throw std::runtime_error("file sink: cannot commit '" + txn.finalPath +
                             "': neither it nor its in-progress file '" + txn.inProgressPath +
                             "' exists (was the output directory changed or cleaned?)");
  }
  fail("cannot rename in-progress file to", txn.finalPath);
}

void PartFileWriter::abort(const FileTransaction& txn) {
  if (file_ != nullptr && openPath_ == txn.inProgressPath) {
    std::fclose(file_);
    file_ = nullptr;
  }
  // Also without data: the transaction a checkpoint recorded as open had none yet then,
  // but may have written a file before the crash.
  if (::unlink(txn.inProgressPath.c_str()) != 0 && errno != ENOENT) fail("cannot delete", txn.inProgressPath);
}

}  // namespace weir
