// The dashboard's files come out of the binary with the right content types; the
// page loads its script and style from the routes that serve them.
#include "rest/rest_test_support.h"
#include "rest/web_assets.h"

namespace weir::rest {
namespace {

TEST_F(RestApiTest, ServesTheDashboardFromTheBinary) {
  startServer();
  httplib::Result index = http_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<script src=\"/web/dashboard.js\"></script>"), std::string::npos)
      << index->body;
  EXPECT_NE(index->body.find("href=\"/web/dashboard.css\""), std::string::npos) << index->body;

  httplib::Result script = http_->Get("/web/dashboard.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script->body.find("checkpoint-history"), std::string::npos);
  httplib::Result style = http_->Get("/web/dashboard.css");
  ASSERT_TRUE(style);
  EXPECT_EQ(style->get_header_value("Content-Type"), "text/css; charset=utf-8");

  expectError(get("/web/nothing.js"), 404, "nothing.js");
}

TEST(WebAssetsTest, EveryAssetIsNonEmptyAndUnderWeb) {
  ASSERT_GE(webAssets().size(), 3u);
  for (const WebAsset& a : webAssets()) {
    EXPECT_EQ(a.path.rfind("/web/", 0), 0u) << a.path;
    EXPECT_FALSE(a.body.empty()) << a.path;
  }
}

}  // namespace
}  // namespace weir::rest
