// The brokers parkd may use, as the configuration's `uris` (or `uri`) and `--broker` give them:
// checked here, so a typo is an error at start with the URI named, not a reconnect loop.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parkd {

struct BrokerUris {
  std::vector<std::string> uris;  // in the order to try them
  std::string error;              // set: why the text is not a list of broker URIs
};

// One URI ("tcp://127.0.0.1:1883"; tcp, ssl, mqtt or mqtts; a host and a port 1-65535), or ""
// when it is one, else what is wrong with it.
std::string broker_uri_problem(std::string_view uri);
// Where a URI that broker_uri_problem() accepts points: its host and port, and whether its
// scheme asks for TLS (ssl://, mqtts://). For clients that take a host and a port (libmosquitto).
struct BrokerAddress {
  std::string host;
  int port = 0;
  bool tls = false;
};
BrokerAddress broker_address(std::string_view uri);
// A NATS node's monitoring endpoint: "http://HOST:PORT" (a port 1-65535, no path), or "" when it
// is one, else what is wrong with it. broker_address() reads its host and port.
std::string monitor_url_problem(std::string_view url);
// A comma-separated list, as `--broker` takes it: at least one, no duplicates.
BrokerUris parse_broker_uris(std::string_view list);
// "tcp://a:1883, tcp://b:1883" for logs and messages.
std::string join_broker_uris(const std::vector<std::string>& uris);

}  // namespace parkd
