// GET / and GET /web/:file: the web dashboard (src/rest/web/, built into the binary).
// The page is static; everything it shows it fetches from the REST API.
#include "rest/handlers.h"
#include "rest/web_assets.h"

namespace weir::rest {

namespace {

const WebAsset* findAsset(std::string_view path) {
  for (const WebAsset& a : webAssets())
    if (a.path == path) return &a;
  return nullptr;
}

void serve(const WebAsset& asset, RestResponse& response) {
  response.contentType = std::string(asset.contentType);
  response.body = std::string(asset.body);
  response.headers["Cache-Control"] = "no-cache";
}

}  // namespace

void addDashboardRoutes(Router& router, RestContext&) {
  router.add("GET", "/", RouteKind::kReadOnly, [](const RestRequest&, RestResponse& response) {
    const WebAsset* index = findAsset("/web/index.html");
    if (index == nullptr) throw RestError(404, "this build has no dashboard");
    serve(*index, response);
  });
  router.add("GET", "/web/:file", RouteKind::kReadOnly,
             [](const RestRequest& request, RestResponse& response) {
               const WebAsset* asset = findAsset("/web/" + request.pathParams.at("file"));
               if (asset == nullptr)
                 throw RestError(404, "no dashboard file " + request.pathParams.at("file"));
               serve(*asset, response);
             });
}

}  // namespace weir::rest
