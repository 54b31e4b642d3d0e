// Fuzz target: GateEvent payloads from the camera on topic .../gates/north/event. The decoder
// either rejects them with a reason or yields an event of that gate, with a bounded plate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "sensors/gate_event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static parkd::GateEventDecoder decoder;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const parkd::DecodedGateEvent d = decoder.decode("xj5", "north", payload);
  if (!d.event) {
    FUZZ_CHECK(!d.detail.empty());
    return 0;
  }
  FUZZ_CHECK(size <= parkd::GateEventDecoder::kMaxPayload);
  FUZZ_CHECK(d.event->lot_id == "xj5");
  FUZZ_CHECK(d.event->gate_id == "north");
  FUZZ_CHECK(d.event->seq > 0);
  FUZZ_CHECK(d.event->plate.size() <= parkd::GateEventDecoder::kMaxPlateBytes);
  return 0;
}
