// Decodes and checks SensorReport payloads into the core's SensorReading; counts each rejection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/sensor_reading.h"
#include "parking/v1/messages.pb.h"

namespace parkd {

enum class DecodeRejection : std::uint8_t {
  Oversized,      // payload above the size limit: not even parsed
  Malformed,      // not a SensorReport
  MissingField,   // sensor_id, space_id or kind absent
  AbsurdField,    // a value no sensor can send
  TopicMismatch,  // the payload's sensor_id is not the one in the topic
};
inline constexpr std::size_t kDecodeRejectionCount = 5;
std::string_view name_of(DecodeRejection r);

struct DecodedReport {
  std::optional<SensorReading> reading;  // views into the decoder: valid until the next decode()
  DecodeRejection rejection = DecodeRejection::Malformed;
  std::string_view detail;               // which field and why, for the log line
};

class SensorReportDecoder {
 public:
  static constexpr std::size_t kDefaultMaxPayload = 512;
  static constexpr std::uint32_t kMaxBatteryMv = 10'000;
  static constexpr std::size_t kMaxIdLength = 64;

  // `slots` readings can be alive at once (a batch): each decode() names the slot it fills.
  explicit SensorReportDecoder(std::size_t max_payload = kDefaultMaxPayload, std::size_t slots = 1)
      : max_payload_(max_payload), messages_(slots) {}

  // `lot_id` and `topic_sensor_id` come from the topic the payload arrived on. The reading's
  // views stay valid until the same slot is decoded into again.
  DecodedReport decode(std::string_view lot_id, std::string_view topic_sensor_id, std::string_view payload,
                       std::size_t slot = 0);
  std::size_t slots() const { return messages_.size(); }

  std::uint64_t rejected(DecodeRejection r) const { return rejected_[static_cast<std::size_t>(r)]; }
  std::uint64_t decoded() const { return decoded_; }

 private:
  DecodedReport reject(DecodeRejection r, std::string_view detail);

  std::size_t max_payload_;
  std::vector<parking::v1::SensorReport> messages_;  // reused: parsing keeps their string buffers
  std::array<std::uint64_t, kDecodeRejectionCount> rejected_{};
  std::uint64_t decoded_ = 0;
};

}  // namespace parkd
