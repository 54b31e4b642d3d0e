// Checks of what sensors send, before anything reaches the core.
#include "sensor_report_decoder.h"

namespace parkd {

std::string_view name_of(DecodeRejection r) {
  switch (r) {
    case DecodeRejection::Oversized: return "oversized";
    case DecodeRejection::Malformed: return "malformed";
    case DecodeRejection::MissingField: return "missing_field";
    case DecodeRejection::AbsurdField: return "absurd_field";
    case DecodeRejection::TopicMismatch: return "topic_mismatch";
  }
  return "unknown";
}

DecodedReport SensorReportDecoder::reject(DecodeRejection r, std::string_view detail) {
  ++rejected_[static_cast<std::size_t>(r)];
  return DecodedReport{std::nullopt, r, detail};
}

DecodedReport SensorReportDecoder::decode(std::string_view lot_id, std::string_view topic_sensor_id,
                                          std::string_view payload, std::size_t slot) {
  if (payload.size() > max_payload_) return reject(DecodeRejection::Oversized, "payload above the size limit");
  parking::v1::SensorReport& m = messages_[slot];
  if (!m.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return reject(DecodeRejection::Malformed, "payload is not a SensorReport");
  }
  if (m.sensor_id().empty()) return reject(DecodeRejection::MissingField, "sensor_id is empty");
  if (m.space_id().empty()) return reject(DecodeRejection::MissingField, "space_id is empty");
  if (m.kind() == parking::v1::REPORT_KIND_UNSPECIFIED) return reject(DecodeRejection::MissingField, "kind is not set");
  if (m.kind() != parking::v1::REPORT_KIND_CHANGE && m.kind() != parking::v1::REPORT_KIND_HEARTBEAT) {
    return reject(DecodeRejection::AbsurdField, "kind is not CHANGE or HEARTBEAT");
  }
  if (m.sensor_id().size() > kMaxIdLength || m.space_id().size() > kMaxIdLength) {
    return reject(DecodeRejection::AbsurdField, "an id is longer than 64 characters");
  }
  if (m.battery_mv() > kMaxBatteryMv) return reject(DecodeRejection::AbsurdField, "battery_mv above 10000");
  if (m.observed_at_ms() < 0) return reject(DecodeRejection::AbsurdField, "observed_at_ms is negative");
  if (m.sensor_id() != topic_sensor_id) {
    return reject(DecodeRejection::TopicMismatch, "sensor_id differs from the topic's sensor");
  }
  ++decoded_;
  SensorReading r;
  r.lot_id = lot_id;
  r.sensor_id = m.sensor_id();
  r.space_id = m.space_id();
  r.boot_id = m.boot_id();
  r.seq = m.seq();
  r.observed_at_ms = m.observed_at_ms();
  r.occupied = m.occupied();
  r.kind = m.kind() == parking::v1::REPORT_KIND_HEARTBEAT ? ReportKind::Heartbeat : ReportKind::Change;
  r.battery_mv = m.battery_mv();
  return DecodedReport{r, DecodeRejection::Malformed, {}};
}

}  // namespace parkd
