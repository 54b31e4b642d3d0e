// A loopback MQTT 3.1.1 peer that leaves SUBSCRIBEs unanswered (see the header).
#include "support/unanswering_broker.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <stdexcept>

#include "support/processes.h"

namespace parkd::test {

namespace {
bool read_exactly(int fd, std::uint8_t* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out + got, n - got);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t w = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) return false;
    sent += static_cast<std::size_t>(w);
  }
  return true;
}

// One packet: its first byte and what follows the remaining length.
bool read_packet(int fd, std::uint8_t& header, std::vector<std::uint8_t>& body) {
  if (!read_exactly(fd, &header, 1)) return false;
  std::size_t length = 0;
  for (int shift = 0; shift < 28; shift += 7) {
    std::uint8_t b = 0;
    if (!read_exactly(fd, &b, 1)) return false;
    length |= static_cast<std::size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  body.resize(length);
  return length == 0 || read_exactly(fd, body.data(), length);
}
}  // namespace

UnansweringBroker::UnansweringBroker(int mute_connections) : mute_connections_(mute_connections) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 4) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("the unanswering broker cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

UnansweringBroker::~UnansweringBroker() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    if (client_ >= 0) ::shutdown(client_, SHUT_RDWR);
  }
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

void UnansweringBroker::serve() {
  for (int connection = 1;; ++connection) {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    {
      std::lock_guard lock(mutex_);
      if (closing_) {
        ::close(fd);
        return;
      }
      client_ = fd;
      subscribes_.push_back(0);
      changed_.notify_all();
    }
    serve_connection(fd, connection);
    std::lock_guard lock(mutex_);
    client_ = -1;
    ::close(fd);
  }
}

void UnansweringBroker::serve_connection(int fd, int connection) {
  std::uint8_t header = 0;
  std::vector<std::uint8_t> body;
  while (read_packet(fd, header, body)) {
    const int type = header >> 4;
    if (type == 1) {  // CONNECT: accepted, no session kept
      if (!write_all(fd, {0x20, 0x02, 0x00, 0x00})) return;
    } else if (type == 3 && body.size() >= 2) {  // PUBLISH
      const std::size_t topic_length = static_cast<std::size_t>(body[0] << 8 | body[1]);
      const int qos = (header >> 1) & 0x03;
      const std::size_t id_at = 2 + topic_length;
      if (body.size() < id_at + (qos > 0 ? 2 : 0)) return;
      const std::size_t payload_at = id_at + (qos > 0 ? 2 : 0);
      {
        std::lock_guard lock(mutex_);
        published_.push_back(Publish{connection, std::string(body.begin() + 2, body.begin() + static_cast<long>(id_at)),
                                     std::string(body.begin() + static_cast<long>(payload_at), body.end())});
        changed_.notify_all();
      }
      if (qos == 1 && !write_all(fd, {0x40, 0x02, body[id_at], body[id_at + 1]})) return;
    } else if (type == 8 && body.size() >= 2) {  // SUBSCRIBE
      {
        std::lock_guard lock(mutex_);
        ++subscribes_.back();
        changed_.notify_all();
      }
      if (connection <= mute_connections_) continue;
      std::vector<std::uint8_t> granted;
      for (std::size_t at = 2; at + 2 <= body.size();) {
        const std::size_t length = static_cast<std::size_t>(body[at] << 8 | body[at + 1]);
        at += 2 + length;
        if (at >= body.size()) return;
        granted.push_back(body[at++]);  // what was asked
      }
      std::vector<std::uint8_t> suback = {0x90, static_cast<std::uint8_t>(2 + granted.size()), body[0], body[1]};
      suback.insert(suback.end(), granted.begin(), granted.end());
      if (!write_all(fd, suback)) return;
    } else if (type == 12) {  // PINGREQ
      if (!write_all(fd, {0xd0, 0x00})) return;
    } else if (type == 14) {  // DISCONNECT
      return;
    }
  }
}

bool UnansweringBroker::wait_for(const std::function<bool(const Publish&)>& match, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  for (;;) {
    for (; checked < published_.size(); ++checked) {
      if (match(published_[checked])) return true;
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && checked == published_.size()) return false;
  }
}

int UnansweringBroker::connections() {
  std::lock_guard lock(mutex_);
  return static_cast<int>(subscribes_.size());
}

int UnansweringBroker::subscribes(int connection) {
  std::lock_guard lock(mutex_);
  return connection >= 1 && connection <= static_cast<int>(subscribes_.size()) ? subscribes_[static_cast<std::size_t>(connection - 1)] : 0;
}

}  // namespace parkd::test
