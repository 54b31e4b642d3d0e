// The HTTP server: accept, read a request, answer, keep the connection while the client does.
#include "http_server.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <deque>
#include <optional>

#include "log.h"

namespace parkd {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// `Stream` is beast::tcp_stream (plain HTTP) or beast::ssl_stream<beast::tcp_stream> (HTTPS);
// everything after the TLS handshake is the same.
template <typename Stream>
class Connection : public EventStream, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <typename... StreamArgs>
  Connection(const HttpServer::Handler& handler, std::shared_ptr<std::size_t> open, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...), handler_(handler), open_(std::move(open)) {
    ++*open_;
  }
  ~Connection() { --*open_; }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    if constexpr (kTls) {
      // A client that connects and says nothing is closed after 30 s, as in read().
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
      stream_.async_handshake(boost::asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) {
          static RateLimitedLog log;
          log.warn("http", "tls_handshake", "a TLS handshake failed: {}", ec.message());
          return;
        }
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  using std::enable_shared_from_this<Connection<Stream>>::shared_from_this;

  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }

  void read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(1024 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        reply(HttpReply{413, "application/json", R"({"error":"request too large","code":"too_large"})"}, false);
      }
      return;
    }
    const auto& request = parser_->get();
    const bool keep_alive = request.keep_alive();
    auto respond = [self = shared_from_this(), keep_alive](HttpReply r) {
      boost::asio::post(self->stream_.get_executor(), [self, keep_alive, r = std::move(r)]() mutable {
        self->reply(std::move(r), keep_alive);
      });
    };
    try {
      handler_(request, respond);
    } catch (const std::exception& e) {
      Log::error("http", "{} {}: {}", std::string(request.method_string()), std::string(request.target()), e.what());
      respond(HttpReply{500, "application/json", R"({"error":"internal error","code":"internal"})"});
    }
  }

  bool offer(std::shared_ptr<const std::string> bytes) override {
    if (stream_closed_) return false;
    backlog_bytes_ += bytes->size();
    if (backlog_bytes_ > HttpServer::kMaxStreamBacklog) {
      static RateLimitedLog log;
      log.warn("http", "slow_stream", "an event stream's client reads too slowly ({} bytes waiting): dropped",
               backlog_bytes_);
      end_stream();
      return false;
    }
    backlog_.push_back(std::move(bytes));
    if (writing_.empty()) write_backlog();
    return true;
  }

  void reply(HttpReply r, bool keep_alive) {
    if (r.open_stream) return start_stream(std::move(r));
    auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    response->set(http::field::server, "parkd");
    response->set(http::field::content_type, r.content_type);
    response->set(http::field::cache_control, "no-store");
    response->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : r.headers) {
      if (beast::iequals(name, "Cache-Control")) {
        response->set(http::field::cache_control, value);
      } else {
        response->insert(name, value);
      }
    }
    response->keep_alive(keep_alive);
    response->body() = std::move(r.body);
    response->prepare_payload();
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
      if (ec || !response->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
    } else {
      beast::error_code ignored;
      socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  // The head without a length: the body ends when the connection does (HTTP/1.1, RFC 9112 6.3).
  void start_stream(HttpReply r) {
    beast::get_lowest_layer(stream_).expires_never();
    beast::error_code ignored;
    // A small send buffer: a client that stops reading fills it and the backlog soon, and is dropped.
    socket().set_option(boost::asio::socket_base::send_buffer_size(64 * 1024), ignored);
    std::string head = "HTTP/1.1 200 OK\r\nServer: parkd\r\nContent-Type: " + r.content_type +
                       "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
    for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
    offer(std::make_shared<const std::string>(head + "\r\n"));
    r.open_stream(shared_from_this());
    watch_for_hang_up();
  }

  // Nothing more is read from a stream's client; a read that ends means it went away.
  void watch_for_hang_up() {
    stream_.async_read_some(boost::asio::buffer(hang_up_probe_),
                                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                       if (ec) return self->end_stream();
                                       self->watch_for_hang_up();
                                     });
  }

  // Everything waiting goes in one write: a client that keeps up gets one write per flush, and
  // one that lags gets fewer, larger ones.
  void write_backlog() {
    writing_ = std::move(backlog_);
    backlog_.clear();
    std::vector<boost::asio::const_buffer> buffers;
    buffers.reserve(writing_.size());
    for (const auto& b : writing_) buffers.push_back(boost::asio::buffer(*b));
    boost::asio::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t written) {
      if (self->stream_closed_) return;
      if (ec) return self->end_stream();
      self->backlog_bytes_ -= written;
      self->writing_.clear();
      if (!self->backlog_.empty()) self->write_backlog();
    });
  }

  void end_stream() {
    if (stream_closed_) return;
    stream_closed_ = true;  // the backlog stays until the connection goes: a write may be in flight
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServer::Handler& handler_;
  std::shared_ptr<std::size_t> open_;
  // An event stream's: what waits for the client, one write in flight.
  std::vector<std::shared_ptr<const std::string>> backlog_;  // waiting for the write in flight
  std::vector<std::shared_ptr<const std::string>> writing_;  // in the write in flight
  std::size_t backlog_bytes_ = 0;  // both
  bool stream_closed_ = false;
  std::array<char, 256> hang_up_probe_{};
};

}  // namespace

tcp::endpoint parse_listen_address(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    throw std::runtime_error("'" + host_port + "' is not HOST:PORT (e.g. 127.0.0.1:8080)");
  }
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("'" + host + "' in '" + host_port + "' is not an IP address");
  unsigned long port = 0;
  try {
    port = std::stoul(host_port.substr(colon + 1));
  } catch (const std::exception&) {
    port = 70'000;
  }
  if (port > 65'535) throw std::runtime_error("'" + host_port.substr(colon + 1) + "' in '" + host_port + "' is not a port");
  return {address, static_cast<unsigned short>(port)};
}

HttpServer::HttpServer(Strand strand, const std::string& host_port, Handler handler, std::size_t max_connections,
                       std::shared_ptr<boost::asio::ssl::context> tls)
    : strand_(std::move(strand)),
      acceptor_(strand_),
      handler_(std::move(handler)),
      tls_(std::move(tls)),
      max_connections_(max_connections),
      accept_retry_(strand_) {
  const tcp::endpoint endpoint = parse_listen_address(host_port);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen for HTTP on " + host_port + ": " + ec.message());
}

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::start() { accept(); }

void HttpServer::accept() {
  acceptor_.async_accept(strand_, [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      ++accept_errors_;
      static RateLimitedLog log;
      log.warn("http", "accept_failed", "cannot accept an HTTP connection: {}; trying again in 100 ms", ec.message());
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](const boost::system::error_code& e) {
        if (!e) accept();
      });
      return;
    }
    if (*open_ >= max_connections_) {
      ++refused_;
      static RateLimitedLog log;
      log.warn("http", "too_many_connections", "{} HTTP connections are open already: one more was closed",
               *open_);
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      if (tls_) {
        std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(handler_, open_, std::move(socket), *tls_)->start();
      } else {
        std::make_shared<Connection<beast::tcp_stream>>(handler_, open_, std::move(socket))->start();
      }
    }
    accept();
  });
}

std::shared_ptr<boost::asio::ssl::context> server_tls_context(const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  context->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                       boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                       boost::asio::ssl::context::no_tlsv1_1 | boost::asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("cannot use the HTTPS certificate '" + cert_file + "': " + ec.message());
  context->use_private_key_file(key_file, boost::asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use the HTTPS key '" + key_file + "': " + ec.message());
  return context;
}

}  // namespace parkd
