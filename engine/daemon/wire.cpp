// Encoding of frames and engine status for the signs.
#include "wire.h"

#include "core/plate.h"

namespace parkd {

namespace {
parking::v1::Arrow to_arrow(Arrow a) {
  switch (a) {
    case Arrow::Left: return parking::v1::ARROW_LEFT;
    case Arrow::Right: return parking::v1::ARROW_RIGHT;
    case Arrow::Straight: return parking::v1::ARROW_STRAIGHT;
  }
  return parking::v1::ARROW_STRAIGHT;
}
}  // namespace

parking::v1::DisplayFrame to_message(const DisplayFrame& frame) {
  parking::v1::DisplayFrame m;
  m.set_display_id(frame.display_id);
  m.set_seq(frame.seq);
  m.set_generated_at_ms(frame.generated_at_ms);
  m.set_free_total(frame.free_total);
  m.set_free_for_visitors(frame.free_for_visitors);
  m.set_free_accessible(frame.free_accessible);
  for (const ZoneGuidance& z : frame.zones) {
    auto* zone = m.add_zones();
    zone->set_zone_id(z.zone_id);
    zone->set_free(z.free);
    zone->set_arrow(to_arrow(z.arrow));
    zone->set_full(z.full);
    zone->set_free_accessible(z.free_accessible);
  }
  for (const auto& line : frame.lines_zh) m.add_lines_zh(line);
  for (const auto& line : frame.lines_en) m.add_lines_en(line);
  m.set_engine_online(frame.engine_online);
  return m;
}

parking::v1::GateDecision to_message(const GateDecisionOut& d) {
  parking::v1::GateDecision m;
  m.set_gate_id(d.gate_id);
  m.set_event_seq(d.event_seq);
  m.set_plate(d.plate);
  m.set_admit(d.admit);
  switch (d.vehicle_class) {
    case VehicleClass::Owner: m.set_vehicle_class(parking::v1::VEHICLE_CLASS_OWNER); break;
    case VehicleClass::Tenant: m.set_vehicle_class(parking::v1::VEHICLE_CLASS_TENANT); break;
    case VehicleClass::Visitor: m.set_vehicle_class(parking::v1::VEHICLE_CLASS_VISITOR); break;
    case VehicleClass::Service: m.set_vehicle_class(parking::v1::VEHICLE_CLASS_SERVICE); break;
  }
  m.set_reason(d.reason);
  m.set_assigned_zone(d.assigned_zone);
  m.set_assigned_space(d.assigned_space);
  m.set_fee_due_fen(d.fee_due_fen);
  m.set_message_zh(d.message_zh);
  m.set_message_en(d.message_en);
  return m;
}

std::string engine_status_payload(bool online, TimeMs started_at_ms) {
  parking::v1::EngineStatus status;
  status.set_online(online);
  status.set_started_at_ms(started_at_ms);
  status.set_version(kParkdVersion);
  return status.SerializeAsString();
}

parking::v1::Alert to_message(const Alert& alert) {
  parking::v1::Alert m;
  m.set_alert_id(alert.alert_id);
  m.set_lot_id(alert.lot_id);
  m.set_kind(std::string(name_of(alert.kind)));
  m.set_space_id(alert.space_id);
  m.set_plate(alert.plate);
  m.set_raised_at_ms(alert.raised_at);
  m.set_cleared_at_ms(alert.cleared_at);
  m.set_detail_zh(alert.detail_zh);
  m.set_detail_en(alert.detail_en);
  m.set_cleared_by(alert.cleared_by);
  return m;
}

void hide_plates(parking::v1::Alert& alert) {
  alert.clear_plate();
  alert.set_detail_zh(hide_plates(alert.detail_zh()));
  alert.set_detail_en(hide_plates(alert.detail_en()));
}

}  // namespace parkd
