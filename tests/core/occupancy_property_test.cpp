// Long random streams against the engine: after every step the incremental counts must equal a
// recount from scratch, and the free index, the holds and the signs must agree with the states.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

LotSpec wide_lot_spec() {
  LotSpec spec;
  spec.lot_id = "wide";
  spec.reserve.reserve_spaces = 5;
  const char* zones[] = {"P", "Q", "R"};
  const int sizes[] = {70, 1, 40};  // a zone over a 64-bit word, a zone of one
  for (int z = 0; z < 3; ++z) {
    ZoneSpec zone{zones[z], "", "", {}, {}};
    for (int i = 0; i < sizes[z]; ++i) {
      const std::string id = std::string(zones[z]) + std::to_string(i);
      const SpaceKind kind = i % 11 == 3 ? SpaceKind::Accessible : i % 13 == 5 ? SpaceKind::EvCharging : SpaceKind::Ordinary;
      zone.spaces.push_back(SpaceSpec{id, "x-" + id, kind, {}});
    }
    spec.zones.push_back(zone);
  }
  spec.displays = {DisplaySpec{"main", {{"P", Arrow::Left, {}}, {"Q", Arrow::Straight, {}}, {"R", Arrow::Right, {}}}, {}}};
  spec.gates = {GateSpec{"main", "main", {{"R", {}}, {"Q", {}}}, {}}};
  spec.buildings = {BuildingSpec{"1", {{"P", {}}}, {}}, BuildingSpec{"2", {{"Q", {}}, {"R", {}}}, {}}};
  return spec;
}

class LastFrameSink : public EngineSink {
 public:
  void publish_frame(const DisplayFrame& frame) override { last[frame.lot_id + "/" + frame.display_id] = frame; }
  std::map<std::string, DisplayFrame> last;
};

struct SensorSim {
  std::uint32_t boot = 1;
  std::uint32_t previous_boot = 0;
  std::uint64_t seq = 0;
};

void check_invariants(const Engine& engine, std::size_t lot_index, std::uint64_t step) {
  const Lot& lot = engine.lot(lot_index);
  const Occupancy& occ = engine.occupancy(lot_index);
  StateCounts lot_recount;
  std::uint32_t holds = 0;
  std::uint32_t lot_accessible_free = 0;
  for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
    StateCounts zone_recount;
    std::uint32_t accessible_free = 0;
    const Zone& zone = lot.zones()[z];
    for (SpaceIndex s = zone.first_space; s < zone.first_space + zone.space_count; ++s) {
      zone_recount.add(occ.state(s));
      accessible_free += occ.state(s) == SpaceState::Free && lot.spaces()[s].kind == SpaceKind::Accessible ? 1 : 0;
      lot_recount.add(occ.state(s));
      const bool held = occ.hold_info(s).has_value();
      ASSERT_EQ(held, occ.state(s) == SpaceState::Held) << "step " << step << " space " << lot.spaces()[s].id;
      holds += held ? 1 : 0;
    }
    ASSERT_EQ(occ.zone_counts(z), zone_recount) << "step " << step << " zone " << zone.id;
    ASSERT_EQ(occ.free_accessible(z), accessible_free) << "step " << step << " zone " << zone.id;
    lot_accessible_free += accessible_free;
    ASSERT_LE(occ.zone_counts(z).free(), zone.space_count);
    for (SpaceNeed need : {SpaceNeed::Ordinary, SpaceNeed::Accessible, SpaceNeed::EvCharging}) {
      if (auto s = occ.find_free(z, need)) {
        ASSERT_EQ(occ.state(*s), SpaceState::Free) << "step " << step;
        ASSERT_EQ(lot.spaces()[*s].zone, z);
      }
    }
    if (zone_recount.free() == 0) {
      ASSERT_FALSE(occ.find_free(z, SpaceNeed::Accessible)) << "step " << step;
    }
  }
  ASSERT_EQ(occ.lot_counts(), lot_recount) << "step " << step;
  ASSERT_EQ(occ.lot_free_accessible(), lot_accessible_free) << "step " << step;
  ASSERT_EQ(occ.lot_counts().total(), lot.spaces().size());
  ASSERT_EQ(occ.lot_counts()[SpaceState::Held], holds);
}

TEST(OccupancyProperty, IncrementalCountsEqualARecountAfterEveryStep) {
  for (std::uint32_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    std::vector<Lot> lots;
    lots.push_back(test::small_lot());
    lots.push_back(std::move(*Lot::build(wide_lot_spec()).lot));
    LastFrameSink sink;
    Engine engine(std::move(lots), sink);
    std::mt19937_64 rng(seed);
    TimeMs t = test::kNoonShanghai + seed * 1'000;
    std::vector<std::vector<SensorSim>> sims(engine.lot_count());
    for (std::size_t l = 0; l < engine.lot_count(); ++l) sims[l].resize(engine.lot(l).spaces().size());
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

    for (std::uint64_t step = 0; step < 20'000; ++step) {
      const std::size_t l = pick(engine.lot_count());
      const Lot& lot = engine.lot(l);
      const std::size_t s = pick(lot.spaces().size());
      const Space& space = lot.spaces()[s];
      SensorSim& sim = sims[l][s];
      const int op = static_cast<int>(pick(100));
      if (op < 55) {  // a report: in order, duplicate, reordered, or after a reboot
        const int kind = static_cast<int>(pick(20));
        std::uint32_t boot = sim.boot;
        std::uint64_t seq = ++sim.seq;
        if (kind == 0 && sim.seq > 2) {
          seq = sim.seq - 2;  // late
        } else if (kind == 1) {
          seq = sim.seq - 1;  // duplicate
        } else if (kind == 2) {
          sim.previous_boot = sim.boot;
          sim.boot = boot = static_cast<std::uint32_t>(rng());
          sim.seq = seq = 0;
        } else if (kind == 3 && sim.previous_boot != 0) {
          boot = sim.previous_boot;  // the old boot, delivered late
        }
        engine.on_sensor_report(
            test::reading(lot.id(), space.sensor_id, space.id, pick(2) == 0, seq, boot, static_cast<std::uint32_t>(pick(3'600))),
            t);
      } else if (op < 75) {  // time passes: often a little, sometimes a long silence
        t += pick(10) == 0 ? static_cast<TimeMs>(pick(400'000)) : static_cast<TimeMs>(pick(3'000));
        engine.advance(t);
      } else if (op < 87) {
        const bool resident = pick(2) == 0;
        const std::string plate = "沪A" + std::to_string(10'000 + pick(40));
        const std::string building = lot.buildings().empty() ? "" : lot.buildings()[pick(lot.buildings().size())].id;
        const Allocation a = engine.allocate(
            AllocationRequest{lot.id(), lot.gates()[0].id, plate, resident, resident ? building : "",
                              static_cast<SpaceNeed>(pick(3))},
            t);
        if (a.status == AllocationStatus::Assigned) {
          ASSERT_EQ(engine.occupancy(l).state(*lot.find_space(a.space_id)), SpaceState::Held) << "step " << step;
        }
      } else if (op < 94) {
        engine.close_space(lot.id(), space.id, t);
      } else {
        engine.open_space(lot.id(), space.id, t);
      }
      check_invariants(engine, l, step);
      if (HasFatalFailure()) return;
      // A sign behind the state must have a frame coming within one interval of its last one
      // (or now: the caller flushes with advance() after its input).
      for (const Display& d : lot.displays()) {
        const auto it = sink.last.find(lot.id() + "/" + d.id);
        ASSERT_NE(it, sink.last.end()) << "step " << step;
        const std::uint32_t free_now = engine.occupancy(l).lot_counts().free() - engine.occupancy(l).lot_free_accessible();
        if (it->second.free_total != free_now) {
          ASSERT_LE(engine.next_wake(), std::max(t, it->second.generated_at_ms + lot.timing().frame_interval_ms))
              << "step " << step << " op " << op << " lot " << lot.id() << " t " << t << " frame free " << it->second.free_total
              << " now free " << free_now;
        }
      }
    }

    // In the end every sign shows the latest state: once every sensor has gone silent and
    // every hold has run out, nothing changes any more.
    engine.advance(t + kMsPerDay);
    engine.advance(t + kMsPerDay + 1'000);
    for (std::size_t l = 0; l < engine.lot_count(); ++l) {
      const Lot& lot = engine.lot(l);
      for (const Display& d : lot.displays()) {
        const DisplayFrame& f = sink.last.at(lot.id() + "/" + d.id);
        const Occupancy& occ = engine.occupancy(l);
        EXPECT_EQ(f.free_total, occ.lot_counts().free() - occ.lot_free_accessible()) << lot.id() << " seed " << seed;
        EXPECT_EQ(f.free_accessible, occ.lot_free_accessible());
        for (ZoneIndex z = 0; z < lot.zones().size(); ++z) {
          EXPECT_EQ(f.zones[z].free, occ.zone_counts(z).free() - occ.free_accessible(z));
          EXPECT_EQ(f.zones[z].free_accessible, occ.free_accessible(z));
        }
      }
    }
  }
}

}  // namespace
}  // namespace parkd
