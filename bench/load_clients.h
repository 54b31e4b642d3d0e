// The load driver's MQTT clients: a publisher with a bounded QoS 1 window, a subscriber that
// stamps what arrives, the sensor stream they carry, and a process's CPU time.
#pragma once

#include <mqtt/async_client.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace parkd::bench {

using Clock = std::chrono::steady_clock;

constexpr int kSensors = 1'000;
// Each publishing thread owns the sensors whose number is its index modulo the thread count, so
// one sensor's reports leave on one connection, in order: the count must divide kSensors.
constexpr int kPublishers = 8;
constexpr std::size_t kWindowPerClient = 500;

std::string space_id(int i);
std::string sensor_id(int i);
std::string report_topic(const std::string& lot, int sensor);
std::string report(int sensor, bool occupied, std::uint64_t seq, bool heartbeat);

// Report k of a stream: its sensor, and in a stream of changes its state, which flips on every
// pass over the sensors (from all free: occupied on the first pass, free on the second...), so a
// stream of an even number of passes leaves every sensor free again.
inline int stream_sensor(std::uint64_t k) { return static_cast<int>(k % kSensors); }
inline bool stream_occupied(std::uint64_t k) { return (k / kSensors) % 2 == 0; }

// A publishing client with a bounded window of QoS 1 messages in flight.
class Sender {
 public:
  Sender(const std::string& uri, const std::string& id, std::size_t window = kWindowPerClient);
  mqtt::token_ptr connect();
  void publish(const std::string& topic, const std::string& payload);
  void drain();
  void disconnect();

 private:
  mqtt::async_client client_;
  std::size_t window_;
  std::deque<mqtt::delivery_token_ptr> in_flight_;
};

// Connects `count` senders, every connect started before any is waited on.
std::vector<std::unique_ptr<Sender>> connect_senders(const std::string& uri, const std::string& prefix,
                                                     int count = kPublishers, std::size_t window = kWindowPerClient);

// A subscriber that counts messages and, as asked, keeps each display frame's free count or each
// sensor report's seq with the time it arrived.
class Receiver {
 public:
  enum class Keep { kNothing, kFrames, kReports };
  Receiver(const std::string& uri, const std::string& id, const std::string& filter, Keep keep);
  struct Arrival {
    std::uint64_t seq;         // the frame's or the report's
    std::uint32_t free_total;  // frames only
    Clock::time_point at;
  };
  std::uint64_t count() const { return count_.load(); }
  Clock::time_point last() const { return last_.load(); }
  std::vector<Arrival> arrivals();
  bool wait_for_free(std::uint32_t free_total, std::chrono::milliseconds timeout);
  void clear();
  void disconnect();

 private:
  mqtt::async_client client_;
  Keep keep_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<Clock::time_point> last_{};
  std::mutex mutex_;
  std::vector<Arrival> arrivals_;
};

// CPU time (user + system) a process has used so far, in microseconds.
double cpu_us(pid_t pid);

}  // namespace parkd::bench
