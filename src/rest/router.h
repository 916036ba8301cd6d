// Router: maps a REST request (method and path) to its handler, independent of
// the HTTP library, so that every handler can be driven by tests directly.
//
// Patterns are Flink's: literal segments and `:name` parameters
// ("/jobs/:jobid/checkpoints/details/:checkpointid"); when two patterns match
// (".../checkpoints/config" and ".../checkpoints/:triggerid"), the one added
// first wins, so literal routes are added before parameter ones. A path that matches no
// pattern is 404; one that matches with another method is 405 with an Allow
// header. Handlers signal errors by throwing RestError (status and a message
// for the user); any other exception becomes 500. Every error body is Flink's
// `{"errors": ["..."]}`.
//
// Threading: add() before the server starts; dispatch() from any number of
// threads at once.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace weir::rest {

struct RestRequest {
  std::string method;  // "GET", "POST", "PATCH", ...
  std::string path;    // without the query
  std::map<std::string, std::string> pathParams;
  std::map<std::string, std::string> query;  // the last value wins for a repeated key
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  // The query value of `key`, or `fallback` when absent.
  std::string queryOr(const std::string& key, const std::string& fallback) const;
};

struct RestResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
};

class RestError : public std::runtime_error {
 public:
  RestError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Whether a route changes something (and so needs the bearer token when one is set).
enum class RouteKind { kReadOnly, kMutating };

class Router {
 public:
  using Handler = std::function<void(const RestRequest&, RestResponse&)>;

  void add(std::string method, const std::string& pattern, RouteKind kind, Handler handler);
  // Fills `response`; never throws. `authorized` says whether the request carried the
  // right token (or none is needed); a mutating route without it is 401.
  void dispatch(RestRequest& request, RestResponse& response, bool authorized) const;

  // `{"errors": [message]}` with `status`.
  static void setError(RestResponse& response, int status, const std::string& message);

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // ":name" for a parameter
    RouteKind kind;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& params);
  std::vector<Route> routes_;
};

// "/a/b/" -> {"a", "b"}. The HTTP layer has already percent-decoded the path.
std::vector<std::string> splitPath(const std::string& path);

}  // namespace weir::rest
