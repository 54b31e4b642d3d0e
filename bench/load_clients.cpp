// The load driver's MQTT clients and the sensor stream they carry (see load_clients.h).
#include "load_clients.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

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

Sender::Sender(const std::string& uri, const std::string& id, std::size_t window)
    : client_(uri, id, mqtt::create_options(MQTTVERSION_3_1_1, 10'000), nullptr), window_(window) {}

mqtt::token_ptr Sender::connect() {
  return client_.connect(mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).finalize());
}

void Sender::publish(const std::string& topic, const std::string& payload) {
  in_flight_.push_back(client_.publish(mqtt::make_message(topic, payload, 1, false)));
  while (in_flight_.size() > window_) {
    in_flight_.front()->wait();
    in_flight_.pop_front();
  }
}

void Sender::drain() {
  for (auto& t : in_flight_) t->wait();
  in_flight_.clear();
}

void Sender::disconnect() { client_.disconnect()->wait_for(2s); }

std::vector<std::unique_ptr<Sender>> connect_senders(const std::string& uri, const std::string& prefix, int count,
                                                     std::size_t window) {
  std::vector<std::unique_ptr<Sender>> senders;
  std::vector<mqtt::token_ptr> pending;
  for (int p = 0; p < count; ++p) {
    senders.push_back(std::make_unique<Sender>(uri, prefix + std::to_string(p), window));
    pending.push_back(senders.back()->connect());
  }
  for (auto& t : pending) t->wait();
  return senders;
}

Receiver::Receiver(const std::string& uri, const std::string& id, const std::string& filter, Keep keep)
    : client_(uri, id, mqtt::create_options(MQTTVERSION_3_1_1), nullptr), keep_(keep) {
  client_.set_message_callback([this](mqtt::const_message_ptr m) {
    const auto now = Clock::now();
    count_.fetch_add(1);
    last_ = now;
    if (keep_ == Keep::kFrames) {
      parking::v1::DisplayFrame f;
      if (f.ParseFromString(m->get_payload_str())) {
        std::lock_guard lock(mutex_);
        arrivals_.push_back({f.seq(), f.free_total(), now});
      }
    } else if (keep_ == Keep::kReports) {
      parking::v1::SensorReport r;
      if (r.ParseFromString(m->get_payload_str())) {
        std::lock_guard lock(mutex_);
        arrivals_.push_back({r.seq(), 0, now});
      }
    }
  });
  client_.connect(mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).finalize())->wait();
  client_.subscribe(filter, 1)->wait();
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

void Receiver::disconnect() { client_.disconnect()->wait_for(2s); }

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
