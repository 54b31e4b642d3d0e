// What parkd reads in nats-server's monitoring answers: a node's name (/varz) and which nodes
// lead an account's MQTT streams (/jsz). Checked here; the HTTP is elsewhere.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
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

// A replica not heard from for longer is counted out: Raft's leader hears from each follower at
// least once a second (its heartbeat), and after a kill -9 nats-server says `current: true` for
// 10 s more and `offline` not at all (measured on 2.9.10), so `active` is the early sign.
inline constexpr std::chrono::milliseconds kReplicaSilence{3'000};

// A stream's replicas other than the answering node, as it sees them. Only a stream's leader
// hears from every replica; a follower hears from the leader alone and reports the others as
// they were long ago (tests/data/nats), so these figures mean something in the leader's answer.
struct OtherReplicas {
  std::size_t count = 0;
  std::size_t in_touch = 0;  // current, not offline, heard from (active > 0) within kReplicaSilence
};

struct StreamLeaders {
  // Each of kNatsMqttStreams the account has, with its leader's server_name ("" between a
  // leader's death and the election).
  std::map<std::string, std::string, std::less<>> leader_of;
  std::map<std::string, OtherReplicas, std::less<>> replicas_of;  // the same streams
  std::string error;  // set: the answer is not what nats-server sends, or the account has no MQTT state
};
// GET /jsz?acc=ACCOUNT&streams=true. The session stream exists once a first MQTT client has
// connected; without it (or the account) this is an error.
StreamLeaders read_mqtt_stream_leaders(std::string_view jsz_json, std::string_view account);

}  // namespace parkd
