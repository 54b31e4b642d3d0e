// The raw relay's hand-written MQTT clients (see bulk_clients.h).
#include "bulk_clients.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "config/broker_uris.h"

namespace parkd::bench {

namespace {
void put_length(std::string& out, std::size_t length) {  // MQTT's variable byte integer
  do {
    auto digit = static_cast<std::uint8_t>(length % 128);
    length /= 128;
    if (length > 0) digit |= 0x80;
    out.push_back(static_cast<char>(digit));
  } while (length > 0);
}

void put_string(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(s.size() >> 8));
  out.push_back(static_cast<char>(s.size() & 0xff));
  out.append(s);
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("bulk client: send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
}

// A packet: its type byte, the remaining length, `body`.
void send_packet(int fd, std::uint8_t type, const std::string& body) {
  std::string packet(1, static_cast<char>(type));
  put_length(packet, body.size());
  send_all(fd, packet + body);
}

bool receive_exactly(int fd, char* out, std::size_t n) {
  for (std::size_t got = 0; got < n;) {
    const ssize_t r = ::recv(fd, out + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

int connect_to(const std::string& uri) {
  const BrokerAddress address = broker_address(uri);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("bulk client: cannot resolve " + uri);
  }
  // TCP_NODELAY as for every client of the driver: tools/nodelay's shim sets it at connect(2).
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  const bool connected = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (!connected) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("bulk client: cannot connect to " + uri);
  }
  return fd;
}

// A clean-session CONNECT (no keep-alive: nothing else is sent while the load is idle) and its
// CONNACK; the connected socket.
int connect_session(const std::string& uri, const std::string& client_id) {
  const int fd = connect_to(uri);
  std::string body;
  put_string(body, "MQTT");
  body.push_back(4);     // 3.1.1
  body.push_back(0x02);  // clean session
  body.push_back(0);
  body.push_back(0);
  put_string(body, client_id);
  char connack[4];
  try {
    send_packet(fd, 0x10, body);
    if (!receive_exactly(fd, connack, sizeof connack)) throw std::runtime_error("bulk client: no CONNACK from " + uri);
  } catch (const std::exception&) {
    ::close(fd);
    throw;
  }
  if (connack[0] != 0x20 || connack[3] != 0) {
    ::close(fd);
    throw std::runtime_error("bulk client: " + uri + " refused the connection (code " + std::to_string(connack[3]) + ")");
  }
  return fd;
}
}  // namespace

BulkPublisher::BulkPublisher(const std::string& uri, const std::string& client_id, std::size_t window,
                             std::size_t batch)
    : fd_(connect_session(uri, client_id)), window_(window), batch_(batch) {
  out_.reserve(batch_ * 128);
}

BulkPublisher::~BulkPublisher() {
  if (fd_ >= 0) ::close(fd_);
}

void BulkPublisher::publish(std::string_view topic, std::string_view payload) {
  while (unacknowledged_ >= window_) {
    flush();
    read_acknowledgements(/*wait=*/true);
  }
  next_id_ = static_cast<std::uint16_t>(next_id_ % 65'535 + 1);  // 1..65535: 0 is not an id
  out_.push_back(static_cast<char>(0x32));                          // PUBLISH, QoS 1
  put_length(out_, 2 + topic.size() + 2 + payload.size());
  put_string(out_, topic);
  out_.push_back(static_cast<char>(next_id_ >> 8));
  out_.push_back(static_cast<char>(next_id_ & 0xff));
  out_.append(payload);
  ++batched_;
  ++unacknowledged_;
  if (batched_ >= batch_) {
    flush();
    read_acknowledgements(/*wait=*/false);
  }
}

void BulkPublisher::flush() {
  if (batched_ == 0) return;
  send_all(fd_, out_);
  out_.clear();
  batched_ = 0;
}

void BulkPublisher::read_acknowledgements(bool wait) {
  char buffer[4096];
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, wait ? 0 : MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) throw std::runtime_error("bulk publisher: the broker closed the connection");
  in_.append(buffer, static_cast<std::size_t>(n));
  std::size_t at = 0;
  // The broker sends this client PUBACKs only (0x40, length 2): anything else is a broken stream.
  while (in_.size() - at >= 4) {
    if (static_cast<std::uint8_t>(in_[at]) != 0x40 || in_[at + 1] != 2) {
      throw std::runtime_error("bulk publisher: unexpected packet from the broker");
    }
    --unacknowledged_;
    at += 4;
  }
  in_.erase(0, at);
}

void BulkPublisher::drain() {
  flush();
  while (unacknowledged_ > 0) read_acknowledgements(/*wait=*/true);
}

void BulkPublisher::disconnect() {
  if (fd_ < 0) return;
  drain();
  send_all(fd_, std::string{static_cast<char>(0xe0), 0});
  ::close(fd_);
  fd_ = -1;
}

BulkSubscriber::BulkSubscriber(const std::string& uri, const std::string& client_id, const std::string& filter)
    : fd_(connect_session(uri, client_id)) {
  std::string body{0, 1};  // packet id 1
  put_string(body, filter);
  body.push_back(1);  // QoS 1
  char suback[5];
  send_packet(fd_, 0x82, body);
  const bool received = receive_exactly(fd_, suback, sizeof suback);
  if (!received || suback[0] != static_cast<char>(0x90) || static_cast<std::uint8_t>(suback[4]) >= 0x80) {
    ::close(fd_);  // the destructor does not run for a constructor that throws
    throw std::runtime_error("bulk subscriber: " + uri + (received ? " refused the subscription to " + filter : " sent no SUBACK"));
  }
}

BulkSubscriber::~BulkSubscriber() {
  if (fd_ < 0) return;
  try {
    send_all(fd_, std::string{static_cast<char>(0xe0), 0});
  } catch (const std::exception&) {  // the broker is gone already: nothing to say goodbye to
  }
  ::close(fd_);
}

std::uint64_t BulkSubscriber::receive(std::uint64_t expected, std::chrono::steady_clock::time_point until) {
  std::string acks;
  char buffer[65'536];
  while (count_ < expected) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("bulk subscriber: the broker closed the connection");
    in_.append(buffer, static_cast<std::size_t>(n));
    const std::uint64_t before = count_;
    std::size_t at = 0;
    for (;;) {  // whole packets only: a header, its remaining length, and that many bytes
      std::size_t length = 0;
      std::size_t header = 1;
      bool whole_length = false;
      for (int shift = 0; at + header < in_.size() && shift < 28; shift += 7) {
        const auto b = static_cast<std::uint8_t>(in_[at + header++]);
        length |= static_cast<std::size_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          whole_length = true;
          break;
        }
      }
      if (!whole_length || in_.size() - at < header + length) break;
      const auto type = static_cast<std::uint8_t>(in_[at]);
      if ((type >> 4) == 3) {
        ++count_;
        if (((type >> 1) & 0x03) == 1) {  // its packet id follows the topic
          const std::size_t topic = static_cast<std::uint8_t>(in_[at + header]) << 8 |
                                    static_cast<std::uint8_t>(in_[at + header + 1]);
          const std::size_t id = at + header + 2 + topic;
          acks += {static_cast<char>(0x40), 2, in_[id], in_[id + 1]};
        }
      }
      at += header + length;
    }
    in_.erase(0, at);
    if (count_ > before) last_ = std::chrono::steady_clock::now();
    if (!acks.empty()) {
      send_all(fd_, acks);
      acks.clear();
    }
  }
  return count_;
}

}  // namespace parkd::bench
