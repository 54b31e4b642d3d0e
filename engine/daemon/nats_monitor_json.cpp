// nats-server's monitoring JSON through the schema of proto/nats/monitor.proto.
#include "nats_monitor_json.h"

#include <algorithm>

#include <google/protobuf/util/json_util.h>

#include "nats/monitor.pb.h"

namespace parkd {
namespace {

template <typename Message>
std::string parse(std::string_view json, Message& into) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // nats-server answers with much more than parkd reads
  const auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &into, options);
  return status.ok() ? std::string() : "not the JSON nats-server answers with: " + std::string(status.message());
}

}  // namespace

ServerName read_server_name(std::string_view varz_json) {
  nats::monitor::Varz varz;
  if (std::string e = parse(varz_json, varz); !e.empty()) return {{}, e};
  if (varz.server_name().empty()) return {{}, "the node has no server_name (a cluster needs one)"};
  return {varz.server_name(), {}};
}

StreamLeaders read_mqtt_stream_leaders(std::string_view jsz_json, std::string_view account) {
  nats::monitor::Jsz jsz;
  StreamLeaders out;
  if (std::string e = parse(jsz_json, jsz); !e.empty()) {
    out.error = e;
    return out;
  }
  for (const nats::monitor::AccountDetail& a : jsz.account_details()) {
    if (a.name() != account) continue;
    for (const nats::monitor::StreamDetail& s : a.stream_detail()) {
      if (std::find(kNatsMqttStreams.begin(), kNatsMqttStreams.end(), s.name()) != kNatsMqttStreams.end()) {
        out.leader_of[s.name()] = s.cluster().leader();
        OtherReplicas& others = out.replicas_of[s.name()];
        for (const nats::monitor::PeerInfo& peer : s.cluster().replicas()) {
          ++others.count;
          const auto silent = std::chrono::nanoseconds(peer.active());
          // nats-server reports 0 for a replica it has not heard from at all (as a new leader).
          if (peer.current() && !peer.offline() && peer.active() > 0 && silent <= kReplicaSilence) ++others.in_touch;
        }
      }
    }
    if (!out.leader_of.contains(kNatsSessionStream)) {
      out.leader_of.clear();
      out.replicas_of.clear();
      out.error = "the account " + std::string(account) + " has no stream " + std::string(kNatsSessionStream) +
                  " (JetStream off, or no MQTT client connected yet)";
    }
    return out;
  }
  out.error = "the node reports no JetStream account " + std::string(account);
  return out;
}

}  // namespace parkd
