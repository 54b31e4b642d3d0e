// Per-device rate limits in front of everything else parkd does with a message: a token bucket
// per (kind, lot, device) from the topic, so one flooding sensor or camera costs parkd a hash
// lookup per message instead of a decode, a commit or the engine's time. Pure; not thread-safe
// (parkd calls it on Paho's one receive thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parkd {

struct ThrottleLimits {
  double per_second = 5;   // sustained rate
  double burst = 20;       // messages allowed at once after a quiet spell
};

class DeviceThrottle {
 public:
  // At most `max_devices` buckets are remembered; devices beyond share one bucket, so topics
  // with ever new device ids (a misconfigured or hostile client) cannot grow memory.
  DeviceThrottle(ThrottleLimits limits, std::size_t max_devices = 4'096);

  // True when the device may send one more message at `now_ms` (a monotonic clock).
  bool admit(std::string_view device, std::int64_t now_ms);

  std::size_t devices() const { return buckets_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t refilled_at = 0;
  };
  bool take(Bucket& b, std::int64_t now_ms);

  ThrottleLimits limits_;
  std::size_t max_devices_;
  std::unordered_map<std::string, Bucket> buckets_;
  Bucket overflow_;
  bool overflow_started_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace parkd
