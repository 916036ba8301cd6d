// The web dashboard's static files (src/rest/web/), built into the binary by
// cmake/embed_web_assets.cmake, so that `weir run` serves the dashboard with no
// files next to it and no build step that needs the network.
#pragma once

#include <string_view>
#include <vector>

namespace weir::rest {

struct WebAsset {
  std::string_view path;         // "/web/dashboard.js"
  std::string_view contentType;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

const std::vector<WebAsset>& webAssets();

}  // namespace weir::rest
