// Runs the engine inside the daemon, on the one strand that owns it: routes what MQTT brings
// (decoded and checked) to the engine and the gate desk, keeps parkd's time (the system clock,
// or SimClock messages) and the engine's wake-up as an Asio timer, and recovers the gates'
// work after a restart. Its parts: MessageIntake (Paho's thread: limits, the gate inbox),
// DecisionRecorder (decisions to the ledger, the outbox and the barriers), FrameRelay (the
// signs), SpaceStateKeeper and OccupancySampler (the store).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/engine.h"
#include "core/gate_desk.h"
#include "core/gate_ledger.h"
#include "core/gate_sequences.h"
#include "core/space_state_store.h"
#include "core/occupancy_history.h"
#include "alert_desk.h"
#include "decision_recorder.h"
#include "drain_pacer.h"
#include "frame_relay.h"
#include "latency_histogram.h"
#include "live_event_sink.h"
#include "message_intake.h"
#include "occupancy_sampler.h"
#include "space_state_keeper.h"
#include "log.h"
#include "publisher.h"
#include "store_worker.h"
#include "sensors/gate_event_decoder.h"
#include "sensors/sensor_report_decoder.h"
#include "sensors/topic.h"

namespace parkd {

struct HostCounters {
  std::uint64_t messages = 0;
  std::uint64_t unknown_topics = 0;
  std::uint64_t gate_events_duplicate = 0;
  std::map<std::string, std::uint64_t> decisions_by_reason;
  std::uint64_t decisions_resent = 0;   // from the outbox, after a restart
  // Decided more than CameraClocks::kLate after their car came by the camera's clock (kept
  // through an outage): their holds count no strike.
  std::uint64_t decisions_late = 0;
  std::uint64_t decisions_dropped = 0;  // not even queued for the broker (they stay in the outbox)
  std::uint64_t sim_clock_rejected = 0;
  // The stages of a message on parkd's side: from its arrival (Paho's callback) to the strand
  // taking it up, and the strand's work on each batch taken up together (decode, engine, frames
  // handed to Paho, decisions handed to the store).
  LatencyHistogram queue_wait;
  LatencyHistogram batch_work;
};

class EngineHost : public EngineSink {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // `store` (may be null) keeps the last known space states: they are restored at start (with
  // --sim-clock, at the first SimClock) and every change is saved, one transaction per drain.
  // `inbox` (may be null) makes gate events durable: enqueue() appends each one before it
  // returns (so before Paho acknowledges it); at start, what it still holds is decided again.
  // `ledger` (may be null) records each decision with the event and its effects on visitor
  // sessions, one transaction per batch; the inbox lets go of an event once that has committed.
  // `worker` (may be null: then writes happen inline) runs the store's writes off the strand.
  // A decision goes out once recorded and stays in the ledger's outbox until the broker has
  // acknowledged it; at start, what the outbox holds is published again before anything new.
  EngineHost(Strand strand, std::vector<Lot> lots, bool sim_clock, Publisher& publisher,
             SpaceStateStore* store = nullptr, GateLedger* ledger = nullptr, StoreWorker* worker = nullptr,
             GateInbox* inbox = nullptr);

  // For Paho's callback thread: the intake checks, keeps and queues the message and, if the
  // strand is not already due to take it (the queue was empty, and it is not holding the queue
  // under load: DrainPacer), a drain is posted to the strand. Under load the strand then takes
  // many messages at once, and sensor reports go to the engine in batches.
  void enqueue(std::string topic, std::string payload);

  // All of these run on the strand. Nothing that enqueue() handed over is processed before
  // start(): the outbox and the gate events kept before a restart come first.
  void start();
  // Processes whatever Paho has handed over and not yet been processed, and saves what is
  // unsaved (at shut-down).
  void finish_in_flight();
  void on_message(const std::string& topic, const std::string& payload);
  // The registry the gates decide with (loaded from the store at start).
  void set_registry(Registry registry) { desk_.set_registry(std::move(registry)); }
  void set_registry(std::shared_ptr<const Registry> registry) { desk_.set_registry(std::move(registry)); }
  void set_pact(std::vector<PactVersion> pact) { desk_.set_pact(std::move(pact)); }
  // Where occupancy samples go (one per lot every kSampleInterval of parkd's time), for the notice.
  void set_history(OccupancyHistory* history) { sampler_.set_history(history); }
  // Per-device rate limits for enqueue() (before start; Paho's thread then owns them).
  void set_limits(ThrottleLimits sensors, ThrottleLimits gates) { intake_.set_limits(sensors, gates); }
  // When the strand holds the queue under load (before start).
  void set_pacing(DrainPacer::Settings settings) { pacer_ = DrainPacer(settings); }
  const MessageIntake& intake() const { return intake_; }
  const DrainPacer& pacer() const { return pacer_; }
  static constexpr TimeMs kSampleInterval = OccupancySampler::kInterval;

  // Operators' commands. The reason is kept with the closed state (in the engine, and saved with
  // the space's state) and restored after a restart.
  SpaceCommandOutcome close_space(const std::string& lot_id, const std::string& space_id, std::string reason);
  SpaceCommandOutcome open_space(const std::string& lot_id, const std::string& space_id);
  // Saves the spaces' unsaved states and changes now and runs `then` on the store thread once
  // they are written: a read of a space's history after it sees every change until this call.
  void save_space_states(std::function<void()> then);
  const GateDesk& desk() const { return desk_; }
  void set_special_passes(SpecialPasses passes) { desk_.set_special_passes(std::move(passes)); }

  // Operators at the gates. Each is recorded in the decision ledger like a camera's event, under
  // the gate's operator channel ("<gate>#operator", seq from the wall clock, rising), with the
  // request as the event's payload: the notice counts it, and an open goes through the outbox,
  // delivered to the barrier across a crash like any decision. nullopt: no such gate.
  std::optional<GateDecisionOut> open_gate(const std::string& lot_id, const std::string& gate_id,
                                           const std::string& plate, std::string request);
  GateDesk::Settled settle_visitor(const std::string& lot_id, const std::string& plate, TimeMs left_at, bool waive,
                                   const std::string& note, std::string request);
  // parkd's time: the system clock, or the last SimClock.
  TimeMs now() const;
  bool simulated_clock() const { return sim_clock_; }
  // False with --sim-clock until the first SimClock: nothing may start the engine's time before
  // it, or the first clock would make the engine catch up from 1970 (every night switch since).
  bool time_known() const { return !sim_clock_ || sim_now_ > 0; }
  // A (re)connected session: put the truth back on that lot's signs at once.
  // ...and the lot's active alerts.
  void republish_frames(const std::string& lot_id);

  // Where alerts and strikes are kept (may be null); before start().
  void set_alert_store(AlertStore* store) { alerts_.set_store(store); }
  const AlertDesk& alerts() const { return alerts_; }
  SpaceCommandOutcome dismiss_alert(const std::string& lot_id, const std::string& alert_id, const std::string& reason,
                                    Alert* ended = nullptr);
  // Who shows the lot live (may be null): told of every space change, frame and decision sent.
  void set_live_events(LiveEventSink* sink) { live_ = sink; }
  // How each lot's broker session stands (broker_state()), for the status: any thread may be
  // asked, the answer must not block.
  using BrokerStates = std::function<std::string(std::string_view lot_id)>;
  void set_broker_states(BrokerStates states) { broker_states_ = std::move(states); }
  std::string broker_state(std::string_view lot_id) const { return broker_states_ ? broker_states_(lot_id) : std::string(); }

  const Engine& engine() const { return engine_; }
  const HostCounters& counters() const { return counters_; }
  const DecisionRecorder& recorder() const { return recorder_; }
  const FrameRelay::Counters& frame_counters() const { return frames_.counters(); }
  std::vector<std::string> last_frames() const { return frames_.last_frames(); }
  // At shut-down, once the MQTT sessions are gone: acknowledged decisions leave the outbox.
  void flush_delivered() { recorder_.flush_delivered(); }
  // Gate events received again after their decision.
  std::uint64_t gate_events_duplicate() const { return counters_.gate_events_duplicate; }
  const SensorReportDecoder& decoder() const { return decoder_; }
  Strand& strand() { return strand_; }

 private:
  static constexpr std::size_t kBatch = 16;

  // A wake-up from enqueue(), or the pacer's window when holding.
  void drain();
  void process(const std::vector<IncomingMessage>& messages);
  void take_report(const IncomingMessage& m, const Topic& topic);
  void on_gate_event(const IncomingMessage& m, const Topic& topic);
  void flush_reports();
  void publish_frame(const DisplayFrame& frame) override;
  void send_frame(const DisplayFrame& frame);
  void release_frames();  // sends the frames held while a batch is processed
  void space_changed(const Lot& lot, const SpaceChange& change) override;
  void alert_changed(const Lot& lot, const Alert& alert) override;
  void strikes_changed(const Lot& lot, SpaceIndex space, std::span<const TimeMs> strikes) override;
  void restore_states();
  void restore_cars_inside();  // before the alerts: an overstay is checked against it
  void recover_gate_events();
  // One transaction for the batch, then the decisions go out and the inbox lets go of
  // everything through `processed` (0: nothing of the inbox in this batch).
  void record_decisions(InboxPosition processed);
  // A record of an operator's action on `gate_id`'s operator channel, recorded at once.
  void record_operator_action(const std::string& lot_id, const std::string& gate_id, std::string request,
                              DecisionRecord record);
  TimeMs decision_time(const IncomingMessage& m) const;
  void publish_decisions(std::vector<OutgoingDecision> decisions, bool tracked);
  void resend_undelivered();
  void settle();
  void on_sim_clock(const std::string& payload);

  Strand strand_;
  Engine engine_;
  bool sim_clock_;
  TimeMs sim_now_ = 0;
  Publisher& publisher_;
  boost::asio::steady_timer timer_;
  TimeMs timer_due_ = kNever;
  SensorReportDecoder decoder_{SensorReportDecoder::kDefaultMaxPayload, kBatch};
  GateEventDecoder gate_decoder_;
  GateDesk desk_{engine_, {}};
  GateSequences gate_seqs_;
  std::vector<SensorReading> readings_;          // decoded, waiting for the engine
  std::vector<const std::string*> reading_topics_;
  std::array<ReportOutcome, kBatch> outcomes_{};
  HostCounters counters_;
  RateLimitedLog reject_log_;
  RateLimitedLog late_log_{5};  // an outage's backlog is hundreds of late decisions at once
  GateLedger* ledger_;
  StoreWorker* worker_;
  std::vector<IncomingMessage> waiting_for_clock_;  // gate events before the first SimClock
  std::vector<DecisionRecord> unrecorded_;  // decided in this batch, not yet handed to the recorder
  GateInbox* gate_inbox_;
  FrameRelay frames_;      // the signs' side
  // While process() takes a batch, each display's latest frame waits here for the next
  // settle(): the engine steps its time before each chunk of kBatch reports, and a frame per
  // chunk was replaced by the next a few microseconds later (under a flood, four frames a
  // batch, each a publish through Paho's lock).
  bool holding_frames_ = false;
  std::vector<DisplayFrame> held_frames_;
  MessageIntake intake_;  // Paho's side
  DrainPacer pacer_;
  boost::asio::steady_timer drain_timer_;  // the next held drain
  std::vector<IncomingMessage> spare_batch_;  // a drained batch's storage, for the next one
  InboxPosition released_ = 0;  // the strand's: the inbox was asked to let go through here
  bool started_ = false;
  // The inbox is read back at the first moment parkd knows its time (start, or the first
  // SimClock); until then nothing of it may be let go.
  bool recovered_ = false;
  DecisionRecorder recorder_;
  bool restored_ = false;
  bool restoring_ = false;  // the stored states going back in: not changes for the histories
  // The arrival of the oldest message whose effects are being processed; unset outside process().
  std::optional<std::chrono::steady_clock::time_point> processing_since_;
  BrokerStates broker_states_;
  LiveEventSink* live_ = nullptr;
  SpaceStateKeeper states_;   // the last known states, for the next start
  OccupancySampler sampler_;  // counts every five minutes, for the notice
  AlertDesk alerts_;
};

}  // namespace parkd
