// parkctl's side of the control API: one HTTP/1.1 request per call over loopback TCP (Beast,
// synchronous: a command-line tool waits for its answer anyway).
#pragma once

#include <chrono>
#include <string>
#include <system_error>

namespace parkd {

struct ControlReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class ControlClient {
 public:
  // `endpoint`: http://HOST:PORT (https is not served: the API listens on loopback).
  // Throws std::invalid_argument when it is not of that form.
  ControlClient(const std::string& endpoint, std::string token);

  // A connection failure comes back as the error (the reply is empty).
  std::error_code call(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& content_type, ControlReply& reply) const;

  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }

 private:
  std::string host_;
  std::string port_;
  std::string token_;
  std::chrono::seconds timeout_{30};
};

// Percent-encodes a path segment or query value (UTF-8 plates included).
std::string url_encode(std::string_view text);

}  // namespace parkd
