// The signs' side of the engine host: each frame the engine makes goes to its display's
// retained topic, the last one of each display is kept to be put back after a reconnect, and
// the time from a change to the frame that shows it is measured. On the strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/display_frame.h"
#include "latency_histogram.h"
#include "log.h"
#include "publisher.h"

namespace parkd {

class FrameRelay {
 public:
  struct Counters {
    std::uint64_t published = 0;
    std::map<std::string, std::uint64_t> by_display;  // "lot/display" -> frames sent
    std::uint64_t dropped = 0;
    // From the arrival (Paho's callback) of the message that changed a space, or for a change a
    // debounce released from that moment, to the next frame of its lot handed to the broker
    // (the frame interval's wait included).
    LatencyHistogram ingest_to_frame;
  };

  explicit FrameRelay(Publisher& publisher) : publisher_(publisher) {}

  // A space of `lot` changed, in the work that began at `since`: the lot's next frame shows it.
  void change_seen(const std::string& lot, std::chrono::steady_clock::time_point since) {
    unshown_change_since_.try_emplace(lot, since);
  }
  void publish(const DisplayFrame& frame);
  // The end of a settle: every display of the lots framed in it has its frame, so their
  // changes count as shown.
  void settled();
  // A (re)connected session: the last frame of each of the lot's displays again.
  void republish(const std::string& lot_id);

  const Counters& counters() const { return counters_; }
  // The last frame sent to each display (parking.v1.DisplayFrame payloads), in topic order.
  std::vector<std::string> last_frames() const {
    std::vector<std::string> out;
    for (const auto& [topic, frame] : last_frames_) out.push_back(frame.second);
    return out;
  }

 private:
  Publisher& publisher_;
  Counters counters_;
  RateLimitedLog log_;
  std::map<std::string, std::pair<std::string, std::string>> last_frames_;  // topic -> (lot, payload)
  // Per lot: since when a change waits for a frame; cleared once a settle has sent its frames.
  std::map<std::string, std::chrono::steady_clock::time_point> unshown_change_since_;
  std::vector<std::string> lots_framed_;  // lots that sent a frame in the current settle
};

}  // namespace parkd
