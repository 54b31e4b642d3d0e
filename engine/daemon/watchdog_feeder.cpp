// The watchdog's timer on the engine's strand.
#include "watchdog_feeder.h"

namespace parkd {

WatchdogFeeder::WatchdogFeeder(Strand strand, std::chrono::microseconds timeout, std::function<void()> feed)
    : timer_(std::move(strand)), period_(timeout / 2), feed_(std::move(feed)) {}

void WatchdogFeeder::start() {
  feed_();
  arm();
}

void WatchdogFeeder::stop() {
  stopped_ = true;
  timer_.cancel();
}

void WatchdogFeeder::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    feed_();
    arm();
  });
}

}  // namespace parkd
