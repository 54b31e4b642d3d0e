// Limits, the gate inbox and the queue to the strand, on Paho's receive thread.
#include "message_intake.h"

#include "parking/v1/messages.pb.h"
#include "sensors/gate_event_decoder.h"
#include "sensors/topic.h"

namespace parkd {

TimeMs system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MessageIntake::MessageIntake(const std::vector<const Lot*>& lots, GateInbox* inbox) : inbox_(inbox) {
  for (const Lot* lot : lots) {
    for (const Gate& gate : lot->gates()) known_cameras_.insert(lot->id() + "/" + gate.id);
  }
}

bool MessageIntake::push(std::string topic, std::string payload) {
  IncomingMessage incoming{std::move(topic), std::move(payload), std::chrono::steady_clock::now(), 0, system_now_ms()};
  const Topic t = parse_topic(incoming.topic);  // views into incoming.topic
  bool known_camera = false;
  if (t.kind == TopicKind::SensorReport || t.kind == TopicKind::GateEvent) {
    const bool report = t.kind == TopicKind::SensorReport;
    // The arrival's own time: a clock read costs more than a hash lookup on a VM's clock.
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(incoming.received.time_since_epoch()).count();
    std::string device(t.lot_id);
    device += '/';
    device += t.device_id;
    known_camera = !report && known_cameras_.contains(device);
    const bool admitted = (report ? sensor_throttle_ : gate_throttle_).admit(device, now_ms);
    if (!admitted && known_camera) {
      // A camera of the lot is never throttled: the broker counts its events as delivered when
      // this returns, so dropping one would lose it. After parkd was away, the broker replays a
      // camera's backlog at once; a camera that floods shows here and in /metrics instead.
      ++cameras_over_rate_;
      log_.warn("limits", "camera_over_rate",
                "{} sends faster than its limit (a backlog after a restart, or a faulty camera): every event is still "
                "kept and decided",
                incoming.topic);
    } else if (!admitted) {
      ++(report ? throttled_reports_ : throttled_gate_events_);
      log_.warn("limits", report ? "sensor_flood" : "camera_flood", "{} sends faster than its limit: dropping ({})",
                incoming.topic, report ? "sensor report" : "gate event of an unknown gate");
      return false;
    }
  }
  parking::v1::GateEvent event;
  // A payload that cannot be keyed, or one from a gate the lot does not have, is not kept: the
  // strand rejects it.
  const bool keep = inbox_ != nullptr && known_camera && incoming.payload.size() <= GateEventDecoder::kMaxPayload &&
                    event.ParseFromString(incoming.payload) && event.seq() > 0;
  if (!keep) return queue(std::move(incoming));
  // Appended in the order the strand takes them (the inbox lets go of everything up to a
  // position at once): one append and its queueing at a time.
  std::lock_guard lock(append_mutex_);
  const InboxEvent kept{std::string(t.lot_id), std::string(t.device_id), event.seq(), incoming.payload, incoming.topic,
                        incoming.received_at};
  if (auto e = inbox_->append(kept, incoming.inbox_position)) {
    Log::error("gates", "cannot keep the gate event {} #{}: {}; deciding it anyway", incoming.topic, event.seq(),
               e.message());
  }
  return queue(std::move(incoming));
}

bool MessageIntake::queue(IncomingMessage message) {
  std::lock_guard lock(arrived_mutex_);
  arrived_.push_back(std::move(message));
  if (wake_asked_) return false;
  wake_asked_ = true;
  return true;
}

void MessageIntake::take(std::vector<IncomingMessage>& batch, bool hold) {
  batch.clear();
  std::lock_guard lock(arrived_mutex_);
  batch.swap(arrived_);
  wake_asked_ = hold;
}

}  // namespace parkd
