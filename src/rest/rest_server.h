// RestServer: serves the REST API, the Prometheus endpoint and the web dashboard
// of the cluster `weir run` starts, over HTTP (cpp-httplib), with Flink's routes
// and JSON shapes (docs/rest-api.md).
//
// Security: by default it binds to loopback. Bound to any other address it
// refuses to start without a bearer token (rest.auth.token), and with a token
// every mutating request (cancel, trigger) must carry it. Bodies larger than
// rest.server.max-content-length are refused with 413.
//
// Threading: start() returns once the port is bound; requests are served on
// the server's worker threads; the destructor stops the server and joins them.
// REQUIRES: the Dispatcher outlives the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <weir/core/config.h>
#include <weir/core/status.h>

#include "cluster/dispatcher.h"

namespace weir::rest {

struct RestServerOptions {
  std::string address = "127.0.0.1";
  int port = 8081;  // 0 picks a free port
  std::optional<std::string> authToken;
  uint64_t maxContentLength = 1 << 20;
  std::string version;  // shown by GET /overview and /config

  // From rest.address, rest.port, rest.auth.token and rest.server.max-content-length;
  // InvalidArgument with the key for a bad value.
  static Result<RestServerOptions> fromConfiguration(const Configuration& config, std::string version);
};

// Whether `address` is a loopback address (127.0.0.0/8, ::1, localhost).
bool isLoopbackAddress(const std::string& address);

class RestServer {
 public:
  static Result<std::unique_ptr<RestServer>> start(const RestServerOptions& options,
                                                   cluster::Dispatcher& dispatcher);
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  int port() const;
  // "http://127.0.0.1:8081"
  std::string url() const;
  // After the job ended: waits (at most `limit`) until the client that stopped it with a
  // savepoint has read the savepoint's outcome, so that `weir stop` can print its path.
  void awaitStopOutcomesRead(std::chrono::milliseconds limit) const;

 private:
  struct Impl;
  explicit RestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weir::rest
