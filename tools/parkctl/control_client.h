// parkctl's side of the control API: one HTTP/1.1 request per call, plain or over TLS (Beast,
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
  // `endpoint`: http://HOST:PORT or https://HOST:PORT. With https, parkd's certificate must be
  // signed by `ca_file` (empty: the system's CAs) and name HOST. Throws std::invalid_argument
  // when the endpoint is not of that form.
  ControlClient(const std::string& endpoint, std::string token, std::string ca_file = {});

  // A connection failure comes back as the error (the reply is empty).
  std::error_code call(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& content_type, ControlReply& reply) const;

  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }
  bool tls() const { return tls_; }

 private:
  template <typename Stream>
  std::error_code exchange(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                           const std::string& content_type, ControlReply& reply) const;

  std::string host_;
  std::string port_;
  std::string token_;
  bool tls_ = false;
  std::string ca_file_;
  std::chrono::seconds timeout_{30};
};

// Percent-encodes a path segment or query value (UTF-8 plates included).
std::string url_encode(std::string_view text);

}  // namespace parkd
