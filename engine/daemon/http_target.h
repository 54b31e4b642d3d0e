// A request target split into percent-decoded path segments and query parameters. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parkd {

struct HttpTarget {
  std::vector<std::string> segments;  // "/v1/spaces/A01" -> {"v1", "spaces", "A01"}
  std::map<std::string, std::string> query;
  // The query value, or "" when absent.
  std::string param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

// nullopt when the target does not start with '/' or has a broken %-escape.
std::optional<HttpTarget> parse_http_target(std::string_view target);

}  // namespace parkd
