// The sd_notify(3) messages parkd sends to systemd.
#include "service_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace parkd {

ServiceNotifier::ServiceNotifier() {
  std::uint64_t usec = 0;
  // Checks WATCHDOG_PID too: a child parkd started from a supervised shell gets no watchdog.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_timeout_ = std::chrono::microseconds(static_cast<std::int64_t>(usec));
  }
}

void ServiceNotifier::ready(std::string_view status) const {
  sd_notify(0, ("READY=1\nSTATUS=" + std::string(status)).c_str());
}

void ServiceNotifier::alive() const { sd_notify(0, "WATCHDOG=1"); }

void ServiceNotifier::stopping(std::string_view status) const {
  sd_notify(0, ("STOPPING=1\nSTATUS=" + std::string(status)).c_str());
}

}  // namespace parkd
