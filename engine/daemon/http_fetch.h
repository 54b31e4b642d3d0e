// One HTTP/1.1 GET to a loopback service (nats-server's monitoring endpoint), asynchronous on
// an executor, with a deadline for the whole exchange.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

namespace parkd {

struct HttpFetched {
  boost::system::error_code error;  // set: no answer (refused, timed out, malformed)
  int status = 0;
  std::string body;
};

// Calls `done` once, on `executor`, with the answer or the error (Beast's limit of 8 MB on a
// response's body applies).
void http_fetch(boost::asio::any_io_executor executor, std::string host, int port, std::string target,
                std::chrono::milliseconds deadline, std::function<void(HttpFetched)> done);

}  // namespace parkd
