// Rendering of counters and gauges; names follow Prometheus conventions (_total for counters,
// base units), label values escaped.
#include "metrics.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "wire.h"

namespace parkd {

namespace {

std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Page {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename V>
  void sample(std::string_view name, std::string_view labels, V value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(text_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(text_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace

std::string render_metrics(const EngineHost& host, TimeMs started_at_ms, const EventFeed* events,
                           const LatencyHistogram* publish_to_ack, std::span<const MqttSessionFigures> sessions,
                           const ConnectLimiter* connects, const SessionStoreKeeper::Figures* session_stream) {
  Page p;
  const Engine& engine = host.engine();
  const HostCounters& c = host.counters();

  p.family("parkd_build_info", "gauge", "Version of this parkd.");
  p.sample("parkd_build_info", fmt::format("version=\"{}\"", kParkdVersion), 1);
  p.family("parkd_start_time_seconds", "gauge", "When this parkd started, Unix seconds.");
  p.sample("parkd_start_time_seconds", "", static_cast<double>(started_at_ms) / 1000.0);

  p.family("parkd_mqtt_messages_total", "counter", "MQTT messages received.");
  p.sample("parkd_mqtt_messages_total", "", c.messages);
  p.family("parkd_unknown_topic_messages_total", "counter", "Messages on topics parkd does not handle.");
  p.sample("parkd_unknown_topic_messages_total", "", c.unknown_topics);
  p.family("parkd_sim_clock_rejected_total", "counter", "SimClock messages refused (malformed or going back).");
  p.sample("parkd_sim_clock_rejected_total", "", c.sim_clock_rejected);

  p.family("parkd_sensor_reports_total", "counter", "Sensor reports by what became of them.");
  for (std::size_t o = 0; o < kReportOutcomeCount; ++o) {
    const auto outcome = static_cast<ReportOutcome>(o);
    p.sample("parkd_sensor_reports_total", fmt::format("outcome=\"{}\"", name_of(outcome)), engine.report_counters()[outcome]);
  }
  p.family("parkd_sensor_reports_rejected_total", "counter", "Sensor payloads rejected before the engine, by reason.");
  for (std::size_t r = 0; r < kDecodeRejectionCount; ++r) {
    const auto reason = static_cast<DecodeRejection>(r);
    p.sample("parkd_sensor_reports_rejected_total", fmt::format("reason=\"{}\"", name_of(reason)), host.decoder().rejected(reason));
  }

  p.family("parkd_frames_published_total", "counter", "Display frames handed to the broker, per display.");
  for (const auto& [display, n] : host.frame_counters().by_display) {
    p.sample("parkd_frames_published_total", fmt::format("display=\"{}\"", escape(display)), n);
  }
  p.family("parkd_frames_dropped_total", "counter", "Display frames that could not be sent (sent again on reconnect).");
  p.sample("parkd_frames_dropped_total", "", host.frame_counters().dropped);

  p.family("parkd_gate_decisions_total", "counter", "Gate decisions by reason.");
  for (const auto& [reason, n] : c.decisions_by_reason) {
    p.sample("parkd_gate_decisions_total", fmt::format("reason=\"{}\"", escape(reason)), n);
  }
  p.family("parkd_gate_events_duplicate_total", "counter", "Gate events received again after their decision.");
  p.sample("parkd_gate_events_duplicate_total", "", host.gate_events_duplicate());
  const DecisionRecorder& recorder = host.recorder();
  p.family("parkd_gate_decisions_resent_total", "counter",
           "Decisions published again at start because the broker had not acknowledged them before the restart.");
  p.sample("parkd_gate_decisions_resent_total", "", c.decisions_resent);
  p.family("parkd_gate_decisions_late_total", "counter",
           "Decisions made more than a minute after their car came, by the camera's clock against its usual offset "
           "(events kept through an outage): their drivers did not see them, so their holds count no strike.");
  p.sample("parkd_gate_decisions_late_total", "", c.decisions_late);
  p.family("parkd_gate_decisions_delivered_total", "counter", "Decisions the broker acknowledged (QoS 1).");
  p.sample("parkd_gate_decisions_delivered_total", "", recorder.delivered_total());
  p.family("parkd_gate_decisions_dropped_total", "counter",
           "Decisions that could not be queued for the broker (they stay in the outbox until the next start).");
  p.sample("parkd_gate_decisions_dropped_total", "", c.decisions_dropped);
  p.family("parkd_gate_record_failures_total", "counter", "Batches of gate decisions whose record in the database failed.");
  p.sample("parkd_gate_record_failures_total", "", recorder.record_failures());
  p.family("parkd_gate_decisions_unrecorded", "gauge",
           "Decisions made but not yet in the database after a failed record (their events stay in the inbox).");
  p.sample("parkd_gate_decisions_unrecorded", "", recorder.unrecorded());

  p.family("parkd_spaces", "gauge", "Spaces by lot, zone and state.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const Lot& lot = engine.lot(l);
    for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
      for (auto s : {SpaceState::Free, SpaceState::Occupied, SpaceState::Held, SpaceState::Closed, SpaceState::Unknown,
                     SpaceState::Suspect}) {
        p.sample("parkd_spaces",
                 fmt::format("lot=\"{}\",zone=\"{}\",state=\"{}\"", escape(lot.id()), escape(lot.zones()[z].id), name_of(s)),
                 engine.occupancy(l).zone_counts(z)[s]);
      }
    }
  }
  p.family("parkd_free_spaces", "gauge", "Free spaces per lot.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    p.sample("parkd_free_spaces", fmt::format("lot=\"{}\"", escape(engine.lot(l).id())), engine.occupancy(l).lot_counts().free());
  }
  p.family("parkd_alerts_active", "gauge", "Active alerts by lot and kind.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const auto active = engine.active_alert_counts(l);
    for (std::size_t k = 0; k < kAlertKindCount; ++k) {
      p.sample("parkd_alerts_active",
               fmt::format("lot=\"{}\",kind=\"{}\"", escape(engine.lot(l).id()), name_of(static_cast<AlertKind>(k))), active[k]);
    }
  }
  const AlertDesk::Counters& alert_counts = host.alerts().counters();
  auto kind_label = [](std::size_t k) { return fmt::format("kind=\"{}\"", name_of(static_cast<AlertKind>(k))); };
  p.family("parkd_alerts_raised_total", "counter", "Alerts raised since parkd started, by kind.");
  for (std::size_t k = 0; k < kAlertKindCount; ++k) p.sample("parkd_alerts_raised_total", kind_label(k), alert_counts.raised[k]);
  p.family("parkd_alerts_cleared_total", "counter", "Alerts cleared since parkd started (by their rule, an operator or a restart), by kind.");
  for (std::size_t k = 0; k < kAlertKindCount; ++k) p.sample("parkd_alerts_cleared_total", kind_label(k), alert_counts.cleared[k]);
  auto lot_label = [&](std::size_t l) { return fmt::format("lot=\"{}\"", escape(engine.lot(l).id())); };
  p.family("parkd_stale_sensors", "gauge", "Sensors silent for longer than stale_after.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) p.sample("parkd_stale_sensors", lot_label(l), engine.occupancy(l).stale_sensors());
  p.family("parkd_low_battery_sensors", "gauge", "Sensors whose last reported battery is low.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    p.sample("parkd_low_battery_sensors", lot_label(l), engine.occupancy(l).low_battery_sensors());
  }
  p.family("parkd_messages_throttled_total", "counter", "Messages dropped because their device exceeded its rate limit.");
  p.sample("parkd_messages_throttled_total", "kind=\"sensor_report\"", host.intake().throttled_reports());
  p.sample("parkd_messages_throttled_total", "kind=\"gate_event\"", host.intake().throttled_gate_events());
  p.family("parkd_gate_events_over_rate_total", "counter",
           "Gate events of a lot's camera above its rate limit: kept and decided all the same (never dropped once acknowledged).");
  p.sample("parkd_gate_events_over_rate_total", "", host.intake().cameras_over_rate());
  p.family("parkd_intake_holding", "gauge",
           "1 while messages come faster than intake.hold_above_per_s and the engine drains them every "
           "hold_window_us instead of at each arrival.");
  p.sample("parkd_intake_holding", "", host.pacer().holding() ? 1 : 0);
  p.family("parkd_intake_holds_total", "counter", "Times the engine began holding the queue of arrivals under load.");
  p.sample("parkd_intake_holds_total", "", host.pacer().holds_started());
  p.family("parkd_intake_held_drains_total", "counter",
           "Drains of the queue of arrivals on the hold window (each one wake-up for its batch).");
  p.sample("parkd_intake_held_drains_total", "", host.pacer().held_drains());

  p.family("parkd_zone_free_spaces", "gauge", "Free spaces per zone.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const Lot& lot = engine.lot(l);
    for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
      p.sample("parkd_zone_free_spaces", fmt::format("lot=\"{}\",zone=\"{}\"", escape(lot.id()), escape(lot.zones()[z].id)),
               engine.occupancy(l).zone_counts(z).free());
    }
  }

  std::map<std::string, std::size_t> inside;
  for (std::size_t l = 0; l < engine.lot_count(); ++l) inside[engine.lot(l).id()] = 0;
  for (const auto& [key, session] : host.desk().open_sessions()) ++inside[key.first];
  p.family("parkd_visitor_sessions_open", "gauge", "Visitors inside (open visitor sessions), per lot.");
  for (const auto& [lot, n] : inside) p.sample("parkd_visitor_sessions_open", fmt::format("lot=\"{}\"", escape(lot)), n);
  p.family("parkd_cars_inside", "gauge",
           "Cars inside by the gates' record (admitted entries minus exits), per lot whose record has begun.");
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    if (!engine.cars_inside(l).begun()) continue;
    p.sample("parkd_cars_inside", fmt::format("lot=\"{}\"", escape(engine.lot(l).id())), engine.cars_inside(l).count());
  }

  const auto histogram = [&p](const std::string& name, const char* help, const LatencyHistogram& h) {
    p.family(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
      cumulative += h.counts()[i];
      p.sample(name + "_bucket", fmt::format("le=\"{}\"", LatencyHistogram::kBounds[i]), cumulative);
    }
    p.sample(name + "_bucket", "le=\"+Inf\"", h.count());
    p.sample(name + "_sum", "", h.sum());
    p.sample(name + "_count", "", h.count());
  };
  histogram("parkd_ingest_to_frame_seconds",
            "From a message's arrival to the display frame it changed being handed to the broker.",
            host.frame_counters().ingest_to_frame);
  histogram("parkd_queue_wait_seconds",
            "From a message's arrival (Paho's callback) to the engine's strand taking it up.", c.queue_wait);
  histogram("parkd_batch_work_seconds",
            "The strand's work on a batch of messages taken up together: decoding, the engine, frames and "
            "decisions handed on.",
            c.batch_work);
  if (publish_to_ack) {
    histogram("parkd_publish_to_ack_seconds",
              "From a message of parkd's publish window (frames, decisions, alerts) handed to Paho to the "
              "broker's acknowledgement (PUBACK) of it.",
              *publish_to_ack);
  }

  if (!sessions.empty()) {
    p.family("parkd_mqtt_session_connected", "gauge", "1 while the session is connected to this broker (a lot's session; "
             "the broker is the one it uses or tried last).");
    for (const MqttSessionFigures& s : sessions) {
      p.sample("parkd_mqtt_session_connected", fmt::format("client=\"{}\",broker=\"{}\"", escape(s.client_id), escape(s.broker)),
               s.connected ? 1 : 0);
    }
    // A family with one sample per session, labelled by its client id.
    const auto per_client = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
      p.family(name, type, help);
      for (const MqttSessionFigures& s : sessions) p.sample(name, fmt::format("client=\"{}\"", escape(s.client_id)), value(s));
    };
    per_client("parkd_mqtt_session_online", "gauge",
               "1 while the session is connected and the broker granted every subscription it asked for: only then "
               "does parkd hear the lot's devices.",
               [](const MqttSessionFigures& s) { return s.online ? 1 : 0; });
    per_client("parkd_mqtt_subscriptions_refused_total", "counter",
               "Subscriptions a SUBACK refused (0x80: an ACL, or a cluster node that could not make the subscription); "
               "parkd asks again for those after 1, 2, 4... up to 30 s.",
               [](const MqttSessionFigures& s) { return s.subscriptions_refused; });
    per_client("parkd_mqtt_subscription_stalls_total", "counter",
               "Probes parkd sent itself through a granted subscription that did not come back within one and a half "
               "probe intervals while the connection stayed up: the broker stopped delivering. Each is followed by a "
               "reconnection to the next broker, session kept.",
               [](const MqttSessionFigures& s) { return s.subscription_stalls; });
    per_client("parkd_mqtt_subscribes_unanswered_total", "counter",
               "SUBSCRIBE requests the broker left unanswered for broker.subscribe_timeout_s while the connection was "
               "up (a broker fault): each is followed by a reconnection to the next broker, session kept.",
               [](const MqttSessionFigures& s) { return s.subscribes_unanswered; });
    per_client("parkd_mqtt_session_hearing", "gauge",
               "0 from a stalled probe until a probe comes back through every subscription again; 1 otherwise.",
               [](const MqttSessionFigures& s) { return s.hearing ? 1 : 0; });
    p.family("parkd_mqtt_connects_total", "counter",
             "Connects by whether the broker kept the session (kept) or started a new one (new: subscribed and the "
             "unacknowledged sent again).");
    for (const MqttSessionFigures& s : sessions) {
      p.sample("parkd_mqtt_connects_total", fmt::format("client=\"{}\",session=\"kept\"", escape(s.client_id)), s.connects_session_kept);
      p.sample("parkd_mqtt_connects_total", fmt::format("client=\"{}\",session=\"new\"", escape(s.client_id)), s.connects_new_session);
    }
    p.family("parkd_mqtt_connections_lost_total", "counter", "Connections that were up and went.");
    for (const MqttSessionFigures& s : sessions) {
      p.sample("parkd_mqtt_connections_lost_total", fmt::format("client=\"{}\"", escape(s.client_id)), s.connections_lost);
    }
  }
  if (connects) {
    p.family("parkd_mqtt_connects_under_way", "gauge", "Sessions connecting now: from CONNECT until the broker answered "
             "their subscriptions; at most broker.connects_at_once.");
    p.sample("parkd_mqtt_connects_under_way", "", connects->in_flight());
    p.family("parkd_mqtt_connects_waiting", "gauge", "Sessions waiting for their turn to connect (broker.connects_at_once "
             "are under way).");
    p.sample("parkd_mqtt_connects_waiting", "", connects->waiting());
  }

  if (session_stream) {
    const SessionStoreKeeper::Figures& k = *session_stream;
    p.family("parkd_nats_stream_checks_total", "counter",
             "Rounds that asked the monitors of the NATS nodes parkd is on which nodes lead the streams of MQTT "
             "($MQTT_sess, $MQTT_msgs, $MQTT_rmsgs): ok, or failed (the log says why).");
    p.sample("parkd_nats_stream_checks_total", "result=\"ok\"", k.checks);
    p.sample("parkd_nats_stream_checks_total", "result=\"failed\"", k.checks_failed);
    if (!k.streams.empty()) {
      p.family("parkd_nats_stream_stepdowns_total", "counter",
               "Step-downs parkd asked of a stream's leader because it was a node parkd is connected to (losing that "
               "node would hold parkd's reconnection for an election); only $MQTT_sess is asked (docs/scaling.md).");
      for (const auto& [stream, f] : k.streams) {
        p.sample("parkd_nats_stream_stepdowns_total", fmt::format("stream=\"{}\"", escape(stream)), f.stepdowns);
      }
      p.family("parkd_nats_stream_stepdowns_held_total", "counter",
               "Checks that found $MQTT_sess led from parkd's node and left it there: replicas_out_of_touch (the "
               "other replicas could not elect a leader without that node), or session_subscribing (a step-down "
               "would fail a session's SUBSCRIBE there).");
      if (const auto held = k.streams.find(std::string(kNatsSessionStream)); held != k.streams.end()) {
        const std::string stream = escape(held->first);
        p.sample("parkd_nats_stream_stepdowns_held_total",
                 fmt::format("stream=\"{}\",reason=\"replicas_out_of_touch\"", stream),
                 held->second.held_replicas_out_of_touch);
        p.sample("parkd_nats_stream_stepdowns_held_total", fmt::format("stream=\"{}\",reason=\"session_subscribing\"", stream),
                 held->second.held_session_subscribing);
      }
      p.family("parkd_nats_stream_leader", "gauge",
               "The node leading each stream of MQTT at the last check (on_parkds_node: one parkd is connected to).");
      for (const auto& [stream, f] : k.streams) {
        if (f.leader.empty()) continue;
        p.sample("parkd_nats_stream_leader",
                 fmt::format("stream=\"{}\",node=\"{}\",on_parkds_node=\"{}\"", escape(stream), escape(f.leader),
                             f.leader_on_parkds_node ? "yes" : "no"),
                 1);
      }
    }
  }

  if (events) {
    p.family("parkd_event_streams", "gauge", "Browsers following GET /v1/events now.");
    p.sample("parkd_event_streams", "", events->subscribers());
    p.family("parkd_event_streams_dropped_total", "counter",
             "Event streams closed by parkd: the client went away, or read too slowly.");
    p.sample("parkd_event_streams_dropped_total", "", events->subscribers_dropped());
    p.family("parkd_events_sent_total", "counter", "Events offered to event streams.");
    p.sample("parkd_events_sent_total", "", events->events_sent());
  }
  return p.take();
}

}  // namespace parkd
