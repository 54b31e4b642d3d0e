// How many MQTT sessions connect at once: a FIFO of those waiting for a slot.
#include "connect_limiter.h"

#include <algorithm>
#include <utility>

namespace parkd {

namespace {
template <typename Queue, typename Owner>
auto find_owner(Queue& queue, Owner owner) {
  return std::find_if(queue.begin(), queue.end(), [owner](const auto& w) { return w.owner == owner; });
}
}  // namespace

void ConnectLimiter::acquire(Owner owner, Start start) {
  if (holding_.count(owner) > 0) return start();
  if (find_owner(queue_, owner) != queue_.end()) return;
  queue_.push_back(Waiting{owner, std::move(start)});
  admit();
}

void ConnectLimiter::release(Owner owner) {
  if (holding_.erase(owner) > 0) return admit();
  if (const auto it = find_owner(queue_, owner); it != queue_.end()) queue_.erase(it);
}

void ConnectLimiter::admit() {
  while (!queue_.empty() && (limit_ == 0 || holding_.size() < limit_)) {
    Waiting next = std::move(queue_.front());
    queue_.pop_front();
    holding_.insert(next.owner);
    // A start may release at once (an attempt that fails on the spot): that re-enters admit(),
    // which takes the next in line; this loop then finds the state as that call left it.
    next.start();
  }
}

}  // namespace parkd
