// The API's replies built from the engine's state, shared by the control API and the event feed.
#include "api_messages.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <numeric>

#include "config/version.h"
#include "core/civil_day.h"
#include "core/visitor_bill.h"

namespace parkd {

namespace pb = parking::v1;

std::string to_json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

namespace {

void fill_counts(pb::SpaceCounts& out, const StateCounts& c) {
  out.set_free(c[SpaceState::Free]);
  out.set_occupied(c[SpaceState::Occupied]);
  out.set_held(c[SpaceState::Held]);
  out.set_closed(c[SpaceState::Closed]);
  out.set_unknown(c[SpaceState::Unknown]);
  out.set_suspect(c[SpaceState::Suspect]);
  out.set_total(c.total());
}

}  // namespace

pb::StatusReply status_reply(const EngineHost& host) {
  const Engine& engine = host.engine();
  pb::StatusReply reply;
  reply.set_version(kParkdVersion);
  reply.set_now_ms(host.now());
  reply.set_clock(host.simulated_clock() ? "simulated" : "system");
  std::map<std::string, std::uint32_t> inside;
  for (const auto& [key, session] : host.desk().open_sessions()) ++inside[key.first];
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const Lot& lot = engine.lot(l);
    const Occupancy& occupancy = engine.occupancy(l);
    pb::LotStatus& out = *reply.add_lots();
    out.set_lot_id(lot.id());
    out.set_name(lot.name());
    fill_counts(*out.mutable_counts(), occupancy.lot_counts());
    for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
      pb::ZoneStatus& zone = *out.add_zones();
      zone.set_zone_id(lot.zones()[z].id);
      zone.set_name_zh(lot.zones()[z].name_zh);
      zone.set_name_en(lot.zones()[z].name_en);
      fill_counts(*zone.mutable_counts(), occupancy.zone_counts(z));
    }
    out.set_stale_sensors(occupancy.stale_sensors());
    out.set_low_battery_sensors(occupancy.low_battery_sensors());
    out.set_visitors_inside(inside[lot.id()]);
    out.set_utc_offset_minutes(lot.utc_offset_minutes());
    const auto alerts = engine.active_alert_counts(l);
    out.set_active_alerts(static_cast<std::uint32_t>(std::accumulate(alerts.begin(), alerts.end(), std::size_t{0})));
    out.set_cars_inside(engine.cars_inside(l).count());
    out.set_inside_record_begun(engine.cars_inside(l).begun());
    out.set_broker(host.broker_state(lot.id()));
  }
  return reply;
}

void fill_sensor(pb::SensorInfo& out, const Lot& lot, const Occupancy& occupancy, SpaceIndex i) {
  const SensorStatus st = occupancy.sensor_status(i);
  out.set_lot_id(lot.id());
  out.set_sensor_id(lot.spaces()[i].sensor_id);
  out.set_space_id(lot.spaces()[i].id);
  out.set_heard(st.ever_heard);
  out.set_stale(st.stale);
  out.set_last_heard_ms(st.last_heard);
  if (st.ever_heard) out.set_last_heard_local(local_time_text(st.last_heard, lot.utc_offset_minutes()));
  out.set_battery_mv(st.battery_mv);
  out.set_low_battery(st.low_battery);
  out.set_boot_id(st.boot_id);
  out.set_last_seq(st.last_seq);
  out.set_change_pending(st.change_pending);
}

pb::SpaceInfo space_info(const EngineHost& host, std::size_t l, SpaceIndex i, bool with_plate) {
  const Lot& lot = host.engine().lot(l);
  const Occupancy& occupancy = host.engine().occupancy(l);
  const Space& space = lot.spaces()[i];
  pb::SpaceInfo out;
  out.set_lot_id(lot.id());
  out.set_space_id(space.id);
  out.set_zone_id(lot.zones()[space.zone].id);
  out.set_kind(std::string(name_of(space.kind)));
  out.set_state(std::string(name_of(occupancy.state(i))));
  if (auto hold = occupancy.hold_info(i)) {
    if (with_plate) out.set_held_for(hold->plate);
    out.set_hold_expires_ms(hold->expires_at);
  }
  if (occupancy.state(i) == SpaceState::Closed) out.set_closed_reason(std::string(host.engine().closed_reason(l, i)));
  fill_sensor(*out.mutable_sensor(), lot, occupancy, i);
  out.set_strikes(static_cast<std::uint32_t>(host.engine().strikes(l, i).size()));
  return out;
}

}  // namespace parkd
