// Connect, write, read, close: a fresh connection per call keeps parkctl simple and stateless.
#include "control_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <stdexcept>

namespace parkd {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

ControlClient::ControlClient(const std::string& endpoint, std::string token, std::string ca_file)
    : token_(std::move(token)), ca_file_(std::move(ca_file)) {
  std::string rest = endpoint;
  if (rest.rfind("https://", 0) == 0) {
    tls_ = true;
    rest = rest.substr(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (rest.empty() || rest.find('/') != std::string::npos || colon == std::string::npos || colon == 0 ||
      colon + 1 == rest.size()) {
    throw std::invalid_argument("endpoint '" + endpoint + "' is not http://HOST:PORT or https://HOST:PORT");
  }
  host_ = rest.substr(0, colon);
  port_ = rest.substr(colon + 1);
}

template <typename Stream>
std::error_code ControlClient::exchange(Stream& stream, const std::string& method, const std::string& target,
                                        const std::string& body, const std::string& content_type, ControlReply& reply) const {
  beast::error_code ec;
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, host_);
  request.set(http::field::user_agent, "parkctl");
  // On reads too: parkd asks a token of every call but the status.
  if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return ec;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return ec;
  const auto& response = parser.get();
  reply.status = response.result_int();
  reply.content_type = std::string(response[http::field::content_type]);
  reply.body = response.body();
  return {};
}

std::error_code ControlClient::call(const std::string& method, const std::string& target, const std::string& body,
                                    const std::string& content_type, ControlReply& reply) const {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) return ec;
  if (!tls_) {
    beast::tcp_stream stream(io);
    stream.expires_after(timeout_);
    stream.connect(endpoints, ec);
    if (ec) return ec;
    if (auto e = exchange(stream, method, target, body, content_type, reply)) return e;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return {};
  }
  boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
  context.set_options(boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
  if (ca_file_.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(ca_file_, ec);
  }
  if (ec) return ec;
  context.set_verify_mode(boost::asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host_));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str())) {
    return {static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category()};
  }
  beast::get_lowest_layer(stream).expires_after(timeout_);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return ec;
  stream.handshake(boost::asio::ssl::stream_base::client, ec);
  if (ec) return ec;
  if (auto e = exchange(stream, method, target, body, content_type, reply)) return e;
  stream.shutdown(ec);  // a peer that closes without close_notify is no error here: the answer is in
  return {};
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace parkd
