#include "rest/rest_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>

#include <atomic>
#include <thread>

#include <weir/core/options.h>

#include "rest/handlers.h"

namespace weir::rest {

namespace {

// Compares in time independent of where the strings differ (the token is a secret).
bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool isLoopbackAddress(const std::string& address) {
  if (address == "localhost" || address == "::1" || address == "[::1]") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

Result<RestServerOptions> RestServerOptions::fromConfiguration(const Configuration& config,
                                                               std::string version) {
  try {
    RestServerOptions o;
    o.address = config.get(options::kRestAddress);
    o.port = config.get(options::kRestPort);
    o.authToken = config.get(options::kRestAuthToken);
    o.maxContentLength = config.get(options::kRestMaxContentLength).bytes;
    o.version = std::move(version);
    if (o.port < 0 || o.port > 65535)
      return Status::invalidArgument("rest.port must be between 0 and 65535 (0 picks a free port)");
    if (o.authToken && o.authToken->empty())
      return Status::invalidArgument("rest.auth.token must not be empty");
    return o;
  } catch (const ConfigError& e) {
    return Status::invalidArgument(e.what());
  }
}

struct RestServer::Impl {
  Impl(cluster::Dispatcher& dispatcher, std::string version) : context{dispatcher, std::move(version), {}} {}
  RestContext context;
  Router router;
  httplib::Server http;
  std::string address;
  int port = 0;
  std::thread listener;
  std::atomic<bool> listenerEnded{false};
};

RestServer::RestServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestServer::~RestServer() {
  impl_->http.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

int RestServer::port() const { return impl_->port; }

void RestServer::awaitStopOutcomesRead(std::chrono::milliseconds limit) const {
  impl_->context.triggers.awaitEndingOutcomesRead(limit);
}

std::string RestServer::url() const {
  const std::string host = impl_->address.find(':') != std::string::npos && impl_->address.front() != '['
                               ? "[" + impl_->address + "]"
                               : impl_->address;
  return "http://" + host + ":" + std::to_string(impl_->port);
}

Result<std::unique_ptr<RestServer>> RestServer::start(const RestServerOptions& options,
                                                      cluster::Dispatcher& dispatcher) {
  if (!isLoopbackAddress(options.address) && !options.authToken) {
    return Status::invalidArgument(
        "rest.address is " + options.address +
        ", which is not a loopback address: set rest.auth.token so that only you can "
        "cancel jobs and trigger checkpoints, or bind to 127.0.0.1");
  }
  auto impl = std::make_unique<Impl>(dispatcher, options.version);
  addAllRoutes(impl->router, impl->context);
  Impl* self = impl.get();
  const std::optional<std::string> token = options.authToken;

  auto handle = [self, token](const httplib::Request& req, httplib::Response& res) {
    RestRequest request;
    request.method = req.method;
    request.path = req.path;
    request.body = req.body;
    for (const auto& [k, v] : req.params) request.query[k] = v;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = v;
    }
    bool authorized = true;
    if (token) {
      auto it = request.headers.find("authorization");
      authorized = it != request.headers.end() && constantTimeEquals(it->second, "Bearer " + *token);
    }
    RestResponse response;
    self->router.dispatch(request, response, authorized);
    res.status = response.status;
    for (const auto& [k, v] : response.headers) res.set_header(k, v);
    res.set_content(response.body, response.contentType);
  };
  // Every path goes to the router, which answers 404 and 405 itself.
  impl->http.Get(".*", handle);
  impl->http.Post(".*", handle);
  impl->http.Put(".*", handle);
  impl->http.Patch(".*", handle);
  impl->http.Delete(".*", handle);
  impl->http.Options(".*", handle);
  // A POST or PATCH without a body and without Content-Length (`curl -X POST`) would be
  // refused by the HTTP layer as unreadable; it is a request with an empty body.
  impl->http.set_pre_routing_handler([handle](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length") &&
        !req.has_header("Transfer-Encoding")) {
      handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Errors the HTTP layer answers itself (a body over the limit is 413, an unknown
  // method 400) get the same JSON shape as the API's own.
  impl->http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = res.status == 413
                              ? "the request body is larger than rest.server.max-content-length"
                              : "the request could not be served (" + req.method + " " + req.path + ")";
    RestResponse r;
    Router::setError(r, res.status, message);
    res.set_content(r.body, r.contentType);
  });
  impl->http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    RestResponse r;
    Router::setError(r, 500, "internal error");
    res.status = 500;
    res.set_content(r.body, r.contentType);
  });
  // SO_REUSEADDR (a restarted job gets its port back at once) but not httplib's default
  // SO_REUSEPORT, which would let a second job bind the same port and share its requests.
  impl->http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  impl->http.set_payload_max_length(size_t(options.maxContentLength));
  impl->http.set_read_timeout(std::chrono::seconds(10));

  impl->address = options.address;
  if (options.port == 0) {
    impl->port = impl->http.bind_to_any_port(options.address);
    if (impl->port < 0) {
      return Status::ioError("the REST server could not bind to " + options.address +
                             " (rest.address): no free port, or not an address of this machine");
    }
  } else {
    if (!impl->http.bind_to_port(options.address, options.port)) {
      return Status::ioError(
          "the REST server could not bind to " + options.address + ":" + std::to_string(options.port) +
          " (rest.address, rest.port): is another weir job or a Flink cluster using the port? "
          "Set rest.port to a free port, or to 0 to pick one, or rest.enabled: false");
    }
    impl->port = options.port;
  }
  impl->listener = std::thread([self] {
    self->http.listen_after_bind();
    self->listenerEnded.store(true);
  });
  // stop() only reaches a server that is already listening: wait for it, so that a
  // server destroyed right after start() does not leave its listener in accept().
  while (!impl->http.is_running() && !impl->listenerEnded.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!impl->http.is_running()) {
    impl->listener.join();
    return Status::ioError("the REST server on " + options.address + ":" + std::to_string(impl->port) +
                           " stopped as it started");
  }
  spdlog::info("REST API listening on {}:{}", options.address, impl->port);
  return std::unique_ptr<RestServer>(new RestServer(std::move(impl)));
}

}  // namespace weir::rest
