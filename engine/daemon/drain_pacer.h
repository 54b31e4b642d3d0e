// When the engine's strand takes up what Paho's thread queued: at each arrival that finds the
// queue empty (the quiet default, lowest latency), or, while messages come faster than a
// threshold, every short window (one wake-up per batch instead of one per message).
//
// Why: on a busy stream the strand's work on a report is shorter than the gap between reports,
// so it sleeps after each one and every report pays a thread wake-up (a syscall on Paho's side,
// another on the strand's). On this kind of host a wake-up costs more CPU than parkd's own work
// on a report, and each drain's transaction in the store is paid per batch too. Holding the
// queue for a window of 2 ms bounds the added latency while it lasts (the signs' frames are
// paced at 500 ms anyway); below the threshold nothing changes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace parkd {

struct DrainPacing {
  double hold_above_per_s = 5'000;  // 0: never hold, wake on every arrival
  std::chrono::microseconds window{2'000};
};

class DrainPacer {
 public:
  using Clock = std::chrono::steady_clock;
  using Settings = DrainPacing;
  // The rate is judged over periods this long: long enough that the backlog of a short stall
  // (a few dozen messages handed over at once) does not count as load, short enough that a
  // sustained stream is held within a blink.
  static constexpr std::chrono::milliseconds kPeriod{50};

  explicit DrainPacer(Settings settings = {}) : settings_(settings) {}

  // Whether the next take holds the queue (the strand then drains it again after window()
  // instead of being woken by the next arrival).
  bool holding() const { return holding_; }
  std::chrono::microseconds window() const { return settings_.window; }
  // After each take of `count` messages at `now`. Holding starts once a period's rate reaches
  // the threshold and ends once one falls under half of it (hysteresis: a stream at the
  // threshold does not switch at every period), or at once when two held drains in a row
  // brought less than a quarter of it: a stream that stops or slows to a lot's pace is let go
  // within two windows, not up to two periods later with every message meanwhile waiting for
  // the window (measured: the first ~50 reports at 1,000/s after a flood came 0.6-2.3 ms late).
  void taken(std::size_t count, Clock::time_point now);
  // How many times holding started, and how many drains were held (for /metrics).
  std::uint64_t holds_started() const { return holds_started_; }
  std::uint64_t held_drains() const { return held_drains_; }

 private:
  Settings settings_;
  bool holding_ = false;
  bool period_open_ = false;
  Clock::time_point period_start_{};
  std::uint64_t period_count_ = 0;
  // The previous held drain (its count and time) and the one before it (its time), for the
  // rate over the last two windows; a drain not held clears them.
  std::size_t last_held_count_ = 0;
  std::optional<Clock::time_point> last_held_at_;
  std::optional<Clock::time_point> held_before_at_;
  std::uint64_t holds_started_ = 0;
  std::uint64_t held_drains_ = 0;
};

}  // namespace parkd
