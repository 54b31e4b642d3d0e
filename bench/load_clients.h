// The load driver's MQTT clients: publishers with a bounded QoS 1 window (libmosquitto for the
// latency windows and the cameras, Paho for the gates' echo; the bulk load's are bulk_clients.h),
// a subscriber that stamps what arrives, the sensor stream they carry, and a process's CPU time.
#pragma once

#include <mqtt/async_client.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

struct mosquitto;  // libmosquitto's client and message
struct mosquitto_message;

namespace parkd::bench {

using Clock = std::chrono::steady_clock;

constexpr int kSensors = 1'000;
// Each publishing thread owns the sensors whose number is its index modulo the thread count, so
// one sensor's reports leave on one connection, in order: the count must divide kSensors.
constexpr int kPublishers = 8;
// QoS 1 publishes outstanding per client. 100, not 500: libmosquitto walks its whole list of
// outgoing messages on every publish and PUBACK, and 100 in flight already keep a client's
// pipe full on loopback (raw relay, medians of 3: 19,400/s with 500, 22,100/s with 100).
constexpr std::size_t kWindowPerClient = 100;
// PUBLISH packets a BulkPublisher sends together: a quarter of its window, so the broker always
// has the next batch while it acknowledges the last.
constexpr std::size_t kBulkBatch = 25;

std::string space_id(int i);
std::string sensor_id(int i);
std::string report_topic(const std::string& lot, int sensor);
std::string report(int sensor, bool occupied, std::uint64_t seq, bool heartbeat);

// Report k of a stream: its sensor, and in a stream of changes its state, which flips on every
// pass over the sensors (from all free: occupied on the first pass, free on the second...), so a
// stream of an even number of passes leaves every sensor free again.
inline int stream_sensor(std::uint64_t k) { return static_cast<int>(k % kSensors); }
inline bool stream_occupied(std::uint64_t k) { return (k / kSensors) % 2 == 0; }

// The latency windows' publishing client (the bulk load's is BulkPublisher, bulk_clients.h), on
// libmosquitto (Debian's libmosquitto1): a bounded window of
// QoS 1 messages in flight, TCP_NODELAY (tools/nodelay's shim), and a network thread of its own
// per client. A publish costs it a few microseconds where Paho's costs tens (a command queue, a
// message-id scan and a send thread shared by every client of the process), so the publishers
// load the broker rather than themselves, and a report leaves when it is published (issue #16).
class Sender {
 public:
  Sender(const std::string& uri, const std::string& id, std::size_t window = kWindowPerClient);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;
  void start_connect();  // throws when the broker cannot be reached
  void wait_connected();  // throws when the broker refused
  void publish(const std::string& topic, const std::string& payload);  // waits while the window is full
  void drain();  // until every publish is acknowledged
  void disconnect();

 private:
  static void on_connect(::mosquitto*, void* self, int rc);
  static void on_publish(::mosquitto*, void* self, int mid);
  std::string host_;
  int port_ = 0;
  ::mosquitto* client_ = nullptr;
  std::size_t window_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t in_flight_ = 0;
  int connack_ = -1;  // the CONNACK's code once it came
};

// Connects `count` senders, every connect started before any is waited on.
std::vector<std::unique_ptr<Sender>> connect_senders(const std::string& uri, const std::string& prefix,
                                                     int count = kPublishers, std::size_t window = kWindowPerClient);

// A publishing client on Paho C++ with a bounded window of QoS 1 messages in flight: what parkd
// publishes with, for the gates' echo, which stands for parkd minus its work.
class PahoSender {
 public:
  PahoSender(const std::string& uri, const std::string& id, std::size_t window = kWindowPerClient);
  mqtt::token_ptr connect();
  void publish(const std::string& topic, const std::string& payload);

 private:
  mqtt::async_client client_;
  std::size_t window_;
  std::deque<mqtt::delivery_token_ptr> in_flight_;
};

// A subscriber that counts messages and, as asked, keeps each display frame's free count or each
// sensor report's seq with the time it arrived. On libmosquitto, a network thread per client:
// the time an arrival is stamped with is not held up by another client of the process (Paho's
// one receive thread per process was: issue #16).
class Receiver {
 public:
  enum class Keep { kNothing, kFrames, kReports };
  Receiver(const std::string& uri, const std::string& id, const std::string& filter, Keep keep);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  struct Arrival {
    std::uint64_t seq;         // the frame's or the report's
    std::uint32_t free_total;  // frames only
    Clock::time_point at;
    std::int64_t generated_at_ms = 0;  // frames only: parkd's clock when it made the frame
  };
  std::uint64_t count() const { return count_.load(); }
  Clock::time_point last() const { return last_.load(); }
  std::vector<Arrival> arrivals();
  bool wait_for_free(std::uint32_t free_total, std::chrono::milliseconds timeout);
  void clear();
  void disconnect();

 private:
  static void on_connect(::mosquitto*, void* self, int rc);
  static void on_subscribe(::mosquitto*, void* self, int mid, int count, const int* granted);
  static void on_message(::mosquitto*, void* self, const ::mosquitto_message* message);
  ::mosquitto* client_ = nullptr;
  std::string filter_;
  Keep keep_;
  std::condition_variable subscribed_changed_;
  int connack_ = -1;
  bool subscribed_ = false;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<Clock::time_point> last_{};
  std::mutex mutex_;
  std::vector<Arrival> arrivals_;
};

// CPU time (user + system) a process has used so far, in microseconds.
double cpu_us(pid_t pid);

}  // namespace parkd::bench
