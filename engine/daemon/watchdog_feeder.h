// Feeds systemd's watchdog from the engine's strand: when the engine is stuck (a handler that
// never returns, a dead lock), the strand stops running this timer, the watchdog goes hungry and
// systemd restarts parkd (Restart=on-failure), whose outbox and gate inbox carry what was pending.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace parkd {

class WatchdogFeeder {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Calls `feed` every `timeout / 2`, on `strand`, until stop().
  WatchdogFeeder(Strand strand, std::chrono::microseconds timeout, std::function<void()> feed);

  void start();
  void stop();

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds period_;
  std::function<void()> feed_;
  bool stopped_ = false;
};

}  // namespace parkd
