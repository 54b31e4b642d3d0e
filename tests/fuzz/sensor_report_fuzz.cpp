// Fuzz target: SensorReport payloads from a sensor on topic .../sensors/A01/report. Whatever the
// bytes, the decoder either rejects them with a reason or yields a reading that names the
// topic's sensor and has every field within the limits the core relies on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "sensors/sensor_report_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static parkd::SensorReportDecoder decoder(parkd::SensorReportDecoder::kDefaultMaxPayload, 4);
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const std::size_t slot = size == 0 ? 0 : data[size - 1] % decoder.slots();
  const parkd::DecodedReport d = decoder.decode("xj5", "A01", payload, slot);
  if (!d.reading) {
    FUZZ_CHECK(!d.detail.empty());
    return 0;
  }
  const parkd::SensorReading& r = *d.reading;
  FUZZ_CHECK(size <= parkd::SensorReportDecoder::kDefaultMaxPayload);
  FUZZ_CHECK(r.lot_id == "xj5");
  FUZZ_CHECK(r.sensor_id == "A01");
  FUZZ_CHECK(!r.space_id.empty() && r.space_id.size() <= parkd::SensorReportDecoder::kMaxIdLength);
  FUZZ_CHECK(r.battery_mv <= parkd::SensorReportDecoder::kMaxBatteryMv);
  return 0;
}
