// Sums for the notice board, and their Markdown and HTML renderings (Chinese and English).
#include "public_notice.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "civil_day.h"
#include "plate.h"
#include "time_ms.h"
#include "visitor_bill.h"

namespace parkd {

namespace {


std::string clock_text(int minute_of_day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60 % 24, minute_of_day % 60);
  return text;
}

std::string percent(double part, double whole) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string alert_kind_label(AlertKind k) {
  switch (k) {
    case AlertKind::BlockedSuspect: return "疑似被占（地锁、杂物） BLOCKED_SUSPECT";
    case AlertKind::LongOccupancy: return "长期占用（僵尸车） LONG_OCCUPANCY";
    case AlertKind::OccupiedWithoutEntry: return "有车位占用无入场记录 OCCUPIED_WITHOUT_ENTRY";
    case AlertKind::MissedExits: return "出口漏拍 MISSED_EXITS";
    case AlertKind::FlappingSensor: return "传感器异常 FLAPPING_SENSOR";
    case AlertKind::VisitorOverstay: return "访客超时 VISITOR_OVERSTAY";
  }
  return std::string(name_of(k));
}

std::string type_label(HouseholdType t) { return t == HouseholdType::Owner ? "业主 owner" : "租户 tenant"; }

// One table, one renderer per format: rows of cells, the first row the header.
using Table = std::vector<std::vector<std::string>>;

struct Section {
  std::string title;
  Table table;
  std::string note;  // shown under the table when not empty
};

std::vector<Section> sections(const NoticeFigures& f) {
  std::vector<Section> out;
  Section cars{"登记车辆与月费 Registered cars and monthly fees", {{"类型 Type", "顺位 Rank", "车辆 Cars", "车·天 Car-days", "应收 Due (¥)"}}, ""};
  for (const auto& r : f.ranks) {
    cars.table.push_back({type_label(r.type), std::to_string(r.rank), std::to_string(r.cars), std::to_string(r.car_days),
                          yuan(r.amount)});
  }
  if (f.adjustments != 0) cars.table.push_back({"往月调整 Corrections of closed months", "", "", "", yuan(f.adjustments)});
  for (const auto& [type, fen] : f.fees_by_type) {
    const auto n = f.cars_by_type.find(type);
    cars.table.push_back({"小计 Subtotal " + type_label(type), "", n == f.cars_by_type.end() ? "0" : std::to_string(n->second), "", yuan(fen)});
  }
  cars.table.push_back({"合计 Total", "", std::to_string(f.cars_total), "", yuan(f.fees_total)});
  cars.note = "一辆车月中顺位变化时在每个顺位各计一次，小计与合计中只计一次；每行按天数比例分别四舍五入到分。 "
              "A car whose rank changed in the month is listed at each rank and counted once in the subtotals and the "
              "total; each row is prorated by its days and rounded half up to the fen on its own.";
  out.push_back(std::move(cars));

  Section visitors{"访客 Visitors",
                   {{"停车次数 Stays", "免费 Free (≤30 min)", "收费 Takings (¥)", "超过24小时 Over 24 h"},
                    {std::to_string(f.visitor_sessions), std::to_string(f.visitor_free_sessions), yuan(f.visitor_takings),
                     std::to_string(f.overstays.size())}},
                   ""};
  for (const auto& [plate, hours] : f.overstays) {
    visitors.note += (visitors.note.empty() ? "超时车辆 Overstays: " : ", ") + plate + " (" + std::to_string(hours) + " h)";
  }
  out.push_back(std::move(visitors));

  Section night{"夜间占用 Night occupancy (" + clock_text(f.night_start_minute) + "–" + clock_text(f.night_end_minute) +
                    ", the visitor reserve's hours)",
                {{"停车场 Lot", "车位 Spaces", "最高 Peak", "时间 At", "平均 Average", "样本 Samples"}}, ""};
  for (const auto& n : f.night) {
    night.table.push_back({n.lot_id, std::to_string(n.total),
                           std::to_string(n.peak_taken) + " (" + percent(n.peak_taken, n.total) + ")",
                           n.samples > 0 ? local_time_text(n.peak_at, f.utc_offset_minutes) : "-",
                           fixed1(n.average_taken) + " (" + percent(n.average_taken, n.total) + ")",
                           std::to_string(n.samples)});
  }
  if (f.night.empty()) night.note = "本月无记录 No occupancy recorded this month.";
  out.push_back(std::move(night));

  Section refused{"入场 Entries",
                  {{"结果 Outcome", "次数 Count"},
                   {"放行 admitted", std::to_string(f.admitted_entries)},
                   {"特种车辆与特许通行 service vehicles and passes (free)", std::to_string(f.service_entries)},
                   {"保安手动开闸 opened by a guard", std::to_string(f.opened_by_guard)}},
                  ""};
  for (const auto& [reason, n] : f.refused_by_reason) refused.table.push_back({"拒绝 refused: " + reason, std::to_string(n)});
  out.push_back(std::move(refused));

  Section alerts{"告警 Alerts (spaces that lie, the gates' count, overstays)",
                 {{"类型 Kind", "本月发出 Raised", "告警小时 Hours active", "月末仍在 Active at the end"}},
                 "告警小时只计本月之内；一项告警从发出到解除。 Hours count within the month only, each alert from "
                 "raised to cleared."};
  for (std::size_t k = 0; k < kAlertKindCount; ++k) {
    const auto& row = f.alerts[k];
    alerts.table.push_back({alert_kind_label(static_cast<AlertKind>(k)), std::to_string(row.raised),
                            fixed1(row.hours_active), std::to_string(row.still_active)});
  }
  out.push_back(std::move(alerts));

  out.push_back(Section{"传感器 Sensors",
                        {{"失联传感器·小时 Stale sensor-hours"}, {fixed1(f.stale_sensor_hours)}},
                        ""});
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

NoticeFigures notice_figures(const NoticeInput& in) {
  NoticeFigures f;
  f.month = in.month;
  f.compound = in.compound;
  f.utc_offset_minutes = in.utc_offset_minutes;
  f.night_start_minute = in.night_start_minute;
  f.night_end_minute = in.night_end_minute;

  std::map<std::pair<HouseholdType, std::uint32_t>, std::pair<NoticeFigures::RankRow, std::set<std::string>>> ranks;
  std::map<HouseholdType, std::set<std::string>> plates_by_type;
  std::set<std::string> all_plates;
  for (const BillLine& l : in.bill) {
    f.fees_by_type[l.type] += l.amount;
    f.fees_total += l.amount;
    if (!l.corrects_month.empty()) {  // an earlier month's correction: money, not cars
      f.adjustments += l.amount;
      continue;
    }
    plates_by_type[l.type].insert(l.plate);
    all_plates.insert(l.plate);
    auto& [row, plates] = ranks[{l.type, l.rank}];
    row.type = l.type;
    row.rank = l.rank;
    row.car_days += l.days_billed;
    row.amount += l.amount;
    plates.insert(l.plate);
  }
  for (const auto& [type, plates] : plates_by_type) f.cars_by_type[type] = static_cast<std::uint32_t>(plates.size());
  f.cars_total = static_cast<std::uint32_t>(all_plates.size());
  for (auto& [key, value] : ranks) {
    value.first.cars = static_cast<std::uint32_t>(value.second.size());
    f.ranks.push_back(value.first);
  }

  for (const VisitorSession& s : in.visitor_sessions) {
    ++f.visitor_sessions;
    if (s.fee_fen == 0) ++f.visitor_free_sessions;
    f.visitor_takings += s.fee_fen;
    if (s.overstay) {
      f.overstays.emplace_back(mask_plate(s.plate), (s.left_at.value_or(s.entered_at) - s.entered_at) / (60 * kMsPerMinute));
    }
  }

  std::map<std::string, NoticeFigures::NightRow> night;
  std::map<std::string, TimeMs> previous_at;
  double stale_ms = 0;
  for (const OccupancySample& s : in.samples) {
    // Sensor-hours of staleness: each sample stands for the time since the previous one.
    const auto prev = previous_at.find(s.lot_id);
    if (prev != previous_at.end() && s.at - prev->second <= 2 * in.sample_interval_ms) {
      stale_ms += static_cast<double>(s.stale_sensors) * static_cast<double>(s.at - prev->second);
    }
    previous_at[s.lot_id] = s.at;
    if (!in_local_window(local_minute_of_day(s.at, in.utc_offset_minutes), in.night_start_minute, in.night_end_minute)) {
      continue;
    }
    NoticeFigures::NightRow& row = night[s.lot_id];
    row.lot_id = s.lot_id;
    row.total = s.total;
    const std::uint32_t taken = s.occupied + s.held;
    if (row.samples == 0 || taken > row.peak_taken) {
      row.peak_taken = taken;
      row.peak_at = s.at;
    }
    row.average_taken += static_cast<double>(taken);
    ++row.samples;
  }
  for (auto& [lot, row] : night) {
    row.average_taken /= static_cast<double>(row.samples);
    f.night.push_back(row);
  }
  f.stale_sensor_hours = stale_ms / (60.0 * static_cast<double>(kMsPerMinute));

  int year = 0;
  int month = 0;
  if (parse_month(in.month, year, month)) {
    const TimeMs from = local_day_start_ms(civil_day(year, month, 1), in.utc_offset_minutes);
    const TimeMs to = local_day_start_ms(civil_day(year, month, 1) + days_in_month(year, month), in.utc_offset_minutes);
    TimeMs recorded = -1;
    for (const OccupancySample& s : in.samples) {
      if (s.at >= from && s.at < to) recorded = std::max(recorded, s.at);
    }
    const TimeMs end = std::min(to, recorded >= 0 ? recorded : in.now);
    for (const Alert& a : in.alerts) {
      NoticeFigures::AlertRow& row = f.alerts[static_cast<std::size_t>(a.kind)];
      if (a.raised_at >= from && a.raised_at < to) ++row.raised;
      const TimeMs until = a.active() ? end : std::min(a.cleared_at, to);
      if (a.active() || a.cleared_at >= to) ++row.still_active;
      const TimeMs active_ms = until - std::max(a.raised_at, from);
      if (active_ms > 0) row.hours_active += static_cast<double>(active_ms) / (60.0 * static_cast<double>(kMsPerMinute));
    }
  }

  for (const auto& d : in.decisions) {
    if (d.admitted) {
      // Exits are admitted too; the notice counts entries, whose reasons say so.
      const std::string_view r = d.reason;
      const bool exit = r.starts_with("EXIT_") || r.ends_with("_EXIT");
      if (r == "SERVICE_VEHICLE" || r == "SPECIAL_PASS") {
        f.service_entries += d.count;
      } else if (r == "OPENED_BY_GUARD") {
        f.opened_by_guard += d.count;
      } else if (!exit) {
        f.admitted_entries += d.count;
      }
    } else {
      f.refused_by_reason[d.reason] += d.count;
    }
  }
  return f;
}

std::string notice_markdown(const NoticeFigures& f) {
  std::string out = "# " + f.compound + " 停车公示 Parking notice " + f.month + "\n\n";
  out += "金额单位：元。车牌已部分隐藏，不列住户。 Amounts in yuan; plates partly hidden; no household is named.\n";
  for (const Section& s : sections(f)) {
    out += "\n## " + s.title + "\n\n";
    for (std::size_t r = 0; r < s.table.size(); ++r) {
      out += "|";
      for (const auto& cell : s.table[r]) {
        out += ' ';  // appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on " " + std::string
        out += md_cell(cell);
        out += " |";
      }
      out += "\n";
      if (r == 0) {
        out += "|";
        for (std::size_t c = 0; c < s.table[r].size(); ++c) out += c == 0 ? " --- |" : " ---: |";
        out += "\n";
      }
    }
    if (!s.note.empty()) out += "\n" + s.note + "\n";
  }
  return out;
}

std::string notice_html(const NoticeFigures& f) {
  const std::string title = html_escape(f.compound + " 停车公示 Parking notice " + f.month);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
      "</title>\n<style>\n@page { size: A4; margin: 18mm; }\nbody { font-family: \"Noto Sans CJK SC\", \"PingFang SC\", "
      "\"Microsoft YaHei\", sans-serif; font-size: 11pt; }\nh1 { font-size: 18pt; }\nh2 { font-size: 13pt; margin-top: 1.4em; "
      "}\ntable { border-collapse: collapse; width: 100%; page-break-inside: avoid; }\nth, td { border: 1px solid #444; "
      "padding: 3px 6px; }\ntd { text-align: right; }\ntd:first-child, th:first-child { text-align: left; }\n</style>\n"
      "</head>\n<body>\n<h1>" +
      title + "</h1>\n<p>金额单位：元。车牌已部分隐藏，不列住户。 Amounts in yuan; plates partly hidden; no household is named.</p>\n";
  for (const Section& s : sections(f)) {
    out += "<h2>" + html_escape(s.title) + "</h2>\n<table>\n";
    for (std::size_t r = 0; r < s.table.size(); ++r) {
      out += "<tr>";
      for (const auto& cell : s.table[r]) out += (r == 0 ? "<th>" : "<td>") + html_escape(cell) + (r == 0 ? "</th>" : "</td>");
      out += "</tr>\n";
    }
    out += "</table>\n";
    if (!s.note.empty()) out += "<p>" + html_escape(s.note) + "</p>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace parkd
