// The load driver's MQTT clients and the sensor stream they carry (see load_clients.h).
#include "load_clients.h"

#include <mosquitto.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "config/broker_uris.h"
#include "parking/v1/messages.pb.h"

namespace parkd::bench {

using namespace std::chrono_literals;

std::string space_id(int i) {
  std::string id = "S";  // appended: GCC 12 warns falsely (-Wrestrict) on "S" + std::string at -O3
  id += std::to_string(1000 + i);
  return id;
}
std::string sensor_id(int i) { return "b-" + space_id(i); }
std::string report_topic(const std::string& lot, int sensor) {
  return "parking/" + lot + "/sensors/" + sensor_id(sensor) + "/report";
}

std::string report(int sensor, bool occupied, std::uint64_t seq, bool heartbeat) {
  parking::v1::SensorReport r;
  r.set_sensor_id(sensor_id(sensor));
  r.set_space_id(space_id(sensor));
  r.set_boot_id(1);
  r.set_seq(seq);
  r.set_observed_at_ms(1);
  r.set_occupied(occupied);
  r.set_kind(heartbeat ? parking::v1::REPORT_KIND_HEARTBEAT : parking::v1::REPORT_KIND_CHANGE);
  r.set_battery_mv(3'000);
  return r.SerializeAsString();
}

namespace {
std::once_flag mosquitto_initialised;
// "tcp://HOST:PORT" into its host and port.
std::pair<std::string, int> host_and_port(const std::string& uri) {
  BrokerAddress address = broker_address(uri);
  if (address.port == 0) throw std::runtime_error("no port in broker URI " + uri);
  return {std::move(address.host), address.port};
}
// A clean-session MQTT 3.1.1 client calling back with `self`. TCP_NODELAY comes from the shim
// linked into the driver (tools/nodelay), as for its Paho clients, so PARKD_TCP_NODELAY=off
// (`bench/run e2e-nagle`) turns it off here too.
::mosquitto* new_client(const std::string& id, void* self) {
  std::call_once(mosquitto_initialised, [] { mosquitto_lib_init(); });
  ::mosquitto* client = mosquitto_new(id.c_str(), true, self);
  if (client == nullptr) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  return client;
}

// Connects and starts the client's network thread; throws when either fails.
void connect_client(::mosquitto* client, const std::string& host, int port) {
  if (const int rc = mosquitto_connect(client, host.c_str(), port, 60); rc != MOSQ_ERR_SUCCESS) {
    throw std::runtime_error(std::string("mosquitto_connect: ") + mosquitto_strerror(rc));
  }
  if (const int rc = mosquitto_loop_start(client); rc != MOSQ_ERR_SUCCESS) {
    throw std::runtime_error(std::string("mosquitto_loop_start: ") + mosquitto_strerror(rc));
  }
}

// Disconnects (again, harmlessly, after disconnect()), stops the network thread and frees it.
void close_client(::mosquitto* client) {
  mosquitto_disconnect(client);
  mosquitto_loop_stop(client, true);
  mosquitto_destroy(client);
}
}  // namespace

Sender::Sender(const std::string& uri, const std::string& id, std::size_t window) : window_(window) {
  std::tie(host_, port_) = host_and_port(uri);
  client_ = new_client(id, this);
  // The window is ours; libmosquitto's own limit (20 by default) would queue behind it.
  mosquitto_max_inflight_messages_set(client_, static_cast<unsigned>(window_));
  mosquitto_connect_callback_set(client_, &Sender::on_connect);
  mosquitto_publish_callback_set(client_, &Sender::on_publish);
}

Sender::~Sender() {
  if (client_ == nullptr) return;
  close_client(client_);
}

void Sender::on_connect(mosquitto*, void* self, int rc) {
  auto* s = static_cast<Sender*>(self);
  std::lock_guard lock(s->mutex_);
  s->connack_ = rc;
  s->changed_.notify_all();
}

void Sender::on_publish(mosquitto*, void* self, int) {
  auto* s = static_cast<Sender*>(self);
  std::lock_guard lock(s->mutex_);
  --s->in_flight_;
  // The publisher waits for half the window back (and drain() for all of it): a wake-up per
  // PUBACK would cost the publishers a thread switch per message.
  if (s->in_flight_ == s->window_ / 2 || s->in_flight_ == 0) s->changed_.notify_all();
}

void Sender::start_connect() { connect_client(client_, host_, port_); }

void Sender::wait_connected() {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, 10s, [&] { return connack_ >= 0; })) throw std::runtime_error("no CONNACK in 10 s");
  if (connack_ != 0) throw std::runtime_error(std::string("connection refused: ") + mosquitto_connack_string(connack_));
}

void Sender::publish(const std::string& topic, const std::string& payload) {
  {
    std::unique_lock lock(mutex_);
    if (in_flight_ >= window_) changed_.wait(lock, [&] { return in_flight_ <= window_ / 2; });
    ++in_flight_;
  }
  const int rc = mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_publish: ") + mosquitto_strerror(rc));
}

void Sender::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return in_flight_ == 0; });
}

void Sender::disconnect() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
}

std::vector<std::unique_ptr<Sender>> connect_senders(const std::string& uri, const std::string& prefix, int count,
                                                     std::size_t window) {
  std::vector<std::unique_ptr<Sender>> senders;
  for (int p = 0; p < count; ++p) {
    senders.push_back(std::make_unique<Sender>(uri, prefix + std::to_string(p), window));
    senders.back()->start_connect();
  }
  for (auto& s : senders) s->wait_connected();
  return senders;
}

PahoSender::PahoSender(const std::string& uri, const std::string& id, std::size_t window)
    : client_(uri, id, mqtt::create_options(MQTTVERSION_3_1_1, 10'000), nullptr), window_(window) {}

mqtt::token_ptr PahoSender::connect() {
  return client_.connect(mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).finalize());
}

void PahoSender::publish(const std::string& topic, const std::string& payload) {
  in_flight_.push_back(client_.publish(mqtt::make_message(topic, payload, 1, false)));
  while (in_flight_.size() > window_) {
    in_flight_.front()->wait();
    in_flight_.pop_front();
  }
}

Receiver::Receiver(const std::string& uri, const std::string& id, const std::string& filter, Keep keep)
    : filter_(filter), keep_(keep) {
  const auto [host, port] = host_and_port(uri);
  client_ = new_client(id, this);
  mosquitto_connect_callback_set(client_, &Receiver::on_connect);
  mosquitto_subscribe_callback_set(client_, &Receiver::on_subscribe);
  mosquitto_message_callback_set(client_, &Receiver::on_message);
  connect_client(client_, host, port);
  std::unique_lock lock(mutex_);
  if (!subscribed_changed_.wait_for(lock, 10s, [&] { return subscribed_ || connack_ > 0; }) || !subscribed_) {
    throw std::runtime_error("subscriber " + id + ": not subscribed to " + filter + " within 10 s");
  }
}

Receiver::~Receiver() {
  close_client(client_);
}

void Receiver::on_connect(::mosquitto* m, void* self, int rc) {
  auto* r = static_cast<Receiver*>(self);
  if (rc == 0) mosquitto_subscribe(m, nullptr, r->filter_.c_str(), 1);
  std::lock_guard lock(r->mutex_);
  r->connack_ = rc;
  r->subscribed_changed_.notify_all();
}

void Receiver::on_subscribe(::mosquitto*, void* self, int, int count, const int* granted) {
  auto* r = static_cast<Receiver*>(self);
  std::lock_guard lock(r->mutex_);
  r->subscribed_ = count == 1 && granted[0] <= 2;
  r->subscribed_changed_.notify_all();
}

void Receiver::on_message(::mosquitto*, void* self, const ::mosquitto_message* message) {
  const auto now = Clock::now();
  auto* r = static_cast<Receiver*>(self);
  r->count_.fetch_add(1);
  r->last_ = now;
  if (r->keep_ == Keep::kFrames) {
    parking::v1::DisplayFrame f;
    if (f.ParseFromArray(message->payload, message->payloadlen)) {
      std::lock_guard lock(r->mutex_);
      r->arrivals_.push_back({f.seq(), f.free_total(), now, f.generated_at_ms()});
    }
  } else if (r->keep_ == Keep::kReports) {
    parking::v1::SensorReport report;
    if (report.ParseFromArray(message->payload, message->payloadlen)) {
      std::lock_guard lock(r->mutex_);
      r->arrivals_.push_back({report.seq(), 0, now});
    }
  }
}

std::vector<Receiver::Arrival> Receiver::arrivals() {
  std::lock_guard lock(mutex_);
  return arrivals_;
}

bool Receiver::wait_for_free(std::uint32_t free_total, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      if (!arrivals_.empty() && arrivals_.back().free_total == free_total) return true;
    }
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

void Receiver::clear() {
  std::lock_guard lock(mutex_);
  arrivals_.clear();
}

void Receiver::disconnect() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
}

double cpu_us(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  if (line.empty()) return 0;
  std::istringstream fields(line.substr(line.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace parkd::bench
