// GET /v1/events: the lot as it changes, as Server-Sent Events, to the console's browsers. Event
// types `space`, `frame` (on subscribing, the last of each sign), `decision`, `alert` (raised or
// cleared, as GET /v1/alerts shows it), `status` (on
// subscribing, within kBrokerWatch of a lot's broker session changing state, and every
// kHeartbeat, which also keeps idle connections alive), data as the
// API's JSON. A viewer's stream carries no plate.
// What happens is gathered and sent every kFlushInterval as one write per browser: each changed
// space once, each sign's latest frame, every decision. A browser needs no more than that, and
// the engine's thread then spends on the feed a few writes a second per browser whatever the
// load (50 browsers at 1,000 reports/s cost ~100,000 writes a second when sent one by one). A
// slow browser's connection buffers a bounded backlog and is dropped (HttpServer), so the
// engine never waits for a browser. The strand only copies what changed; the JSON is written on
// a thread of the feed's own; the batch is offered to a few browsers per turn of the strand, so
// a report never waits behind fifty socket writes. On the strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine_host.h"
#include "http_server.h"
#include "live_event_sink.h"
#include "parking/v1/control.pb.h"
#include "store_worker.h"

namespace parkd {

class EventFeed : public LiveEventSink {
 public:
  static constexpr std::size_t kMaxSubscribers = 100;
  static constexpr std::chrono::seconds kHeartbeat{15};
  static constexpr std::chrono::seconds kBrokerWatch{1};
  static constexpr std::chrono::milliseconds kFlushInterval{100};
  static constexpr std::size_t kMaxPendingDecisions = 1'000;  // per flush; the oldest go beyond

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
  void alert_changed(const Alert& alert) override;

 private:
  struct Subscriber {
    std::shared_ptr<EventStream> stream;
    bool with_plates = false;
  };
  // Appends one event to the batch for guards and above and the batch for viewers.
  static void append(std::string& batch, const char* type, const std::string& json);
  void schedule_flush();
  void flush();
  // Offers the two batches: `with_plates` to guards and above, `without` to viewers.
  void send(std::shared_ptr<const std::string> with_plates, std::shared_ptr<const std::string> without);
  // Offers to targets[from..from + kOffersPerTurn), then posts the rest as the strand's next turn.
  void offer_from(std::shared_ptr<const std::vector<Subscriber>> targets, std::size_t from,
                  std::shared_ptr<const std::string> with_plates, std::shared_ptr<const std::string> without);
  static constexpr std::size_t kOffersPerTurn = 8;
  void heartbeat();  // every kBrokerWatch: the status when due or when a broker session changed
  std::string broker_states() const;

  EngineHost& host_;
  boost::asio::steady_timer heartbeat_;
  std::chrono::steady_clock::time_point last_status_{};
  std::string last_broker_states_;
  boost::asio::steady_timer flush_timer_;
  bool flush_due_ = false;
  std::vector<Subscriber> subscribers_;
  // Waiting for the next flush.
  std::set<std::pair<std::size_t, SpaceIndex>> changed_;
  std::map<std::string, std::string> frames_;  // "lot/display" -> its latest frame (wire payload)
  std::deque<std::string> decisions_;          // wire payloads, oldest first
  std::vector<Alert> alerts_;                  // raised or cleared, in order
  std::uint64_t events_sent_ = 0;
  std::uint64_t dropped_ = 0;
  // Last: it is stopped (its jobs finished) before the rest of the feed goes.
  StoreWorker writer_;
};

}  // namespace parkd
