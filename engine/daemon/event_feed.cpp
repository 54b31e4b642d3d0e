// The event feed: render once per audience, offer to each stream, forget the closed ones.
#include "event_feed.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "api_messages.h"
#include "wire.h"

namespace parkd {

EventFeed::EventFeed(EngineHost& host) : host_(host), heartbeat_(host.strand()) {}

void EventFeed::start() { heartbeat(); }

std::shared_ptr<const std::string> EventFeed::event_text(const char* type, const std::string& json) {
  // Protobuf's JSON has no raw newline (strings escape theirs), so the data is one line.
  return std::make_shared<const std::string>(std::string("event: ") + type + "\ndata: " + json + "\n\n");
}

bool EventFeed::subscribe(std::shared_ptr<EventStream> stream, bool with_plates) {
  if (subscribers_.size() >= kMaxSubscribers) return false;
  // The client starts from the whole picture: the status now; the spaces come from /v1/spaces.
  if (!stream->offer(event_text("status", to_json(status_reply(host_))))) return true;
  for (const std::string& payload : host_.last_frames()) {  // the signs as they show now
    parking::v1::DisplayFrame frame;
    if (frame.ParseFromString(payload) && !stream->offer(event_text("frame", to_json(frame)))) return true;
  }
  subscribers_.push_back(Subscriber{std::move(stream), with_plates});
  return true;
}

void EventFeed::send(const char* type, const std::string& with_plates, const std::string& without) {
  std::shared_ptr<const std::string> full, masked;
  const auto before = subscribers_.size();
  std::erase_if(subscribers_, [&](Subscriber& s) {
    auto& text = s.with_plates ? full : masked;
    if (!text) text = event_text(type, s.with_plates ? with_plates : without);
    ++events_sent_;
    return !s.stream->offer(text);
  });
  dropped_ += before - subscribers_.size();
}

void EventFeed::space_changed(std::size_t lot, SpaceIndex space) {
  if (subscribers_.empty()) return;
  if (changed_.empty()) boost::asio::post(host_.strand(), [this] { send_changed_spaces(); });
  changed_.emplace(lot, space);
}

void EventFeed::send_changed_spaces() {
  for (const auto& [lot, space] : std::exchange(changed_, {})) {
    if (subscribers_.empty()) return;
    send("space", to_json(space_info(host_, lot, space, true)), to_json(space_info(host_, lot, space, false)));
  }
}

void EventFeed::frame_published(const DisplayFrame& frame) {
  if (subscribers_.empty()) return;
  const std::string json = to_json(to_message(frame));  // a sign shows no plate
  send("frame", json, json);
}

void EventFeed::decision_sent(const std::string& payload) {
  if (subscribers_.empty()) return;
  parking::v1::GateDecision d;
  if (!d.ParseFromString(payload)) return;
  const std::string full = to_json(d);
  // A viewer sees what happened at the gate, not whose car: the messages may quote a misread plate.
  d.clear_plate();
  d.clear_message_zh();
  d.clear_message_en();
  send("decision", full, to_json(d));
}

void EventFeed::heartbeat() {
  if (!subscribers_.empty()) {
    const std::string json = to_json(status_reply(host_));
    send("status", json, json);
  }
  heartbeat_.expires_after(kHeartbeat);
  heartbeat_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) heartbeat();
  });
}

}  // namespace parkd
