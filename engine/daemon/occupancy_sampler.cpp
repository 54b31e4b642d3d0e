// Occupancy samples every five minutes of parkd's time.
#include "occupancy_sampler.h"

#include <memory>
#include <vector>

namespace parkd {

void OccupancySampler::sample(const Engine& engine, TimeMs at) {
  if (history_ == nullptr || at <= 0 || at < next_at_) return;
  next_at_ = (at / kInterval + 1) * kInterval;
  auto samples = std::make_shared<std::vector<OccupancySample>>();
  for (std::size_t l = 0; l < engine.lot_count(); ++l) {
    const StateCounts& c = engine.occupancy(l).lot_counts();
    samples->push_back(OccupancySample{engine.lot(l).id(), at, c[SpaceState::Free], c[SpaceState::Occupied],
                                       c[SpaceState::Held], c[SpaceState::Closed], c[SpaceState::Unknown],
                                       engine.occupancy(l).stale_sensors(), c.total()});
  }
  auto record = [this, samples] {
    if (auto e = history_->record(*samples)) log_.warn("store", "sample_failed", "cannot record occupancy: {}", e.message());
  };
  if (worker_ == nullptr) {
    record();
  } else {
    worker_->post(record);
  }
}

}  // namespace parkd
