// A small HTTP/1.1 server (Boost.Beast) for the operators' endpoints. Every connection runs on
// the engine's strand, so a handler may read the engine directly; one request at a time per
// connection, keep-alive, bodies and headers bounded. A handler answers through `respond`, at
// once or later from any thread (the reply is posted back to the connection's strand).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

namespace parkd {

// The open end of a reply that stays open (Server-Sent Events). Used on the server's strand only.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues bytes for the client. false: the stream is closed (the client went away, or it read
  // too slowly and was dropped): forget it.
  virtual bool offer(std::shared_ptr<const std::string> bytes) = 0;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // More header fields (Set-Cookie, WWW-Authenticate, Allow…). Every reply also says
  // `Cache-Control: no-store` (answers hold plates and households) unless one here says otherwise.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // Set for an event stream: the connection answers 200 text/event-stream with no length,
  // hands itself to `open_stream` and writes whatever is offered until the client goes. At most
  // kMaxStreamBacklog bytes wait for a slow client; one more and it is dropped, so a client that
  // stops reading costs parkd a bounded buffer and never delays anything.
  std::function<void(std::shared_ptr<EventStream>)> open_stream = {};
};

class HttpServer {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Respond = std::function<void(HttpReply)>;
  // `request` stays valid until `respond` is called; `respond` must be called exactly once.
  using Handler = std::function<void(const Request& request, Respond respond)>;

  // Binds at once: throws at start-up with the address when it cannot listen. At most
  // `max_connections` are open at a time: one more is closed at once (a client that opens
  // connections without end cannot take parkd's file descriptors, which the broker session,
  // the database and the inbox need too).
  static constexpr std::size_t kMaxConnections = 256;
  static constexpr std::size_t kMaxStreamBacklog = 256 * 1024;
  // With `tls`, every connection is HTTPS (a handshake first, TLS 1.2 or later).
  HttpServer(Strand strand, const std::string& host_port, Handler handler,
             std::size_t max_connections = kMaxConnections, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  bool tls() const { return tls_ != nullptr; }
  void start();
  unsigned short port() const;
  std::size_t open_connections() const { return *open_; }  // on the strand
  std::uint64_t refused_connections() const { return refused_.load(); }  // any thread
  std::uint64_t accept_errors() const { return accept_errors_.load(); }  // any thread

 private:
  void accept();

  Strand strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::size_t max_connections_;
  // Shared with every connection, which counts itself out when it ends (all on the strand).
  std::shared_ptr<std::size_t> open_ = std::make_shared<std::size_t>(0);
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> accept_errors_{0};
  // After an accept error (EMFILE, ENFILE, ENOBUFS) accepting again at once would spin the
  // strand: it waits a moment instead.
  boost::asio::steady_timer accept_retry_;
};

// "127.0.0.1:8080" -> endpoint; throws with a clear message when it is not an IP and port.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& host_port);

// A server TLS context from a certificate chain and its key (PEM); throws at start-up, naming
// the file, when either cannot be used.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const std::string& cert_file, const std::string& key_file);

}  // namespace parkd
