// Log line formatting and the rate limit of repeated warnings.
#include "log.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
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
// systemd's journal stamps each line itself and reads a "<N>" prefix as its priority
// (sd-daemon(3)); it sets JOURNAL_STREAM to the device and inode of the stream it reads, so a
// stderr redirected elsewhere by parkd's caller keeps the timestamped form.
bool stderr_is_the_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return st.st_dev == device && st.st_ino == inode;
}

int journal_priority(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return 7;
    case LogLevel::Info: return 6;
    case LogLevel::Warn: return 4;
    case LogLevel::Error: return 3;
  }
  return 6;
}
}  // namespace

void Log::write(LogLevel level, std::string_view component, std::string_view message) {
  static const bool journal = stderr_is_the_journal();
  if (journal) {
    const std::string line = fmt::format("<{}>{}: {}\n", journal_priority(level), component, message);
    std::fwrite(line.data(), 1, line.size(), stderr);
    return;
  }
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
