// What parkd reads in nats-server's monitoring answers: a node's name (/varz) and which nodes
// lead an account's MQTT streams (/jsz). Checked here; the HTTP is elsewhere.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>

namespace parkd {

// The streams in which nats-server (2.9+) keeps MQTT state, each a Raft group of its own:
// `$MQTT_sess` the sessions (a CONNECT with a persistent session is answered only once its
// leader has loaded the session's record), `$MQTT_msgs` QoS 1 messages on their way to
// subscribers, `$MQTT_rmsgs` retained messages (a publish is acknowledged once its leader
// stored it).
inline constexpr std::string_view kNatsSessionStream = "$MQTT_sess";
inline constexpr std::array<std::string_view, 3> kNatsMqttStreams = {kNatsSessionStream, "$MQTT_msgs", "$MQTT_rmsgs"};

struct ServerName {
  std::string name;
  std::string error;  // set: why the answer does not say it
};
// GET /varz: the answering node's server_name.
ServerName read_server_name(std::string_view varz_json);

struct StreamLeaders {
  // Each of kNatsMqttStreams the account has, with its leader's server_name ("" between a
  // leader's death and the election).
  std::map<std::string, std::string, std::less<>> leader_of;
  std::string error;  // set: the answer is not what nats-server sends, or the account has no MQTT state
};
// GET /jsz?acc=ACCOUNT&streams=true. The session stream exists once a first MQTT client has
// connected; without it (or the account) this is an error.
StreamLeaders read_mqtt_stream_leaders(std::string_view jsz_json, std::string_view account);

}  // namespace parkd
