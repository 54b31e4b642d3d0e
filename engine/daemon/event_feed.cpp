// The event feed: gather, render once per audience, one write per browser per flush.
#include "event_feed.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "api_messages.h"
#include "wire.h"

namespace parkd {

EventFeed::EventFeed(EngineHost& host) : host_(host), heartbeat_(host.strand()), flush_timer_(host.strand()) {}

void EventFeed::start() { heartbeat(); }

void EventFeed::append(std::string& batch, const char* type, const std::string& json) {
  // Protobuf's JSON has no raw newline (strings escape theirs), so the data is one line.
  batch += "event: ";
  batch += type;
  batch += "\ndata: ";
  batch += json;
  batch += "\n\n";
}

bool EventFeed::subscribe(std::shared_ptr<EventStream> stream, bool with_plates) {
  if (subscribers_.size() >= kMaxSubscribers) return false;
  // The client starts from the whole picture: the status and the signs now; the spaces come
  // from /v1/spaces.
  std::string first;
  append(first, "status", to_json(status_reply(host_)));
  for (const std::string& payload : host_.last_frames()) {
    parking::v1::DisplayFrame frame;
    if (frame.ParseFromString(payload)) append(first, "frame", to_json(frame));
  }
  if (!stream->offer(std::make_shared<const std::string>(std::move(first)))) return true;
  subscribers_.push_back(Subscriber{std::move(stream), with_plates});
  return true;
}

void EventFeed::send(std::shared_ptr<const std::string> with_plates, std::shared_ptr<const std::string> without) {
  if (subscribers_.empty()) return;
  offer_from(std::make_shared<const std::vector<Subscriber>>(subscribers_), 0, std::move(with_plates), std::move(without));
}

void EventFeed::offer_from(std::shared_ptr<const std::vector<Subscriber>> targets, std::size_t from,
                           std::shared_ptr<const std::string> with_plates, std::shared_ptr<const std::string> without) {
  // Each offer writes to a socket at once: fifty browsers in one turn of the strand kept a
  // report that came meanwhile waiting for all fifty writes. A few per turn, and what arrived
  // in between goes first.
  const std::size_t to = std::min(from + kOffersPerTurn, targets->size());
  for (std::size_t i = from; i < to; ++i) {
    const Subscriber& s = (*targets)[i];
    if (s.stream->offer(s.with_plates ? with_plates : without)) continue;
    const auto before = subscribers_.size();
    std::erase_if(subscribers_, [&](const Subscriber& t) { return t.stream == s.stream; });
    dropped_ += before - subscribers_.size();
  }
  if (to == targets->size()) return;
  boost::asio::post(host_.strand(), [this, targets = std::move(targets), to, with_plates = std::move(with_plates),
                                     without = std::move(without)]() mutable {
    offer_from(std::move(targets), to, std::move(with_plates), std::move(without));
  });
}

void EventFeed::schedule_flush() {
  if (flush_due_) return;
  flush_due_ = true;
  flush_timer_.expires_after(kFlushInterval);
  flush_timer_.async_wait([this](const boost::system::error_code& ec) {
    flush_due_ = false;
    if (!ec) flush();
  });
}

void EventFeed::space_changed(std::size_t lot, SpaceIndex space) {
  if (subscribers_.empty()) return;
  changed_.emplace(lot, space);
  schedule_flush();
}

void EventFeed::frame_published(const DisplayFrame& frame) {
  if (subscribers_.empty()) return;
  frames_[frame.lot_id + "/" + frame.display_id] = to_message(frame).SerializeAsString();
  schedule_flush();
}

void EventFeed::decision_sent(const std::string& payload) {
  if (subscribers_.empty()) return;
  decisions_.push_back(payload);
  if (decisions_.size() > kMaxPendingDecisions) decisions_.pop_front();
  schedule_flush();
}

void EventFeed::alert_changed(const Alert& alert) {
  if (subscribers_.empty()) return;
  alerts_.push_back(alert);
  schedule_flush();
}

void EventFeed::flush() {
  const auto changed = std::exchange(changed_, {});
  auto frames = std::exchange(frames_, {});
  auto decisions = std::exchange(decisions_, {});
  auto alerts = std::exchange(alerts_, {});
  if (subscribers_.empty()) return;
  std::vector<parking::v1::SpaceInfo> spaces;
  spaces.reserve(changed.size());
  for (const auto& [lot, space] : changed) spaces.push_back(space_info(host_, lot, space, true));
  const std::size_t events = spaces.size() + frames.size() + decisions.size() + alerts.size();
  if (events == 0) return;
  events_sent_ += events * subscribers_.size();
  writer_.post([this, spaces = std::move(spaces), frames = std::move(frames), decisions = std::move(decisions),
                alerts = std::move(alerts)]() mutable {
    std::string full, masked;
    for (parking::v1::SpaceInfo& space : spaces) {
      append(full, "space", to_json(space));
      space.clear_held_for();  // a viewer sees the hold, not whose car it is for
      append(masked, "space", to_json(space));
    }
    for (const auto& [display, payload] : frames) {
      parking::v1::DisplayFrame frame;
      if (!frame.ParseFromString(payload)) continue;
      const std::string json = to_json(frame);  // a sign shows no plate
      append(full, "frame", json);
      append(masked, "frame", json);
    }
    for (const std::string& payload : decisions) {
      parking::v1::GateDecision d;
      if (!d.ParseFromString(payload)) continue;
      append(full, "decision", to_json(d));
      // A viewer sees what happened at the gate, not whose car: the messages may quote a misread plate.
      d.clear_plate();
      d.clear_message_zh();
      d.clear_message_en();
      append(masked, "decision", to_json(d));
    }
    for (const Alert& alert : alerts) {
      parking::v1::Alert a = to_message(alert);
      append(full, "alert", to_json(a));
      hide_plates(a);
      append(masked, "alert", to_json(a));
    }
    boost::asio::post(host_.strand(), [this, full = std::make_shared<const std::string>(std::move(full)),
                                       masked = std::make_shared<const std::string>(std::move(masked))] {
      send(full, masked);
    });
  });
}

std::string EventFeed::broker_states() const {
  std::string out;
  for (std::size_t l = 0; l < host_.engine().lot_count(); ++l) {
    out += host_.broker_state(host_.engine().lot(l).id());
    out += ',';
  }
  return out;
}

void EventFeed::heartbeat() {
  if (!subscribers_.empty()) {
    // A guard must see at once that parkd stopped hearing a lot's devices (the console says so
    // above every view); nothing else in the feed would change to tell.
    std::string brokers = broker_states();
    const auto now = std::chrono::steady_clock::now();
    if (brokers != last_broker_states_ || now - last_status_ >= kHeartbeat) {
      std::string status;
      append(status, "status", to_json(status_reply(host_)));
      auto text = std::make_shared<const std::string>(std::move(status));
      send(text, text);
      last_status_ = now;
      last_broker_states_ = std::move(brokers);
    }
  }
  heartbeat_.expires_after(kBrokerWatch);
  heartbeat_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) heartbeat();
  });
}

}  // namespace parkd
