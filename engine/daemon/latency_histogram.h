// A Prometheus histogram of latencies in seconds, with fixed buckets from 50 µs to 1 s (fine
// below 2 ms, where a stage of one report lives).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace parkd {

class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
                                                     0.01,    0.025,  0.05,    0.1,    0.25,  0.5,   1.0};
  void observe(std::chrono::steady_clock::duration d) {
    const double seconds = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    ++counts_[i];
    sum_ += seconds;
    ++count_;
  }
  void add(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    sum_ += other.sum_;
    count_ += other.count_;
  }
  // Non-cumulative counts; the last is above every bound.
  const std::array<std::uint64_t, kBounds.size() + 1>& counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace parkd
