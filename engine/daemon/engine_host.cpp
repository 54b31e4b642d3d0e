// Message routing, time and the wake-up timer around the engine.
#include "engine_host.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>

#include "sensors/topic.h"
#include "wire.h"

namespace parkd {

namespace {
std::vector<const Lot*> lot_pointers(const Engine& engine) {
  std::vector<const Lot*> lots;
  for (std::size_t l = 0; l < engine.lot_count(); ++l) lots.push_back(&engine.lot(l));
  return lots;
}

}  // namespace

EngineHost::EngineHost(Strand strand, std::vector<Lot> lots, bool sim_clock, Publisher& publisher,
                       SpaceStateStore* store, GateLedger* ledger, StoreWorker* worker, GateInbox* inbox)
    : strand_(std::move(strand)),
      engine_(std::move(lots), *this),
      sim_clock_(sim_clock),
      publisher_(publisher),
      timer_(strand_),
      ledger_(ledger),
      worker_(worker),
      gate_inbox_(inbox),
      frames_(publisher),
      intake_(lot_pointers(engine_), inbox),
      drain_timer_(strand_),
      recorder_(ledger, inbox, worker, strand_,
                [this](std::vector<OutgoingDecision> decisions, bool tracked) {
                  publish_decisions(std::move(decisions), tracked);
                }),
      states_(store, worker, strand_, sim_clock),
      sampler_(worker),
      alerts_(publisher, nullptr, worker, strand_, sim_clock) {}

void EngineHost::finish_in_flight() {
  drain();
  states_.save_now();
  alerts_.save_now();
  // The store's last writes land, and the decisions they release go out, before parkd stops.
  if (worker_ != nullptr) worker_->wait_idle();
}

TimeMs EngineHost::now() const { return sim_clock_ ? sim_now_ : system_now_ms(); }

void EngineHost::start() {
  if (started_) return;
  started_ = true;
  // Before anything new is decided: decisions a barrier may not have seen go out again.
  resend_undelivered();
  if (!sim_clock_) {  // with --sim-clock: at the first SimClock, when parkd's time is known
    restore_states();
    recover_gate_events();
  }
  drain();  // whatever arrived while parkd was starting
  settle();
}

void EngineHost::resend_undelivered() {
  std::vector<OutgoingDecision> undelivered;
  if (auto e = recorder_.undelivered(undelivered)) {
    Log::error("gates", "cannot read the decisions waiting for the broker: {}; they are sent after the next restart",
               e.message());
  }
  if (undelivered.empty()) return;
  Log::info("gates", "sending again {} gate decisions the broker had not acknowledged before the restart",
            undelivered.size());
  counters_.decisions_resent += undelivered.size();
  publish_decisions(std::move(undelivered), true);
}

void EngineHost::recover_gate_events() {
  recovered_ = true;
  std::vector<IncomingMessage> messages;
  std::vector<GateLedger::LastSeq> seqs;
  if (ledger_ != nullptr) {
    std::vector<VisitorSession> sessions;
    if (auto e = ledger_->open_sessions(sessions)) {
      Log::error("gates", "cannot read the open visitor sessions: {}", e.message());
    }
    if (!sessions.empty()) Log::info("gates", "{} visitors inside", sessions.size());
    for (auto& s : sessions) desk_.restore_open_session(std::move(s));
    std::vector<GateLedger::DecidedEvent> lately;
    if (auto e = ledger_->decided_lately(GateDesk::kLateEntryWindow, lately)) {
      Log::error("gates", "cannot read the last minutes' gate decisions: {}; a late entry may open a stay",
                 e.message());
    }
    GateEventDecoder decoder;  // of its own: these were counted when they came
    for (const GateLedger::DecidedEvent& d : lately) {
      const DecodedGateEvent decoded = decoder.decode(d.event.lot_id, d.event.gate_id, d.event.payload);
      if (decoded.event) desk_.restore_decided(*decoded.event, d.decided_at);
    }
    if (auto e = ledger_->last_decided_seqs(seqs)) {
      Log::error("gates", "cannot read the last decided gate events: {}", e.message());
    }
    // A gate's events count as repetitions up to the highest seq decided, except those it skipped.
    for (const auto& s : seqs) gate_seqs_.restore(s.lot_id, s.gate_id, s.seq, s.skipped);
    // Each camera's clock against parkd's as its last events showed it, so that what waited
    // through the outage (the inbox, the broker's queue) is recognised as decided late.
    for (const auto& s : seqs) {
      std::vector<GateLedger::DecidedEvent> last;
      if (auto e = ledger_->last_decided(s.lot_id, s.gate_id, CameraClocks::kSamples, last)) {
        Log::error("gates", "cannot read the last decisions of {}/{}: {}", s.lot_id, s.gate_id, e.message());
      }
      for (const GateLedger::DecidedEvent& d : last) {
        const DecodedGateEvent decoded = decoder.decode(d.event.lot_id, d.event.gate_id, d.event.payload);
        if (decoded.event) desk_.restore_camera_clock(*decoded.event, d.decided_at);
      }
    }
    std::vector<InboxEvent> undecided;
    if (auto e = ledger_->undecided(undecided)) Log::error("gates", "cannot read the stored gate events: {}", e.message());
    for (auto& p : undecided) {
      gate_seqs_.expect(p.lot_id, p.gate_id, p.seq);
      messages.push_back(IncomingMessage{std::move(p.topic), std::move(p.payload)});
    }
  }
  if (gate_inbox_ != nullptr) {
    std::vector<PendingEvent> pending;
    std::uint64_t damaged = 0;
    if (auto e = gate_inbox_->pending(pending, damaged)) Log::error("gates", "cannot read the gate inbox: {}", e.message());
    if (damaged > 0) Log::error("gates", "{} gate events in the inbox were damaged on disk and cannot be decided", damaged);
    // Each event is looked up: a batch whose record failed is decided again even when a later
    // batch of the same gate was recorded (the highest seq alone would skip it).
    std::vector<InboxEvent> events;
    for (const PendingEvent& p : pending) events.push_back(p.event);
    std::vector<bool> decided(events.size(), false);
    if (ledger_ != nullptr) {
      if (auto e = ledger_->decided(events, decided)) Log::error("gates", "cannot look up the inbox's events: {}", e.message());
      decided.resize(events.size(), false);  // a failed look-up leaves the rest to be decided
    }
    std::set<std::tuple<std::string, std::string, std::uint64_t>> seen;  // an event kept twice is decided once
    for (std::size_t i = 0; i < pending.size(); ++i) {
      InboxEvent& e = pending[i].event;
      if (decided[i] || !seen.emplace(e.lot_id, e.gate_id, e.seq).second) continue;
      gate_seqs_.expect(e.lot_id, e.gate_id, e.seq);  // undecided by the ledger: decided, whatever its seq
      messages.push_back(IncomingMessage{std::move(e.topic), std::move(e.payload), {}, pending[i].position, e.received_at});
    }
  }
  if (!messages.empty()) Log::info("gates", "deciding {} gate events received before the restart", messages.size());
  process(messages);
}

void EngineHost::restore_cars_inside() {
  if (ledger_ == nullptr) return;
  std::vector<GateLedger::LotInside> lots;
  if (auto e = ledger_->cars_inside(lots)) {
    Log::error("gates", "cannot read the record of the cars inside: {}; it begins again", e.message());
    return;
  }
  for (auto& lot : lots) {
    const std::size_t named = lot.cars.size();
    if (engine_.restore_inside(lot.lot_id, lot.unnamed, std::move(lot.cars), now()) != SpaceCommandOutcome::Done) continue;
    if (lot.unnamed) {
      Log::info("gates", "{}: {} cars inside by the gates' record ({} from before it began)", lot.lot_id,
                named + *lot.unnamed, *lot.unnamed);
    } else {
      Log::info("gates", "{}: {} cars came in by the gates' record; it begins once every space has been heard from",
                lot.lot_id, named);
    }
  }
}

void EngineHost::restore_states() {
  if (restored_) return;
  restored_ = true;
  // The spaces first, then the record of the cars inside, then the alerts: the record held
  // against no space occupied would start MISSED_EXITS' time at the restart.
  if (!states_.keeps()) {
    restore_cars_inside();
    alerts_.restore(engine_, now());
    return;
  }
  std::vector<StoredSpaceState> states;
  if (auto e = states_.load(states)) {
    Log::error("store", "cannot read the last known space states: {}; starting with every space unknown", e.message());
    restore_cars_inside();
    alerts_.restore(engine_, now());
    return;
  }
  std::size_t restored = 0;
  restoring_ = true;  // what was already so before the restart is no change for the histories
  for (const StoredSpaceState& s : states) {
    const bool done =
        engine_.restore_space(s.lot_id, s.space_id, s.state, now(), s.note, s.changed_at) == SpaceCommandOutcome::Done;
    restored += done ? 1 : 0;
    // Restoring recorded the state as entered now: keep when it really began (a car's time on
    // its space counts towards LONG_OCCUPANCY across restarts).
    if (done && s.state == SpaceState::Occupied) states_.restored(s);
  }
  restoring_ = false;
  Log::info("store", "restored {} of {} stored space states; sensors will confirm them", restored, states.size());
  restore_cars_inside();
  alerts_.restore(engine_, now());
}

void EngineHost::space_changed(const Lot& lot, const SpaceChange& change) {
  frames_.change_seen(lot.id(), processing_since_.value_or(std::chrono::steady_clock::now()));
  if (live_) {
    if (const auto l = engine_.find_lot(lot.id())) live_->space_changed(*l, change.space);
  }
  if (!states_.keeps()) return;
  std::string note;
  if (change.to == SpaceState::Closed) {
    if (const auto l = engine_.find_lot(lot.id())) note = std::string(engine_.closed_reason(*l, change.space));
  }
  StoredSpaceState state{lot.id(), lot.spaces()[change.space].id, change.to, change.at, std::move(note)};
  if (restoring_) {
    states_.restored(std::move(state));
  } else {
    states_.changed(std::move(state));
  }
}

SpaceCommandOutcome EngineHost::close_space(const std::string& lot_id, const std::string& space_id, std::string reason) {
  const SpaceCommandOutcome outcome = engine_.close_space(lot_id, space_id, now(), std::move(reason));
  settle();
  return outcome;
}

void EngineHost::save_space_states(std::function<void()> then) {
  states_.save_now();
  if (worker_ != nullptr) {
    worker_->post(std::move(then));
  } else {
    then();
  }
}

void EngineHost::alert_changed(const Lot& lot, const Alert& alert) {
  (void)lot;
  alerts_.changed(alert);
  if (live_) live_->alert_changed(alert);
}

void EngineHost::strikes_changed(const Lot& lot, SpaceIndex space, std::span<const TimeMs> strikes) {
  alerts_.strikes_changed(StoredStrikes{lot.id(), lot.spaces()[space].id, {strikes.begin(), strikes.end()}});
}

SpaceCommandOutcome EngineHost::dismiss_alert(const std::string& lot_id, const std::string& alert_id,
                                              const std::string& reason, Alert* ended) {
  const SpaceCommandOutcome outcome = engine_.dismiss_alert(lot_id, alert_id, reason, now(), ended);
  settle();
  return outcome;
}

SpaceCommandOutcome EngineHost::open_space(const std::string& lot_id, const std::string& space_id) {
  const SpaceCommandOutcome outcome = engine_.open_space(lot_id, space_id, now());
  settle();
  return outcome;
}

void EngineHost::enqueue(std::string topic, std::string payload) {
  if (intake_.push(std::move(topic), std::move(payload))) boost::asio::post(strand_, [this] { drain(); });
}

void EngineHost::drain() {
  if (!started_) return;  // start() drains
  const bool hold = pacer_.holding();
  std::vector<IncomingMessage> batch;
  batch.swap(spare_batch_);
  intake_.take(batch, hold);
  pacer_.taken(batch.size(), std::chrono::steady_clock::now());
  if (hold) {
    // The intake asks for no wake-up until the next take: this drain must come.
    drain_timer_.expires_after(pacer_.window());
    drain_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) drain();
    });
  }
  process(batch);
  batch.clear();
  spare_batch_.swap(batch);
}

void EngineHost::on_message(const std::string& topic, const std::string& payload) {
  process({IncomingMessage{topic, payload, std::chrono::steady_clock::now(), 0, system_now_ms()}});
}

void EngineHost::process(const std::vector<IncomingMessage>& messages) {
  const auto began = std::chrono::steady_clock::now();
  const bool outermost = !holding_frames_;  // a SimClock's first batch processes what waited for it
  holding_frames_ = true;                   // each settle() sends what is held
  InboxPosition processed = 0;
  for (const IncomingMessage& m : messages) {
    ++counters_.messages;
    if (m.received != std::chrono::steady_clock::time_point{}) counters_.queue_wait.observe(began - m.received);
    processed = std::max(processed, m.inbox_position);
    if (m.received != std::chrono::steady_clock::time_point{} && !processing_since_) processing_since_ = m.received;
    const Topic t = parse_topic(m.topic);
    if (t.kind == TopicKind::SensorReport) {
      take_report(m, t);
      continue;
    }
    flush_reports();  // whatever came before this message happens before it
    switch (t.kind) {
      case TopicKind::SimClock:
        if (sim_clock_) {
          on_sim_clock(m.payload);
        } else {
          ++counters_.unknown_topics;  // without --sim-clock the topic means nothing here
        }
        break;
      case TopicKind::GateEvent:
        on_gate_event(m, t);
        break;
      default:
        ++counters_.unknown_topics;
        reject_log_.warn("mqtt", "unknown_topic", "message on unknown topic '{}' ({} bytes) ignored", m.topic,
                         m.payload.size());
        break;
    }
  }
  flush_reports();
  // A gate event that waits for the first SimClock stays in the inbox, and so does what follows it.
  if (!waiting_for_clock_.empty() && waiting_for_clock_.front().inbox_position != 0) {
    processed = std::min(processed, waiting_for_clock_.front().inbox_position - 1);
  }
  record_decisions(processed);
  settle();
  if (outermost) holding_frames_ = false;
  processing_since_.reset();
  counters_.batch_work.observe(std::chrono::steady_clock::now() - began);
}

void EngineHost::on_gate_event(const IncomingMessage& m, const Topic& t) {
  const DecodedGateEvent d = gate_decoder_.decode(t.lot_id, t.device_id, m.payload);
  if (!d.event) {
    reject_log_.warn("gates", name_of(d.rejection), "rejected gate event on {}: {} ({})", m.topic, name_of(d.rejection),
                     d.detail);
    return;
  }
  if (!time_known()) {
    waiting_for_clock_.push_back(m);  // decided once parkd knows the time
    return;
  }
  const GateSequences::Verdict verdict = gate_seqs_.admit(d.event->lot_id, d.event->gate_id, d.event->seq);
  if (verdict != GateSequences::Verdict::New) {  // the camera sent it again: it was decided already
    ++counters_.gate_events_duplicate;
    if (verdict == GateSequences::Verdict::FarBehind) {
      const std::uint64_t highest = gate_seqs_.highest(d.event->lot_id, d.event->gate_id);
      reject_log_.warn("gates", "seq_went_back",
                       "gate {}/{} sent seq {} after {}: ignored as a repetition, not decided. A camera's seq must keep "
                       "rising; if it was replaced or reset, set its counter above {}",
                       d.event->lot_id, d.event->gate_id, d.event->seq, highest, highest);
    }
    return;
  }
  const TimeMs at = decision_time(m);
  const GateDecisionOut decision = desk_.decide(*d.event, at);
  ++counters_.decisions_by_reason[decision.reason];
  if (decision.late_by > 0) {
    ++counters_.decisions_late;
    late_log_.warn("gates", "decided_late",
                   "gate event {}/{} #{} decided {} s after its car came (by its camera's clock): it waited through an "
                   "outage; the driver did not see the decision, so its hold counts no strike",
                   decision.lot_id, decision.gate_id, decision.event_seq, decision.late_by / 1000);
  }
  std::vector<VisitorSession> closed = desk_.take_closed_sessions();
  for (const VisitorSession& s : closed) {
    Log::info("gates", "visitor {} left {} by {} after {} min: {} yuan{}{}", s.plate, s.lot_id, s.exit_gate,
              (*s.left_at - s.entered_at) / 60'000, yuan(s.fee_fen), s.overstay ? " (overstay)" : "",
              s.note.empty() ? "" : " (" + s.note + ")");
  }
  DecisionRecord record{InboxEvent{d.event->lot_id, d.event->gate_id, d.event->seq, m.payload, m.topic, m.received_at},
                        at, std::nullopt, std::move(closed), decision.reason, decision.admit,
                        gate_decision_topic(decision.lot_id, decision.gate_id), to_message(decision).SerializeAsString()};
  engine_.take_inside_changes(record.inside);
  if (const VisitorSession* opened = d.event->entry ? desk_.open_session(decision.lot_id, decision.plate) : nullptr) {
    record.opened = *opened;
  }
  unrecorded_.push_back(std::move(record));
}

std::optional<GateDecisionOut> EngineHost::open_gate(const std::string& lot_id, const std::string& gate_id,
                                                     const std::string& plate, std::string request) {
  const TimeMs at = now();
  std::optional<GateDecisionOut> decision = desk_.open_by_guard(lot_id, gate_id, plate, at);
  if (!decision) return decision;
  ++counters_.decisions_by_reason[decision->reason];
  DecisionRecord record;
  record.decided_at = at;
  record.reason = decision->reason;
  record.admitted = true;
  record.decision_topic = gate_decision_topic(lot_id, gate_id);
  record.decision_payload = to_message(*decision).SerializeAsString();
  record_operator_action(lot_id, gate_id, std::move(request), std::move(record));
  return decision;
}

GateDesk::Settled EngineHost::settle_visitor(const std::string& lot_id, const std::string& plate, TimeMs left_at,
                                             bool waive, const std::string& note, std::string request) {
  const TimeMs at = now();
  GateDesk::Settled settled = desk_.settle_visitor(lot_id, plate, left_at, waive, note, at);
  if (!settled.session) return settled;
  DecisionRecord record;
  record.decided_at = at;
  record.reason = waive ? "EXIT_WAIVED_BY_OFFICE" : "EXIT_SETTLED_BY_OFFICE";  // exits: not entries in the notice
  record.admitted = true;
  record.closed = desk_.take_closed_sessions();
  engine_.take_inside_changes(record.inside);
  record_operator_action(lot_id, settled.session->entry_gate, std::move(request), std::move(record));
  return settled;
}

void EngineHost::record_operator_action(const std::string& lot_id, const std::string& gate_id, std::string request,
                                        DecisionRecord record) {
  const std::string channel = gate_id + "#operator";
  const TimeMs wall = system_now_ms();
  // Rising even if the wall clock stepped back: the ledger keys on (lot, channel, seq).
  const std::uint64_t seq = std::max<std::uint64_t>(gate_seqs_.highest(lot_id, channel) + 1, static_cast<std::uint64_t>(wall));
  gate_seqs_.decided_up_to(lot_id, channel, seq);
  record.event = InboxEvent{lot_id, channel, seq, std::move(request), "operator/" + channel, wall};
  unrecorded_.push_back(std::move(record));
  // Gate decisions waiting for their batch go with it, in order; the inbox is not released here.
  recorder_.record(std::exchange(unrecorded_, {}), std::nullopt);
}

TimeMs EngineHost::decision_time(const IncomingMessage& m) const {
  // The pact applies at the moment parkd received the event: one kept in the inbox across a
  // restart is decided at that moment, not at the restart's (a visitor who left while parkd was
  // down pays until the exit, not until parkd came back). With --sim-clock the inbox does not
  // know the simulated time of receipt: such events are decided at the first SimClock's time.
  const bool recovered = m.received == std::chrono::steady_clock::time_point{};
  if (sim_clock_ || !recovered || m.received_at <= 0) return now();
  return std::min(m.received_at, now());
}

void EngineHost::record_decisions(InboxPosition processed) {
  // Before the inbox was read back, letting go of anything could delete what it kept.
  const bool release = gate_inbox_ != nullptr && recovered_ && processed > released_;
  if (unrecorded_.empty() && !release) return;
  if (release) released_ = processed;
  recorder_.record(std::exchange(unrecorded_, {}), release ? std::optional<InboxPosition>(processed) : std::nullopt);
}

void EngineHost::publish_decisions(std::vector<OutgoingDecision> decisions, bool tracked) {
  for (OutgoingDecision& d : decisions) {
    if (live_) live_->decision_sent(d.payload);
    Publisher::Delivered delivered;
    if (tracked) delivered = [this, key = d.key] { recorder_.delivered(key); };
    if (!publisher_.publish(d.key.lot_id, d.topic, std::move(d.payload), false, std::move(delivered))) {
      ++counters_.decisions_dropped;
      reject_log_.error("gates", "decision_dropped",
                        "decision for {} #{} not queued for the broker; {}", d.topic, d.key.seq,
                        tracked ? "it stays in the outbox and goes out after the next restart" : "it is not on record");
    }
  }
}

void EngineHost::take_report(const IncomingMessage& m, const Topic& t) {
  const DecodedReport d = decoder_.decode(t.lot_id, t.device_id, m.payload, readings_.size());
  if (!d.reading) {
    reject_log_.warn("sensors", name_of(d.rejection), "rejected report on {}: {} ({})", m.topic, name_of(d.rejection),
                     d.detail);
    return;
  }
  if (!time_known()) {
    reject_log_.warn("sensors", "before_clock", "report on {} before the first SimClock: ignored", m.topic);
    return;
  }
  readings_.push_back(*d.reading);
  reading_topics_.push_back(&m.topic);
  if (readings_.size() == kBatch) flush_reports();
}

void EngineHost::flush_reports() {
  if (readings_.empty()) return;
  engine_.on_sensor_reports(readings_, now(), std::span(outcomes_.data(), readings_.size()));
  for (std::size_t i = 0; i < readings_.size(); ++i) {
    const ReportOutcome outcome = outcomes_[i];
    if (outcome != ReportOutcome::Accepted && outcome != ReportOutcome::Duplicate) {
      reject_log_.warn("sensors", name_of(outcome), "report on {} not applied: {}", *reading_topics_[i], name_of(outcome));
    }
  }
  readings_.clear();
  reading_topics_.clear();
}

void EngineHost::on_sim_clock(const std::string& payload) {
  parking::v1::SimClock clock;
  if (payload.size() > 64 || !clock.ParseFromString(payload) || clock.now_ms() <= 0) {
    ++counters_.sim_clock_rejected;
    reject_log_.warn("clock", "bad_sim_clock", "SimClock payload rejected ({} bytes)", payload.size());
    return;
  }
  if (clock.now_ms() < sim_now_) {
    ++counters_.sim_clock_rejected;
    reject_log_.warn("clock", "sim_clock_backwards", "SimClock {} is before {}: time never runs backwards",
                     clock.now_ms(), sim_now_);
    return;
  }
  sim_now_ = clock.now_ms();
  if (!restored_) {
    restore_states();
    recover_gate_events();
    std::vector<IncomingMessage> waiting = std::exchange(waiting_for_clock_, {});
    process(waiting);
  }
  settle();
}

void EngineHost::settle() {
  if (!time_known()) return release_frames();  // the first SimClock settles
  engine_.advance(now());
  release_frames();
  frames_.settled();
  states_.save_soon(pacer_.holding());
  alerts_.save_soon();
  sampler_.sample(engine_, now());
  if (sim_clock_) return;  // the next SimClock message drives time
  const TimeMs due = std::min(engine_.next_wake(), sampler_.next_due());
  if (due == timer_due_) return;
  timer_due_ = due;
  if (due == kNever) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(std::max<TimeMs>(0, due - now())));
  timer_.async_wait([this, due](const boost::system::error_code& ec) {
    if (ec || due != timer_due_) return;
    timer_due_ = kNever;
    settle();
  });
}

void EngineHost::publish_frame(const DisplayFrame& frame) {
  if (!holding_frames_) return send_frame(frame);
  // A batch frames few displays (one per lot it touched): a scan beats a map.
  const auto same = std::find_if(held_frames_.begin(), held_frames_.end(), [&](const DisplayFrame& held) {
    return held.display_id == frame.display_id && held.lot_id == frame.lot_id;
  });
  if (same != held_frames_.end()) {
    *same = frame;
  } else {
    held_frames_.push_back(frame);
  }
}

void EngineHost::send_frame(const DisplayFrame& frame) {
  frames_.publish(frame);
  if (live_) live_->frame_published(frame);
}

void EngineHost::release_frames() {
  for (const DisplayFrame& frame : held_frames_) send_frame(frame);
  held_frames_.clear();
}

void EngineHost::republish_frames(const std::string& lot_id) {
  frames_.republish(lot_id);
  alerts_.republish(engine_, lot_id);
}

}  // namespace parkd
