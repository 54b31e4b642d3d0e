// Frames for the signs: content, only on change, at most one per interval, latest state in the end.
#include "core/guidance.h"

#include <gtest/gtest.h>

#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

class GuidanceTest : public ::testing::Test {
 protected:
  void report(std::string_view sensor, std::string_view space, bool occupied) {
    engine.on_sensor_report(test::reading("tiny", sensor, space, occupied, ++seq), t);
  }
  void at(TimeMs when) {
    t = when;
    engine.advance(t);
  }
  void all_free() {
    for (auto [sensor, space] : {std::pair{"s-N1", "N1"}, {"s-N2", "N2"}, {"s-N3", "N3"}, {"s-N4", "N4"},
                                 {"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}}) {
      report(sensor, space, false);
    }
  }

  test::RecordingSink sink;
  Engine engine{test::small_lots(), sink};
  TimeMs t = test::kNoonShanghai;
  std::uint64_t seq = 0;
};

TEST_F(GuidanceTest, TheFirstAdvancePutsAFrameOnEverySign) {
  at(t);
  ASSERT_EQ(sink.frames.size(), 1u);
  const DisplayFrame& f = sink.frames[0];
  EXPECT_EQ(f.lot_id, "tiny");
  EXPECT_EQ(f.display_id, "d");
  EXPECT_EQ(f.seq, 1u);
  EXPECT_EQ(f.free_total, 0u);  // nothing is known yet
  EXPECT_TRUE(f.engine_online);
}

TEST_F(GuidanceTest, FrameShowsCountsArrowsAndTextInBothLanguages) {
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  const DisplayFrame& f = sink.frames.back();
  EXPECT_EQ(f.free_total, 7u);
  EXPECT_EQ(f.free_for_visitors, 7u);  // daytime: no reserve
  ASSERT_EQ(f.zones.size(), 2u);
  EXPECT_EQ(f.zones[0].zone_id, "N");
  EXPECT_EQ(f.zones[0].free, 4u);
  EXPECT_EQ(f.zones[0].arrow, Arrow::Left);
  EXPECT_EQ(f.zones[1].arrow, Arrow::Right);
  EXPECT_FALSE(f.zones[1].full);
  EXPECT_EQ(f.lines_zh, (std::vector<std::string>{"空余车位 7", "北区 ← 4", "南区 → 3", "访客车位 7"}));
  EXPECT_EQ(f.lines_en, (std::vector<std::string>{"FREE 7", "North ← 4", "South → 3", "VISITORS 7"}));
}

TEST(Guidance, AccessibleSpacesAreCountedApartOnTheSignsAndForTheReserve) {
  // Issue #17 case 4. N1 and S1 are accessible. Release 1 showed 7 free at noon and 5 for
  // visitors at night, where anybody but a driver who needs one could use only 5 and 3.
  LotSpec spec = test::small_lot_spec();
  spec.zones[0].spaces[0].kind = SpaceKind::Accessible;
  spec.zones[1].spaces[0].kind = SpaceKind::Accessible;
  std::vector<Lot> lots;
  lots.push_back(std::move(*Lot::build(spec).lot));
  test::RecordingSink sink;
  Engine engine{std::move(lots), sink};
  std::uint64_t seq = 0;
  for (TimeMs t : {test::kNoonShanghai, test::kNightShanghai}) {
    for (auto [sensor, space] : {std::pair{"s-N1", "N1"}, {"s-N2", "N2"}, {"s-N3", "N3"}, {"s-N4", "N4"},
                                 {"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}}) {
      engine.on_sensor_report(test::reading("tiny", sensor, space, false, ++seq), t);
    }
    engine.advance(t + 5'000);
    const DisplayFrame& f = sink.frames.back();
    EXPECT_EQ(f.free_total, 5u);
    EXPECT_EQ(f.free_accessible, 2u);
    EXPECT_EQ(f.free_for_visitors, t == test::kNoonShanghai ? 5u : 3u);  // night: reserve 2 of the 5
    EXPECT_EQ(f.zones[0].free, 3u);
    EXPECT_EQ(f.zones[0].free_accessible, 1u);
    EXPECT_EQ(f.lines_en.back(), "ACCESSIBLE 2");
    EXPECT_EQ(f.lines_zh.back(), "无障碍车位 2");
  }
}

TEST_F(GuidanceTest, AFullZoneSaysSo) {
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  for (auto [sensor, space] : {std::pair{"s-S1", "S1"}, {"s-S2", "S2"}, {"s-S3", "S3"}}) report(sensor, space, true);
  at(t + 2'000);
  const DisplayFrame& f = sink.frames.back();
  EXPECT_EQ(f.zones[1].free, 0u);
  EXPECT_TRUE(f.zones[1].full);
  EXPECT_EQ(f.lines_zh[2], "南区 → 满");
  EXPECT_EQ(f.lines_en[2], "South → FULL");
}

TEST_F(GuidanceTest, NoFrameWhenNothingShownChanged) {
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  const std::size_t before = sink.frames.size();
  report("s-N1", "N1", true);
  at(t + 1'000);
  report("s-N1", "N1", false);  // reverted inside the debounce window
  at(t + 10'000);
  EXPECT_EQ(sink.frames.size(), before);
}

TEST_F(GuidanceTest, AtMostOneFramePerIntervalAndTheLatestStateGoesOut) {
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  const std::size_t before = sink.frames.size();
  const TimeMs sent_at = sink.frames.back().generated_at_ms;
  // A burst of changes inside one interval: with no debounce from unknown, use closures.
  engine.close_space("tiny", "N1", t + 10);
  engine.advance(t + 10);
  EXPECT_EQ(sink.frames.size(), before);  // too soon after the last frame
  EXPECT_EQ(engine.next_wake(), sent_at + 500);
  engine.close_space("tiny", "N2", t + 20);
  engine.close_space("tiny", "N3", t + 30);
  engine.advance(t + 499);
  EXPECT_EQ(sink.frames.size(), before);
  engine.advance(sent_at + 500);
  ASSERT_EQ(sink.frames.size(), before + 1);
  EXPECT_EQ(sink.frames.back().free_total, 4u);  // all three closures in one frame
  EXPECT_EQ(sink.frames.back().seq, sink.frames[before - 1].seq + 1);
}

TEST_F(GuidanceTest, SequenceRisesPerDisplay) {
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  engine.close_space("tiny", "N1", t + 1'000);
  engine.advance(t + 1'000);
  engine.close_space("tiny", "N2", t + 2'000);
  engine.advance(t + 2'000);
  for (std::size_t i = 1; i < sink.frames.size(); ++i) EXPECT_GT(sink.frames[i].seq, sink.frames[i - 1].seq);
}

TEST_F(GuidanceTest, AtNightVisitorsSeeOnlyWhatIsAboveTheReserve) {
  t = test::kNightShanghai;
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  EXPECT_EQ(sink.frames.back().free_total, 7u);
  EXPECT_EQ(sink.frames.back().free_for_visitors, 5u);  // reserve of 2 in the tiny lot
}

TEST_F(GuidanceTest, TheReserveSwitchingOnAtNightSendsAFrameByItself) {
  const TimeMs six_pm = test::kNoonShanghai + 6 * 3'600'000;
  t = six_pm - 120'000;  // 17:58, close enough that no sensor goes stale
  all_free();
  at(t + 500);  // the first report's frame went out at t; this one shows all of them
  EXPECT_EQ(sink.frames.back().free_for_visitors, 7u);
  EXPECT_EQ(engine.next_wake(), six_pm);
  // Nothing changes but the clock.
  at(six_pm);
  EXPECT_EQ(sink.frames.back().free_for_visitors, 5u);
  EXPECT_EQ(sink.frames.back().generated_at_ms, six_pm);
}

}  // namespace
}  // namespace parkd

namespace parkd {
namespace {

TEST_F(GuidanceTest, TheFirstFrameAfterARestartShowsTheRestoredStates) {
  engine.restore_space("tiny", "N1", SpaceState::Free, t);
  engine.restore_space("tiny", "S1", SpaceState::Free, t);
  engine.restore_space("tiny", "S2", SpaceState::Occupied, t);
  EXPECT_TRUE(sink.frames.empty());  // nothing goes out before the caller advances
  at(t);
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.frames[0].free_total, 2u);
}

}  // namespace
}  // namespace parkd
