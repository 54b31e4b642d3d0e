// parkd's log: one line per event on stderr — UTC time, level, component, message (or, under
// systemd, the journal's priority prefix and no time of its own) — with a
// per-kind rate limit so a flood of bad input cannot fill the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/core.h>

namespace parkd {

enum class LogLevel { Debug, Info, Warn, Error };

class Log {
 public:
  static void write(LogLevel level, std::string_view component, std::string_view message);

  template <typename... Args>
  static void info(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
    write(LogLevel::Info, component, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static void warn(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
    write(LogLevel::Warn, component, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static void error(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
    write(LogLevel::Error, component, fmt::format(f, std::forward<Args>(args)...));
  }
};

// Lets through at most `per_minute` lines of each kind per minute; when a new minute starts,
// says how many of that kind were held back. Thread-safe.
class RateLimitedLog {
 public:
  explicit RateLimitedLog(std::uint32_t per_minute = 20) : per_minute_(per_minute) {}

  template <typename... Args>
  void warn(std::string_view component, std::string_view kind, fmt::format_string<Args...> f, Args&&... args) {
    if (admit(component, kind)) Log::write(LogLevel::Warn, component, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void error(std::string_view component, std::string_view kind, fmt::format_string<Args...> f, Args&&... args) {
    if (admit(component, kind)) Log::write(LogLevel::Error, component, fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  struct Window {
    std::int64_t minute = 0;
    std::uint32_t written = 0;
    std::uint64_t held_back = 0;
  };
  bool admit(std::string_view component, std::string_view kind);

  std::uint32_t per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace parkd
