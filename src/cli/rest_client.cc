#include "cli/rest_client.h"

#include <httplib.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include <weir/core/config.h>
#include <weir/core/options.h>

namespace weir::cli {

Result<nlohmann::json> RestClient::get(const std::string& path) const { return send(Method::kGet, path, ""); }
Result<nlohmann::json> RestClient::post(const std::string& path, const std::string& body) const {
  return send(Method::kPost, path, body);
}
Result<nlohmann::json> RestClient::patch(const std::string& path) const {
  return send(Method::kPatch, path, "");
}

Result<nlohmann::json> RestClient::send(Method method, const std::string& path,
                                        const std::string& body) const {
  httplib::Client http(address_.host, address_.port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(30, 0);
  httplib::Headers headers;
  if (address_.token) headers.emplace("Authorization", "Bearer " + *address_.token);
  httplib::Result r = method == Method::kGet    ? http.Get(path, headers)
                      : method == Method::kPost ? http.Post(path, headers, body, "application/json")
                                                : http.Patch(path, headers, body, "application/json");
  if (!r) {
    const std::string why =
        r.error() == httplib::Error::Connection ? "connection refused" : httplib::to_string(r.error());
    return Status::ioError("could not reach the REST API at " + address_.display() + " (" + why +
                           "); is `weir run` running there? Pass its address with --jobmanager host:port");
  }
  nlohmann::json json = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (r->status >= 200 && r->status < 300) {
    if (json.is_discarded())
      return Status::internal("the REST API at " + address_.display() + " sent no JSON");
    return json;
  }
  std::string message = "HTTP " + std::to_string(r->status);
  if (json.is_object() && json.contains("errors") && json["errors"].is_array() && !json["errors"].empty())
    message = json["errors"][0].is_string() ? json["errors"][0].get<std::string>() : json["errors"][0].dump();
  if (r->status == 404) return Status::notFound(message);
  if (r->status == 409) return Status::failedPrecondition(message);
  if (r->status == 401)
    return Status::invalidArgument(message + " (pass it with --token, or rest.auth.token in -c FILE)");
  if (r->status >= 400 && r->status < 500) return Status::invalidArgument(message);
  return Status::internal(message);
}

void JobCommandOptions::addTo(CLI::App& command) {
  command.add_option(
      "-m,--jobmanager", jobManager,
      "host:port of the REST API of `weir run` (default: rest.address and rest.port, 127.0.0.1:8081)");
  command.add_option("-c,--config", configFile, "YAML configuration file to take rest.* from")
      ->check(CLI::ExistingFile);
  command.add_option("--token", token, "Bearer token for a REST API that requires one (rest.auth.token)");
  command.add_flag("--json", json, "Print the REST API's JSON instead of a table");
}

Result<JobManagerAddress> JobCommandOptions::address() const {
  JobManagerAddress a;
  Configuration config;
  if (!configFile.empty()) {
    Result<Configuration> loaded = Configuration::fromYamlFile(configFile);
    if (!loaded.isOk()) return loaded.status();
    config = std::move(loaded).value();
  }
  try {
    a.host = config.get(options::kRestAddress);
    a.port = config.get(options::kRestPort);
    a.token = config.get(options::kRestAuthToken);
  } catch (const ConfigError& e) {
    return Status::invalidArgument(e.what());
  }
  if (a.host == "0.0.0.0") a.host = "127.0.0.1";  // bound to every address: reach it on loopback
  if (!jobManager.empty()) {
    const size_t colon = jobManager.rfind(':');
    int port = 0;
    const char* begin = jobManager.data() + colon + 1;
    const char* end = jobManager.data() + jobManager.size();
    auto parsed = colon == std::string::npos ? std::from_chars_result{begin, std::errc::invalid_argument}
                                             : std::from_chars(begin, end, port);
    if (colon == std::string::npos || colon == 0 || parsed.ec != std::errc() || parsed.ptr != end ||
        port <= 0 || port > 65535) {
      return Status::invalidArgument("--jobmanager must be host:port (as `weir run` prints it), not '" +
                                     jobManager + "'");
    }
    a.host = jobManager.substr(0, colon);
    a.port = port;
  }
  if (!token.empty()) a.token = token;
  return a;
}

void printTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  line(headers);
  for (const auto& row : rows) line(row);
}

std::string humanBytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string humanMillis(int64_t ms) {
  if (ms < 0) return "-";
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f} s", double(ms) / 1000);
  if (ms < 3'600'000) return fmt::format("{} min {} s", ms / 60'000, (ms / 1000) % 60);
  return fmt::format("{} h {} min", ms / 3'600'000, (ms / 60'000) % 60);
}

std::string localTime(int64_t epochMillis) {
  if (epochMillis <= 0) return "-";
  std::time_t t = std::time_t(epochMillis / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int reportError(const Status& status) {
  std::fprintf(stderr, "weir: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? 2 : 1;
}

}  // namespace weir::cli
