// What /metrics shows of one MQTT session: where it is connected and how its connects went.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parkd {

struct MqttSessionFigures {
  std::string client_id;
  std::string broker;  // the broker it is connected to, or tried last
  bool connected = false;
  bool online = false;  // connected, and the broker granted every subscription
  // Each connect by what the broker said of the session: kept (what was in flight is resumed)
  // or new (subscribed again, the unacknowledged sent again). On a cluster, "new" after a
  // failover means the node did not have the session.
  std::uint64_t connects_session_kept = 0;
  std::uint64_t connects_new_session = 0;
  std::uint64_t connections_lost = 0;
  // Filters a SUBACK refused (0x80), each counted per refusal; the session subscribes again.
  std::uint64_t subscriptions_refused = 0;
  // Probes through the subscriptions (SubscriptionProbe): rounds that found one not delivering
  // (each followed by a reconnection), and whether every subscription delivers now.
  std::uint64_t subscription_stalls = 0;
  bool hearing = true;
  // SUBSCRIBE requests left unanswered for the session's subscribe timeout on a connection that
  // was up (each followed by a reconnection).
  std::uint64_t subscribes_unanswered = 0;
};

// The session as /v1/status and the console name it: "online" (parkd hears the lot's devices),
// "subscribing" (connected, a subscription not granted yet), "not_hearing" (granted, but a probe
// found the broker delivering nothing on it), "disconnected".
inline std::string_view broker_state(const MqttSessionFigures& f) {
  if (!f.connected) return "disconnected";
  if (!f.hearing) return "not_hearing";
  return f.online ? "online" : "subscribing";
}

}  // namespace parkd
