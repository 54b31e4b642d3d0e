// The raw relay's clients: MQTT 3.1.1 QoS 1 written by hand, a batch per system call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parkd::bench {

// A clean-session MQTT 3.1.1 publisher on a blocking socket of its own: PUBLISH packets (QoS 1)
// go out `batch` at a time in one send(2), the broker's PUBACKs are read as they came, and at
// most `window` publishes are unacknowledged. No library thread and no system call per
// message: libmosquitto's client costs a write to its wake-up pipe and a switch to its network
// thread per publish, and those CPU microseconds were the broker's missing share of the two
// cores (issue #16: the raw relay should measure the broker, not its publishers). Not for
// latency: a report waits for its batch (or drain()).
class BulkPublisher {
 public:
  BulkPublisher(const std::string& uri, const std::string& client_id, std::size_t window, std::size_t batch);
  ~BulkPublisher();
  BulkPublisher(const BulkPublisher&) = delete;
  BulkPublisher& operator=(const BulkPublisher&) = delete;

  void publish(std::string_view topic, std::string_view payload);  // waits while the window is full
  void drain();       // sends what is batched and waits for every PUBACK
  void disconnect();  // DISCONNECT, then closes

 private:
  void flush();                         // the batch, in one send
  void read_acknowledgements(bool wait);  // what has come (at least something when `wait`)
  int fd_ = -1;
  std::size_t window_;
  std::size_t batch_;
  std::string out_;         // encoded packets not sent yet
  std::size_t batched_ = 0;   // publishes in out_
  std::size_t unacknowledged_ = 0;  // batched or sent, no PUBACK yet
  std::uint16_t next_id_ = 0;
  std::string in_;  // bytes read and not yet a whole packet
};

// The raw relay's subscriber, written the same way: one QoS 1 subscription, every PUBLISH that
// one recv(2) brought acknowledged in one send(2). With libmosquitto's client, its PUBACK per
// message and its network thread made the subscriber, not the broker, the relay's limit once
// the publishers were cheap (Mosquitto busy 0.90 of its core at a lower rate: it was queueing
// for the subscriber).
class BulkSubscriber {
 public:
  BulkSubscriber(const std::string& uri, const std::string& client_id, const std::string& filter);
  ~BulkSubscriber();
  BulkSubscriber(const BulkSubscriber&) = delete;
  BulkSubscriber& operator=(const BulkSubscriber&) = delete;
  // Receives until `expected` messages have come or `until`; how many came, and when the last did.
  std::uint64_t receive(std::uint64_t expected, std::chrono::steady_clock::time_point until);
  std::chrono::steady_clock::time_point last() const { return last_; }

 private:
  int fd_ = -1;
  std::string in_;
  std::uint64_t count_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace parkd::bench
