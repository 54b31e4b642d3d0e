// Paho glue: options, handlers, and the reconnect loop over the brokers in order.
#include "mqtt_session.h"

#include <algorithm>
#include <functional>
#include <random>

#include <boost/asio/post.hpp>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "config/broker_uris.h"
#include "log.h"

namespace parkd {

namespace {
mqtt::create_options make_create_options() {
  mqtt::create_options opts(MQTTVERSION_3_1_1);  // explicit: no silent fall-back to 3.1
  // Paho holds at most the window (kPublishWindow) plus the status; its default of 100 is too
  // tight only for bursts it never sees.
  opts.set_max_buffered_messages(static_cast<int>(MqttSession::kPublishWindow) + 100);
  return opts;
}

// Lines every session of the process may write at once (a thousand lots refused by a busy
// cluster, or a stall of every subscription): a few a minute tell the story, the metrics count.
RateLimitedLog& sessions_log() {
  static RateLimitedLog log(30);
  return log;
}

std::vector<std::string> probe_topics(const MqttSession::Settings& settings) {
  std::vector<std::string> out;
  for (const auto& p : settings.probes) out.push_back(p.topic);
  return out;
}
}  // namespace

MqttSession::MqttSession(Settings settings, boost::asio::any_io_executor executor, MessageHandler on_message,
                         ConnectedHandler on_connected)
    : settings_(std::move(settings)),
      executor_(std::move(executor)),
      on_message_(std::move(on_message)),
      on_connected_(std::move(on_connected)),
      client_(settings_.uris.at(0), settings_.client_id, make_create_options(), nullptr),
      retry_timer_(executor_),
      resubscribe_timer_(executor_),
      tick_timer_(executor_),
      probe_timer_(executor_),
      slot_timer_(executor_),
      subscribe_timer_(executor_),
      // One and a half intervals: a probe is judged at the second round after it went, not the
      // first (a round may also come a tenth early: the spread). Brokers busy with a failover (a
      // thousand lots moving to another node) delivered probes up to 20 s late, and moving a
      // session for that only adds to the load; a stall that lasts costs a minute more to find.
      probe_(probe_topics(settings_), settings_.probe_tag, settings_.probe_interval * 3 / 2),
      last_delivery_(std::make_unique<std::atomic<std::int64_t>[]>(settings_.probes.size())),
      jitter_(static_cast<std::uint32_t>(std::hash<std::string>{}(settings_.client_id))) {
  auto builder = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_3_1_1)
                     .clean_session(false)  // the broker keeps what we have not acknowledged
                     .keep_alive_interval(std::chrono::seconds(10))
                     // A cluster node electing leaders holds a CONNACK back for seconds: the next
                     // node is tried sooner.
                     .connect_timeout(std::chrono::seconds(3))
                     .max_inflight(1'000);
  if (!settings_.status_topic.empty()) {
    builder.will(mqtt::message(settings_.status_topic, settings_.will_payload, 1, true));
  }
  if (!settings_.username.empty()) builder.user_name(settings_.username).password(settings_.password);
  if (!settings_.ca_file.empty()) {
    auto ssl = mqtt::ssl_options_builder().trust_store(settings_.ca_file).verify(true).enable_server_cert_auth(true);
    if (!settings_.cert_file.empty()) ssl.key_store(settings_.cert_file).private_key(settings_.key_file);
    builder.ssl(ssl.finalize());
  }
  connect_options_ = builder.finalize();

  filters_ = settings_.subscriptions;
  // At QoS 0 (subscribe()): no acknowledgements, and on a NATS cluster no JetStream consumer.
  if (!settings_.receive_tick_topic.empty()) filters_.push_back(settings_.receive_tick_topic);

  // Handlers are set before connect(): no message can arrive unseen.
  client_.set_message_callback([this](mqtt::const_message_ptr msg) {
    const std::string& topic = msg->get_topic();
    if (!settings_.receive_tick_topic.empty() && topic == settings_.receive_tick_topic) return;
    for (std::size_t i = 0; i < settings_.probes.size(); ++i) {
      if (topic == settings_.probes[i].topic) {
        return boost::asio::post(executor_, [this, topic, payload = msg->get_payload_str()] { on_probe(topic, payload); });
      }
      if (SubscriptionProbe::matches(settings_.probes[i].filter, topic)) {
        last_delivery_[i].store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        break;
      }
    }
    on_message_(topic, msg->get_payload_str());
  });
  client_.set_connected_handler([this](const std::string&) {
    connected_ = true;
    online_ = false;
    {
      std::lock_guard lock(granted_mutex_);
      granted_.clear();
    }
    boost::asio::post(executor_, [this] {
      // A frame whose acknowledgement a lost connection took with it must not hold its topic.
      release_all_held();
      retry_delay_ = std::chrono::milliseconds(250);
      resubscribe_delay_ = kResubscribeFirst;
      resubscribe_pending_.clear();  // everything is asked for again now
      probe_.connection_changed();
      awaiting_probe_ = false;
      watch_subscribe(++connections_seen_, uri_index_);
    });
    subscribe(filters_);  // online once the broker has granted every subscription
  });
  client_.set_connection_lost_handler([this](const std::string& cause) {
    connected_ = false;
    online_ = false;
    give_back_slot();
    if (stopping_) return;
    boost::asio::post(executor_, [this] {
      probe_.connection_changed();
      awaiting_probe_ = false;
    });
    // parkd's own loop, not Paho's: after a loss the brokers are tried from the first again.
    on_connect_failure(cause.empty() ? "no reason given" : cause, /*lost=*/true);
  });
}

void MqttSession::subscribe(const std::vector<std::string>& filters) {
  if (filters.empty()) {
    give_back_slot();
    return on_subscribed();
  }
  std::vector<int> qos;
  for (const std::string& f : filters) qos.push_back(f == settings_.receive_tick_topic ? 0 : 1);
  subscribe_asked_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  try {
    client_.subscribe(mqtt::string_collection::create(filters), qos, nullptr, subscribe_listener_);
  } catch (const mqtt::exception& e) {
    give_back_slot();
    // Unanswered as far as watch_subscribe can tell: the connection is ended after the timeout
    // unless it goes first.
    Log::warn("mqtt", "{} cannot subscribe ({}); reconnecting within {} ms", settings_.client_id, e.what(),
              settings_.subscribe_timeout.count());
  }
}

void MqttSession::on_suback(const mqtt::token& tok, bool failed) {
  subscribe_answered_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  give_back_slot();  // the broker answered: whatever it said, the connect's work there is done
  std::vector<std::string> asked;
  if (const auto topics = tok.get_topics()) {
    for (std::size_t i = 0; i < topics->size(); ++i) asked.push_back((*topics)[i]);
  }
  // Paho C calls this under its library lock: no call into Paho that takes it (is_connected()
  // would release it under the receive thread's feet). A failed request with 0x80 is a lone
  // filter's refusal; any other failure (the connection went, Paho refused the request) is asked
  // again too, and the retry skips it when the connection is gone (the next one subscribes to
  // everything).
  const bool refusal = !failed || tok.get_return_code() == 0x80;
  std::vector<mqtt::ReasonCode> codes;
  if (!failed) {
    try {
      codes = tok.get_subscribe_response().get_reason_codes();
    } catch (const mqtt::exception&) {  // no codes to read: Paho called it a success
    }
  }
  std::vector<std::string> refused;
  bool all_granted = false;
  {
    std::lock_guard lock(granted_mutex_);
    for (std::size_t i = 0; i < asked.size(); ++i) {
      // A failed request (Paho C reports a lone filter's 0x80 so) refuses all it asked for.
      const bool granted = !failed && (i >= codes.size() || static_cast<int>(codes[i]) < 0x80);
      if (granted) {
        granted_.insert(asked[i]);
      } else if (asked[i] == settings_.receive_tick_topic) {
        // A help against Paho's 100 ms sleep, not something parkd needs to hear the devices.
        if (!tick_refusal_logged_.exchange(true)) {
          Log::warn("mqtt", "{}: the broker refused the receive tick {} (an ACL made before parkd used it? "
                    "parkd-broker-setup writes it): the first message after a quiet second may wait up to 100 ms",
                    settings_.client_id, settings_.receive_tick_topic);
        }
      } else {
        refused.push_back(asked[i]);
      }
    }
    all_granted = std::all_of(settings_.subscriptions.begin(), settings_.subscriptions.end(),
                              [this](const std::string& f) { return granted_.count(f) > 0; });
  }
  if (!refused.empty()) {
    if (!refusal) {
      return resubscribe_later(refused, fmt::format("the request for {} failed (return code {})", fmt::join(refused, ", "),
                                                    tok.get_return_code()));
    }
    subscriptions_refused_ += refused.size();
    return resubscribe_later(refused, fmt::format("the broker refused {} (SUBACK 0x80: an ACL, or a cluster node that "
                                                  "could not make the subscription)", fmt::join(refused, ", ")));
  }
  if (all_granted && !online_) on_subscribed();
}

void MqttSession::resubscribe_later(std::vector<std::string> filters, std::string why) {
  boost::asio::post(executor_, [this, filters = std::move(filters), why = std::move(why)] {
    if (stopping_) return;
    // Only what was refused is asked for again, after a pause that doubles, with a spread of
    // +-25 %: a cluster too busy to make a thousand lots' consumers at once gets the requests
    // spread out instead of all of them again together.
    const auto pause = spread(resubscribe_delay_, 0.25);
    sessions_log().error("mqtt", "not_online", "{} is not online: {}; asking again in {} ms", settings_.client_id, why,
                         pause.count());
    resubscribe_pending_.insert(resubscribe_pending_.end(), filters.begin(), filters.end());
    if (resubscribe_armed_) return;  // the timer that is set asks for these too
    resubscribe_armed_ = true;
    resubscribe_timer_.expires_after(pause);
    resubscribe_delay_ = std::min(resubscribe_delay_ * 2, kResubscribeMax);
    resubscribe_timer_.async_wait([this](const boost::system::error_code& ec) {
      resubscribe_armed_ = false;
      std::vector<std::string> again = std::exchange(resubscribe_pending_, {});
      // A reconnection in between has subscribed to everything already.
      if (!ec && !stopping_ && !online_ && client_.is_connected()) subscribe(again);
    });
  });
}

void MqttSession::on_subscribed() {
  if (hearing_) return go_online();
  // A subscription stalled on the last connection: granted is not enough, a probe must come back.
  boost::asio::post(executor_, [this] {
    if (stopping_ || online_ || !client_.is_connected()) return;
    if (!probe_.stalled()) return go_online();  // a probe (sent before the reconnection) came back meanwhile
    awaiting_probe_ = true;
    std::vector<std::string> stalled;
    for (std::size_t i : probe_.stalled_filters()) stalled.push_back(settings_.probes.at(i).filter);
    sessions_log().warn("mqtt", "awaiting_probe", "{}: every subscription granted on {}; online once a probe comes back through {}",
                        settings_.client_id, settings_.uris.at(uri_index_), fmt::join(stalled, ", "));
    probe_.connection_changed();
    send_probes(probe_.round(std::chrono::steady_clock::now()).send);
  });
}

void MqttSession::go_online() {
  online_ = true;
  // Only now does parkd hear what devices send: before, a sign would read "online" from an
  // engine that misses reports, and a test would publish into the void.
  Log::info("mqtt", "{} online on {}: {} subscription(s) granted", settings_.client_id,
            settings_.uris.at(uri_index_), settings_.subscriptions.size());
  try {
    if (!settings_.status_topic.empty()) client_.publish(settings_.status_topic, settings_.online_payload, 1, true);
  } catch (const mqtt::exception& e) {
    Log::warn("mqtt", "{} cannot publish its online status: {}", settings_.client_id, e.what());
  }
  if (on_connected_) on_connected_();
  boost::asio::post(executor_, [this] { pump(); });  // what waited while disconnected
  if (!settings_.probes.empty() && settings_.probe_interval.count() > 0) {
    // The first probes go now, not a round later: a silence counts as a stall only on a filter
    // whose probe came back once since parkd started, and a cluster node lost in parkd's first
    // seconds was seen to stall a consumer for good before the first round's probe had gone.
    boost::asio::post(executor_, [this] {
      if (online_ && client_.is_connected()) send_probes(probe_.round(std::chrono::steady_clock::now()).send);
    });
  }
}

MqttSession::~MqttSession() {
  stopping_ = true;
  // The io thread has stopped: nothing else touches the limiter now.
  if (settings_.connect_limiter) settings_.connect_limiter->release(this);
  retry_timer_.cancel();
  resubscribe_timer_.cancel();
  tick_timer_.cancel();
  probe_timer_.cancel();
  slot_timer_.cancel();
  subscribe_timer_.cancel();
  try {
    if (client_.is_connected()) client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
}

MqttSessionFigures MqttSession::figures() const {
  const bool connected = client_.is_connected();
  return MqttSessionFigures{settings_.client_id,   settings_.uris.at(uri_index_), connected,
                            connected && online_,  connects_kept_.load(),         connects_new_.load(),
                            lost_.load(),          subscriptions_refused_.load(), stalls_.load(),
                            hearing_.load(),         subscribes_unanswered_.load()};
}

void MqttSession::start() {
  connect();
  if (!settings_.receive_tick_topic.empty()) tick();
  if (!settings_.probes.empty() && settings_.probe_interval.count() > 0) schedule_probe_round();
}

void MqttSession::schedule_probe_round() {
  // +-10 %: a thousand lots' probes do not all go at once.
  probe_timer_.expires_after(spread(settings_.probe_interval, 0.1));
  probe_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) probe_round();
  });
}

void MqttSession::probe_round() {
  if (stopping_) return;
  // Only on a connection whose subscriptions were all granted: before, silence proves nothing.
  if ((online_ || awaiting_probe_) && client_.is_connected()) {
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < settings_.probes.size(); ++i) {
      const std::int64_t at = last_delivery_[i].load(std::memory_order_relaxed);
      if (at == 0) continue;
      const SubscriptionProbe::Time when{std::chrono::steady_clock::duration(at)};
      if (const auto heard = probe_.delivered(i, when, now)) note_heard(*heard);
    }
    const SubscriptionProbe::Round round = probe_.round(now);
    for (std::size_t i : round.never_heard) {
      sessions_log().warn("mqtt", "probe_never_back",
                          "{}: parkd's probe through {} (a QoS 1 message to itself on {}) has not come back since it "
                          "started: does the broker let parkd publish there? (parkd-broker-setup writes that ACL.) "
                          "Until it does, parkd cannot tell a subscription that stopped delivering from quiet devices",
                          settings_.client_id, settings_.probes.at(i).filter, settings_.probes.at(i).topic);
    }
    if (round.stalled.empty()) {
      send_probes(round.send);
    } else {
      std::vector<std::string> stalled;
      for (std::size_t i : round.stalled) stalled.push_back(settings_.probes.at(i).filter);
      ++stalls_;
      hearing_ = false;
      reconnect_after_stall(fmt::format("{}", fmt::join(stalled, ", ")));
    }
  }
  schedule_probe_round();
}

void MqttSession::send_probes(const std::vector<SubscriptionProbe::Probe>& probes) {
  for (const SubscriptionProbe::Probe& p : probes) {
    try {
      client_.publish(p.topic, p.payload, 1, false);
    } catch (const mqtt::exception&) {  // disconnecting: the next connection probes again
      return;
    }
  }
}

void MqttSession::on_probe(const std::string& topic, const std::string& payload) {
  const auto heard = probe_.heard(topic, payload, std::chrono::steady_clock::now());
  if (!heard) return;
  if (heard->first) {
    Log::info("mqtt", "{}: the probe came back through {}: a stall of that subscription will be noticed within {} ms",
              settings_.client_id, settings_.probes.at(heard->filter).filter, 3 * settings_.probe_interval.count());
  }
  note_heard(*heard);
}

void MqttSession::note_heard(const SubscriptionProbe::Heard& heard) {
  if (heard.stalled_for) {
    Log::info("mqtt", "{}: {} delivers again, {:.1f} s after parkd found it stalled", settings_.client_id,
              settings_.probes.at(heard.filter).filter, static_cast<double>(heard.stalled_for->count()) / 1000.0);
  }
  hearing_ = !probe_.stalled();
  if (awaiting_probe_ && hearing_ && !stopping_ && client_.is_connected()) {
    awaiting_probe_ = false;
    go_online();
  }
}

void MqttSession::reconnect_after_stall(const std::string& filters) {
  // Not a refusal, not a lost connection: the broker took the subscription and delivers nothing
  // (seen on a NATS node whose JetStream consumer stopped). Another node serves the same session
  // and consumers, so nothing the cluster holds for parkd is dropped; the session is never
  // cleaned by parkd, since that would drop what the consumers still hold.
  sessions_log().error("mqtt", "hears_nothing",
                       "{} hears nothing on {}: the probe parkd sent itself through it has not come back within {} ms, "
                       "though the broker granted the subscription and the connection is up; reconnecting to {} "
                       "(session kept), offline until a probe comes back",
                       settings_.client_id, filters, probe_.patience().count(), settings_.uris.at(next_uri()));
  reconnect_to(next_uri());
}

void MqttSession::watch_subscribe(std::uint64_t connection, std::size_t uri) {
  subscribe_timer_.expires_after(settings_.subscribe_timeout);
  subscribe_timer_.async_wait([this, connection, uri](const boost::system::error_code& ec) {
    // A new connection watches for itself; a lost one reconnects through on_connect_failure.
    if (ec || stopping_ || online_ || connection != connections_seen_ || !client_.is_connected()) return;
    const std::int64_t asked = subscribe_asked_at_.load();
    const auto waited = std::chrono::steady_clock::now() -
                        std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(asked));
    // Answered (a refusal's retry or a probe holds the session offline, and each has a timer of
    // its own), or asked again since the last look: look again later.
    if (subscribe_answered_at_.load() >= asked || waited < settings_.subscribe_timeout) {
      return watch_subscribe(connection, uri);
    }
    ++subscribes_unanswered_;
    const std::size_t next = (uri + 1) % settings_.uris.size();
    sessions_log().error("mqtt", "no_suback",
                         "{}: {} has not answered parkd's SUBSCRIBE for {} ms though the connection is up ({} of "
                         "parkd's publishes in flight, {} waiting): offline; reconnecting to {} (session kept)",
                         settings_.client_id, settings_.uris.at(uri),
                         std::chrono::duration_cast<std::chrono::milliseconds>(waited).count(), in_flight_.load(),
                         waiting_count_.load(), settings_.uris.at(next));
    reconnect_to(next);
    // Should the disconnect itself never happen, the next look says so again.
    watch_subscribe(connection, uri);
  });
}

void MqttSession::reconnect_to(std::size_t next) {
  online_ = false;
  awaiting_probe_ = false;
  uri_index_ = next;
  try {
    // The signs and barriers hear that guidance is off, as from the last will.
    if (!settings_.status_topic.empty()) client_.publish(settings_.status_topic, settings_.will_payload, 1, true);
    client_.disconnect(1'000, nullptr, disconnect_listener_);
  } catch (const mqtt::exception& e) {
    Log::warn("mqtt", "{}: disconnecting failed ({}); connecting again", settings_.client_id, e.what());
    after_disconnect();
  }
}

void MqttSession::after_disconnect() {
  boost::asio::post(executor_, [this] {
    // Asked once here, off the publish path: a disconnect that failed may have left the
    // connection up, and then no connected callback will come to say so.
    connected_ = client_.is_connected();
    probe_.connection_changed();
    connect();
  });
}

bool MqttSession::send_now(const std::string& topic, const std::string& payload) {
  if (stopping_ || !client_.is_connected()) return false;
  try {
    client_.publish(topic, payload.data(), payload.size(), 0, false);
    return true;
  } catch (const mqtt::exception&) {  // disconnecting
    return false;
  }
}

void MqttSession::tick() {
  if (stopping_) return;
  send_now(settings_.receive_tick_topic, std::string());  // when it cannot, the next tick tries again
  tick_timer_.expires_after(kReceiveTick);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void MqttSession::connect() {
  // One attempt at a time: Paho C++ keeps a single connect token per client, and a second
  // connect() while one is under way frees the token the first one's callback still uses (seen:
  // a crash when a thousand lots failed over and their probes sent some of them to the next
  // node while their own reconnect loops ran). The attempt under way ends in one of
  // ConnectListener's callbacks, which drive what comes next.
  if (stopping_ || client_.is_connected() || connecting_.exchange(true)) return;
  if (!settings_.connect_limiter) return attempt();
  settings_.connect_limiter->acquire(this, [this] { attempt(); });
}

void MqttSession::attempt() {
  if (settings_.connect_limiter) {
    holds_slot_ = true;
    slot_timer_.expires_after(kConnectSlotHold);
    slot_timer_.async_wait([this, generation = ++slot_generation_](const boost::system::error_code& ec) {
      if (!ec && generation == slot_generation_) give_back_slot();
    });
  }
  if (stopping_ || client_.is_connected()) {  // while it waited for the slot
    connecting_ = false;
    return give_back_slot();
  }
  ++attempts_;
  mqtt::connect_options options = connect_options_;
  options.set_servers(mqtt::string_collection::create({settings_.uris.at(uri_index_)}));
  try {
    client_.connect(options, nullptr, connect_listener_);
  } catch (const mqtt::exception& e) {
    connecting_ = false;
    give_back_slot();
    on_connect_failure(e.what(), /*lost=*/false);
  }
}

std::chrono::milliseconds MqttSession::spread(std::chrono::milliseconds base, double by) {
  std::uniform_real_distribution<double> factor(1.0 - by, 1.0 + by);
  return std::chrono::milliseconds(static_cast<long>(static_cast<double>(base.count()) * factor(jitter_)));
}

void MqttSession::give_back_slot() {
  if (!settings_.connect_limiter || !holds_slot_.exchange(false)) return;
  // Posted, also from the io thread: the release comes before any later connect() of this
  // session, which is posted after it. (The failed SUBACK of a resubscription on a connection
  // since lost may give back the slot of the attempt after it: one attempt too many under way.)
  boost::asio::post(executor_, [this] { settings_.connect_limiter->release(this); });
}

void MqttSession::ConnectListener::on_success(const mqtt::token& tok) {
  const mqtt::connect_response response = tok.get_connect_response();
  const std::uint64_t attempt = session_.attempts_;
  if (session_.succeeded_attempt_.exchange(attempt) == attempt) return;
  session_.connecting_ = false;
  ++session_.connects_;
  const std::string& uri = session_.settings_.uris.at(session_.uri_index_);
  ++(response.is_session_present() ? session_.connects_kept_ : session_.connects_new_);
  if (response.is_session_present()) {
    Log::info("mqtt", "{} connected to {} (session kept)", session_.settings_.client_id, uri);
  } else {
    // The subscriptions are made again on every connect anyway; Paho fails the publishes the
    // broker never acknowledged, and they are sent again (publish_done).
    Log::info("mqtt", "{} connected to {} ({})", session_.settings_.client_id, uri,
              session_.connects_ > 1 ? "the broker kept no session: subscribing and sending the unacknowledged again"
                                     : "new session");
  }
}

void MqttSession::ConnectListener::on_failure(const mqtt::token& tok) {
  session_.connecting_ = false;
  session_.give_back_slot();
  session_.on_connect_failure("return code " + std::to_string(tok.get_return_code()), /*lost=*/false);
}

void MqttSession::on_connect_failure(const std::string& why, bool lost) {
  if (stopping_) return;
  // On the io thread, which owns retry_delay_ (this may run on Paho's).
  boost::asio::post(executor_, [this, why, lost] {
    const std::size_t failed = uri_index_;
    const std::size_t count = settings_.uris.size();
    // +-25 %: sessions that lost one node together do not come back to the next in step.
    const auto pause = spread(retry_delay_, 0.25);
    if (lost) {
      ++lost_;
      // A short pause: a broker that takes the session and drops it again is not hammered.
      Log::warn("mqtt", "{} lost its connection to {} ({}); reconnecting in {} ms, from the first of {}",
                settings_.client_id, settings_.uris.at(failed), why, pause.count(), join_broker_uris(settings_.uris));
      uri_index_ = 0;
      retry_timer_.expires_after(pause);
    } else if (failed + 1 < count) {
      // The next broker almost at once: a node that is down refuses in a moment. Not at once:
      // Paho C 1.3.12 clears a client's connect callbacks after the failure callback returns, on
      // its own thread, and MQTTAsync_connect sets the next attempt's without a lock; an attempt
      // begun inside that window would lose them and never end (connecting_ for ever: no
      // reconnection). The test clients did exactly that when ten failed over together.
      Log::warn("mqtt", "{}: no connection to {} ({}); trying {}", settings_.client_id, settings_.uris.at(failed), why,
                settings_.uris.at(failed + 1));
      uri_index_ = failed + 1;
      retry_timer_.expires_after(kNextBrokerPause);
    } else {
      Log::warn("mqtt", "{}: no connection to {} ({}); trying again in {} ms", settings_.client_id,
                join_broker_uris(settings_.uris), why, pause.count());
      uri_index_ = 0;
      retry_timer_.expires_after(pause);
      retry_delay_ = std::min(retry_delay_ * 2, std::chrono::milliseconds(5'000));
    }
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) connect();
    });
  });
}

bool MqttSession::publish(const std::string& topic, std::string payload, bool retained,
                          std::function<void()> on_delivered) {
  if (retained && !on_delivered) {
    if (auto it = retained_waiting_.find(topic); it != retained_waiting_.end()) {
      *it->second = std::move(payload);  // the newer state replaces the one not yet sent
      return true;
    }
    std::lock_guard lock(retained_mutex_);
    if (retained_topics_in_flight_.contains(topic)) {
      // Held until the broker has the one before (replaced by any newer meanwhile): under a
      // flood the acknowledgements queue behind the reports, and a sign's frames would each be
      // a publish through Paho's lock that the next one supersedes before it is shown.
      retained_held_[topic] = std::move(payload);
      return true;
    }
  }
  if (waiting_.size() >= settings_.max_waiting) {
    Log::error("mqtt", "{}: {} messages wait for the broker already; {} dropped", settings_.client_id, waiting_.size(), topic);
    return false;
  }
  auto shared = std::make_shared<std::string>(std::move(payload));
  if (retained && !on_delivered) retained_waiting_.emplace(topic, shared);
  waiting_.push_back(Waiting{topic, std::move(shared), retained, std::move(on_delivered)});
  waiting_count_ = waiting_.size();
  pump();
  return true;
}

void MqttSession::pump() {
  // connected_, not client_.is_connected(): that takes Paho's library lock, which its receive
  // thread holds most of the time under load, and the strand slept on it at every frame (a
  // sixth of the strand's CPU in a profile of the flood). Should it be stale, Paho refuses the
  // publish below and the message waits for the next connect.
  while ((!failed_.empty() || !waiting_.empty()) && in_flight_.load() < kPublishWindow && connected_.load()) {
    std::deque<Waiting>& queue = failed_.empty() ? waiting_ : failed_;
    Waiting& next = queue.front();
    std::uintptr_t tag = 0;
    if (next.on_delivered) {
      tag = next_tag_++;
      std::lock_guard lock(tracked_mutex_);
      tracked_.emplace(tag, next);
    } else if (next.retained) {
      tag = next_tag_++;
      std::lock_guard lock(retained_mutex_);
      retained_tags_.emplace(tag, next.topic);
      retained_topics_in_flight_.insert(next.topic);
    }
    try {
      ++in_flight_;
      {
        std::lock_guard lock(ack_mutex_);
        handed_at_.push_back(std::chrono::steady_clock::now());
      }
      // The tag travels as the token's user context (an integer, never dereferenced).
      client_.publish(mqtt::make_message(next.topic, *next.payload, 1, next.retained),
                      reinterpret_cast<void*>(tag), publish_listener_);
      if (next.retained && !next.on_delivered) retained_waiting_.erase(next.topic);
      queue.pop_front();
      waiting_count_ = waiting_.size() + failed_.size();
    } catch (const mqtt::exception&) {
      --in_flight_;
      {
        std::lock_guard lock(ack_mutex_);
        if (!handed_at_.empty()) handed_at_.pop_back();
      }
      if (tag != 0 && next.on_delivered) {
        std::lock_guard lock(tracked_mutex_);
        tracked_.erase(tag);
      } else if (tag != 0) {
        std::lock_guard lock(retained_mutex_);
        retained_tags_.erase(tag);
        retained_topics_in_flight_.erase(next.topic);
      }
      return;  // Paho refused it (disconnecting): it waits for the next connect
    }
  }
}

void MqttSession::publish_done(const mqtt::token& tok, bool acknowledged) {
  if (const auto tag = reinterpret_cast<std::uintptr_t>(tok.get_user_context()); tag != 0) {
    std::unique_lock lock(tracked_mutex_);
    auto node = tracked_.extract(tag);
    lock.unlock();
    if (node.empty()) {
      retained_done(tag);  // not a tracked publish: a retained one
    } else if (acknowledged) {
      node.mapped().on_delivered();
    } else if (!stopping_) {
      // The broker kept no session (or Paho gave up on it): the broker may never have had it.
      boost::asio::post(executor_, [this, again = std::move(node.mapped())]() mutable {
        resend_log_.warn("mqtt", "publish_failed", "{}: a publish on {} failed before the broker acknowledged it "
                         "(the broker kept no session?): sending it again", settings_.client_id, again.topic);
        failed_.push_back(std::move(again));
        waiting_count_ = waiting_.size() + failed_.size();
        pump();
      });
    }
  }
  {
    std::lock_guard lock(ack_mutex_);
    if (!handed_at_.empty()) {
      if (acknowledged) publish_to_ack_.observe(std::chrono::steady_clock::now() - handed_at_.front());
      handed_at_.pop_front();
    }
    if (--in_flight_ == 0) handed_at_.clear();
  }
  // Wake the io thread only when something waits for the room, and once per wake: most
  // acknowledgements arrive while nothing waits (frames and decisions go straight out).
  if (waiting_count_.load() > 0 && !pump_posted_.exchange(true)) {
    boost::asio::post(executor_, [this] {
      pump_posted_ = false;
      pump();
    });
  }
}

void MqttSession::retained_done(std::uintptr_t tag) {
  // Stopping: nothing is sent any more, and the io thread may be gone (Paho fails what the broker
  // never acknowledged as the session goes).
  if (stopping_) return;
  std::lock_guard lock(retained_mutex_);
  const auto node = retained_tags_.extract(tag);
  if (node.empty()) return;
  // Acknowledged or failed: either way the next state may go. One held meanwhile keeps the
  // topic marked until release_held() has queued it, so nothing newer can overtake it.
  if (!retained_held_.contains(node.mapped())) {
    retained_topics_in_flight_.erase(node.mapped());
    return;
  }
  boost::asio::post(executor_, [this, topic = node.mapped()] { release_held(topic); });
}

void MqttSession::release_held(const std::string& topic) {
  std::string payload;
  {
    std::lock_guard lock(retained_mutex_);
    auto held = retained_held_.extract(topic);
    retained_topics_in_flight_.erase(topic);
    if (held.empty()) return;  // released at a reconnect already
    payload = std::move(held.mapped());
  }
  publish(topic, std::move(payload), true, {});
}

void MqttSession::release_all_held() {
  std::unordered_map<std::string, std::string> held;
  {
    std::lock_guard lock(retained_mutex_);
    held.swap(retained_held_);
    retained_topics_in_flight_.clear();
    retained_tags_.clear();
  }
  for (auto& [topic, payload] : held) publish(topic, std::move(payload), true, {});
}

void MqttSession::begin_stop(const std::string& final_status) {
  stopping_ = true;
  std::size_t held = 0;
  {
    std::lock_guard lock(retained_mutex_);
    held = retained_held_.size();
  }
  if (!waiting_.empty() || !failed_.empty() || held > 0) {
    Log::warn("mqtt", "{}: {} messages were never sent", settings_.client_id, waiting_.size() + failed_.size() + held);
  }
  retry_timer_.cancel();
  resubscribe_timer_.cancel();
  tick_timer_.cancel();
  probe_timer_.cancel();
  slot_timer_.cancel();
  subscribe_timer_.cancel();
  try {
    if (client_.is_connected() && !settings_.status_topic.empty()) {
      final_status_ = client_.publish(settings_.status_topic, final_status, 1, true);
    }
  } catch (const mqtt::exception& e) {
    Log::warn("mqtt", "{} could not publish its final status: {}", settings_.client_id, e.what());
  }
}

namespace {
std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
                  std::chrono::milliseconds(0));
}
}  // namespace

void MqttSession::finish_stop(std::chrono::steady_clock::time_point status_deadline,
                              std::chrono::steady_clock::time_point deadline) {
  try {
    if (final_status_ && !final_status_->wait_for(left_until(status_deadline))) {
      Log::warn("mqtt", "{}: the broker did not acknowledge the final status in time", settings_.client_id);
    }
    final_status_.reset();
    // Nothing else is waited for: the outbox keeps decisions the broker did not acknowledge for
    // the next start. Also when disconnected: that ends a connect still in progress, which would
    // otherwise call back into a daemon that is shutting down.
    if (!client_.disconnect(0)->wait_for(left_until(deadline)) && client_.is_connected()) {
      Log::warn("mqtt", "{} did not disconnect in time", settings_.client_id);
    }
  } catch (const mqtt::exception& e) {
    if (client_.is_connected()) Log::warn("mqtt", "{} did not disconnect cleanly: {}", settings_.client_id, e.what());
  }
}

}  // namespace parkd
