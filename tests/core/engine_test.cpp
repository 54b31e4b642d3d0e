// The engine across lots: routing, one wake-up schedule for all, independence of lots.
#include "core/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "support/test_lots.h"

namespace parkd {
namespace {

std::vector<Lot> two_lots() {
  std::vector<Lot> lots;
  lots.push_back(test::small_lot("east-court"));
  LotSpec other = test::small_lot_spec("west-court");
  other.timing.debounce_ms = 5'000;
  other.timing.frame_interval_ms = 0;
  lots.push_back(std::move(*Lot::build(other).lot));
  return lots;
}

TEST(Engine, HoldsSeveralLotsWithTheirOwnRules) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  const TimeMs t = test::kNoonShanghai;
  ASSERT_EQ(engine.lot_count(), 2u);
  const std::size_t east = *engine.find_lot("east-court");
  const std::size_t west = *engine.find_lot("west-court");

  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("west-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", true, 2), t);
  engine.on_sensor_report(test::reading("west-court", "s-N1", "N1", true, 2), t);
  EXPECT_GE(sink.frames.size(), 2u);  // the first event puts a frame on every sign at once
  engine.advance(t + 2'000);
  EXPECT_EQ(engine.occupancy(east).state(0), SpaceState::Occupied);
  EXPECT_EQ(engine.occupancy(west).state(0), SpaceState::Free);  // 5 s debounce there
  engine.advance(t + 5'000);
  EXPECT_EQ(engine.occupancy(west).state(0), SpaceState::Occupied);

  std::set<std::string> lots_with_frames;
  for (const auto& f : sink.frames) lots_with_frames.insert(f.lot_id);
  EXPECT_EQ(lots_with_frames, (std::set<std::string>{"east-court", "west-court"}));
}

// The sink hears of a closure with its reason already known, so a store can keep them together.
class ReasonRecordingSink : public test::RecordingSink {
 public:
  explicit ReasonRecordingSink(const Engine*& engine) : engine_(engine) {}
  void space_changed(const Lot& lot, const SpaceChange& change) override {
    test::RecordingSink::space_changed(lot, change);
    reasons.emplace_back(engine_->closed_reason(*engine_->find_lot(lot.id()), change.space));
  }
  std::vector<std::string> reasons;

 private:
  const Engine*& engine_;
};

TEST(Engine, AClosedSpaceKeepsWhyUntilItOpens) {
  const Engine* engine_for_sink = nullptr;
  ReasonRecordingSink sink(engine_for_sink);
  Engine engine(two_lots(), sink);
  engine_for_sink = &engine;
  const TimeMs t = test::kNoonShanghai;
  const std::size_t east = *engine.find_lot("east-court");
  EXPECT_EQ(engine.close_space("east-court", "N1", t, "repainting lines"), SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.closed_reason(east, 0), "repainting lines");
  EXPECT_EQ(sink.reasons.back(), "repainting lines");
  EXPECT_EQ(engine.close_space("east-court", "N1", t, "a leaking pipe above it"), SpaceCommandOutcome::AlreadyThere);
  EXPECT_EQ(engine.closed_reason(east, 0), "a leaking pipe above it");
  EXPECT_EQ(engine.close_space("east-court", "Z9", t, "no such space"), SpaceCommandOutcome::UnknownSpace);
  EXPECT_EQ(engine.open_space("east-court", "N1", t), SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.closed_reason(east, 0), "");
  // After a restart: restored closed, with the reason that was saved.
  EXPECT_EQ(engine.restore_space("west-court", "N2", SpaceState::Closed, t, "kept for the fire brigade"),
            SpaceCommandOutcome::Done);
  EXPECT_EQ(engine.closed_reason(*engine.find_lot("west-court"), 1), "kept for the fire brigade");
  EXPECT_EQ(engine.occupancy(*engine.find_lot("west-court")).state(1), SpaceState::Closed);
}

TEST(Engine, AJumpFiresEveryWakeUpInsideItInOrder) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  const TimeMs t = test::kNoonShanghai;
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", false, 1), t);
  engine.on_sensor_report(test::reading("east-court", "s-N1", "N1", true, 2), t + 100);   // due t+2100
  engine.on_sensor_report(test::reading("west-court", "s-N2", "N2", false, 1), t + 200);
  engine.on_sensor_report(test::reading("west-court", "s-N2", "N2", true, 2), t + 300);   // due t+5300
  sink.changes.clear();
  engine.advance(t + 400'000);  // past both debounces and both sensors' silence
  ASSERT_EQ(sink.changes.size(), 4u);
  EXPECT_EQ(sink.changes[0].at, t + 2'100);
  EXPECT_EQ(sink.changes[0].to, SpaceState::Occupied);
  EXPECT_EQ(sink.changes[1].at, t + 5'300);
  EXPECT_EQ(sink.changes[2].at, t + 100 + 180'000);  // east N1 went silent
  EXPECT_EQ(sink.changes[2].to, SpaceState::Unknown);
  EXPECT_EQ(sink.changes[3].at, t + 300 + 180'000);
}

TEST(Engine, NextWakeIsNeverWhenNothingIsPendingButTheReserveSwitch) {
  test::RecordingSink sink;
  Engine engine(two_lots(), sink);
  engine.advance(test::kNoonShanghai);
  // Only the evening switch of the visitor reserve remains: 18:00 Shanghai.
  EXPECT_EQ(engine.next_wake(), test::kNoonShanghai + 6 * 3'600'000);
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST(Engine, ABatchOfReportsEndsExactlyAsTheSameReportsOneByOne) {
  test::RecordingSink sink_one;
  test::RecordingSink sink_batch;
  Engine one(two_lots(), sink_one);
  Engine batch(two_lots(), sink_batch);
  static const char* const kLots[] = {"east-court", "west-court", "nowhere"};
  static const char* const kSensors[] = {"s-N1", "s-N2", "s-N3", "s-S1", "s-Q9"};
  static const char* const kSpacesOf[] = {"N1", "N2", "N3", "S1", "Q9"};
  std::mt19937 rng(5);
  TimeMs t = test::kNoonShanghai;
  std::uint64_t seq = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<SensorReading> readings;
    const std::size_t n = 1 + rng() % 40;  // across several chunks of 16, the same sensor repeated
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t s = rng() % 5;
      const std::uint64_t this_seq = rng() % 7 == 0 ? seq : ++seq;  // some duplicates
      // Drawn one by one: the order a compiler evaluates arguments in is its own (clang and GCC
      // differ), and the stream must be the same under both.
      const bool occupied = rng() % 2 == 0;
      const bool elsewhere = rng() % 9 == 0;
      const char* const lot = kLots[rng() % 3];
      readings.push_back(test::reading(lot, kSensors[s], elsewhere ? "S3" : kSpacesOf[s], occupied, this_seq));
    }
    std::vector<ReportOutcome> expected;
    for (const auto& r : readings) expected.push_back(one.on_sensor_report(r, t));
    std::vector<ReportOutcome> got(readings.size());
    batch.on_sensor_reports(readings, t, got);
    ASSERT_EQ(got, expected) << "round " << round;
    t += static_cast<TimeMs>(rng() % 3'000);
    one.advance(t);
    batch.advance(t);
  }
  for (std::size_t l = 0; l < one.lot_count(); ++l) {
    for (SpaceIndex s = 0; s < one.lot(l).spaces().size(); ++s) {
      EXPECT_EQ(one.occupancy(l).state(s), batch.occupancy(l).state(s));
    }
  }
  for (std::size_t o = 0; o < kReportOutcomeCount; ++o) {
    EXPECT_EQ(one.report_counters().by_outcome[o], batch.report_counters().by_outcome[o]);
  }
  ASSERT_EQ(sink_one.changes.size(), sink_batch.changes.size());
  // One by one, two readings at the same instant may each give a frame; the batch gives the
  // frame of its end. Never more frames, and each sign ends showing the same.
  EXPECT_LE(sink_batch.frames.size(), sink_one.frames.size());
  const auto last_frames = [](const std::vector<DisplayFrame>& frames) {
    std::map<std::pair<std::string, std::string>, std::tuple<std::uint32_t, std::uint32_t, std::vector<std::string>>> last;
    for (const DisplayFrame& f : frames) last[{f.lot_id, f.display_id}] = {f.free_total, f.free_for_visitors, f.lines_en};
    return last;
  };
  EXPECT_EQ(last_frames(sink_one.frames), last_frames(sink_batch.frames));
}

}  // namespace
}  // namespace parkd
