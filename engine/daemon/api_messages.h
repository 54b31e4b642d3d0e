// The control API's messages (proto/parking/v1/control.proto) made from the engine's state, and
// their JSON: one place for what /v1/status, /v1/spaces and the event feed say.
#pragma once

#include <cstddef>
#include <string>

#include <google/protobuf/message.h>

#include "engine_host.h"
#include "parking/v1/control.pb.h"

namespace parkd {

// Protobuf's JSON mapping with the field names of the .proto and every field written.
std::string to_json(const google::protobuf::Message& m);

parking::v1::StatusReply status_reply(const EngineHost& host);
void fill_sensor(parking::v1::SensorInfo& out, const Lot& lot, const Occupancy& occupancy, SpaceIndex i);
// `with_plate`: the plate a held space waits for (guards and above).
parking::v1::SpaceInfo space_info(const EngineHost& host, std::size_t lot, SpaceIndex i, bool with_plate);

}  // namespace parkd
