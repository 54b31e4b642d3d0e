// One asynchronous HTTP GET with Beast: resolve, connect, write, read, all under one deadline.
#include "http_fetch.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace parkd {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  Fetch(boost::asio::any_io_executor executor, std::string host, int port, std::string target,
        std::chrono::milliseconds deadline, std::function<void(HttpFetched)> done)
      : resolver_(executor),
        stream_(executor),
        host_(std::move(host)),
        port_(port),
        deadline_(deadline),
        done_(std::move(done)) {
    request_.method(http::verb::get);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::host, host_ + ":" + std::to_string(port_));
    request_.set(http::field::connection, "close");
  }

  void run() {
    stream_.expires_after(deadline_);
    resolver_.async_resolve(host_, std::to_string(port_),
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
                              if (ec) return self->finish(ec);
                              self->stream_.async_connect(found, [self](beast::error_code ec2, const tcp::endpoint&) {
                                if (ec2) return self->finish(ec2);
                                self->write();
                              });
                            });
  }

 private:
  void write() {
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(ec);
      http::async_read(self->stream_, self->buffer_, self->parser_,
                       [self](beast::error_code ec2, std::size_t) { self->finish(ec2); });
    });
  }

  void finish(beast::error_code ec) {
    HttpFetched out;
    out.error = ec;
    if (!ec) {
      out.status = static_cast<int>(parser_.get().result_int());
      out.body = std::move(parser_.get().body());
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(std::move(out));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  std::string host_;
  int port_;
  std::chrono::milliseconds deadline_;
  std::function<void(HttpFetched)> done_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void http_fetch(boost::asio::any_io_executor executor, std::string host, int port, std::string target,
                std::chrono::milliseconds deadline, std::function<void(HttpFetched)> done) {
  std::make_shared<Fetch>(std::move(executor), std::move(host), port, std::move(target), deadline, std::move(done))->run();
}

}  // namespace parkd
