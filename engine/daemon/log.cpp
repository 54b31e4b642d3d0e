// Log line formatting and the rate limit of repeated warnings.
#include "log.h"

#include <cstdio>
#include <ctime>

namespace parkd {

namespace {
std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERROR";
  }
  return "INFO";
}
}  // namespace

void Log::write(LogLevel level, std::string_view component, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  // One fwrite per line: lines from different threads never interleave.
  const std::string line = fmt::format("{}.{:03}Z {:5} {}: {}\n", stamp, ms, level_name(level), component, message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool RateLimitedLog::admit(std::string_view component, std::string_view kind) {
  const std::int64_t minute =
      std::chrono::duration_cast<std::chrono::minutes>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::uint64_t held_back = 0;
  bool admit = false;
  {
    std::lock_guard lock(mutex_);
    Window& w = windows_[std::string(component) + "/" + std::string(kind)];
    if (w.minute != minute) {
      held_back = w.held_back;
      w = Window{minute, 0, 0};
    }
    if (w.written < per_minute_) {
      ++w.written;
      admit = true;
    } else {
      ++w.held_back;
    }
  }
  if (held_back > 0) {
    Log::warn(component, "{} more '{}' lines were held back in the last minute", held_back, kind);
  }
  return admit;
}

}  // namespace parkd
