// What parkd tells systemd when systemd started it (Type=notify): ready, alive, stopping. When
// parkd runs any other way (a terminal, the tests, the demo) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace parkd {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID once, through libsystemd.
  ServiceNotifier();

  // How often systemd wants to hear from parkd, when it runs a watchdog for it.
  std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_timeout_; }

  // READY=1 with a one-line status (`systemctl status parkd` shows it).
  void ready(std::string_view status) const;
  void alive() const;  // WATCHDOG=1
  void stopping(std::string_view status) const;

 private:
  std::optional<std::chrono::microseconds> watchdog_timeout_;
};

}  // namespace parkd
