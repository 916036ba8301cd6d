// RestClient: how the CLI's job commands (`weir list`, `status`, `cancel`,
// `checkpoint`, `checkpoints`, `metrics`) talk to the REST API of a running `weir run`
// (docs/rest-api.md), and the options they share.
//
// Thread: the CLI's main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include <weir/core/status.h>

namespace weir::cli {

struct JobManagerAddress {
  std::string host = "127.0.0.1";
  int port = 8081;
  std::optional<std::string> token;  // sent as a bearer token with mutating requests
  std::string display() const { return host + ":" + std::to_string(port); }
};

class RestClient {
 public:
  explicit RestClient(JobManagerAddress address) : address_(std::move(address)) {}
  // The JSON body of a 2xx answer; otherwise the server's error message (NotFound for
  // 404, FailedPrecondition for 409, InvalidArgument for other 4xx, Internal for 5xx),
  // or an IOError naming the address when the server could not be reached.
  Result<nlohmann::json> get(const std::string& path) const;
  Result<nlohmann::json> post(const std::string& path, const std::string& body = "") const;
  Result<nlohmann::json> patch(const std::string& path) const;
  const JobManagerAddress& address() const { return address_; }

 private:
  enum class Method { kGet, kPost, kPatch };
  Result<nlohmann::json> send(Method method, const std::string& path, const std::string& body) const;
  JobManagerAddress address_;
};

// The options every job command has: --jobmanager host:port (default from the
// configuration's rest.address and rest.port), -c FILE, --token, --json.
struct JobCommandOptions {
  std::string jobManager;
  std::string configFile;
  std::string token;
  bool json = false;
  void addTo(CLI::App& command);
  // InvalidArgument for a malformed --jobmanager or configuration.
  Result<JobManagerAddress> address() const;
};

// Prints `rows` under `headers` as aligned columns on stdout.
void printTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
// "12.3 MB", "512 B"
std::string humanBytes(double bytes);
// "1.2 s", "340 ms", "2 min 5 s"
std::string humanMillis(int64_t ms);
// Local wall-clock time of `epochMillis` ("2026-11-21 10:15:02"), "-" for <= 0.
std::string localTime(int64_t epochMillis);
// Prints `status` as `weir: <message>` and returns the CLI's exit code for it
// (2 for what the user got wrong, 1 otherwise).
int reportError(const Status& status);

}  // namespace weir::cli
