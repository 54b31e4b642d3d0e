// Checks of what gate cameras send.
#include "gate_event_decoder.h"

#include <algorithm>

namespace parkd {

DecodedGateEvent GateEventDecoder::reject(DecodeRejection r, std::string_view detail) {
  ++rejected_[static_cast<std::size_t>(r)];
  return DecodedGateEvent{std::nullopt, r, detail};
}

DecodedGateEvent GateEventDecoder::decode(std::string_view lot_id, std::string_view topic_gate_id,
                                          std::string_view payload) {
  if (payload.size() > kMaxPayload) return reject(DecodeRejection::Oversized, "payload above the size limit");
  if (!message_.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return reject(DecodeRejection::Malformed, "payload is not a GateEvent");
  }
  const auto& m = message_;
  if (m.gate_id().empty()) return reject(DecodeRejection::MissingField, "gate_id is empty");
  if (m.direction() == parking::v1::DIRECTION_UNSPECIFIED) return reject(DecodeRejection::MissingField, "direction is not set");
  if (m.direction() != parking::v1::DIRECTION_ENTRY && m.direction() != parking::v1::DIRECTION_EXIT) {
    return reject(DecodeRejection::AbsurdField, "direction is not ENTRY or EXIT");
  }
  if (m.seq() == 0) return reject(DecodeRejection::MissingField, "seq is 0");
  if (m.plate().size() > kMaxPlateBytes) return reject(DecodeRejection::AbsurdField, "plate longer than 32 bytes");
  if (m.gate_id() != topic_gate_id) return reject(DecodeRejection::TopicMismatch, "gate_id differs from the topic's gate");
  return DecodedGateEvent{GateEventIn{std::string(lot_id), m.gate_id(), m.seq(), m.plate(),
                                      m.direction() == parking::v1::DIRECTION_ENTRY, std::max<std::int64_t>(m.at_ms(), 0)},
                          DecodeRejection::Malformed, {}};
}

}  // namespace parkd
