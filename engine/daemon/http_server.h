// A small HTTP/1.1 server (Boost.Beast) for the operators' endpoints. Every connection runs on
// the engine's strand, so a handler may read the engine directly; one request at a time per
// connection, keep-alive, bodies and headers bounded. A handler answers through `respond`, at
// once or later from any thread (the reply is posted back to the connection's strand).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

namespace parkd {

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class HttpServer {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Respond = std::function<void(HttpReply)>;
  // `request` stays valid until `respond` is called; `respond` must be called exactly once.
  using Handler = std::function<void(const Request& request, Respond respond)>;

  // Binds at once: throws at start-up with the address when it cannot listen.
  HttpServer(Strand strand, const std::string& host_port, Handler handler);
  void start();
  unsigned short port() const;

 private:
  void accept();

  Strand strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
};

// "127.0.0.1:8080" -> endpoint; throws with a clear message when it is not an IP and port.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& host_port);

}  // namespace parkd
