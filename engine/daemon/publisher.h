// Where the daemon's outgoing MQTT messages go; the MQTT sessions implement it, tests fake it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace parkd {

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Called once the broker has acknowledged a publish (QoS 1 PUBACK), on whatever thread learns
  // it (Paho's): it must only hand over and return.
  using Delivered = std::function<void()>;
  // Never blocks. Returns false when the message could not even be queued (the caller counts
  // it); a retained frame is superseded by the next one anyway. With `on_delivered`, the message
  // is sent again until the broker acknowledges it (a session the broker did not keep fails
  // what was in flight), and `on_delivered` runs once it has.
  virtual bool publish(std::string_view lot_id, const std::string& topic, std::string payload, bool retained,
                       Delivered on_delivered) = 0;
};

}  // namespace parkd
