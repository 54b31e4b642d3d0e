// SubscriptionProbe: a stall is found only on a filter that delivered probes before, on the
// connection the probe went out on; a probe back clears it; foreign probes prove nothing.
#include "daemon/subscription_probe.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

using namespace std::chrono_literals;
using Time = SubscriptionProbe::Time;

const Time t0{};

SubscriptionProbe two_filters() {
  return SubscriptionProbe({"parking/xj5/sensors/parkd-probe/probe", "parking/xj5/gates/parkd-probe/event"}, "parkd-7",
                           15s);
}

// Hears every probe of a round, as a broker that delivers does.
void deliver(SubscriptionProbe& probe, const SubscriptionProbe::Round& round, Time at) {
  for (const auto& p : round.send) ASSERT_TRUE(probe.heard(p.topic, p.payload, at));
}

TEST(SubscriptionProbe, EachRoundSendsOneProbePerFilterOnItsTopic) {
  SubscriptionProbe probe = two_filters();
  const auto round = probe.round(t0);
  ASSERT_EQ(round.send.size(), 2u);
  EXPECT_EQ(round.send[0].topic, "parking/xj5/sensors/parkd-probe/probe");
  EXPECT_EQ(round.send[1].topic, "parking/xj5/gates/parkd-probe/event");
  EXPECT_EQ(round.send[0].payload.rfind("parkd-7 ", 0), 0u);
  EXPECT_NE(round.send[0].payload, round.send[1].payload);
  EXPECT_TRUE(round.stalled.empty());
  EXPECT_TRUE(round.never_heard.empty());
}

TEST(SubscriptionProbe, AProbeThatDoesNotComeBackOnAFilterThatDeliveredIsAStall) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  const auto second = probe.round(t0 + 30s);
  EXPECT_TRUE(second.stalled.empty());
  // Only the sensor filter's probe comes back.
  ASSERT_TRUE(probe.heard(second.send[0].topic, second.send[0].payload, t0 + 30s + 5ms));
  const auto third = probe.round(t0 + 60s);
  EXPECT_EQ(third.stalled, std::vector<std::size_t>{1});
  EXPECT_TRUE(probe.stalled());
  EXPECT_EQ(probe.stalled_filters(), std::vector<std::size_t>{1});
  // Still not delivering: reported again at the next round.
  EXPECT_EQ(probe.round(t0 + 90s).stalled, (std::vector<std::size_t>{0, 1}));
}

TEST(SubscriptionProbe, AProbeBackClearsTheStallAndSaysForHowLong) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  probe.round(t0 + 30s);
  const auto found = probe.round(t0 + 60s);
  ASSERT_EQ(found.stalled.size(), 2u);
  const auto back = probe.heard(found.send[1].topic, found.send[1].payload, t0 + 64s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->filter, 1u);
  ASSERT_TRUE(back->stalled_for);
  EXPECT_EQ(*back->stalled_for, 4s);
  EXPECT_EQ(probe.stalled_filters(), std::vector<std::size_t>{0});
  // An old probe of this process, delivered late (a broker's redelivery), proves delivery too.
  const auto late = probe.heard(found.send[0].topic, "parkd-7 1", t0 + 65s);
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->stalled_for);
  EXPECT_FALSE(probe.stalled());
}

TEST(SubscriptionProbe, AProbeIsGivenItsPatienceBeforeItIsJudgedOrReplaced) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  const auto sent = probe.round(t0 + 30s);
  // A round soon after (a probe sent on a new connection, then the timer's round).
  const auto early = probe.round(t0 + 40s);
  EXPECT_TRUE(early.stalled.empty());
  EXPECT_TRUE(early.send.empty());
  // Back in time: still the probe of that round.
  ASSERT_TRUE(probe.heard(sent.send[0].topic, sent.send[0].payload, t0 + 44s));
  const auto due = probe.round(t0 + 45s);
  EXPECT_EQ(due.stalled, std::vector<std::size_t>{1});
  EXPECT_EQ(due.send.size(), 2u);
}

TEST(SubscriptionProbe, ADevicesMessageThroughTheFilterAfterTheProbeWentIsAsGoodAsTheProbe) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  probe.round(t0 + 30s);  // stuck behind a backlog the broker is still delivering
  EXPECT_FALSE(probe.delivered(0, t0 + 31s, t0 + 60s));
  EXPECT_FALSE(probe.delivered(1, t0 + 29s, t0 + 60s));  // before the probe went: proves nothing
  EXPECT_EQ(probe.round(t0 + 60s).stalled, std::vector<std::size_t>{1});
  // The gates' subscription delivers a camera's event after the stall was found.
  const auto back = probe.delivered(1, t0 + 61s, t0 + 62s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->filter, 1u);
  EXPECT_EQ(back->stalled_for, std::chrono::milliseconds(2s));
  EXPECT_FALSE(probe.stalled());
}

TEST(SubscriptionProbe, ASubscriptionBusyWithDevicesNeedsNoProbeOnceOneCameBack) {
  SubscriptionProbe probe = two_filters();
  // Busy from the start: the first probe goes anyway (it shows the probe passes at all).
  EXPECT_FALSE(probe.delivered(0, t0, t0));
  const auto first = probe.round(t0 + 1s);
  ASSERT_EQ(first.send.size(), 2u);
  deliver(probe, first, t0 + 1s + 5ms);
  EXPECT_FALSE(probe.delivered(0, t0 + 20s, t0 + 20s));  // a sensor's heartbeat
  const auto second = probe.round(t0 + 31s);
  ASSERT_EQ(second.send.size(), 1u);
  EXPECT_EQ(second.send[0].filter, 1u);
  deliver(probe, second, t0 + 31s + 5ms);
  // The sensors fall silent: probed again at the next round, a stall the round after.
  const auto third = probe.round(t0 + 61s);
  ASSERT_EQ(third.send.size(), 2u);
  EXPECT_TRUE(third.stalled.empty());
  EXPECT_EQ(probe.round(t0 + 91s).stalled, (std::vector<std::size_t>{0, 1}));
}

TEST(SubscriptionProbe, AfterAReconnectionEverySubscriptionIsProbedAgain) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  EXPECT_FALSE(probe.delivered(0, t0 + 20s, t0 + 20s));
  probe.connection_changed();
  EXPECT_EQ(probe.round(t0 + 30s).send.size(), 2u);
}

TEST(SubscriptionProbe, MatchesTopicsAsMqttFiltersDo) {
  EXPECT_TRUE(SubscriptionProbe::matches("parking/xj5/sensors/+/+", "parking/xj5/sensors/s-A01/report"));
  EXPECT_TRUE(SubscriptionProbe::matches("parking/xj5/gates/+/event", "parking/xj5/gates/north/event"));
  EXPECT_FALSE(SubscriptionProbe::matches("parking/xj5/gates/+/event", "parking/xj5/gates/north/decision"));
  EXPECT_FALSE(SubscriptionProbe::matches("parking/xj5/sensors/+/+", "parking/xj5/sensors/s-A01"));
  EXPECT_FALSE(SubscriptionProbe::matches("parking/xj5/sensors/+/+", "parking/xj5/sensors/s-A01/report/x"));
  EXPECT_FALSE(SubscriptionProbe::matches("parking/xj5/sensors/+/+", "parking/xj6/sensors/s-A01/report"));
  EXPECT_TRUE(SubscriptionProbe::matches("parking/#", "parking/xj5/engine/status"));
  EXPECT_TRUE(SubscriptionProbe::matches("parking/#", "parking"));
  EXPECT_TRUE(SubscriptionProbe::matches("parking/sim/clock", "parking/sim/clock"));
  EXPECT_FALSE(SubscriptionProbe::matches("parking/sim/clock", "parking/sim"));
}

TEST(SubscriptionProbe, ProbesSentBeforeTheConnectionChangedProveNothing) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  probe.round(t0 + 30s);  // sent, then the connection goes
  probe.connection_changed();
  EXPECT_TRUE(probe.round(t0 + 60s).stalled.empty());
}

TEST(SubscriptionProbe, AFilterThatNeverDeliveredIsReportedOnceAndNeverCalledStalled) {
  SubscriptionProbe probe = two_filters();
  const auto first = probe.round(t0);
  const auto back = probe.heard(first.send[0].topic, first.send[0].payload, t0 + 5ms);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->first);
  const auto second = probe.round(t0 + 30s);
  EXPECT_EQ(second.never_heard, std::vector<std::size_t>{1});
  EXPECT_TRUE(second.stalled.empty());
  const auto again = probe.heard(second.send[0].topic, second.send[0].payload, t0 + 30s + 5ms);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->first);
  const auto third = probe.round(t0 + 60s);
  EXPECT_TRUE(third.never_heard.empty());
  EXPECT_TRUE(third.stalled.empty());
  EXPECT_FALSE(probe.stalled());
}

TEST(SubscriptionProbe, AnotherProcesssProbeOrAStrangePayloadProvesNothing) {
  SubscriptionProbe probe = two_filters();
  deliver(probe, probe.round(t0), t0 + 5ms);
  const auto second = probe.round(t0 + 30s);
  const std::string& topic = second.send[0].topic;
  const std::string nonce = second.send[0].payload.substr(second.send[0].payload.rfind(' ') + 1);
  // On a probe topic, so it is the probe's to drop, but nothing it proves.
  EXPECT_TRUE(probe.heard(topic, "parkd-8 " + nonce, t0 + 30s + 5ms));
  EXPECT_TRUE(probe.heard(topic, "", t0 + 30s + 5ms));
  EXPECT_TRUE(probe.heard(topic, "parkd-7 x", t0 + 30s + 5ms));
  EXPECT_FALSE(probe.heard("parking/xj5/sensors/s-A01/report", second.send[0].payload, t0 + 30s + 5ms));
  EXPECT_EQ(probe.round(t0 + 60s).stalled.size(), 2u);
}

}  // namespace
}  // namespace parkd
