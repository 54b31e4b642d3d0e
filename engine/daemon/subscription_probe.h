// Whether a broker still delivers what matches each of parkd's subscriptions: the bookkeeping of
// probes parkd sends itself, one topic inside each filter. Pure: the caller sends, hears and keeps
// the time (MqttSession does it for one connection).
//
// Why: a NATS node was seen to stop delivering on a subscription it had granted, the connection
// alive and the session online (docs/scaling.md, "the silent subscription"); to parkd that looks
// exactly like quiet sensors and cameras. A QoS 1 probe through the same subscription (on NATS,
// the same JetStream consumer) that does not come back tells the two apart.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parkd {

class SubscriptionProbe {
 public:
  using Time = std::chrono::steady_clock::time_point;

  struct Probe {
    std::size_t filter = 0;  // index into the topics given at construction
    std::string topic;
    std::string payload;
  };
  // What one round found and what it sends.
  struct Round {
    std::vector<Probe> send;
    // A probe sent at least `patience` ago has not come back, nor anything else through the
    // filter since it went, on a filter that delivered probes before: the broker stopped
    // delivering. Reported every round it stays so.
    std::vector<std::size_t> stalled;
    // The probe has never come back on this filter since parkd started: most likely the broker
    // does not let parkd publish there (an ACL older than the probe). Reported once per filter;
    // nothing is concluded from it.
    std::vector<std::size_t> never_heard;
  };
  struct Heard {
    std::size_t filter = 0;
    // Set when this filter was stalled: the time since the round that found it so.
    std::optional<std::chrono::milliseconds> stalled_for;
    bool first = false;  // the first probe of this process back on this filter
  };

  // `topics`: one probe topic per filter, each matched by its filter and by no device's topic.
  // `tag`: differs between processes, so a probe an earlier parkd left in a broker's session is
  // not taken for one of this process's. `patience`: how long a probe may take to come back.
  SubscriptionProbe(std::vector<std::string> topics, std::string tag, std::chrono::milliseconds patience);
  std::chrono::milliseconds patience() const { return patience_; }

  // The connection went or a new one came up: probes sent before prove nothing about it.
  void connection_changed();
  // Every interval while the session is online: judges the probes sent at least `patience` ago,
  // then sends the next (a filter whose probe is younger keeps waiting for it; one that delivered
  // devices' messages since the last round, and a probe once before, gets none).
  Round round(Time now);
  // A message on one of the probe topics (any other topic: nullopt). A probe of this process
  // clears its filter's stall, whichever round sent it: the broker delivers again.
  std::optional<Heard> heard(std::string_view topic, std::string_view payload, Time now);
  // The last time a device's message arrived through `filter`: as good as the probe, since a
  // probe stuck behind a backlog the broker is still delivering is no stall. Set when it
  // clears a stall.
  std::optional<Heard> delivered(std::size_t filter, Time at, Time now);

  // MQTT's topic filter match ('+' one level, '#' the rest), for telling which subscription a
  // message came through.
  static bool matches(std::string_view filter, std::string_view topic);

  bool stalled() const;  // some filter stalled and has not delivered a probe since
  std::vector<std::size_t> stalled_filters() const;

 private:
  struct Filter {
    std::string topic;
    std::uint64_t outstanding = 0;  // nonce of the probe in flight on this connection; 0: none
    Time sent_at{};
    bool ever_heard = false;
    bool never_heard_reported = false;
    std::optional<Time> stalled_since;
    std::optional<Time> delivered_at;  // the latest device's message through the filter
  };
  std::vector<Filter> filters_;
  std::string tag_;
  std::chrono::milliseconds patience_;
  std::uint64_t next_nonce_ = 1;
  std::optional<Time> last_round_;  // on this connection
};

}  // namespace parkd
