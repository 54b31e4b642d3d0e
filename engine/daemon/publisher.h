// Where the daemon's outgoing MQTT messages go; the MQTT sessions implement it, tests fake it.
#pragma once

#include <string>
#include <string_view>

namespace parkd {

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Never blocks. Returns false when the message could not even be queued (it is then counted
  // and logged by the implementation); a retained frame is superseded by the next one anyway.
  virtual bool publish(std::string_view lot_id, const std::string& topic, std::string payload, bool retained) = 0;
};

}  // namespace parkd
