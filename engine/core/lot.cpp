// Validation of a LotSpec into a Lot: every check reports file, line and what is wrong.
#include "lot.h"

#include <algorithm>
#include <set>
#include <utility>

namespace parkd {

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id) {
    if (c <= 0x20 || c == 0x7f || c == '/' || c == '+' || c == '#' || c == ',' || c == '"') return false;
  }
  return true;
}

namespace {

class IssueList {
 public:
  explicit IssueList(std::string file) : file_(std::move(file)) {}
  void add(const SpecLocation& at, std::string message) {
    issues_.push_back(ConfigIssue{file_, at.line, at.column, std::move(message)});
  }
  ConfigIssues take() { return std::move(issues_); }
  bool empty() const { return issues_.empty(); }

 private:
  std::string file_;
  ConfigIssues issues_;
};

template <typename I>
bool insert_id(IdIndex<I>& index, const std::string& id, I value) {
  return index.emplace(id, value).second;
}

bool check_id(IssueList& issues, const SpecLocation& at, std::string_view what, const std::string& id) {
  if (is_valid_id(id)) return true;
  if (id.empty()) {
    issues.add(at, std::string(what) + " has no id");
  } else {
    issues.add(at, std::string(what) + " id '" + id +
                       "' is not usable: 1 to 64 characters without spaces, '/', '+', '#', ',' or '\"'");
  }
  return false;
}

std::vector<ZoneIndex> resolve_zones(IssueList& issues, const IdIndex<ZoneIndex>& zones,
                                     const std::vector<ZoneRef>& refs, const std::string& owner,
                                     const SpecLocation& owner_at) {
  std::vector<ZoneIndex> out;
  std::set<ZoneIndex> seen;
  if (refs.empty()) issues.add(owner_at, owner + " lists no nearest zones");
  for (const auto& ref : refs) {
    auto it = zones.find(ref.zone_id);
    if (it == zones.end()) {
      issues.add(ref.at, owner + " names unknown zone '" + ref.zone_id + "'");
      continue;
    }
    if (!seen.insert(it->second).second) {
      issues.add(ref.at, owner + " lists zone '" + ref.zone_id + "' twice");
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace

LotBuild Lot::build(const LotSpec& spec) {
  IssueList issues(spec.file);
  Lot lot;
  lot.id_ = spec.lot_id;
  lot.name_ = spec.name.empty() ? spec.lot_id : spec.name;
  lot.utc_offset_minutes_ = spec.utc_offset_minutes;
  lot.timing_ = spec.timing;
  lot.reserve_ = spec.reserve;
  lot.alert_rules_ = spec.alert_rules;

  check_id(issues, spec.at, "lot", spec.lot_id);
  if (spec.utc_offset_minutes < -12 * 60 || spec.utc_offset_minutes > 14 * 60) {
    issues.add(spec.at, "utc_offset_minutes " + std::to_string(spec.utc_offset_minutes) +
                            " is outside -720..840");
  }
  const LotTiming& t = spec.timing;
  if (t.stale_after_ms == 0) issues.add(spec.at, "stale_after_ms must be above 0");
  if (t.debounce_ms >= t.stale_after_ms && t.stale_after_ms != 0) {
    issues.add(spec.at, "debounce_ms (" + std::to_string(t.debounce_ms) + ") must be shorter than stale_after_ms (" +
                            std::to_string(t.stale_after_ms) + ")");
  }
  if (t.frame_interval_ms > 60'000) issues.add(spec.at, "frame_interval_ms above 60000 would leave signs stale");
  if (t.hold_ms == 0) issues.add(spec.at, "hold_ms must be above 0");
  if (t.low_battery_mv > 10'000) issues.add(spec.at, "low_battery_mv above 10000 is not a battery voltage");
  const VisitorReserve& r = spec.reserve;
  for (int m : {r.night_start_minute, r.night_end_minute}) {
    if (m < 0 || m >= 24 * 60) issues.add(spec.at, "visitor reserve time " + std::to_string(m) + " is not a minute of the day");
  }

  const AlertRules& ar = spec.alert_rules;
  if (ar.blocked_strikes == 0 || ar.blocked_strikes > 100) {
    issues.add(spec.at, "alerts.blocked_strikes " + std::to_string(ar.blocked_strikes) + " is outside 1..100");
  }
  if (ar.blocked_window_ms < 3'600'000 || ar.blocked_window_ms > 90LL * 86'400'000) {
    issues.add(spec.at, "alerts.blocked_window_hours must be 1..2160");
  }
  if (ar.night_free_ms != 0 && (ar.night_free_ms < 1'800'000 || ar.night_free_ms > 24LL * 3'600'000)) {
    issues.add(spec.at, "alerts.night_free_minutes must be 0 (off) or 30..1440");
  }
  for (int m : {ar.night_start_minute, ar.night_end_minute}) {
    if (m < 0 || m >= 24 * 60) issues.add(spec.at, "alerts night time " + std::to_string(m) + " is not a minute of the day");
  }
  if (ar.long_occupancy_ms < 86'400'000 || ar.long_occupancy_ms > 365LL * 86'400'000) {
    issues.add(spec.at, "alerts.long_occupancy_days must be 1..365");
  }
  if (ar.flapping_changes < 4 || ar.flapping_changes > 10'000) {
    issues.add(spec.at, "alerts.flapping_changes " + std::to_string(ar.flapping_changes) + " is outside 4..10000");
  }
  if (ar.flapping_quiet_changes == 0 || ar.flapping_quiet_changes >= ar.flapping_changes) {
    issues.add(spec.at, "alerts.flapping_quiet_changes must be at least 1 and below flapping_changes");
  }
  if (ar.flapping_window_ms < 60'000 || ar.flapping_window_ms > 86'400'000) {
    issues.add(spec.at, "alerts.flapping_window_minutes must be 1..1440");
  }
  for (auto [raise, clear, name] : {std::tuple{ar.unentered_excess, ar.unentered_clear_excess, "unentered"},
                                    std::tuple{ar.missed_exits_excess, ar.missed_exits_clear_excess, "missed_exits"}}) {
    if (raise == 0 || raise > 10'000) {
      issues.add(spec.at, std::string("alerts.") + name + "_excess " + std::to_string(raise) + " is outside 1..10000");
    } else if (clear >= raise) {
      issues.add(spec.at, std::string("alerts.") + name + "_clear_excess must be below " + name + "_excess");
    }
  }
  for (auto [ms, name] : {std::pair{ar.unentered_ms, "unentered_hours"}, std::pair{ar.missed_exits_ms, "missed_exits_hours"}}) {
    if (ms < 3'600'000 || ms > 30LL * 86'400'000) issues.add(spec.at, std::string("alerts.") + name + " must be 1..720");
  }
  if (ar.record_clear_ms < 60'000 || ar.record_clear_ms > 86'400'000) {
    issues.add(spec.at, "alerts.record_clear_minutes must be 1..1440");
  }

  // Zones and spaces. Sensor ids are checked for duplicates here; the flat table is built after.
  IdIndex<SpaceIndex> sensor_index;
  if (spec.zones.empty()) issues.add(spec.at, "lot '" + spec.lot_id + "' has no zones");
  for (const auto& z : spec.zones) {
    if (!check_id(issues, z.at, "zone", z.zone_id)) continue;
    const auto zone_index = static_cast<ZoneIndex>(lot.zones_.size());
    if (!insert_id(lot.zone_index_, z.zone_id, zone_index)) {
      issues.add(z.at, "zone '" + z.zone_id + "' is defined twice");
      continue;
    }
    if (z.spaces.empty()) issues.add(z.at, "zone '" + z.zone_id + "' has no spaces");
    Zone zone;
    zone.id = z.zone_id;
    zone.name_zh = z.name_zh.empty() ? z.zone_id + "区" : z.name_zh;
    zone.name_en = z.name_en.empty() ? "Zone " + z.zone_id : z.name_en;
    zone.first_space = static_cast<SpaceIndex>(lot.spaces_.size());
    for (const auto& s : z.spaces) {
      if (!check_id(issues, s.at, "space", s.space_id)) continue;
      if (!check_id(issues, s.at, "sensor of space '" + s.space_id + "'", s.sensor_id)) continue;
      const auto space_index = static_cast<SpaceIndex>(lot.spaces_.size());
      if (!insert_id(lot.space_index_, s.space_id, space_index)) {
        issues.add(s.at, "space '" + s.space_id + "' is defined twice");
        continue;
      }
      if (!insert_id(sensor_index, s.sensor_id, space_index)) {
        issues.add(s.at, "sensor '" + s.sensor_id + "' is mapped to a second space ('" + s.space_id + "')");
        continue;
      }
      lot.spaces_.push_back(Space{s.space_id, s.sensor_id, zone_index, s.kind});
    }
    zone.space_count = static_cast<std::uint32_t>(lot.spaces_.size()) - zone.first_space;
    lot.zones_.push_back(std::move(zone));
  }

  // Displays: an arrow toward every zone.
  for (const auto& d : spec.displays) {
    if (!check_id(issues, d.at, "display", d.display_id)) continue;
    const auto display_index = static_cast<DisplayIndex>(lot.displays_.size());
    if (!insert_id(lot.display_index_, d.display_id, display_index)) {
      issues.add(d.at, "display '" + d.display_id + "' is defined twice");
      continue;
    }
    Display display{d.display_id, std::vector<Arrow>(lot.zones_.size(), Arrow::Straight)};
    std::vector<bool> has_arrow(lot.zones_.size(), false);
    for (const auto& a : d.arrows) {
      auto zone = lot.find_zone(a.zone_id);
      if (!zone) {
        issues.add(a.at, "display '" + d.display_id + "' has an arrow for unknown zone '" + a.zone_id + "'");
        continue;
      }
      if (has_arrow[*zone]) {
        issues.add(a.at, "display '" + d.display_id + "' has two arrows for zone '" + a.zone_id + "'");
        continue;
      }
      has_arrow[*zone] = true;
      display.arrow_by_zone[*zone] = a.arrow;
    }
    for (ZoneIndex z = 0; z < lot.zones_.size(); ++z) {
      if (!has_arrow[z]) issues.add(d.at, "display '" + d.display_id + "' has no arrow toward zone '" + lot.zones_[z].id + "'");
    }
    lot.displays_.push_back(std::move(display));
  }

  for (const auto& g : spec.gates) {
    if (!check_id(issues, g.at, "gate", g.gate_id)) continue;
    if (g.gate_id == kProbeDeviceId) {
      issues.add(g.at, "gate id '" + g.gate_id + "' is reserved: parkd's probe of its broker subscription uses it");
      continue;
    }
    const auto gate_index = static_cast<GateIndex>(lot.gates_.size());
    if (!insert_id(lot.gate_index_, g.gate_id, gate_index)) {
      issues.add(g.at, "gate '" + g.gate_id + "' is defined twice");
      continue;
    }
    Gate gate;
    gate.id = g.gate_id;
    if (auto d = lot.find_display(g.display_id)) {
      gate.display = *d;
    } else {
      issues.add(g.at, "gate '" + g.gate_id + "' names unknown display '" + g.display_id + "'");
    }
    gate.nearest_zones = resolve_zones(issues, lot.zone_index_, g.nearest_zones, "gate '" + g.gate_id + "'", g.at);
    lot.gates_.push_back(std::move(gate));
  }

  for (const auto& b : spec.buildings) {
    if (!check_id(issues, b.at, "building", b.building_id)) continue;
    const auto building_index = static_cast<BuildingIndex>(lot.buildings_.size());
    if (!insert_id(lot.building_index_, b.building_id, building_index)) {
      issues.add(b.at, "building '" + b.building_id + "' is defined twice");
      continue;
    }
    lot.buildings_.push_back(Building{
        b.building_id, resolve_zones(issues, lot.zone_index_, b.nearest_zones, "building '" + b.building_id + "'", b.at)});
  }

  lot.sensor_table_.build(
      static_cast<std::uint32_t>(lot.spaces_.size()),
      [&lot](SpaceIndex i) -> std::string_view { return lot.spaces_[i].sensor_id; },
      [&lot](SpaceIndex i) -> std::string_view { return lot.spaces_[i].id; });

  lot.accessible_spaces_ = static_cast<std::size_t>(std::count_if(
      lot.spaces_.begin(), lot.spaces_.end(), [](const Space& s) { return s.kind == SpaceKind::Accessible; }));

  LotBuild out;
  out.issues = issues.take();
  if (out.issues.empty()) out.lot = std::move(lot);
  return out;
}

}  // namespace parkd
