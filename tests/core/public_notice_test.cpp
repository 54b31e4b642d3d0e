// The notice's figures: sums of the bill, visitor stays, night occupancy from the samples,
// stale sensor-hours, refusals; and renderings without names or clear plates.
#include "core/public_notice.h"

#include <gtest/gtest.h>

#include "core/civil_day.h"

namespace parkd {
namespace {

// Shanghai local time as Unix ms.
TimeMs local(int d, int h, int m) { return local_day_start_ms(civil_day(2026, 10, d), 480) + (h * 60 + m) * kMsPerMinute; }

OccupancySample sample(TimeMs at, std::uint32_t occupied, std::uint32_t stale) {
  return OccupancySample{"xj5", at, 185 - occupied, occupied, 0, 0, 0, stale, 185};
}

NoticeInput october() {
  NoticeInput in;
  in.month = "2026-10";
  in.compound = "xj5";
  in.bill = {BillLine{"2026-10", "H1", "3", "101", HouseholdType::Owner, "沪A10001", 1, 15'000, 31, 15'000, "2026-01", 0, 0, {}, {}},
             BillLine{"2026-10", "H1", "3", "101", HouseholdType::Owner, "沪A10002", 2, 30'000, 16, 15'484, "2026-01", 0, 0, {}, {}},
             BillLine{"2026-10", "H3", "12", "303", HouseholdType::Owner, "沪C30002", 1, 15'000, 21, 10'161, "2026-01", 0, 0, {}, {}},
             BillLine{"2026-10", "H4", "20", "204", HouseholdType::Tenant, "苏E40001", 1, 20'000, 20, 12'903, "2026-01", 0, 0, {}, {}}};
  in.visitor_sessions = {VisitorSession{"xj5", "京A12345", "north", local(5, 10, 0), local(6, 16, 0), "north", 7'000, true, ""},
                         VisitorSession{"xj5", "沪D55555", "north", local(5, 10, 0), local(5, 10, 20), "north", 0, false, ""}};
  // 21:55 (evening), then the night every 5 minutes: 100 taken, 120 at 02:00; 3 stale sensors.
  in.samples.push_back(sample(local(5, 21, 55), 150, 3));
  for (TimeMs t = local(5, 22, 0); t < local(6, 6, 0); t += 5 * kMsPerMinute) {
    in.samples.push_back(sample(t, t == local(6, 2, 0) ? 120 : 100, 3));
  }
  in.decisions = {{"INVALID_PLATE", false, 2}, {"LOT_FULL", false, 1}, {"RESIDENT", true, 40}, {"VISITOR_EXIT", true, 2}};
  in.night_start_minute = 22 * 60;  // a lot whose visitor reserve runs from 22:00 to 06:00
  in.night_end_minute = 6 * 60;
  return in;
}

TEST(PublicNotice, FiguresAddUpFromTheBillTheSessionsAndTheSamples) {
  const NoticeFigures f = notice_figures(october());
  EXPECT_EQ(f.fees_total, 15'000 + 15'484 + 10'161 + 12'903);
  EXPECT_EQ(f.fees_by_type.at(HouseholdType::Tenant), 12'903);
  ASSERT_EQ(f.ranks.size(), 3u);  // owner 1, owner 2, tenant 1
  EXPECT_EQ(f.ranks[0].cars, 2u);
  EXPECT_EQ(f.ranks[0].car_days, 52);
  EXPECT_EQ(f.visitor_sessions, 2u);
  EXPECT_EQ(f.visitor_free_sessions, 1u);
  EXPECT_EQ(f.visitor_takings, 7'000);
  ASSERT_EQ(f.overstays.size(), 1u);
  EXPECT_EQ(f.overstays[0], (std::pair<std::string, std::int64_t>{"京A·1***5", 30}));
  ASSERT_EQ(f.night.size(), 1u);
  EXPECT_EQ(f.night[0].samples, 96u);  // 22:00 to 06:00, the 21:55 sample is not night
  EXPECT_EQ(f.night[0].peak_taken, 120u);
  EXPECT_EQ(f.night[0].peak_at, local(6, 2, 0));
  EXPECT_NEAR(f.night[0].average_taken, 100.0 + 20.0 / 96.0, 1e-9);
  EXPECT_EQ(f.refused_by_reason.at("INVALID_PLATE"), 2u);
  EXPECT_EQ(f.refused_by_reason.at("LOT_FULL"), 1u);
  EXPECT_EQ(f.admitted_entries, 40u);  // exits are not entries
  EXPECT_NEAR(f.stale_sensor_hours, 3.0 * 8.0, 1e-9);  // 3 sensors for the 8 hours sampled after 21:55
}

TEST(PublicNotice, AlertsOfTheMonthAreCountedByKindWithTheirHoursInsideTheMonth) {
  NoticeInput in = october();
  in.samples.clear();  // no record of the month's end: an active alert counts to the month's end
  const auto alert = [](AlertKind kind, TimeMs raised, TimeMs cleared) {
    Alert a;
    a.lot_id = "xj5";
    a.kind = kind;
    a.raised_at = raised;
    a.cleared_at = cleared;
    a.alert_id = make_alert_id("A01", kind, raised);
    return a;
  };
  const TimeMs september_30 = local_day_start_ms(civil_day(2026, 9, 30), 480);
  in.alerts = {alert(AlertKind::BlockedSuspect, september_30, local(1, 6, 0)),      // raised last month: 6 h in October
               alert(AlertKind::BlockedSuspect, local(10, 8, 0), local(10, 20, 30)),  // 12.5 h
               alert(AlertKind::FlappingSensor, local(31, 23, 0), 0),                 // still active at the end: 1 h
               alert(AlertKind::VisitorOverstay, local(20, 12, 0), local(20, 15, 0))};
  const NoticeFigures f = notice_figures(in);
  const auto& blocked = f.alerts[static_cast<std::size_t>(AlertKind::BlockedSuspect)];
  EXPECT_EQ(blocked.raised, 1u);
  EXPECT_NEAR(blocked.hours_active, 6.0 + 12.5, 1e-9);
  EXPECT_EQ(blocked.still_active, 0u);
  const auto& flapping = f.alerts[static_cast<std::size_t>(AlertKind::FlappingSensor)];
  EXPECT_EQ(flapping.raised, 1u);
  EXPECT_NEAR(flapping.hours_active, 1.0, 1e-9);
  EXPECT_EQ(flapping.still_active, 1u);
  EXPECT_EQ(f.alerts[static_cast<std::size_t>(AlertKind::MissedExits)].raised, 0u);

  // An active alert counts up to the month's latest record, whatever the clock says (a restored
  // backup gives the same notice); without a record of the month, up to now.
  in.samples.push_back(sample(local(31, 23, 45), 100, 0));
  in.now = local(31, 23, 30);
  EXPECT_NEAR(notice_figures(in).alerts[static_cast<std::size_t>(AlertKind::FlappingSensor)].hours_active, 0.75, 1e-9);
  in.now = kNever;
  EXPECT_NEAR(notice_figures(in).alerts[static_cast<std::size_t>(AlertKind::FlappingSensor)].hours_active, 0.75, 1e-9);
  NoticeInput unsampled = in;
  unsampled.samples.clear();
  unsampled.now = local(31, 23, 30);
  EXPECT_NEAR(notice_figures(unsampled).alerts[static_cast<std::size_t>(AlertKind::FlappingSensor)].hours_active, 0.5,
              1e-9);

  const std::string md = notice_markdown(notice_figures(in));
  EXPECT_NE(md.find("| 疑似被占（地锁、杂物） BLOCKED_SUSPECT | 1 | 18.5 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 出口漏拍 MISSED_EXITS | 0 | 0.0 | 0 |"), std::string::npos) << md;
}

TEST(PublicNotice, TheNightIsTheVisitorReservesHoursFromTheConfiguration) {
  NoticeInput in = october();
  in.night_start_minute = 18 * 60;  // xj5: 18:00 to 07:00
  in.night_end_minute = 7 * 60;
  const NoticeFigures f = notice_figures(in);
  ASSERT_EQ(f.night.size(), 1u);
  EXPECT_EQ(f.night[0].samples, 97u) << "the 21:55 sample is night now";
  EXPECT_EQ(f.night[0].peak_taken, 150u);
  EXPECT_NE(notice_markdown(f).find("Night occupancy (18:00–07:00, the visitor reserve's hours)"), std::string::npos)
      << notice_markdown(f);
}

TEST(PublicNotice, ARerankedCarCountsOnceAndCorrectionsOfClosedMonthsAreMoneyNotCars) {
  // Issue #17 case 8. 沪A10002 is rank 2 until H1's first car goes on 10-16, then rank 1: two
  // rows. Release 1's notice had no car total, and the rank rows' cars added up to 5 for 4 cars.
  // An adjustment line for September (+150.00) is in the fees, in a row of its own, not a car.
  NoticeInput in = october();
  in.bill[1].days_billed = 15;
  in.bill[1].amount = 14'516;  // 300 × 15/31
  in.bill.push_back(BillLine{"2026-10", "H1", "3", "101", HouseholdType::Owner, "沪A10002", 1, 15'000, 16, 7'742, "2026-01",
                             0, 0, {}, {}});
  in.bill.push_back(BillLine{"2026-10", "H3", "12", "303", HouseholdType::Owner, "沪C30002", 0, 0, 30, 15'000, "2026-01", 0,
                             0, "2026-09", "registry changed after 2026-09 was issued"});
  const NoticeFigures f = notice_figures(in);
  EXPECT_EQ(f.ranks[0].cars, 3u);  // owner rank 1: 沪A10001, 沪C30002, 沪A10002 (from 10-16)
  EXPECT_EQ(f.cars_by_type.at(HouseholdType::Owner), 3u);
  EXPECT_EQ(f.cars_total, 4u);
  EXPECT_EQ(f.adjustments, 15'000);
  EXPECT_EQ(f.fees_total, 15'000 + 14'516 + 7'742 + 10'161 + 12'903 + 15'000);
  const std::string text = notice_markdown(f);
  EXPECT_NE(text.find("| 往月调整 Corrections of closed months |  |  |  | 150.00 |"), std::string::npos) << text;
  EXPECT_NE(text.find("| 合计 Total |  | 4 |  | 753.22 |"), std::string::npos) << text;
  for (const auto& r : f.ranks) EXPECT_GT(r.rank, 0u) << "no rank-0 row";
}

TEST(PublicNotice, AGapInTheSamplesCountsNoStaleHours) {
  NoticeInput in = october();
  in.samples = {sample(local(5, 10, 0), 0, 5), sample(local(5, 12, 0), 0, 5)};  // parkd was down in between
  EXPECT_EQ(notice_figures(in).stale_sensor_hours, 0.0);
}

TEST(PublicNotice, RenderingsNameNoHouseholdAndShowNoPlateInClear) {
  const NoticeFigures f = notice_figures(october());
  for (const std::string& text : {notice_markdown(f), notice_html(f)}) {
    EXPECT_EQ(text.find("H1"), std::string::npos);
    EXPECT_EQ(text.find("京A12345"), std::string::npos);
    EXPECT_NE(text.find("京A·1***5"), std::string::npos);
    EXPECT_NE(text.find("535.48"), std::string::npos);  // the total
  }
  EXPECT_NE(notice_markdown(f).find("| 合计 Total |  | 4 |  | 535.48 |"), std::string::npos);
  EXPECT_NE(notice_html(f).find("@page { size: A4"), std::string::npos);
}

}  // namespace
}  // namespace parkd
