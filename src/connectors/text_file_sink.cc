#include <weir/connectors/print_sink.h>
#include <weir/connectors/text_file_sink.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace weir {

LineFileWriter::LineFileWriter(const std::string& dir, const std::string& name) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("file sink: cannot create directory '" + dir + "': " + ec.message());
  path_ = (std::filesystem::path(dir) / name).string();
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr)
    throw std::runtime_error("file sink: cannot open '" + path_ + "': " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

LineFileWriter::~LineFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void LineFileWriter::writeLine(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF) {
    throw std::runtime_error("file sink: cannot write to '" + path_ + "': " + std::strerror(errno));
  }
}

void LineFileWriter::flush() {
  if (file_ != nullptr && std::fflush(file_) != 0) {
    throw std::runtime_error("file sink: cannot write to '" + path_ + "': " + std::strerror(errno));
  }
}

void LineFileWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0)
    throw std::runtime_error("file sink: cannot close '" + path_ + "': " + std::strerror(errno));
}

void writeStdoutLine(const std::string& line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace weir
