// Decodes and checks GateEvent payloads from the gate cameras; counts each rejection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/gate_desk.h"
#include "parking/v1/messages.pb.h"
#include "sensor_report_decoder.h"

namespace parkd {

struct DecodedGateEvent {
  std::optional<GateEventIn> event;
  DecodeRejection rejection = DecodeRejection::Malformed;
  std::string_view detail;
};

class GateEventDecoder {
 public:
  static constexpr std::size_t kMaxPayload = 512;
  static constexpr std::size_t kMaxPlateBytes = 32;

  // An unreadable plate (empty) is not rejected here: the gate still needs a decision.
  DecodedGateEvent decode(std::string_view lot_id, std::string_view topic_gate_id, std::string_view payload);
  std::uint64_t rejected(DecodeRejection r) const { return rejected_[static_cast<std::size_t>(r)]; }

 private:
  DecodedGateEvent reject(DecodeRejection r, std::string_view detail);

  parking::v1::GateEvent message_;
  std::array<std::uint64_t, kDecodeRejectionCount> rejected_{};
};

}  // namespace parkd
