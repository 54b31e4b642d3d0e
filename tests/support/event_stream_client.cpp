// The test's SSE client: poll(2) for the timeouts, the parsing of the HTML standard's event stream
// reduced to what parkd sends (no ids, no retry, no multi-line data).
#include "support/event_stream_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace parkd::test {

EventStreamClient::EventStreamClient(int port, const std::string& path, const std::vector<std::string>& headers,
                                     int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ended_ = true;
    return;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  request += "\r\n";
  if (::write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size())) ended_ = true;
}

EventStreamClient::~EventStreamClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool EventStreamClient::read_some(std::chrono::milliseconds timeout) {
  if (ended_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[8192];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n <= 0) {
    ended_ = true;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

int EventStreamClient::status(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!head_read_) {
    const auto end = buffer_.find("\r\n\r\n");
    if (end != std::string::npos) {
      if (buffer_.rfind("HTTP/1.1 ", 0) == 0) status_ = std::stoi(buffer_.substr(9, 3));
      buffer_.erase(0, end + 4);
      head_read_ = true;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !read_some(left)) break;
  }
  return status_;
}

std::optional<ServerEvent> EventStreamClient::take_event() {
  const auto end = buffer_.find("\n\n");
  if (end == std::string::npos) return std::nullopt;
  ServerEvent e{"message", ""};
  std::size_t at = 0;
  const std::string block = buffer_.substr(0, end + 1);
  buffer_.erase(0, end + 2);
  while (at < block.size()) {
    const auto eol = block.find('\n', at);
    const std::string line = block.substr(at, eol - at);
    at = eol + 1;
    if (line.rfind("event: ", 0) == 0) e.type = line.substr(7);
    if (line.rfind("data: ", 0) == 0) e.data += line.substr(6);
  }
  return e;
}

std::optional<ServerEvent> EventStreamClient::wait_for(const std::function<bool(const ServerEvent&)>& match,
                                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (status(timeout) != 200) return std::nullopt;
  while (true) {
    while (auto e = take_event()) {
      if (match(*e)) return e;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !read_some(left)) return std::nullopt;
  }
}

std::size_t EventStreamClient::skim(std::chrono::milliseconds timeout) {
  if (status(timeout) != 200) return 0;
  read_some(timeout);
  std::size_t events = 0;
  for (char c : buffer_) {
    if (c == '\n' && last_ == '\n') ++events;
    last_ = c;
  }
  buffer_.clear();
  return events;
}

bool EventStreamClient::closed_by_server(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ended_) {
    buffer_.clear();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    read_some(left);
  }
  return ended_;
}

}  // namespace parkd::test
