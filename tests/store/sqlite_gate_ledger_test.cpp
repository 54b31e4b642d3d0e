// The gate ledger in a real SQLite file: a decided event is stored once with its decision, an
// older parkd's undecided rows are found and decided, and a decision's session changes land
// with it or not at all.
#include "store/sqlite_gate_ledger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace parkd {
namespace {

class GateLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("parkd-ledger-" + std::to_string(std::random_device{}()));
    db = std::make_unique<SqliteDatabase>((dir / "parkd.db").string());
    ledger = std::make_unique<SqliteGateLedger>(*db);
  }
  void TearDown() override {
    ledger.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  static InboxEvent event(std::uint64_t seq) {
    return InboxEvent{"xj5", "north", seq, "payload-" + std::to_string(seq), "t", 1'000};
  }
  std::filesystem::path dir;
  std::unique_ptr<SqliteDatabase> db;
  std::unique_ptr<SqliteGateLedger> ledger;
};

TEST_F(GateLedgerTest, ADecidedEventIsStoredOnceAndRaisesItsGatesLastSeq) {
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 2'000, std::nullopt, {}, "TEST", true, "", ""},
                                                          {event(3), 2'000, std::nullopt, {}, "TEST", true, "", ""}}));
  // Recorded again (a repetition that slipped through): the first decision stays.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 9'000, std::nullopt, {}, "OTHER", false, "", ""}}));
  std::vector<GateLedger::DecisionCount> counts;
  ASSERT_FALSE(ledger->decisions_between(0, 10'000, counts));
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].reason, "TEST");
  EXPECT_EQ(counts[0].count, 2u);
  std::vector<GateLedger::LastSeq> seqs;
  ASSERT_FALSE(ledger->last_decided_seqs(seqs));
  ASSERT_EQ(seqs.size(), 1u);
  EXPECT_EQ(seqs[0].gate_id, "north");
  EXPECT_EQ(seqs[0].seq, 3u);
  EXPECT_EQ(seqs[0].skipped, std::vector<std::uint64_t>{2}) << "2 may still come from a broker cluster";
  std::vector<bool> decided;
  ASSERT_FALSE(ledger->decided(std::vector<InboxEvent>{event(1), event(2), event(3)}, decided));
  EXPECT_EQ(decided, (std::vector<bool>{true, false, true}));
  std::vector<InboxEvent> undecided;
  ASSERT_FALSE(ledger->undecided(undecided));
  EXPECT_TRUE(undecided.empty());
}

TEST_F(GateLedgerTest, ADecisionWaitsInTheOutboxUntilTheBrokerHasIt) {
  const auto decision = [](std::uint64_t seq, std::string payload) {
    return DecisionRecord{event(seq), 2'000, std::nullopt, {}, "TEST", true, "parking/xj5/gates/north/decision",
                          std::move(payload)};
  };
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{decision(2, std::string("\x08\x02\x00", 3)), decision(1, "d1")}));
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{decision(3, "d3")}));
  // Recorded again after a restart lost the acknowledgement of the first record: the outbox
  // keeps the first bytes and place.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{decision(2, "other bytes")}));
  std::vector<OutgoingDecision> waiting;
  ASSERT_FALSE(ledger->undelivered(waiting));
  ASSERT_EQ(waiting.size(), 3u);
  EXPECT_EQ(waiting[0].key, (GateEventKey{"xj5", "north", 2}));  // in the order recorded
  EXPECT_EQ(waiting[0].payload, std::string("\x08\x02\x00", 3));
  EXPECT_EQ(waiting[0].topic, "parking/xj5/gates/north/decision");
  EXPECT_EQ(waiting[1].key.seq, 1u);
  EXPECT_EQ(waiting[2].key.seq, 3u);
  // Acknowledgements ride along with the next record, or go in a transaction of their own.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{}, std::vector<GateEventKey>{{"xj5", "north", 2}}));
  ASSERT_FALSE(ledger->delivered(std::vector<GateEventKey>{{"xj5", "north", 3}, {"xj5", "south", 1}}));
  waiting.clear();
  ASSERT_FALSE(ledger->undelivered(waiting));
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].key.seq, 1u);
  // A decision acknowledged before its record was retried stays delivered: the record of a
  // decided event with no decision bytes (an older parkd's) adds nothing to the outbox.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(9), 2'000, std::nullopt, {}, "TEST", true, "", ""}}));
  waiting.clear();
  ASSERT_FALSE(ledger->undelivered(waiting));
  EXPECT_EQ(waiting.size(), 1u);
}

TEST_F(GateLedgerTest, AFailedRecordLeavesNothingBehindAndTheConnectionUsable) {
  // Something else holds the write lock: the batch cannot be recorded...
  SqliteDatabase other((dir / "parkd.db").string());
  sqlite3_busy_timeout(other.handle(), 0);
  sqlite3_busy_timeout(db->handle(), 0);
  ASSERT_FALSE(other.exec("BEGIN IMMEDIATE"));
  EXPECT_TRUE(ledger->record(std::vector<DecisionRecord>{{event(1), 2'000, std::nullopt, {}, "TEST", true, "t", "d1"}}));
  ASSERT_FALSE(other.exec("ROLLBACK"));
  EXPECT_NE(sqlite3_get_autocommit(db->handle()), 0) << "no transaction left open";
  // ...and once the lock is free, the same batch is recorded in full.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 2'000, std::nullopt, {}, "TEST", true, "t", "d1"}}));
  std::vector<OutgoingDecision> waiting;
  ASSERT_FALSE(ledger->undelivered(waiting));
  EXPECT_EQ(waiting.size(), 1u);
}

TEST_F(GateLedgerTest, AnOlderParkdsUndecidedEventsAreFoundAndGetTheirDecision) {
  // What an older parkd left: events stored on arrival, not yet decided.
  ASSERT_FALSE(db->exec("INSERT INTO gate_decision (lot_id, gate_id, seq, topic, payload, received_at_ms) VALUES "
                        "('xj5', 'north', 7, 'parking/xj5/gates/north/event', x'0807', 500), "
                        "('xj5', 'north', 8, 'parking/xj5/gates/north/event', x'0808', 600)"));
  std::vector<InboxEvent> undecided;
  ASSERT_FALSE(ledger->undecided(undecided));
  ASSERT_EQ(undecided.size(), 2u);
  EXPECT_EQ(undecided[0].seq, 7u);
  EXPECT_EQ(undecided[0].payload, std::string("\x08\x07", 2));
  EXPECT_EQ(undecided[1].topic, "parking/xj5/gates/north/event");
  std::vector<GateLedger::LastSeq> seqs;
  ASSERT_FALSE(ledger->last_decided_seqs(seqs));
  EXPECT_TRUE(seqs.empty());  // stored is not decided
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{undecided[0], 2'000, std::nullopt, {}, "TEST", true, "", ""}}));
  undecided.clear();
  ASSERT_FALSE(ledger->undecided(undecided));
  ASSERT_EQ(undecided.size(), 1u);
  EXPECT_EQ(undecided[0].seq, 8u);
  ASSERT_FALSE(ledger->last_decided_seqs(seqs));
  ASSERT_EQ(seqs.size(), 1u);
  EXPECT_EQ(seqs[0].seq, 7u);
}

// After a restart the gate desk is told again what was decided in its last minutes.
TEST_F(GateLedgerTest, TheEventsDecidedWithinAWindowBeforeTheNewestComeBackOldestFirst) {
  std::vector<GateLedger::DecidedEvent> none;
  ASSERT_FALSE(ledger->decided_lately(600'000, none));
  EXPECT_TRUE(none.empty());
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 100'000, std::nullopt, {}, "TEST", true, "", ""},
                                                          {event(2), 800'000, std::nullopt, {}, "TEST", true, "", ""}}));
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(4), 900'000, std::nullopt, {}, "TEST", true, "", ""},
                                                          {event(3), 700'000, std::nullopt, {}, "TEST", true, "", ""}}));
  std::vector<GateLedger::DecidedEvent> lately;
  ASSERT_FALSE(ledger->decided_lately(200'000, lately));  // from 700,000, the newest being 900,000
  ASSERT_EQ(lately.size(), 3u);
  EXPECT_EQ(lately[0].event, event(3));
  EXPECT_EQ(lately[0].decided_at, 700'000);
  EXPECT_EQ(lately[1].event, event(2));
  EXPECT_EQ(lately[2].event, event(4));
  EXPECT_EQ(lately[2].decided_at, 900'000);
}

// After a restart each camera's clock is learnt again from its gate's last decisions.
TEST_F(GateLedgerTest, AGatesLastDecisionsComeBackBySeqOldestFirstAndNoOtherGates) {
  std::vector<DecisionRecord> records;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    records.push_back({event(seq), static_cast<TimeMs>(seq) * 1'000, std::nullopt, {}, "TEST", true, "", ""});
  }
  InboxEvent east{"xj5", "east", 9, "payload-east", "t", 1'000};
  records.push_back({east, 6'000, std::nullopt, {}, "TEST", true, "", ""});
  InboxEvent elsewhere{"d0001", "north", 10, "payload-d", "t", 1'000};
  records.push_back({elsewhere, 7'000, std::nullopt, {}, "TEST", true, "", ""});
  ASSERT_FALSE(ledger->record(records));
  std::vector<GateLedger::DecidedEvent> last;
  ASSERT_FALSE(ledger->last_decided("xj5", "north", 3, last));
  ASSERT_EQ(last.size(), 3u);
  EXPECT_EQ(last[0].event, event(3));
  EXPECT_EQ(last[0].decided_at, 3'000);
  EXPECT_EQ(last[2].event, event(5));
  std::vector<GateLedger::DecidedEvent> none;
  ASSERT_FALSE(ledger->last_decided("xj5", "south", 3, none));
  EXPECT_TRUE(none.empty());
}

TEST_F(GateLedgerTest, SessionsOpenAndCloseWithTheirDecisions) {
  const VisitorSession in{"xj5", "苏E12345", "north", 10'000, std::nullopt, {}, 0, false, {}};
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 10'000, in, {}, "TEST", true, "", ""}}));
  std::vector<VisitorSession> open;
  ASSERT_FALSE(ledger->open_sessions(open));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].entered_at, 10'000);
  VisitorSession out = in;
  out.left_at = 9'070'000;
  out.exit_gate = "east";
  out.fee_fen = 1'500;
  const std::vector<VisitorSession> closed = {out};
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(2), 9'070'000, std::nullopt, closed, "TEST", true, "", ""}}));
  open.clear();
  ASSERT_FALSE(ledger->open_sessions(open));
  EXPECT_TRUE(open.empty());
  // The plate comes again: a new session (a new row) opens.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(3), 9'100'000, in, {}, "TEST", true, "", ""}}));
  const VisitorSession other{"xj5", "苏E12345", "east", 9'200'000, std::nullopt, {}, 0, false, {}};
  // Same plate, same lot: the upsert updates the open one instead of adding a second.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(4), 9'200'000, other, {}, "TEST", true, "", ""}}));
  open.clear();
  ASSERT_FALSE(ledger->open_sessions(open));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].entered_at, in.entered_at);  // the stay counts from the first entry
  EXPECT_EQ(open[0].entry_gate, "north");
}

TEST_F(GateLedgerTest, AnEntryThatClosesAMissedExitsSessionAlsoOpensItsOwn) {
  const VisitorSession monday{"xj5", "苏E12345", "north", 10'000, std::nullopt, {}, 0, false, {}};
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{{event(1), 10'000, monday, {}, "TEST", true, "", ""}}));
  VisitorSession missed = monday;
  missed.left_at = 500'000'000;
  missed.note = "exit missed: closed at the next entry, no fee";
  const VisitorSession saturday{"xj5", "苏E12345", "east", 500'000'000, std::nullopt, {}, 0, false, {}};
  ASSERT_FALSE(ledger->record(
      std::vector<DecisionRecord>{{event(2), 500'000'000, saturday, {missed}, "VISITOR_ADMITTED", true, "", ""}}));
  std::vector<VisitorSession> open;
  ASSERT_FALSE(ledger->open_sessions(open));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].entered_at, 500'000'000) << "Saturday's visit, not Monday's";
  EXPECT_EQ(open[0].entry_gate, "east");
  std::vector<VisitorSession> ended;
  ASSERT_FALSE(ledger->sessions_left_between(0, 600'000'000, ended));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].entered_at, 10'000);
  EXPECT_EQ(ended[0].note, "exit missed: closed at the next entry, no fee");
}

TEST_F(GateLedgerTest, AMonthReadsTheSessionsThatEndedInItAndTheDecisionsMadeInIt) {
  const VisitorSession in{"xj5", "苏E12345", "north", 10'000, std::nullopt, {}, 0, false, {}};
  VisitorSession out = in;
  out.left_at = 5'000'000;
  out.exit_gate = "east";
  out.fee_fen = 1'500;
  out.overstay = true;
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{
      {event(1), 10'000, in, {}, "VISITOR_ADMITTED", true, "", ""},
      {event(2), 20'000, std::nullopt, {}, "INVALID_PLATE", false, "", ""},
      {event(3), 30'000, std::nullopt, {}, "INVALID_PLATE", false, "", ""},
      {event(4), 5'000'000, std::nullopt, {out}, "VISITOR_EXIT", true, "", ""}}));
  std::vector<VisitorSession> ended;
  ASSERT_FALSE(ledger->sessions_left_between(0, 5'000'000, ended));
  EXPECT_TRUE(ended.empty());  // the end of the range is not in it
  ASSERT_FALSE(ledger->sessions_left_between(5'000'000, 6'000'000, ended));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].entered_at, 10'000);
  EXPECT_EQ(ended[0].left_at, 5'000'000);
  EXPECT_EQ(ended[0].exit_gate, "east");
  EXPECT_EQ(ended[0].fee_fen, 1'500);
  EXPECT_TRUE(ended[0].overstay);
  std::vector<GateLedger::DecisionCount> counts;
  ASSERT_FALSE(ledger->decisions_between(0, 1'000'000, counts));
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].reason, "INVALID_PLATE");
  EXPECT_FALSE(counts[0].admitted);
  EXPECT_EQ(counts[0].count, 2u);
  EXPECT_EQ(counts[1].reason, "VISITOR_ADMITTED");
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST_F(GateLedgerTest, TheRecordOfTheCarsInsideLandsWithItsDecisionsAndReadsBackPerLot) {
  std::vector<GateLedger::LotInside> lots;
  ASSERT_FALSE(ledger->cars_inside(lots));
  EXPECT_TRUE(lots.empty()) << "no record is kept";

  // A car before the record began (parkd did not know yet what was parked), then the beginning.
  DecisionRecord early{event(9), 1'000, std::nullopt, {}, "RESIDENT", true, "", ""};
  early.inside = {InsideChange{"yq2", CarInside{"沪A77777", 1'000, "west", false, 0}, true, -1}};
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{early}));
  ASSERT_FALSE(ledger->cars_inside(lots));
  ASSERT_EQ(lots.size(), 1u);
  EXPECT_EQ(lots[0].unnamed, std::nullopt) << "not begun";
  EXPECT_EQ(lots[0].cars.size(), 1u);
  early.event = event(10);
  early.inside = {InsideChange{"yq2", CarInside{}, false, 40}};
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{early}));
  lots.clear();
  ASSERT_FALSE(ledger->cars_inside(lots));
  ASSERT_EQ(lots.size(), 1u);
  EXPECT_EQ(lots[0].unnamed, 40u);
  lots.clear();

  DecisionRecord in{event(1), 2'000, std::nullopt, {}, "VISITOR_ADMITTED", true, "", ""};
  in.inside = {InsideChange{"xj5", CarInside{"沪B40001", 2'000, "north", true, 86'402'000}, true, 4},
               InsideChange{"xj5", CarInside{"沪A10001", 2'500, "north", false, 0}, true, 4}};
  DecisionRecord out{event(2), 3'000, std::nullopt, {}, "RESIDENT_EXIT", true, "", ""};
  out.inside = {InsideChange{"xj5", CarInside{"沪A10001", 0, "", false, 0}, false, 4},
                InsideChange{"xj5", CarInside{"沪A99999", 0, "", false, 0}, false, 3}};  // one of the unnamed
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{in, out}));
  // Recorded again (a restart lost the acknowledgement of the first record): the same record.
  ASSERT_FALSE(ledger->record(std::vector<DecisionRecord>{in, out}));

  ASSERT_FALSE(ledger->cars_inside(lots));
  ASSERT_EQ(lots.size(), 2u);
  EXPECT_EQ(lots[0].lot_id, "xj5");
  EXPECT_EQ(lots[0].unnamed, 3u);
  ASSERT_EQ(lots[0].cars.size(), 1u);
  EXPECT_EQ(lots[0].cars[0], (CarInside{"沪B40001", 2'000, "north", true, 86'402'000}));

  // A batch that cannot be recorded changes nothing of the record either.
  SqliteDatabase other((dir / "parkd.db").string());
  sqlite3_busy_timeout(other.handle(), 0);
  sqlite3_busy_timeout(db->handle(), 0);
  ASSERT_FALSE(other.exec("BEGIN IMMEDIATE"));
  DecisionRecord gone{event(3), 4'000, std::nullopt, {}, "VISITOR_EXIT", true, "", ""};
  gone.inside = {InsideChange{"xj5", CarInside{"沪B40001", 0, "", false, 0}, false, 3}};
  EXPECT_TRUE(ledger->record(std::vector<DecisionRecord>{gone}));
  ASSERT_FALSE(other.exec("ROLLBACK"));
  lots.clear();
  ASSERT_FALSE(ledger->cars_inside(lots));
  ASSERT_EQ(lots.at(0).cars.size(), 1u);
}

}  // namespace
}  // namespace parkd
