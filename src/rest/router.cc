#include "rest/router.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <set>

namespace weir::rest {

std::string RestRequest::queryOr(const std::string& key, const std::string& fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

void Router::add(std::string method, const std::string& pattern, RouteKind kind, Handler handler) {
  routes_.push_back({std::move(method), splitPath(pattern), kind, std::move(handler)});
}

bool Router::match(const Route& route, const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& params) {
  if (route.segments.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& p = route.segments[i];
    if (!p.empty() && p[0] == ':') {
      found[p.substr(1)] = segments[i];
    } else if (p != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

void Router::setError(RestResponse& response, int status, const std::string& message) {
  response.status = status;
  response.contentType = "application/json";
  response.body = nlohmann::json{{"errors", nlohmann::json::array({message})}}.dump();
}

void Router::dispatch(RestRequest& request, RestResponse& response, bool authorized) const {
  const std::vector<std::string> segments = splitPath(request.path);
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route, segments, params)) continue;
    // HEAD is GET without the body (the HTTP layer drops it).
    if (route.method != request.method && !(request.method == "HEAD" && route.method == "GET")) {
      allowed.insert(route.method);
      continue;
    }
    if (route.kind == RouteKind::kMutating && !authorized) {
      setError(response, 401,
               "this request changes the job and needs the header 'Authorization: Bearer <rest.auth.token>'");
      response.headers["WWW-Authenticate"] = "Bearer";
      return;
    }
    request.pathParams = std::move(params);
    try {
      route.handler(request, response);
    } catch (const RestError& e) {
      setError(response, e.status(), e.what());
    } catch (const nlohmann::json::exception& e) {
      setError(response, 400, std::string("the request body is not valid JSON: ") + e.what());
    } catch (const std::exception& e) {
      spdlog::error("REST {} {} failed: {}", request.method, request.path, e.what());
      setError(response, 500, std::string("internal error: ") + e.what());
    }
    return;
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    setError(response, 405,
             "method " + request.method + " is not allowed on " + request.path + " (allowed: " + allow + ")");
    response.headers["Allow"] = allow;
    return;
  }
  setError(response, 404, "no such resource: " + request.path + " (see docs/rest-api.md for the API)");
}

}  // namespace weir::rest
