// Request targets: segments and query values percent-decoded, broken escapes refused.
#include "daemon/http_target.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(HttpTarget, SegmentsAndQueryAreDecoded) {
  const auto t = parse_http_target("/v1/vehicles/%E6%B2%AAA12345/remove?removed_on=2026-11-30&note=a+b%26c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->segments, (std::vector<std::string>{"v1", "vehicles", "沪A12345", "remove"}));
  EXPECT_EQ(t->param("removed_on"), "2026-11-30");
  EXPECT_EQ(t->param("note"), "a b&c");
  EXPECT_EQ(t->param("absent"), "");
  EXPECT_EQ(parse_http_target("//v1//status/")->segments, (std::vector<std::string>{"v1", "status"}));
}

TEST(HttpTarget, BrokenTargetsAreRefused) {
  EXPECT_FALSE(parse_http_target(""));
  EXPECT_FALSE(parse_http_target("v1/status"));
  EXPECT_FALSE(parse_http_target("/v1/spaces/A%2"));
  EXPECT_FALSE(parse_http_target("/v1/spaces/A%zz"));
  EXPECT_FALSE(parse_http_target("/v1/bill?month=%"));
}

}  // namespace
}  // namespace parkd
