// Frame content and throttling for the entrance signs.
#include "guidance.h"

#include <algorithm>
#include <string>

namespace parkd {

bool visitor_reserve_active(const Lot& lot, TimeMs now) {
  const VisitorReserve& r = lot.reserve();
  return in_local_window(local_minute_of_day(now, lot.utc_offset_minutes()), r.night_start_minute, r.night_end_minute);
}

std::uint32_t free_for_visitors(const Lot& lot, std::uint32_t free_total, TimeMs now) {
  if (!visitor_reserve_active(lot, now)) return free_total;
  const std::uint32_t reserve = lot.reserve().reserve_spaces;
  return free_total > reserve ? free_total - reserve : 0;
}

GuidanceFigures compute_figures(const Occupancy& occupancy, TimeMs now) {
  const Lot& lot = occupancy.lot();
  GuidanceFigures f;
  f.free_accessible = occupancy.lot_free_accessible();
  f.free_total = occupancy.lot_counts().free() - f.free_accessible;
  f.free_for_visitors = free_for_visitors(lot, f.free_total, now);
  f.free_by_zone.reserve(lot.zones().size());
  f.free_accessible_by_zone.reserve(lot.zones().size());
  for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
    const std::uint32_t accessible = occupancy.free_accessible(z);
    f.free_accessible_by_zone.push_back(accessible);
    f.free_by_zone.push_back(occupancy.zone_counts(z).free() - accessible);
  }
  return f;
}

DisplayFrame render_frame(const Lot& lot, DisplayIndex display, const GuidanceFigures& figures, TimeMs now,
                          std::uint64_t seq) {
  const Display& d = lot.displays()[display];
  DisplayFrame frame;
  frame.lot_id = lot.id();
  frame.display_id = d.id;
  frame.seq = seq;
  frame.generated_at_ms = now;
  frame.free_total = figures.free_total;
  frame.free_for_visitors = figures.free_for_visitors;
  frame.free_accessible = figures.free_accessible;
  frame.engine_online = true;
  frame.lines_zh.push_back("空余车位 " + std::to_string(figures.free_total));
  frame.lines_en.push_back("FREE " + std::to_string(figures.free_total));
  for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
    const Zone& zone = lot.zones()[z];
    const std::uint32_t free = figures.free_by_zone[z];
    const Arrow arrow = d.arrow_by_zone[z];
    frame.zones.push_back(ZoneGuidance{zone.id, free, arrow, free == 0, figures.free_accessible_by_zone[z]});
    const std::string glyph(glyph_of(arrow));
    frame.lines_zh.push_back(zone.name_zh + " " + glyph + " " + (free == 0 ? std::string("满") : std::to_string(free)));
    frame.lines_en.push_back(zone.name_en + " " + glyph + " " + (free == 0 ? std::string("FULL") : std::to_string(free)));
  }
  frame.lines_zh.push_back("访客车位 " + std::to_string(figures.free_for_visitors));
  frame.lines_en.push_back("VISITORS " + std::to_string(figures.free_for_visitors));
  if (lot.accessible_spaces() > 0) {
    frame.lines_zh.push_back("无障碍车位 " + std::to_string(figures.free_accessible));
    frame.lines_en.push_back("ACCESSIBLE " + std::to_string(figures.free_accessible));
  }
  return frame;
}

Guidance::Guidance(const Lot& lot) : lot_(lot), displays_(lot.displays().size()) {}

void Guidance::advance(TimeMs now, const Occupancy& occupancy, EngineSink& sink) {
  if (now >= reserve_switch_at_) {
    const VisitorReserve& r = lot_.reserve();
    reserve_switch_at_ = std::min(next_local_minute(now, r.night_start_minute, lot_.utc_offset_minutes()),
                                  next_local_minute(now, r.night_end_minute, lot_.utc_offset_minutes()));
    dirty_ = true;
  }
  if (!dirty_) return;
  const GuidanceFigures figures = compute_figures(occupancy, now);
  bool waiting = false;
  const TimeMs interval = lot_.timing().frame_interval_ms;
  for (DisplayIndex d = 0; d < displays_.size(); ++d) {
    DisplayRuntime& rt = displays_[d];
    if (rt.ever_sent && rt.last_sent == figures) continue;
    if (rt.ever_sent && now < rt.last_sent_at + interval) {
      waiting = true;
      continue;
    }
    ++rt.seq;
    rt.last_sent_at = now;
    rt.ever_sent = true;
    rt.last_sent = figures;
    sink.publish_frame(render_frame(lot_, d, figures, now, rt.seq));
  }
  dirty_ = waiting;
}

TimeMs Guidance::next_due(TimeMs now) const {
  // Before the first advance() the switch time is not known yet: that advance is due now.
  const TimeMs reserve_due = std::max(now, reserve_switch_at_);
  if (!dirty_) return reserve_due;
  TimeMs due = reserve_due;
  const TimeMs interval = lot_.timing().frame_interval_ms;
  for (const DisplayRuntime& rt : displays_) {
    due = std::min(due, rt.ever_sent ? std::max(now, rt.last_sent_at + interval) : now);
  }
  return due;
}

}  // namespace parkd
