// Token buckets refilled lazily on each message of their device.
#include "device_throttle.h"

#include <algorithm>

namespace parkd {

DeviceThrottle::DeviceThrottle(ThrottleLimits limits, std::size_t max_devices)
    : limits_(limits), max_devices_(max_devices) {}

bool DeviceThrottle::take(Bucket& b, std::int64_t now_ms) {
  const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.refilled_at)) / 1000.0;
  b.tokens = std::min(limits_.burst, b.tokens + elapsed_s * limits_.per_second);
  b.refilled_at = now_ms;
  if (b.tokens < 1.0) {
    ++dropped_;
    return false;
  }
  b.tokens -= 1.0;
  return true;
}

bool DeviceThrottle::admit(std::string_view device, std::int64_t now_ms) {
  auto it = buckets_.find(std::string(device));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_devices_) {
      if (!overflow_started_) overflow_ = Bucket{limits_.burst, now_ms};
      overflow_started_ = true;
      return take(overflow_, now_ms);
    }
    it = buckets_.emplace(std::string(device), Bucket{limits_.burst, now_ms}).first;
  }
  return take(it->second, now_ms);
}

}  // namespace parkd
