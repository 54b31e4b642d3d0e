// The engine host without a broker: routing, checks, the simulated clock and frame encoding.
#include "daemon/engine_host.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "support/test_lots.h"

namespace parkd {
namespace {

class FakePublisher : public Publisher {
 public:
  bool publish(std::string_view lot_id, const std::string& topic, std::string payload, bool retained,
               Delivered on_delivered) override {
    sent.push_back({std::string(lot_id), topic, std::move(payload), retained});
    if (accept && on_delivered) acknowledge.push_back(std::move(on_delivered));
    return accept;
  }
  // What a broker would acknowledge; the test decides when.
  void acknowledge_all() {
    for (auto& ack : std::exchange(acknowledge, {})) ack();
  }
  std::vector<Delivered> acknowledge;
  struct Sent {
    std::string lot, topic, payload;
    bool retained;
  };
  std::vector<Sent> sent;
  bool accept = true;
};

std::string report(const std::string& space, bool occupied, std::uint64_t seq) {
  parking::v1::SensorReport r;
  r.set_sensor_id("s-" + space);
  r.set_space_id(space);
  r.set_boot_id(1);
  r.set_seq(seq);
  r.set_occupied(occupied);
  r.set_kind(parking::v1::REPORT_KIND_CHANGE);
  return r.SerializeAsString();
}

std::string clock(TimeMs t) {
  parking::v1::SimClock c;
  c.set_now_ms(t);
  return c.SerializeAsString();
}

// The host's lots: the tiny one only.
std::vector<Lot> tiny_lots() {
  std::vector<Lot> l;
  l.push_back(test::small_lot());
  return l;
}

class EngineHostTest : public ::testing::Test {
 protected:
  std::vector<Lot> lots() { return tiny_lots(); }
  parking::v1::DisplayFrame last_frame() {
    parking::v1::DisplayFrame f;
    f.ParseFromString(publisher.sent.back().payload);
    return f;
  }
  // One clock, then three rounds of reports for all seven spaces (the last round occupies the
  // N spaces), then a later clock: as Paho's thread would hand them over.
  void enqueue_all() {
    host.enqueue("parking/sim/clock", clock(test::kNoonShanghai));
    const char* const spaces[] = {"N1", "N2", "N3", "N4", "S1", "S2", "S3"};
    for (std::uint64_t round = 1; round <= 3; ++round) {
      for (const char* space : spaces) {
        const bool occupied = round == 3 && space[0] == 'N' && space[1] != '4';
        host.enqueue(std::string("parking/tiny/sensors/s-") + space + "/report", report(space, occupied, round));
      }
    }
    host.enqueue("parking/sim/clock", clock(test::kNoonShanghai + 10'000));
  }

  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), lots(), /*sim_clock=*/true, publisher};
};

TEST_F(EngineHostTest, ReportsBecomeRetainedFramesOnTheDisplayTopic) {
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai));
  host.on_message("parking/tiny/sensors/s-N1/report", report("N1", false, 1));
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai + 1'000));
  ASSERT_FALSE(publisher.sent.empty());
  EXPECT_EQ(publisher.sent.back().topic, "parking/tiny/displays/d/frame");
  EXPECT_EQ(publisher.sent.back().lot, "tiny");
  EXPECT_TRUE(publisher.sent.back().retained);
  const auto f = last_frame();
  EXPECT_EQ(f.free_total(), 1u);
  EXPECT_EQ(f.generated_at_ms(), test::kNoonShanghai + 500);  // the throttled frame, due inside the jump
  EXPECT_EQ(f.zones(0).arrow(), parking::v1::ARROW_LEFT);
  EXPECT_EQ(f.lines_en(0), "FREE 1");
}

TEST_F(EngineHostTest, ReportsBeforeTheFirstSimClockAreIgnored) {
  host.on_message("parking/tiny/sensors/s-N1/report", report("N1", false, 1));
  EXPECT_EQ(host.engine().report_counters()[ReportOutcome::Accepted], 0u);
}

TEST_F(EngineHostTest, UnknownTopicsAndBadPayloadsAreCounted) {
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai));
  host.on_message("parking/tiny/sensors/s-N1/status", report("N1", false, 1));
  host.on_message("elsewhere", "x");
  host.on_message("parking/tiny/sensors/s-N1/report", "\xff\xff");
  host.on_message("parking/tiny/sensors/s-N1/report", report("N2", false, 1));
  EXPECT_EQ(host.counters().unknown_topics, 2u);
  EXPECT_EQ(host.decoder().rejected(DecodeRejection::Malformed), 1u);
  EXPECT_EQ(host.decoder().rejected(DecodeRejection::TopicMismatch), 1u);
  EXPECT_EQ(host.engine().report_counters()[ReportOutcome::Accepted], 0u);
}

TEST_F(EngineHostTest, TheSimClockNeverRunsBackwards) {
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai));
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai - 1));
  host.on_message("parking/sim/clock", clock(-5));
  host.on_message("parking/sim/clock", "garbage!");
  EXPECT_EQ(host.counters().sim_clock_rejected, 3u);
  EXPECT_EQ(host.engine().now(), test::kNoonShanghai);
}

TEST_F(EngineHostTest, FramesThatCouldNotBeSentGoOutAgainOnReconnect) {
  publisher.accept = false;
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai));
  host.on_message("parking/tiny/sensors/s-N1/report", report("N1", false, 1));
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai + 1'000));
  EXPECT_GT(host.frame_counters().dropped, 0u);
  publisher.accept = true;
  publisher.sent.clear();
  host.republish_frames("tiny");
  ASSERT_EQ(publisher.sent.size(), 1u);
  EXPECT_EQ(last_frame().free_total(), 1u);
  host.republish_frames("other-lot");
  EXPECT_EQ(publisher.sent.size(), 1u);
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST_F(EngineHostTest, MessagesQueuedFromAnotherThreadAreDrainedInOrderOnTheStrand) {
  host.start();
  std::thread paho_like([this] {
    enqueue_all();
  });
  paho_like.join();
  io.run();
  EXPECT_EQ(host.counters().messages, 1u + 3u * 7u + 1u);
  EXPECT_EQ(host.engine().report_counters()[ReportOutcome::Accepted], 21u);
  EXPECT_EQ(last_frame().free_total(), 4u);  // N1, N2, N3 occupied in the end
}

// The engine steps its time before each chunk of 16 reports; with no debounce and no frame
// interval each step had a frame, replaced by the next microseconds later. A batch gives a
// display one frame, at its end.
TEST(EngineHostFrames, ABatchOfReportsGivesEachDisplayOneFrameShowingItsEnd) {
  LotSpec spec = test::small_lot_spec();
  spec.timing.debounce_ms = 0;
  spec.timing.frame_interval_ms = 0;
  LotBuild built = Lot::build(spec);
  ASSERT_TRUE(built.lot);
  std::vector<Lot> lots;
  lots.push_back(std::move(*built.lot));
  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), std::move(lots), /*sim_clock=*/true, publisher};
  host.set_limits(ThrottleLimits{1e9, 1e9}, ThrottleLimits{1e9, 1e9});
  host.start();
  host.enqueue("parking/sim/clock", clock(test::kNoonShanghai));
  io.run();
  const std::size_t before = publisher.sent.size();
  const std::uint64_t seq_before = [&] {
    parking::v1::DisplayFrame f;
    return f.ParseFromString(publisher.sent.back().payload) ? f.seq() : 0;
  }();
  // 49 reports in one batch, each a change: every space taken and freed in turn, the last round
  // leaving the S spaces taken.
  const char* const spaces[] = {"N1", "N2", "N3", "N4", "S1", "S2", "S3"};
  constexpr std::uint64_t kRounds = 7;
  for (std::uint64_t round = 1; round <= kRounds; ++round) {
    for (const char* space : spaces) {
      const bool occupied = round == kRounds ? space[0] == 'S' : round % 2 == 1;
      host.enqueue(std::string("parking/tiny/sensors/s-") + space + "/report", report(space, occupied, round));
    }
  }
  io.restart();
  io.run();
  EXPECT_EQ(host.counters().messages, 1 + kRounds * 7);
  EXPECT_EQ(host.engine().report_counters()[ReportOutcome::Accepted], kRounds * 7);
  ASSERT_EQ(publisher.sent.size(), before + 1) << "one frame for the batch";
  EXPECT_EQ(publisher.sent.back().topic, "parking/tiny/displays/d/frame");
  parking::v1::DisplayFrame f;
  ASSERT_TRUE(f.ParseFromString(publisher.sent.back().payload));
  EXPECT_EQ(f.free_total(), 4u) << "N1-N4 free, the S spaces taken";
  EXPECT_GT(f.seq(), seq_before);
}

TEST(EngineHostPacing, UnderLoadTheStrandHoldsTheQueueAndLosesNothingThenLetsGoWhenItGoesQuiet) {
  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), tiny_lots(), /*sim_clock=*/true, publisher};
  // Held above 1,000 messages a second, drained every millisecond meanwhile.
  host.set_pacing(DrainPacing{1'000, std::chrono::milliseconds(1)});
  host.set_limits(ThrottleLimits{1e9, 1e9}, ThrottleLimits{1e9, 1e9});
  host.start();
  const char* const spaces[] = {"N1", "N2", "N3", "N4", "S1", "S2", "S3"};
  constexpr std::uint64_t kRounds = 400;
  std::thread paho_like([&] {
    host.enqueue("parking/sim/clock", clock(test::kNoonShanghai));
    // About 20,000 reports a second for 140 ms: every space taken and freed in turn, the last
    // round leaving the S spaces taken.
    for (std::uint64_t round = 1; round <= kRounds; ++round) {
      for (const char* space : spaces) {
        const bool occupied = round == kRounds ? space[0] == 'S' : round % 2 == 0;
        host.enqueue(std::string("parking/tiny/sensors/s-") + space + "/report", report(space, occupied, round));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(350));
    }
    host.enqueue("parking/sim/clock", clock(test::kNoonShanghai + 10'000));
  });
  // run() returns once the guard is gone and nothing is left to do: with the queue still held,
  // the next held drain would keep it busy for ever.
  auto guard = boost::asio::make_work_guard(io);
  std::thread strand_thread([&] { io.run(); });
  paho_like.join();
  guard.reset();
  strand_thread.join();
  EXPECT_EQ(host.counters().messages, 2 + kRounds * 7);
  EXPECT_EQ(host.engine().report_counters()[ReportOutcome::Accepted], kRounds * 7);
  EXPECT_GE(host.pacer().holds_started(), 1u);
  EXPECT_GT(host.pacer().held_drains(), 10u);
  EXPECT_FALSE(host.pacer().holding());
  parking::v1::DisplayFrame f;
  ASSERT_TRUE(f.ParseFromString(publisher.sent.back().payload));
  EXPECT_EQ(f.free_total(), 4u) << "N1-N4 free, the S spaces taken: nothing lost or taken out of order";
}

// A ledger in memory whose next record can be made to fail.
class FakeLedger : public GateLedger {
 public:
  std::error_code undecided(std::vector<InboxEvent>&) override { return {}; }
  std::error_code decided(std::span<const InboxEvent> events, std::vector<bool>& out) override {
    out.clear();
    for (const InboxEvent& e : events) out.push_back(recorded.count(e.seq) > 0);
    return {};
  }
  std::error_code last_decided_seqs(std::vector<LastSeq>& out) override {
    if (recorded.empty()) return {};
    LastSeq last{"tiny", "g", *recorded.rbegin(), {}};
    for (std::uint64_t s = *recorded.begin(); s < last.seq; ++s) {
      if (recorded.count(s) == 0) last.skipped.push_back(s);
    }
    out.push_back(std::move(last));
    return {};
  }
  std::error_code record(std::span<const DecisionRecord> decisions, std::span<const GateEventKey> acked) override {
    if (std::exchange(fail_next, false)) return std::make_error_code(std::errc::io_error);
    delivered(acked);
    for (const DecisionRecord& d : decisions) {
      recorded.insert(d.event.seq);
      decided_events.push_back(DecidedEvent{d.event, d.decided_at});
      outbox.push_back(OutgoingDecision{GateEventKey{d.event.lot_id, d.event.gate_id, d.event.seq}, d.decision_topic,
                                        d.decision_payload});
    }
    return {};
  }
  std::error_code undelivered(std::vector<OutgoingDecision>& out) override {
    out = outbox;
    return {};
  }
  std::error_code delivered(std::span<const GateEventKey> keys) override {
    for (const GateEventKey& k : keys) std::erase_if(outbox, [&](const OutgoingDecision& d) { return d.key == k; });
    return {};
  }
  std::error_code open_sessions(std::vector<VisitorSession>&) override { return {}; }
  std::error_code decided_lately(TimeMs window, std::vector<DecidedEvent>& out) override {
    TimeMs newest = 0;
    for (const DecidedEvent& d : decided_events) newest = std::max(newest, d.decided_at);
    for (const DecidedEvent& d : decided_events) {
      if (d.decided_at >= newest - window) out.push_back(d);
    }
    return {};
  }
  std::error_code last_decided(const std::string&, const std::string& gate_id, std::size_t count,
                               std::vector<DecidedEvent>& out) override {
    std::vector<DecidedEvent> gate;
    for (const DecidedEvent& d : decided_events) {
      if (d.event.gate_id == gate_id) gate.push_back(d);
    }
    std::sort(gate.begin(), gate.end(), [](const auto& a, const auto& b) { return a.event.seq < b.event.seq; });
    if (gate.size() > count) gate.erase(gate.begin(), gate.end() - static_cast<std::ptrdiff_t>(count));
    out.insert(out.end(), gate.begin(), gate.end());
    return {};
  }
  std::error_code cars_inside(std::vector<LotInside>&) override { return {}; }
  std::error_code sessions_left_between(TimeMs, TimeMs, std::vector<VisitorSession>&) override { return {}; }
  std::error_code decisions_between(TimeMs, TimeMs, std::vector<DecisionCount>&) override { return {}; }
  std::set<std::uint64_t> recorded;  // seqs of gate g
  std::vector<DecidedEvent> decided_events;
  std::vector<OutgoingDecision> outbox;
  bool fail_next = false;
};

// An inbox in memory: what is appended stays until released.
class FakeInbox : public GateInbox {
 public:
  std::error_code append(const InboxEvent& event, InboxPosition& position) override {
    kept.push_back(PendingEvent{event, ++last});
    position = last;
    return {};
  }
  std::error_code pending(std::vector<PendingEvent>& out, std::uint64_t& damaged) override {
    damaged = 0;
    for (const PendingEvent& p : kept) {
      if (p.position > released) out.push_back(p);
    }
    return {};
  }
  std::error_code release_through(InboxPosition position) override {
    released = position;
    return {};
  }
  std::vector<PendingEvent> kept;
  InboxPosition last = 0;
  InboxPosition released = 0;
};

// `camera_at`: the camera's own clock (GateEvent.at_ms), 0 for none.
std::string gate_event(std::uint64_t seq, const std::string& plate, bool entry = true, TimeMs camera_at = 0) {
  parking::v1::GateEvent e;
  e.set_gate_id("g");
  e.set_seq(seq);
  e.set_plate(plate);
  e.set_direction(entry ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
  e.set_at_ms(camera_at);
  return e.SerializeAsString();
}

std::vector<std::uint64_t> decided_seqs(const FakePublisher& publisher) {
  std::vector<std::uint64_t> seqs;
  for (const auto& sent : publisher.sent) {
    parking::v1::GateDecision d;
    if (sent.topic == "parking/tiny/gates/g/decision" && d.ParseFromString(sent.payload)) seqs.push_back(d.event_seq());
  }
  return seqs;
}

std::string last_decision(const FakePublisher& publisher) {
  for (auto it = publisher.sent.rbegin(); it != publisher.sent.rend(); ++it) {
    if (it->topic == "parking/tiny/gates/g/decision") return it->payload;
  }
  return {};
}

// A parkd on the fake ledger and inbox, as after a start: each instance is one run of parkd.
struct GateRun {
  GateRun(FakeLedger& ledger, FakeInbox& inbox) {
    host.emplace(boost::asio::make_strand(io), tiny_lots(), true, publisher, nullptr, &ledger, nullptr, &inbox);
    host->start();
  }
  void event(std::uint64_t seq) {
    host->enqueue("parking/tiny/gates/g/event", gate_event(seq, "沪A1000" + std::to_string(seq % 10)));
    run();
  }
  void clock_at(TimeMs t) {
    host->enqueue("parking/sim/clock", clock(t));
    run();
  }
  void send(std::string payload) {
    host->enqueue("parking/tiny/gates/g/event", std::move(payload));
    run();
  }
  void run() {
    io.restart();
    io.run();
  }
  boost::asio::io_context io;
  FakePublisher publisher;
  std::optional<EngineHost> host;
};

TEST(EngineHostGates, ABatchWhoseRecordFailedGoesOutAtOnceAndIsRecordedWithTheNext) {
  FakeLedger ledger;
  FakeInbox inbox;
  {
    GateRun parkd(ledger, inbox);
    parkd.clock_at(test::kNoonShanghai);
    parkd.event(1);
    ledger.fail_next = true;  // the disk refuses this one: the car is let through all the same...
    parkd.event(2);
    EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(parkd.host->recorder().unrecorded(), 1u);
    EXPECT_EQ(parkd.host->recorder().record_failures(), 1u);
    EXPECT_EQ(inbox.released, 1u);  // ...and its event stays in the inbox
    parkd.event(3);  // the disk is back: 2 is recorded with 3, and both go out (2 a second time)
    EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{1, 2, 2, 3}));
    EXPECT_EQ(ledger.recorded, (std::set<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(parkd.host->recorder().unrecorded(), 0u);
    EXPECT_EQ(inbox.released, inbox.last);
    EXPECT_EQ(parkd.publisher.acknowledge.size(), 3u) << "only recorded decisions are tracked to the broker";
  }
}

TEST(EngineHostGates, WhatTheBrokerHadNotAcknowledgedIsSentAgainFirstAfterARestart) {
  FakeLedger ledger;
  FakeInbox inbox;
  std::string last_payload;
  {
    GateRun parkd(ledger, inbox);
    parkd.clock_at(test::kNoonShanghai);
    parkd.event(1);
    parkd.publisher.acknowledge_all();  // the broker has 1
    parkd.event(2);
    parkd.event(3);
    last_payload = last_decision(parkd.publisher);
    parkd.run();
    EXPECT_EQ(ledger.outbox.size(), 2u);  // 2 and 3 were in Paho's hands when parkd died
  }
  GateRun parkd(ledger, inbox);  // before any SimClock: the outbox does not need the time
  EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(last_decision(parkd.publisher), last_payload) << "the same decision, byte for byte";
  EXPECT_EQ(parkd.host->counters().decisions_resent, 2u);
  parkd.publisher.acknowledge_all();
  EXPECT_TRUE(ledger.outbox.empty());
  parkd.clock_at(test::kNoonShanghai + 60'000);
  parkd.event(4);
  EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{2, 3, 4}));
}

// A broker cluster can deliver a visitor's entry after its exit (docs/scaling.md), and parkd may
// restart in between: the exit decided before the restart still makes the entry history, so no
// stay opens that would never close.
TEST(EngineHostGates, AnEntryThatComesAfterItsCarsExitAndARestartOpensNoStay) {
  FakeLedger ledger;
  FakeInbox inbox;
  const TimeMs noon = test::kNoonShanghai;
  {
    GateRun parkd(ledger, inbox);
    parkd.clock_at(noon);
    parkd.send(gate_event(1, "苏E12345", false, noon - 30'000));
  }
  GateRun parkd(ledger, inbox);
  parkd.clock_at(noon + 60'000);
  parkd.send(gate_event(2, "苏E12345", true, noon - 36'000));
  parking::v1::GateDecision late;
  ASSERT_TRUE(late.ParseFromString(last_decision(parkd.publisher)));
  EXPECT_EQ(late.event_seq(), 2u);
  EXPECT_EQ(late.reason(), "ENTRY_AFTER_EXIT");
  EXPECT_EQ(parkd.host->desk().open_session("tiny", "苏E12345"), nullptr);
  // The same car coming back later, by the camera's clock, is an arrival (turned away here: no
  // sensor has said a space of the tiny lot is free).
  parkd.send(gate_event(3, "苏E12345", true, noon + 50'000));
  parking::v1::GateDecision again;
  ASSERT_TRUE(again.ParseFromString(last_decision(parkd.publisher)));
  EXPECT_EQ(again.event_seq(), 3u);
  EXPECT_EQ(again.reason(), "LOT_FULL");
}

// Events that waited through parkd's outage are decided late, by each camera's clock as the
// ledger showed it before the restart: counted, and logged; events after them are on time.
TEST(EngineHostGates, AfterARestartTheEventsThatWaitedThroughTheOutageAreDecidedLate) {
  FakeLedger ledger;
  FakeInbox inbox;
  const TimeMs noon = test::kNoonShanghai;
  const TimeMs behind = -4 * 60'000;  // the camera's clock
  {
    GateRun parkd(ledger, inbox);
    for (std::uint64_t i = 0; i < 3; ++i) {
      const TimeMs at = noon + static_cast<TimeMs>(i) * 60'000;
      parkd.clock_at(at);
      parkd.send(gate_event(i + 1, "苏E1000" + std::to_string(i), true, at + behind));
    }
    EXPECT_EQ(parkd.host->counters().decisions_late, 0u);
  }
  GateRun parkd(ledger, inbox);  // back 30 minutes later; two cars came meanwhile
  parkd.clock_at(noon + 32 * 60'000);
  parkd.send(gate_event(4, "苏E20000", true, noon + 5 * 60'000 + behind));
  parkd.send(gate_event(5, "苏E20001", true, noon + 20 * 60'000 + behind));
  EXPECT_EQ(parkd.host->counters().decisions_late, 2u);
  parkd.send(gate_event(6, "苏E20002", true, noon + 32 * 60'000 + behind));
  EXPECT_EQ(parkd.host->counters().decisions_late, 2u) << "a car at the barrier now";
  const std::vector<std::uint64_t> seqs = decided_seqs(parkd.publisher);  // after the outbox's again
  ASSERT_GE(seqs.size(), 3u);
  EXPECT_EQ(std::vector<std::uint64_t>(seqs.end() - 3, seqs.end()), (std::vector<std::uint64_t>{4, 5, 6}));
}

TEST(EngineHostGates, EventsKeptBeforeTheFirstSimClockAreDecidedOnceItComes) {
  FakeLedger ledger;
  FakeInbox inbox;
  {
    GateRun parkd(ledger, inbox);  // killed before any SimClock came
    parkd.event(1);
    parkd.event(2);
    EXPECT_TRUE(decided_seqs(parkd.publisher).empty());
  }
  GateRun parkd(ledger, inbox);
  parkd.event(3);  // the broker hands over more, still before the first SimClock
  EXPECT_EQ(inbox.released, 0u) << "nothing is let go before the inbox was read back";
  parkd.clock_at(test::kNoonShanghai);
  EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(ledger.recorded, (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(inbox.released, inbox.last);
}

TEST(EngineHostGates, ABatchWhoseRecordFailedIsDecidedAgainAfterARestartIfParkdDiedFirst) {
  FakeLedger ledger;
  FakeInbox inbox;
  {
    GateRun parkd(ledger, inbox);
    parkd.clock_at(test::kNoonShanghai);
    parkd.event(1);
    ledger.fail_next = true;
    parkd.event(2);  // not recorded, and parkd dies before the next record
    EXPECT_EQ(ledger.recorded, (std::set<std::uint64_t>{1}));
    EXPECT_EQ(inbox.released, 1u);
  }
  // The restart: event 2 is decided and recorded again, 1 is not decided twice, nor is a
  // redelivery of it; what comes next is decided as usual.
  GateRun parkd(ledger, inbox);
  parkd.publisher.sent.clear();  // the outbox's 1 went out again
  parkd.clock_at(test::kNoonShanghai + 60'000);
  parkd.event(1);
  parkd.event(3);
  EXPECT_EQ(decided_seqs(parkd.publisher), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(ledger.recorded, (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(parkd.host->gate_events_duplicate(), 1u);
  EXPECT_EQ(inbox.released, inbox.last);
}

// An inbox whose append blocks (a disk that stalls on a flush) until the test lets it go.
class StallingInbox : public FakeInbox {
 public:
  std::error_code append(const InboxEvent& event, InboxPosition& position) override {
    {
      std::unique_lock lock(mutex);
      inside = true;
      changed.notify_all();
      changed.wait(lock, [this] { return go_on; });
    }
    return FakeInbox::append(event, position);
  }
  std::mutex mutex;
  std::condition_variable changed;
  bool inside = false;
  bool go_on = false;
};

TEST(EngineHostGates, TheStrandNeverWaitsForTheInboxsDisk) {
  StallingInbox inbox;
  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), tiny_lots(), true, publisher, nullptr, nullptr, nullptr, &inbox};
  host.start();
  host.enqueue("parking/sim/clock", clock(test::kNoonShanghai));
  std::thread paho_like([&] { host.enqueue("parking/tiny/gates/g/event", gate_event(1, "沪A10001")); });
  {
    std::unique_lock lock(inbox.mutex);
    inbox.changed.wait(lock, [&] { return inbox.inside; });
  }
  // The append is stuck on the disk; the strand still takes what arrived before it.
  io.run_for(std::chrono::seconds(2));
  EXPECT_EQ(host.engine().now(), test::kNoonShanghai);
  EXPECT_EQ(host.counters().messages, 1u);
  {
    std::lock_guard lock(inbox.mutex);
    inbox.go_on = true;
  }
  inbox.changed.notify_all();
  paho_like.join();
  io.restart();
  io.run();
  EXPECT_EQ(host.counters().messages, 2u);
  EXPECT_EQ(decided_seqs(publisher), (std::vector<std::uint64_t>{1}));
}

// Every space of the small lot free, as the store would restore them.
class AllFreeStore : public SpaceStateStore {
 public:
  std::error_code save(std::span<const StoredSpaceState>, std::span<const StoredSpaceState>) override { return {}; }
  std::error_code load(std::vector<StoredSpaceState>& out) override {
    for (const char* space : {"N1", "N2", "N3", "N4", "S1", "S2", "S3"}) {
      out.push_back(StoredSpaceState{"tiny", space, SpaceState::Free, 0, ""});
    }
    return {};
  }
  std::error_code history(const std::string&, const std::string&, std::size_t, TimeMs,
                          std::vector<StoredSpaceState>&) override {
    return {};
  }
};

// A store that had N1 occupied (since an hour before noon) and N2 closed, and records each save.
class RecordingStore : public SpaceStateStore {
 public:
  std::error_code save(std::span<const StoredSpaceState> l, std::span<const StoredSpaceState> c) override {
    latest.insert(latest.end(), l.begin(), l.end());
    changes.insert(changes.end(), c.begin(), c.end());
    return {};
  }
  std::error_code load(std::vector<StoredSpaceState>& out) override {
    out.push_back(StoredSpaceState{"tiny", "N1", SpaceState::Occupied, test::kNoonShanghai - 3'600'000, ""});
    out.push_back(StoredSpaceState{"tiny", "N2", SpaceState::Closed, test::kNoonShanghai - 7'200'000, "works"});
    return {};
  }
  std::error_code history(const std::string&, const std::string&, std::size_t, TimeMs,
                          std::vector<StoredSpaceState>&) override {
    return {};
  }
  std::vector<StoredSpaceState> latest;
  std::vector<StoredSpaceState> changes;
};

// What a restart puts back is no change of the spaces: their histories get only what happens
// after it (a report), while the latest states keep when a car came.
TEST(EngineHostStates, WhatARestartRestoresIsNoChangeInTheSpacesHistories) {
  RecordingStore states;
  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), tiny_lots(), /*sim_clock=*/true, publisher, &states};
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai));
  host.on_message("parking/tiny/sensors/s-N3/report", report("N3", true, 1));
  host.on_message("parking/sim/clock", clock(test::kNoonShanghai + 10'000));
  bool saved = false;
  host.save_space_states([&] { saved = true; });
  EXPECT_TRUE(saved);
  ASSERT_EQ(states.changes.size(), 1u);
  EXPECT_EQ(states.changes[0].space_id, "N3");
  EXPECT_EQ(states.changes[0].state, SpaceState::Occupied);
  const auto n1 = std::find_if(states.latest.begin(), states.latest.end(), [](const auto& s) { return s.space_id == "N1"; });
  ASSERT_NE(n1, states.latest.end());
  EXPECT_EQ(n1->changed_at, test::kNoonShanghai - 3'600'000);
}

std::string visitor_event(std::uint64_t seq, bool entry) {
  parking::v1::GateEvent e;
  e.set_gate_id("g");
  e.set_seq(seq);
  e.set_plate("苏E12345");
  e.set_direction(entry ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
  return e.SerializeAsString();
}

// A visitor came at T-3h and left at T-1h while parkd was down; at the restart (T) both events
// come from the inbox: the stay is 2 hours (10.00 yuan), not 3 (15.00).
TEST(EngineHostGates, EventsKeptAcrossARestartAreDecidedAtTheTimeTheyWereReceived) {
  FakeLedger ledger;
  FakeInbox inbox;
  AllFreeStore states;
  const TimeMs t = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  InboxPosition p = 0;
  inbox.append(InboxEvent{"tiny", "g", 1, visitor_event(1, true), "parking/tiny/gates/g/event", t - 3 * 3'600'000}, p);
  inbox.append(InboxEvent{"tiny", "g", 2, visitor_event(2, false), "parking/tiny/gates/g/event", t - 1 * 3'600'000}, p);
  boost::asio::io_context io;
  FakePublisher publisher;
  EngineHost host{boost::asio::make_strand(io), tiny_lots(), /*sim_clock=*/false, publisher, &states, &ledger,
                  nullptr, &inbox};
  host.start();
  parking::v1::GateDecision entry;
  parking::v1::GateDecision exit;
  for (const auto& sent : publisher.sent) {
    parking::v1::GateDecision d;
    if (sent.topic != "parking/tiny/gates/g/decision" || !d.ParseFromString(sent.payload)) continue;
    (d.event_seq() == 1 ? entry : exit) = d;
  }
  EXPECT_EQ(entry.reason(), "VISITOR_ADMITTED");
  EXPECT_EQ(exit.reason(), "VISITOR_EXIT");
  EXPECT_EQ(exit.fee_due_fen(), 1'000) << "two started hours, from entry to exit as received";
}

TEST(EngineHostGates, ADecisionTheBrokerSessionCannotEvenQueueIsCounted) {
  FakeLedger ledger;
  FakeInbox inbox;
  GateRun parkd(ledger, inbox);
  parkd.clock_at(test::kNoonShanghai);
  parkd.publisher.accept = false;  // the session's queue is full
  parkd.event(1);
  EXPECT_EQ(parkd.host->counters().decisions_dropped, 1u);
  EXPECT_EQ(ledger.outbox.size(), 1u) << "it stays in the outbox for the next start";
}

}  // namespace
}  // namespace parkd
