// How many of a process's MQTT sessions may be connecting at once: the rest wait their turn, in
// the order they asked. Pure bookkeeping (no timers, no threads): MqttSession asks for a slot
// before each connect and gives it back when the broker has answered its subscriptions, or the
// attempt failed.
//
// Why: a thousand lots' sessions connecting to a NATS cluster at once (a start, or the death of
// the node they were on) make a thousand JetStream sessions and two thousand consumers at once;
// the nodes fell behind, every CONNACK came after the client's 3 s connect timeout, the clients
// tried again on one schedule, and in three of six starts no session came up within 400 s
// (docs/scaling.md, "a thousand sessions connecting at once"). With a few dozen at a time the
// nodes answer each within its timeout.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <unordered_set>

namespace parkd {

class ConnectLimiter {
 public:
  using Owner = const void*;  // who asks: at most one slot or place in the queue each
  using Start = std::function<void()>;

  // `limit`: connects under way at once (0: no limit).
  explicit ConnectLimiter(std::size_t limit) : limit_(limit) {}

  // Runs `start` now when a slot is free, otherwise once one is, after those that asked before.
  // An owner waiting already keeps its place (and the start it gave); one that holds a slot
  // starts again at once, in that slot (its release for the attempt before may still be on its
  // way: better one attempt too many under way than an owner that never starts).
  void acquire(Owner owner, Start start);
  // The owner's attempt is over: its slot goes to the next in line, whose start runs inside this
  // call. An owner still waiting leaves the queue; one with neither changes nothing.
  void release(Owner owner);

  std::size_t in_flight() const { return holding_.size(); }
  std::size_t waiting() const { return queue_.size(); }
  std::size_t limit() const { return limit_; }

 private:
  struct Waiting {
    Owner owner;
    Start start;
  };
  void admit();  // starts those waiting while slots are free

  std::size_t limit_;
  std::unordered_set<Owner> holding_;
  std::deque<Waiting> queue_;
};

}  // namespace parkd
