// One MQTT connection of parkd (Paho C++ async client): persistent session, a reconnect loop of
// its own over a list of brokers tried in order (Paho's automatic reconnect keeps to the last
// URI that worked, paho.mqtt.c#1661), a retained online status with the matching last will,
// subscriptions restored on every connect. Paho calls back on its own thread; this class only
// hands messages over.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mqtt/async_client.h>

#include "connect_limiter.h"
#include "latency_histogram.h"
#include "log.h"
#include "mqtt_session_figures.h"
#include "subscription_probe.h"

namespace parkd {

class MqttSession {
 public:
  struct Settings {
    std::vector<std::string> uris;  // at least one; each connect tries them in this order
    std::string client_id;
    std::string username;
    std::string password;
    std::string ca_file;    // set: TLS, checking the broker's certificate against this CA
    std::string cert_file;  // optional client certificate and key
    std::string key_file;
    std::vector<std::string> subscriptions;  // QoS 1
    // Set: the receive tick. Paho C (1.3.12, and upstream still) sleeps 100 ms in its one receive
    // thread whenever a whole second passed with nothing to read (MQTTAsync_cycle; PR #1458 to
    // remove it was closed): the first report or gate event after a quiet second waited up to
    // 100 ms before parkd saw it (measured: ~95 reports reached the sign 95 ms late together).
    // Every kReceiveTick this session publishes an empty QoS 0 message here and hears it back,
    // so no second passes without something to read. One session per process is enough: the
    // receive thread serves them all. The messages are dropped here, never handed over.
    std::string receive_tick_topic;
    // Probes through the subscriptions (SubscriptionProbe): every probe_interval (0: never) a QoS 1
    // message on each `topic`, which its `filter` (one of `subscriptions`) matches and no device
    // uses. One that does not come back while the session stayed online means the broker stopped
    // delivering on that subscription: the session reconnects to the next broker (session kept)
    // and says online again only once a probe comes back.
    struct Probed {
      std::string filter;
      std::string topic;
    };
    std::vector<Probed> probes;
    std::chrono::milliseconds probe_interval{30'000};
    // A SUBSCRIBE the broker has not answered for this long, on a connection that is up, is not
    // coming (a fault of the broker or of the client library: nothing else would end the wait,
    // and the session would stay offline for good): the session reconnects to the next broker
    // (session kept) and asks again there.
    std::chrono::milliseconds subscribe_timeout{30'000};
    std::string probe_tag;  // different in each process (SubscriptionProbe)
    std::string status_topic;                // retained EngineStatus; the will goes here too
    std::string online_payload;
    std::string will_payload;
    // Shared by the process's sessions (io thread): a connect waits for a slot, held until the
    // broker has answered the subscriptions (or kConnectSlotHold). Null: connect at once.
    ConnectLimiter* connect_limiter = nullptr;
    // Messages that wait for the window (a retained one waits once per topic): a gate decision
    // made while the broker is away goes out when it is back.
    std::size_t max_waiting = 100'000;
  };
  // Called on Paho's thread: must copy what it needs and return at once.
  using MessageHandler = std::function<void(std::string topic, std::string payload)>;
  // Called on Paho's thread after each (re)connect, once the broker acknowledged the
  // subscriptions (and `online` was published).
  using ConnectedHandler = std::function<void()>;

  // `executor` runs the timer of the reconnect loop.
  MqttSession(Settings settings, boost::asio::any_io_executor executor, MessageHandler on_message,
              ConnectedHandler on_connected);
  ~MqttSession();
  MqttSession(const MqttSession&) = delete;
  MqttSession& operator=(const MqttSession&) = delete;

  void start();
  // Never blocks; QoS 1. At most kPublishWindow publishes are outstanding in Paho at a time;
  // the rest wait here, in order, also while disconnected, and go out as acknowledgements come
  // back. A retained message (a sign's frame: only the latest matters) has at most one in Paho
  // per topic, and replaces one still waiting for the same topic. False only when max_waiting
  // are waiting already (the caller counts it). Call it on the io thread (the executor's).
  // With `on_delivered` (never for a retained message), Paho's failure of the publish (the
  // broker kept no session after a reconnect) puts it back at the head of the queue, and
  // `on_delivered` runs on Paho's thread once the broker has acknowledged it.
  bool publish(const std::string& topic, std::string payload, bool retained,
               std::function<void()> on_delivered = {});
  // QoS 0, not retained, not kept: sent now if connected, else false. For requests whose
  // repetition or loss does not matter and that must not be stored by the broker (on a NATS
  // cluster a QoS 1 publish is stored in a JetStream stream first).
  bool send_now(const std::string& topic, const std::string& payload);
  // Paho C looks for a free message id by scanning its queued commands and in-flight messages:
  // with thousands queued every publish costs more (measured: 2,300 gate decisions/s unbounded).
  static constexpr std::size_t kPublishWindow = 500;
  static constexpr std::chrono::milliseconds kReceiveTick{400};
  // Shut-down in two steps, so that a thousand lots' sessions stop together, not one after the
  // other (one at a time, a thousand sessions on unresponsive brokers took six seconds each).
  // begin_stop publishes `final_status` (retained); finish_stop waits for its acknowledgement
  // until `status_deadline`, then disconnects, waiting until `deadline`. Call begin_stop on every
  // session first, then finish_stop on each with the same deadlines; both off the io thread
  // (after the io_context stopped).
  void begin_stop(const std::string& final_status);
  void finish_stop(std::chrono::steady_clock::time_point status_deadline, std::chrono::steady_clock::time_point deadline);

  bool connected() const { return client_.is_connected(); }
  // From a publish handed to Paho to the broker's acknowledgement (PUBACK) of it; any thread.
  LatencyHistogram publish_to_ack() const {
    std::lock_guard lock(ack_mutex_);
    return publish_to_ack_;
  }
  const std::string& client_id() const { return settings_.client_id; }
  MqttSessionFigures figures() const;  // any thread

 private:
  void connect();
  void attempt();         // one connect, in a slot of the limiter (io thread)
  void give_back_slot();  // the attempt is over: its slot to the next session (any thread)
  // `base` varied by up to +-`by` (a fraction), per session: a thousand lots' timers do not fire
  // together (io thread: jitter_).
  std::chrono::milliseconds spread(std::chrono::milliseconds base, double by);
  // The longest a session keeps a slot: a SUBACK that never comes does not hold the others up.
  static constexpr std::chrono::seconds kConnectSlotHold{10};
  // After a failed attempt, before the next broker's: long enough for Paho's thread to finish
  // the failure callback (on_connect_failure says why), short beside a failover's ~1.4 s.
  static constexpr std::chrono::milliseconds kNextBrokerPause{50};
  // `lost`: a connection that was up went; otherwise an attempt on the current URI failed.
  void on_connect_failure(const std::string& why, bool lost);
  void subscribe(const std::vector<std::string>& filters);  // one request (Paho's thread or the io thread)
  // The SUBACK (Paho's thread), or the request's failure. A broker may answer with a failure
  // code (0x80) for some of the filters, and Paho C reports that as a success when there are
  // several (a NATS node does it when it cannot make a subscription's JetStream consumer in
  // time; Mosquitto's dynamic security plugin when a role forbids the filter): only once every
  // filter is granted on this connection is the session online.
  void on_suback(const mqtt::token& tok, bool failed);
  void on_subscribed();  // every filter granted: online (once a probe came back after a stall)
  void go_online();      // the status, the handler, then what waited
  // The probes (io thread): a round every probe_interval; what came back (posted by Paho's thread).
  void probe_round();
  void schedule_probe_round();
  void send_probes(const std::vector<SubscriptionProbe::Probe>& probes);
  void on_probe(const std::string& topic, const std::string& payload);
  void note_heard(const SubscriptionProbe::Heard& heard);  // a filter delivers: online if all do
  // A subscription stopped delivering: away from this broker, to the next one, session kept (io thread).
  void reconnect_after_stall(const std::string& filters);
  // Every subscribe_timeout while `connection` (connections_seen_, to settings_.uris[uri]) is up
  // and not online: a request without an answer for that long ends the connection (io thread).
  void watch_subscribe(std::uint64_t connection, std::size_t uri);
  // Offline, and a deliberate disconnect; after_disconnect connects to `next` (io thread).
  void reconnect_to(std::size_t next);
  std::size_t next_uri() const { return (uri_index_ + 1) % settings_.uris.size(); }
  // Asks again for `filters` after a pause that doubles up to kResubscribeMax (from any thread);
  // `why` completes the log line "<client> is not online: <why>".
  void resubscribe_later(std::vector<std::string> filters, std::string why);
  static constexpr std::chrono::milliseconds kResubscribeFirst{1'000};
  static constexpr std::chrono::milliseconds kResubscribeMax{30'000};

  class SubscribeListener : public mqtt::iaction_listener {
   public:
    explicit SubscribeListener(MqttSession& session) : session_(session) {}
    void on_success(const mqtt::token& tok) override { session_.on_suback(tok, false); }
    void on_failure(const mqtt::token& tok) override { session_.on_suback(tok, true); }

   private:
    MqttSession& session_;
  };
  void pump();  // hands waiting publishes to Paho while the window has room
  void tick();  // the receive tick (Settings::receive_tick_topic), then the next one

  // Counts a publish as done when Paho reports it acknowledged or failed (on Paho's thread).
  class PublishListener : public mqtt::iaction_listener {
   public:
    explicit PublishListener(MqttSession& session) : session_(session) {}
    void on_success(const mqtt::token& tok) override { session_.publish_done(tok, true); }
    void on_failure(const mqtt::token& tok) override { session_.publish_done(tok, false); }

   private:
    MqttSession& session_;
  };
  void publish_done(const mqtt::token& tok, bool acknowledged);
  // A retained publish done (Paho's thread): its topic is free, or the one held for it goes.
  void retained_done(std::uintptr_t tag);
  void release_held(const std::string& topic);  // io thread
  void release_all_held();                      // io thread, at each connect

  // Completes each connect() on Paho's thread: says which broker answered and whether it kept
  // the session; a failure schedules the next attempt.
  class ConnectListener : public mqtt::iaction_listener {
   public:
    explicit ConnectListener(MqttSession& session) : session_(session) {}
    void on_success(const mqtt::token& tok) override;
    void on_failure(const mqtt::token& tok) override;

   private:
    MqttSession& session_;
  };

  // Ends a deliberate disconnect (reconnect_after_stall): the next connect, on the io thread.
  class DisconnectListener : public mqtt::iaction_listener {
   public:
    explicit DisconnectListener(MqttSession& session) : session_(session) {}
    void on_success(const mqtt::token&) override { session_.after_disconnect(); }
    void on_failure(const mqtt::token&) override { session_.after_disconnect(); }

   private:
    MqttSession& session_;
  };
  void after_disconnect();

  Settings settings_;
  boost::asio::any_io_executor executor_;
  MessageHandler on_message_;
  ConnectedHandler on_connected_;
  mqtt::async_client client_;
  mqtt::connect_options connect_options_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer resubscribe_timer_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer probe_timer_;
  boost::asio::steady_timer slot_timer_;
  boost::asio::steady_timer subscribe_timer_;
  std::uint64_t connections_seen_ = 0;  // io thread only: which connection subscribe_timer_ watches
  // When the last SUBSCRIBE was asked for and when the last answer to one came (steady clock,
  // ns): set on Paho's thread or the io thread, read by watch_subscribe.
  std::atomic<std::int64_t> subscribe_asked_at_{0};
  std::atomic<std::int64_t> subscribe_answered_at_{0};
  std::atomic<std::uint64_t> subscribes_unanswered_{0};
  std::atomic<bool> holds_slot_{false};  // in settings_.connect_limiter
  std::uint64_t slot_generation_ = 0;    // io thread only: which attempt slot_timer_ is for
  SubscriptionProbe probe_;     // io thread only
  bool awaiting_probe_ = false;  // io thread only: granted after a stall, online once a probe is back
  std::atomic<bool> hearing_{true};  // no subscription stalled (probe_.stalled(), for other threads)
  std::atomic<std::uint64_t> stalls_{0};
  // Per probed filter: when a device's message last came through it (steady clock, ns; 0: never),
  // set on Paho's thread, read by the probe's rounds.
  std::unique_ptr<std::atomic<std::int64_t>[]> last_delivery_;
  std::chrono::milliseconds retry_delay_{250};
  std::chrono::milliseconds resubscribe_delay_{kResubscribeFirst};  // io thread only
  std::vector<std::string> filters_;  // the subscriptions and the receive tick
  std::mutex granted_mutex_;
  std::set<std::string> granted_;    // on this connection
  std::atomic<bool> online_{false};  // every subscription granted on this connection
  std::atomic<bool> connected_{false};  // as Paho's callbacks last said (is_connected() takes its lock)
  std::vector<std::string> resubscribe_pending_;  // io thread only
  bool resubscribe_armed_ = false;                // io thread only
  std::minstd_rand jitter_;                       // io thread only
  std::atomic<std::uint64_t> subscriptions_refused_{0};
  std::atomic<bool> tick_refusal_logged_{false};
  std::atomic<bool> stopping_{false};
  mqtt::delivery_token_ptr final_status_;  // begin_stop's publish
  std::atomic<std::uint64_t> connects_{0};  // the first connection of a process may find no session
  // Which broker the attempt under way is for: parkd walks the list itself, one URI per
  // connect(), so it knows where it is (Paho, given the list, reports the first URI whichever
  // answered) and where to go next. Set on the io thread, read on Paho's.
  std::atomic<std::size_t> uri_index_{0};
  std::atomic<std::uint64_t> connects_kept_{0};
  std::atomic<std::uint64_t> connects_new_{0};
  std::atomic<std::uint64_t> lost_{0};
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> succeeded_attempt_{0};  // Paho may report one success twice
  std::atomic<bool> connecting_{false};  // a connect() under way, until ConnectListener hears how it went
  ConnectListener connect_listener_{*this};
  PublishListener publish_listener_{*this};
  SubscribeListener subscribe_listener_{*this};
  DisconnectListener disconnect_listener_{*this};
  std::atomic<std::size_t> in_flight_{0};
  // When each publish in Paho was handed over, oldest first: the broker acknowledges QoS 1
  // publishes in the order it received them (MQTT 3.1.1, 4.6.0), so the oldest is the one a
  // completion is for. Emptied whenever nothing is in flight, so a token Paho dropped without
  // calling back cannot shift the pairing for long.
  mutable std::mutex ack_mutex_;
  std::deque<std::chrono::steady_clock::time_point> handed_at_;
  LatencyHistogram publish_to_ack_;
  RateLimitedLog resend_log_;
  std::atomic<std::size_t> waiting_count_{0};  // waiting_.size(), for Paho's thread
  std::atomic<bool> pump_posted_{false};
  struct Waiting {
    std::string topic;
    std::shared_ptr<std::string> payload;  // shared with retained_waiting_ while it waits
    bool retained = false;
    std::function<void()> on_delivered;  // set: tracked until the broker acknowledges it
  };
  std::deque<Waiting> waiting_;                                                    // io thread only
  std::deque<Waiting> failed_;  // io thread only: tracked publishes Paho failed, sent again first
  // Tracked publishes in Paho, by the tag passed as the token's user context; owned here, so
  // nothing leaks when Paho drops a token without calling back.
  std::mutex tracked_mutex_;
  std::unordered_map<std::uintptr_t, Waiting> tracked_;
  std::uintptr_t next_tag_ = 1;  // io thread only
  std::unordered_map<std::string, std::shared_ptr<std::string>> retained_waiting_;  // topic -> payload
  // A retained publish (a sign's frame, a status) has at most one in Paho per topic: a newer one
  // waits here, replaced by any newer still, until the broker has acknowledged the one before.
  std::mutex retained_mutex_;
  std::unordered_map<std::uintptr_t, std::string> retained_tags_;  // in Paho: tag -> topic
  std::unordered_set<std::string> retained_topics_in_flight_;
  std::unordered_map<std::string, std::string> retained_held_;  // topic -> the latest payload
};

}  // namespace parkd
