// Frames to the signs, kept for reconnects, with the change-to-frame latency.
#include "frame_relay.h"

#include "sensors/topic.h"
#include "wire.h"

namespace parkd {

void FrameRelay::publish(const DisplayFrame& frame) {
  const std::string topic = display_frame_topic(frame.lot_id, frame.display_id);
  std::string payload = to_message(frame).SerializeAsString();
  last_frames_[topic] = {frame.lot_id, payload};
  if (publisher_.publish(frame.lot_id, topic, std::move(payload), true, {})) {
    if (auto it = unshown_change_since_.find(frame.lot_id); it != unshown_change_since_.end()) {
      counters_.ingest_to_frame.observe(std::chrono::steady_clock::now() - it->second);
      lots_framed_.push_back(frame.lot_id);  // every display of the lot counts, then it is shown
    }
    ++counters_.published;
    ++counters_.by_display[frame.lot_id + "/" + frame.display_id];
  } else {
    ++counters_.dropped;
    log_.warn("signs", "frame_dropped", "frame for {} not sent (broker unreachable or busy); it goes out on reconnect", topic);
  }
}

void FrameRelay::settled() {
  for (const std::string& lot : lots_framed_) unshown_change_since_.erase(lot);
  lots_framed_.clear();
}

void FrameRelay::republish(const std::string& lot_id) {
  for (const auto& [topic, last] : last_frames_) {
    if (last.first == lot_id && publisher_.publish(lot_id, topic, last.second, true, {})) ++counters_.published;
  }
}

}  // namespace parkd
