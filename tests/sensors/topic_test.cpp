// Topic parsing: only the contract's topics are recognised, with their lot and device.
#include "sensors/topic.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(Topic, SensorReportTopic) {
  const Topic t = parse_topic("parking/xj5/sensors/sensor-A01/report");
  EXPECT_EQ(t.kind, TopicKind::SensorReport);
  EXPECT_EQ(t.lot_id, "xj5");
  EXPECT_EQ(t.device_id, "sensor-A01");
  EXPECT_EQ(sensor_report_topic("xj5", "sensor-A01"), "parking/xj5/sensors/sensor-A01/report");
}

TEST(Topic, GateEventAndSimClock) {
  const Topic g = parse_topic("parking/xj5/gates/north/event");
  EXPECT_EQ(g.kind, TopicKind::GateEvent);
  EXPECT_EQ(g.device_id, "north");
  EXPECT_EQ(parse_topic("parking/sim/clock").kind, TopicKind::SimClock);
  EXPECT_EQ(display_frame_topic("xj5", "east"), "parking/xj5/displays/east/frame");
  EXPECT_EQ(gate_decision_topic("xj5", "east"), "parking/xj5/gates/east/decision");
  EXPECT_EQ(engine_status_topic("xj5"), "parking/xj5/engine/status");
  EXPECT_EQ(engine_tick_topic("xj5"), "parking/xj5/engine/tick");
  // Inside parkd's own subscriptions (sensors/+/+, gates/+/event), and no device's topic.
  EXPECT_EQ(sensor_probe_topic("xj5"), "parking/xj5/sensors/parkd-probe/probe");
  EXPECT_EQ(gate_probe_topic("xj5"), "parking/xj5/gates/parkd-probe/event");
  EXPECT_EQ(parse_topic(sensor_probe_topic("xj5")).kind, TopicKind::Unknown);
}

TEST(Topic, AnythingElseIsUnknown) {
  for (const char* t : {"", "parking", "parking/xj5/sensors/a/report/extra", "parking//sensors/a/report",
                        "parking/xj5/sensors//report", "parking/xj5/sensors/a/state", "parking/xj5/gates/n/decision",
                        "other/xj5/sensors/a/report", "parking/xj5/displays/north/frame", "parking/sim/clock/x"}) {
    EXPECT_EQ(parse_topic(t).kind, TopicKind::Unknown) << t;
  }
}

}  // namespace
}  // namespace parkd
