// A loopback MQTT 3.1.1 peer that leaves SUBSCRIBEs unanswered: a broker fault, for parkd's tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parkd::test {

// Answers CONNECT (no session kept), QoS 1 PUBLISH and PINGREQ like a broker, delivers nothing,
// and leaves every SUBSCRIBE of its first `mute_connections` connections unanswered; later
// connections get a SUBACK granting what they asked. No real broker can be told to do that,
// and it is the one fault parkd would otherwise wait on for ever. One connection at a time.
class UnansweringBroker {
 public:
  explicit UnansweringBroker(int mute_connections);
  ~UnansweringBroker();
  UnansweringBroker(const UnansweringBroker&) = delete;
  UnansweringBroker& operator=(const UnansweringBroker&) = delete;

  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

  struct Publish {
    int connection;  // 1 for the first
    std::string topic;
    std::string payload;
  };
  // The first PUBLISH `match` accepts, waiting up to `timeout` (scaled) for it.
  bool wait_for(const std::function<bool(const Publish&)>& match, std::chrono::milliseconds timeout);
  int connections();
  int subscribes(int connection);  // SUBSCRIBE packets the connection sent

 private:
  void serve();
  void serve_connection(int fd, int connection);

  int mute_connections_;
  int listener_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Publish> published_;
  std::vector<int> subscribes_;  // per connection
  int client_ = -1;              // the connection being served, shut down by the destructor
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace parkd::test
