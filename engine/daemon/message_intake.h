// Where MQTT messages enter parkd, on Paho's receive thread: per-device rate limits first, a
// gate event of a lot's camera written to the gate inbox before Paho acknowledges it, then the
// message queued for the engine's strand. The strand takes what arrived in batches and never
// waits for the disk.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/gate_inbox.h"
#include "core/lot.h"
#include "core/time_ms.h"
#include "log.h"
#include "sensors/device_throttle.h"

namespace parkd {

// The system clock in Unix milliseconds: what IncomingMessage::received_at records, and
// parkd's time without --sim-clock.
TimeMs system_now_ms();

// A message as it arrived (or as the inbox kept it before a restart).
struct IncomingMessage {
  std::string topic;
  std::string payload;
  std::chrono::steady_clock::time_point received{};  // default: recovered from the store
  InboxPosition inbox_position = 0;                    // 0: not a gate event in the inbox
  TimeMs received_at = 0;                              // system time, for the record
};

class MessageIntake {
 public:
  // `inbox` may be null: gate events are then not kept before their acknowledgement.
  MessageIntake(const std::vector<const Lot*>& lots, GateInbox* inbox);

  // Before the first push(); Paho's thread owns them afterwards.
  void set_limits(ThrottleLimits sensors, ThrottleLimits gates) {
    sensor_throttle_ = DeviceThrottle(sensors);
    gate_throttle_ = DeviceThrottle(gates);
  }

  // Paho's thread (one at a time): returns once a gate event is kept, so Paho's acknowledgement
  // follows its write. True when the caller must wake the strand: nothing was queued, or the
  // last take() let go of the queue.
  bool push(std::string topic, std::string payload);
  // The strand: everything that arrived, in order, into `batch` (cleared first; its capacity is
  // kept for the next arrivals). `hold`: the strand drains again on its own within a short
  // window (DrainPacer), so no push() until then asks for a wake-up.
  void take(std::vector<IncomingMessage>& batch, bool hold);

  // Dropped by the per-device limits: sensor reports, gate events of gates no lot has.
  std::uint64_t throttled_reports() const { return throttled_reports_.load(); }
  std::uint64_t throttled_gate_events() const { return throttled_gate_events_.load(); }
  // A lot's camera above its limit: kept and decided all the same, never dropped once acknowledged.
  std::uint64_t cameras_over_rate() const { return cameras_over_rate_.load(); }

 private:
  bool queue(IncomingMessage message);

  GateInbox* inbox_;
  std::unordered_set<std::string> known_cameras_;  // "lot/gate"; read-only once constructed
  DeviceThrottle sensor_throttle_{ThrottleLimits{5, 20}};
  DeviceThrottle gate_throttle_{ThrottleLimits{10, 50}};
  RateLimitedLog log_;
  std::atomic<std::uint64_t> throttled_reports_{0};
  std::atomic<std::uint64_t> throttled_gate_events_{0};
  std::atomic<std::uint64_t> cameras_over_rate_{0};
  std::mutex append_mutex_;   // an inbox append and its queueing, in one order
  std::mutex arrived_mutex_;  // arrived_ and wake_asked_ only: never held across a write to the disk
  std::vector<IncomingMessage> arrived_;
  bool wake_asked_ = false;  // a drain will come without another wake-up
};

}  // namespace parkd
