// DrainPacer: the per-period rate and the hold decision with its hysteresis.
#include "drain_pacer.h"

namespace parkd {

void DrainPacer::taken(std::size_t count, Clock::time_point now) {
  if (holding_) {
    ++held_drains_;
    if (held_before_at_) {
      const double seconds = std::chrono::duration<double>(now - *held_before_at_).count();
      if (static_cast<double>(count + last_held_count_) < settings_.hold_above_per_s / 4 * seconds) {
        holding_ = false;
        period_open_ = false;  // the next period starts with the slower stream
        last_held_at_.reset();
        held_before_at_.reset();
        return;
      }
    }
    held_before_at_ = last_held_at_;
    last_held_at_ = now;
    last_held_count_ = count;
  } else {
    last_held_at_.reset();
    held_before_at_.reset();
  }
  if (!period_open_) {
    period_open_ = true;
    period_start_ = now;
    period_count_ = 0;
  }
  period_count_ += count;
  const auto elapsed = now - period_start_;
  if (elapsed < kPeriod) return;
  const double per_s = static_cast<double>(period_count_) / std::chrono::duration<double>(elapsed).count();
  const double threshold = settings_.hold_above_per_s;
  const bool hold = threshold > 0 && per_s >= (holding_ ? threshold / 2 : threshold);
  if (hold && !holding_) ++holds_started_;
  holding_ = hold;
  period_start_ = now;
  period_count_ = 0;
}

}  // namespace parkd
