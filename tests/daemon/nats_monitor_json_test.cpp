// nats-server's monitoring answers: the node's name, and the leaders of the MQTT streams read
// from real answers of nats-server 2.9.10 (tests/data/nats), not the cluster's metadata leader.
#include "daemon/nats_monitor_json.h"

#include <gtest/gtest.h>

#include "support/test_data.h"

namespace parkd {
namespace {

std::string sample(const char* name) { return test::read_source_file(std::string("tests/data/nats/") + name); }

TEST(NatsMonitorJson, TheNodesNameComesFromVarz) {
  const ServerName name = read_server_name(sample("varz-n1.json"));
  EXPECT_EQ(name.error, "");
  EXPECT_EQ(name.name, "n1");
}

TEST(NatsMonitorJson, EachMqttStreamsLeaderComesFromItsOwnClusterBlock) {
  const std::string jsz = sample("jsz-streams.json");
  ASSERT_NE(jsz.find("\"leader\": \"n1\""), std::string::npos) << "the sample's metadata leader is n1, a trap";
  const StreamLeaders found = read_mqtt_stream_leaders(jsz, "$G");
  EXPECT_EQ(found.error, "");
  ASSERT_EQ(found.leader_of.size(), 3u);
  EXPECT_EQ(found.leader_of.at("$MQTT_sess"), "n2");
  EXPECT_EQ(found.leader_of.at("$MQTT_msgs"), "n2");
  EXPECT_EQ(found.leader_of.at("$MQTT_rmsgs"), "n2");
}

TEST(NatsMonitorJson, AStreamBetweenLeadersHasAnEmptyLeader) {
  const std::string jsz = R"({"account_details": [{"name": "$G", "stream_detail": [
      {"name": "$MQTT_sess", "cluster": {"name": "c", "replicas": [{"name": "n2"}]}},
      {"name": "$MQTT_msgs", "cluster": {"name": "c", "leader": "n3"}},
      {"name": "orders", "cluster": {"name": "c", "leader": "n1"}}]}]})";
  const StreamLeaders found = read_mqtt_stream_leaders(jsz, "$G");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.leader_of.at("$MQTT_sess"), "");
  EXPECT_EQ(found.leader_of.at("$MQTT_msgs"), "n3");
  EXPECT_FALSE(found.leader_of.contains("orders")) << "not a stream of MQTT";
}

TEST(NatsMonitorJson, TheReplicasInTouchAreThoseTheAnsweringNodeHeardFromLately) {
  // n3 leading, 14 s after n2 was killed with SIGKILL: n1 heard from 23 ms ago, n2 no longer
  // current (nats-server turns it so only after 10 s; kReplicaSilence counts it out after 3 s).
  const StreamLeaders found = read_mqtt_stream_leaders(sample("jsz-leader-after-kill.json"), "$G");
  ASSERT_EQ(found.error, "");
  EXPECT_EQ(found.leader_of.at("$MQTT_sess"), "n3");
  EXPECT_EQ(found.replicas_of.at("$MQTT_sess").count, 2u);
  EXPECT_EQ(found.replicas_of.at("$MQTT_sess").in_touch, 1u);
  // Current, but silent longer than three heartbeats; offline; never heard from (0); current and
  // heard from lately.
  const StreamLeaders four = read_mqtt_stream_leaders(R"({"account_details": [{"name": "$G", "stream_detail": [
      {"name": "$MQTT_sess", "cluster": {"leader": "n1", "replicas": [
        {"name": "n2", "current": true, "active": 3500000000},
        {"name": "n3", "current": true, "offline": true, "active": 100},
        {"name": "n4", "current": true, "active": 0},
        {"name": "n5", "current": true, "active": 2900000000}]}}]}]})",
                                                      "$G");
  ASSERT_EQ(four.error, "");
  EXPECT_EQ(four.replicas_of.at("$MQTT_sess").count, 4u);
  EXPECT_EQ(four.replicas_of.at("$MQTT_sess").in_touch, 1u);
}

TEST(NatsMonitorJson, WhatDoesNotSayIsAnErrorThatSaysWhy) {
  EXPECT_NE(read_server_name("<html>").error.find("not the JSON"), std::string::npos);
  EXPECT_NE(read_server_name(R"({"server_id": "NABC"})").error.find("no server_name"), std::string::npos);
  const std::string jsz = sample("jsz-streams.json");
  EXPECT_NE(read_mqtt_stream_leaders(jsz, "district").error.find("no JetStream account district"), std::string::npos);
  std::string renamed = jsz;  // the session stream under another name: the account has no MQTT sessions yet
  renamed.replace(renamed.find("\"$MQTT_sess\""), 12, "\"sessions\"");
  const StreamLeaders no_sessions = read_mqtt_stream_leaders(renamed, "$G");
  EXPECT_NE(no_sessions.error.find("no stream $MQTT_sess"), std::string::npos) << no_sessions.error;
  EXPECT_TRUE(no_sessions.leader_of.empty());
  EXPECT_NE(read_mqtt_stream_leaders("[1, 2]", "$G").error.find("not the JSON"), std::string::npos);
}

}  // namespace
}  // namespace parkd
