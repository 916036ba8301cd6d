#include "e2e/test_util.h"

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace weir::testing {

namespace fs = std::filesystem;

CommandResult runShell(const std::string& command) {
  CommandResult r;
  std::FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> readLinesOfVisibleFiles(const std::string& dir) {
  std::vector<std::string> lines;
  if (!fs::exists(dir)) return lines;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string().starts_with(".")) continue;
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  return lines;
}

BackgroundWeir startWeirInBackground(const std::string& arguments, const std::string& logFile) {
  BackgroundWeir w;
  auto started =
      runShell(weirRun() + " " + arguments + " > /dev/null 2> " + shellQuote(logFile) + " & echo $!");
  if (started.exitCode != 0) {
    w.error = "could not start weir run: " + started.output;
    return w;
  }
  w.pid = started.output.substr(0, started.output.find('\n'));
  // `weir run` prints the REST API's address and the job id. (No std::regex: GCC 12 warns
  // inside libstdc++'s regex under the sanitizer flags, and warnings are errors.)
  const std::string marker = "REST API: http://";
  const std::string submitted = "submitted with id ";
  std::string output;
  auto printed = [&] {
    size_t at = output.find(marker);
    return at != std::string::npos && output.find('\n', at) != std::string::npos &&
           output.find(submitted) != std::string::npos;
  };
  for (int i = 0; i < 200 && !printed(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    output = readFile(logFile);
  }
  if (!printed()) {
    w.error = "weir run did not print its REST address and job id:\n" + output;
    return w;
  }
  const size_t begin = output.find(marker) + marker.size();
  w.jobManager = output.substr(begin, output.find('\n', begin) - begin);
  w.jobId = output.substr(output.find(submitted) + submitted.size(), 32);
  return w;
}

bool waitForExit(const std::string& pid) {
  for (int i = 0; i < 200; ++i) {
    if (runShell("kill -0 " + pid + " 2>/dev/null").exitCode != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  runShell("kill -9 " + pid);
  return false;
}

}  // namespace weir::testing
