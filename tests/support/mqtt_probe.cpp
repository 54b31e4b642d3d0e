// The test client: a plain Paho async client with a recorded inbox.
#include "support/mqtt_probe.h"

#include "support/processes.h"

namespace parkd::test {

namespace {
std::vector<std::string> split_uris(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = list.find(',', start);
    out.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

mqtt::create_options probe_create_options(bool fails_over) {
  mqtt::create_options o(MQTTVERSION_3_1_1);
  // Between two nodes a device keeps what it sends: buffered, then sent on the new connection.
  if (fails_over) o.set_send_while_disconnected(true, true);
  if (fails_over) o.set_max_buffered_messages(100'000);
  return o;
}
}  // namespace

MqttProbe::MqttProbe(const std::string& uri, const std::string& client_id, const ProbeLogin& login)
    : client_(split_uris(uri).front(), client_id, probe_create_options(uri.find(',') != std::string::npos), nullptr),
      fails_over_(uri.find(',') != std::string::npos) {
  client_.set_message_callback([this](mqtt::const_message_ptr m) {
    std::lock_guard lock(mutex_);
    received_.push_back(Received{m->get_topic(), m->get_payload_str(), m->is_retained()});
    changed_.notify_all();
  });
  auto builder = mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(!login.persistent_session &&
                                                                                                 !fails_over_);
  if (fails_over_) {
    uris_ = split_uris(uri);
    // Paho's default of 10 unacknowledged publishes caps a device at 10 per round trip: on a
    // cluster that lost a node the round trip grew to ~65 ms (150 reports/s).
    builder.max_inflight(1'000);
    client_.set_connection_lost_handler([this](const std::string&) {
      std::lock_guard lock(mutex_);  // never reconnect on Paho's thread: the loop does
      lost_ = true;
      changed_.notify_all();
    });
  }
  if (!login.username.empty()) builder.user_name(login.username).password(login.password);
  if (!login.ca_file.empty()) {
    builder.ssl(mqtt::ssl_options_builder().trust_store(login.ca_file).verify(true).enable_server_cert_auth(true).finalize());
  } else if (uri.rfind("ssl://", 0) == 0) {
    builder.ssl(mqtt::ssl_options_builder().verify(true).enable_server_cert_auth(true).finalize());  // the system's CAs only
  }
  options_ = builder.finalize();
  try {
    if (!fails_over_) {
      client_.connect(options_)->wait_for(std::chrono::seconds(10));
      connected_uri_ = uri;
    } else {
      connect_to_one();
    }
  } catch (const mqtt::exception& e) {
    throw std::runtime_error("test client cannot connect to " + uri + ": " + e.what());
  }
  if (!client_.is_connected()) throw std::runtime_error("test client cannot connect to " + uri);
  if (fails_over_) reconnector_ = std::thread([this] { reconnect_loop(); });
}

void MqttProbe::reconnect_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return lost_ || closing_; });
    if (closing_) return;
    lock.unlock();
    bool session_kept = false;
    const bool connected = connect_to_one(&session_kept);
    std::vector<std::pair<std::string, int>> filters;
    {
      std::lock_guard relock(mutex_);
      filters = filters_;
    }
    if (connected && !session_kept) {
      for (const auto& [filter, qos] : filters) {
        try {
          client_.subscribe(filter, qos)->wait_for(std::chrono::seconds(10));
        } catch (const mqtt::exception&) {
        }
      }
    }
    lock.lock();
    if (connected) {
      lost_ = false;
      ++reconnections_;
      changed_.notify_all();
    } else {
      changed_.wait_for(lock, std::chrono::milliseconds(200), [&] { return closing_; });
    }
  }
}

bool MqttProbe::connect_to_one(bool* session_kept) {
  // One URI per connect(), from the first: a dead node refuses at once. (Given the whole list,
  // Paho reports its first URI whichever answered.)
  for (const std::string& uri : uris_) {
    mqtt::connect_options options = options_;
    options.set_servers(mqtt::string_collection::create({uri}));
    // The attempt ends (connect timeout) before the next begins: a connect() still pending when
    // another starts leaves Paho with two sockets and its threads deadlocked.
    options.set_connect_timeout(std::chrono::seconds(3));
    if (attempts_++ > 0) {
      // Paho C 1.3.12 calls an attempt's failure callback (which completes the token) and then,
      // on its own thread, clears the client's connect callbacks; MQTTAsync_connect sets the next
      // attempt's callbacks without a lock. Begun at once, the next attempt lost its callbacks,
      // never ended, and the one after it ran into it: a crash in Paho's send thread (seen when
      // ten gateways failed over together). A pause lets Paho's thread get past the callback.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    mqtt::token_ptr token;
    try {
      token = client_.connect(options);
    } catch (const mqtt::exception&) {
      continue;  // refused before it began: nothing under way
    }
    try {
      // However long Paho takes: the connect timeout ends the attempt, and another connect()
      // before it has ended is the crash above.
      if (!token->wait_for(std::chrono::seconds(60))) {
        throw std::runtime_error("test client " + client_.get_client_id() + ": a connect to " + uri +
                                 " never ended; Paho lost the attempt");
      }
      if (client_.is_connected()) {
        if (session_kept != nullptr) *session_kept = token->get_connect_response().is_session_present();
        std::lock_guard lock(mutex_);
        connected_uri_ = uri;
        return true;
      }
    } catch (const mqtt::exception&) {
    }
  }
  return false;
}

int MqttProbe::reconnections() {
  std::lock_guard lock(mutex_);
  return reconnections_;
}

std::string MqttProbe::connected_uri() {
  std::lock_guard lock(mutex_);
  return client_.is_connected() ? connected_uri_ : std::string();
}

MqttProbe::~MqttProbe() {
  if (reconnector_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      changed_.notify_all();
    }
    reconnector_.join();
  }
  try {
    client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
}

void MqttProbe::subscribe(const std::string& filter, int qos) {
  {
    std::lock_guard lock(mutex_);
    filters_.emplace_back(filter, qos);
  }
  client_.subscribe(filter, qos)->wait_for(std::chrono::seconds(10));
}

void MqttProbe::publish(const std::string& topic, const std::string& payload, bool retained) {
  auto message = mqtt::make_message(topic, payload, 1, retained);
  acknowledged(client_.publish(message), message);
}

void MqttProbe::acknowledged(mqtt::delivery_token_ptr token, const mqtt::const_message_ptr& message) {
  if (!fails_over_) {
    token->wait_for(std::chrono::seconds(10));
    return;
  }
  // A device that fails over: a publish whose connection went before its PUBACK (a node died,
  // or a surviving node gave up on a stream's lost leader) is sent again on the new connection;
  // a repetition is the receiver's to recognise (parkd's seqs).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int connection = reconnections();
  for (;;) {
    bool failed = false;
    try {
      if (token->wait_for(std::chrono::milliseconds(500))) return;
    } catch (const mqtt::exception&) {
      failed = true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("a QoS 1 publish was never acknowledged on " + message->get_topic());
    }
    std::unique_lock lock(mutex_);
    if (!failed && reconnections_ == connection) continue;  // still the connection it went out on
    changed_.wait_for(lock, std::chrono::seconds(5), [&] { return !lost_ || closing_; });
    if (lost_) continue;
    connection = reconnections_;
    lock.unlock();
    token = client_.publish(message);
  }
}

void MqttProbe::publish_windowed(const std::string& topic, const std::string& payload, std::size_t window) {
  while (outstanding_.size() >= window) {
    acknowledged(outstanding_.front().first, outstanding_.front().second);
    outstanding_.pop_front();
  }
  auto message = mqtt::make_message(topic, payload, 1, false);
  outstanding_.emplace_back(client_.publish(message), message);
}

void MqttProbe::flush() {
  for (auto& [token, message] : outstanding_) acknowledged(token, message);
  outstanding_.clear();
}

std::optional<Received> MqttProbe::wait_for(const std::function<bool(const Received&)>& match,
                                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  for (;;) {
    for (; checked < received_.size(); ++checked) {
      if (match(received_[checked])) return received_[checked];
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && checked == received_.size()) return std::nullopt;
  }
}

std::vector<Received> MqttProbe::received() {
  std::lock_guard lock(mutex_);
  return received_;
}

void MqttProbe::clear() {
  std::lock_guard lock(mutex_);
  received_.clear();
}

}  // namespace parkd::test
