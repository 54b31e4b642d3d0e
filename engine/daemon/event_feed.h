// GET /v1/events: the lot as it changes, as Server-Sent Events, to the console's browsers. Event
// types `space`, `frame`, `decision`, `status` (on subscribing, then every kHeartbeat, which also
// keeps idle connections alive), data as the API's JSON. A viewer's stream carries no plate.
// Space changes are gathered and each sent once after the engine's batch; a subscriber's
// connection buffers a bounded backlog and a slow one is dropped (HttpServer), so the engine
// never waits for a browser. On the strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine_host.h"
#include "http_server.h"
#include "live_event_sink.h"

namespace parkd {

class EventFeed : public LiveEventSink {
 public:
  static constexpr std::size_t kMaxSubscribers = 100;
  static constexpr std::chrono::seconds kHeartbeat{15};

  explicit EventFeed(EngineHost& host);
  // Starts the heartbeat.
  void start();
  // false: kMaxSubscribers are listening already.
  bool subscribe(std::shared_ptr<EventStream> stream, bool with_plates);
  std::size_t subscribers() const { return subscribers_.size(); }
  std::uint64_t events_sent() const { return events_sent_; }
  std::uint64_t subscribers_dropped() const { return dropped_; }

  void space_changed(std::size_t lot, SpaceIndex space) override;
  void frame_published(const DisplayFrame& frame) override;
  void decision_sent(const std::string& payload) override;

 private:
  struct Subscriber {
    std::shared_ptr<EventStream> stream;
    bool with_plates = false;
  };
  // Offers the event to every subscriber: `with_plates` to guards and above, `without` to viewers.
  void send(const char* type, const std::string& with_plates, const std::string& without);
  void send_changed_spaces();
  void heartbeat();
  static std::shared_ptr<const std::string> event_text(const char* type, const std::string& json);

  EngineHost& host_;
  boost::asio::steady_timer heartbeat_;
  std::vector<Subscriber> subscribers_;
  std::set<std::pair<std::size_t, SpaceIndex>> changed_;  // waiting for the end of the batch
  std::uint64_t events_sent_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace parkd
