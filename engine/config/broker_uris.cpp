// Broker URIs: their form, and lists of them.
#include "broker_uris.h"

#include <algorithm>
#include <charconv>

namespace parkd {

namespace {

// `rest` (what follows the scheme of `whole`) as HOST:PORT with a port from 1 to 65535, or why not.
std::string host_port_problem(std::string_view whole, std::string_view rest, std::string_view form,
                              std::string_view after_port) {
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return "'" + std::string(whole) + "' needs a host and a port (" + std::string(form) + ")";
  }
  const std::string_view port = rest.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65'535) {
    return "'" + std::string(whole) + "' has no port from 1 to 65535" + std::string(after_port);
  }
  return {};
}

}  // namespace

std::string broker_uri_problem(std::string_view uri) {
  const std::size_t scheme_end = uri.find("://");
  const std::string_view scheme = scheme_end == std::string_view::npos ? std::string_view() : uri.substr(0, scheme_end);
  if (scheme != "tcp" && scheme != "ssl" && scheme != "mqtt" && scheme != "mqtts") {
    return "'" + std::string(uri) + "' is not a tcp://, ssl://, mqtt:// or mqtts:// URI";
  }
  return host_port_problem(uri, uri.substr(scheme_end + 3), "HOST:PORT", "");
}

std::string monitor_url_problem(std::string_view url) {
  if (url.rfind("http://", 0) != 0) return "'" + std::string(url) + "' is not an http:// URL";
  return host_port_problem(url, url.substr(7), "http://HOST:PORT", " (and no path: the endpoint itself)");
}

BrokerAddress broker_address(std::string_view uri) {
  const std::size_t scheme_end = uri.find("://");
  const std::string_view scheme = scheme_end == std::string_view::npos ? std::string_view() : uri.substr(0, scheme_end);
  const std::string_view rest = scheme_end == std::string_view::npos ? uri : uri.substr(scheme_end + 3);
  const std::size_t colon = rest.rfind(':');
  BrokerAddress address;
  address.tls = scheme == "ssl" || scheme == "mqtts";
  address.host = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = rest.substr(colon + 1);
    std::from_chars(port.data(), port.data() + port.size(), address.port);
  }
  return address;
}

BrokerUris parse_broker_uris(std::string_view list) {
  BrokerUris out;
  std::size_t at = 0;
  while (at <= list.size()) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    std::string_view one = list.substr(at, comma - at);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.empty()) return {{}, "an empty broker URI in '" + std::string(list) + "'"};
    if (std::string problem = broker_uri_problem(one); !problem.empty()) return {{}, problem};
    if (std::find(out.uris.begin(), out.uris.end(), one) != out.uris.end()) {
      return {{}, "'" + std::string(one) + "' is listed twice"};
    }
    out.uris.emplace_back(one);
    at = comma + 1;
  }
  return out;
}

std::string join_broker_uris(const std::vector<std::string>& uris) {
  std::string out;
  for (const std::string& uri : uris) out += (out.empty() ? "" : ", ") + uri;
  return out;
}

}  // namespace parkd
