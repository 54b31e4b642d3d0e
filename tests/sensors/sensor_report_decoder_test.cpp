// What sensors send is checked before the core sees it; every rejection is counted by reason.
#include "sensors/sensor_report_decoder.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

parking::v1::SensorReport valid_report() {
  parking::v1::SensorReport r;
  r.set_sensor_id("sensor-A01");
  r.set_space_id("A01");
  r.set_boot_id(77);
  r.set_seq(12);
  r.set_observed_at_ms(1'793'592'000'000);
  r.set_occupied(true);
  r.set_kind(parking::v1::REPORT_KIND_HEARTBEAT);
  r.set_battery_mv(2'900);
  return r;
}

TEST(SensorReportDecoder, DecodesAValidReport) {
  SensorReportDecoder decoder;
  const std::string payload = valid_report().SerializeAsString();
  const DecodedReport d = decoder.decode("xj5", "sensor-A01", payload);
  ASSERT_TRUE(d.reading);
  EXPECT_EQ(d.reading->lot_id, "xj5");
  EXPECT_EQ(d.reading->sensor_id, "sensor-A01");
  EXPECT_EQ(d.reading->space_id, "A01");
  EXPECT_EQ(d.reading->boot_id, 77u);
  EXPECT_EQ(d.reading->seq, 12u);
  EXPECT_TRUE(d.reading->occupied);
  EXPECT_EQ(d.reading->kind, ReportKind::Heartbeat);
  EXPECT_EQ(d.reading->battery_mv, 2'900u);
  EXPECT_EQ(decoder.decoded(), 1u);
}

struct Case {
  const char* name;
  void (*mutate)(parking::v1::SensorReport&);
  DecodeRejection expected;
};

TEST(SensorReportDecoder, RejectsMissingAndAbsurdFields) {
  const Case cases[] = {
      {"no sensor_id", [](parking::v1::SensorReport& r) { r.clear_sensor_id(); }, DecodeRejection::MissingField},
      {"no space_id", [](parking::v1::SensorReport& r) { r.clear_space_id(); }, DecodeRejection::MissingField},
      {"no kind", [](parking::v1::SensorReport& r) { r.clear_kind(); }, DecodeRejection::MissingField},
      {"kind 9", [](parking::v1::SensorReport& r) { r.set_kind(static_cast<parking::v1::ReportKind>(9)); },
       DecodeRejection::AbsurdField},
      {"battery 60 V", [](parking::v1::SensorReport& r) { r.set_battery_mv(60'000); }, DecodeRejection::AbsurdField},
      {"negative time", [](parking::v1::SensorReport& r) { r.set_observed_at_ms(-5); }, DecodeRejection::AbsurdField},
      {"long space id", [](parking::v1::SensorReport& r) { r.set_space_id(std::string(65, 'A')); },
       DecodeRejection::AbsurdField},
      {"other sensor", [](parking::v1::SensorReport& r) { r.set_sensor_id("sensor-B07"); },
       DecodeRejection::TopicMismatch},
  };
  SensorReportDecoder decoder;
  for (const Case& c : cases) {
    parking::v1::SensorReport r = valid_report();
    c.mutate(r);
    const DecodedReport d = decoder.decode("xj5", "sensor-A01", r.SerializeAsString());
    EXPECT_FALSE(d.reading) << c.name;
    EXPECT_EQ(d.rejection, c.expected) << c.name;
    EXPECT_FALSE(d.detail.empty()) << c.name;
  }
  EXPECT_EQ(decoder.rejected(DecodeRejection::MissingField), 3u);
  EXPECT_EQ(decoder.rejected(DecodeRejection::AbsurdField), 4u);
  EXPECT_EQ(decoder.rejected(DecodeRejection::TopicMismatch), 1u);
  EXPECT_EQ(decoder.decoded(), 0u);
}

TEST(SensorReportDecoder, RejectsGarbageAndOversizedPayloads) {
  SensorReportDecoder decoder(64);
  EXPECT_EQ(decoder.decode("xj5", "sensor-A01", std::string("\xff\xff\xff\xff", 4)).rejection, DecodeRejection::Malformed);
  EXPECT_EQ(decoder.decode("xj5", "sensor-A01", std::string(65, 'x')).rejection, DecodeRejection::Oversized);
  // A valid report cut inside its last field is not a report.
  const std::string payload = valid_report().SerializeAsString();
  EXPECT_FALSE(decoder.decode("xj5", "sensor-A01", payload.substr(0, payload.size() - 1)).reading);
  EXPECT_EQ(decoder.rejected(DecodeRejection::Oversized), 1u);
  EXPECT_GE(decoder.rejected(DecodeRejection::Malformed), 1u);
}

TEST(SensorReportDecoder, AnEmptyPayloadLacksEverything) {
  SensorReportDecoder decoder;
  EXPECT_EQ(decoder.decode("xj5", "sensor-A01", "").rejection, DecodeRejection::MissingField);
}

TEST(SensorReportDecoder, ReusingTheDecoderDoesNotLeakFieldsBetweenReports) {
  SensorReportDecoder decoder;
  parking::v1::SensorReport full = valid_report();
  ASSERT_TRUE(decoder.decode("xj5", "sensor-A01", full.SerializeAsString()).reading);
  parking::v1::SensorReport bare = valid_report();
  bare.clear_battery_mv();
  bare.clear_occupied();
  const DecodedReport d = decoder.decode("xj5", "sensor-A01", bare.SerializeAsString());
  ASSERT_TRUE(d.reading);
  EXPECT_EQ(d.reading->battery_mv, 0u);
  EXPECT_FALSE(d.reading->occupied);
}

}  // namespace
}  // namespace parkd
