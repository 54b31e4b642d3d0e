// The hot lookup from a sensor id to its space: open addressing in one flat array whose slots
// hold the sensor and space ids themselves (or, for long ids, their place in a side buffer).
// A report thus touches one slot and no Space record, which keeps the hot path within cache
// reach even for 1,000 lots.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parkd {

class SensorTable {
 public:
  using SpaceIndex = std::uint32_t;

  struct Match {
    SpaceIndex space;
    std::string_view space_id;  // the id of the sensor's own space
  };

  // `sensor_of(i)` and `space_of(i)` give the sensor and space ids of space i, for i < count;
  // sensor ids must be distinct (the lot's validation guarantees it).
  template <typename SensorOf, typename SpaceOf>
  void build(std::uint32_t count, SensorOf sensor_of, SpaceOf space_of) {
    std::size_t capacity = 8;
    while (capacity * 4 < static_cast<std::size_t>(count) * 5) capacity *= 2;  // load factor <= 0.8
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    overflow_.clear();
    for (SpaceIndex i = 0; i < count; ++i) {
      const std::string_view sensor = sensor_of(i);
      const std::string_view space = space_of(i);
      const std::uint64_t h = hash(sensor);
      std::size_t at = h & mask_;
      while (slots_[at].space != kEmpty) at = (at + 1) & mask_;
      Slot& slot = slots_[at];
      slot.tag = tag_of(h);
      slot.space = i;
      slot.sensor_size = static_cast<std::uint8_t>(sensor.size());
      slot.space_size = static_cast<std::uint8_t>(space.size());
      if (sensor.size() + space.size() > sizeof(slot.keys)) {  // ids of up to 64 characters each
        const auto offset = static_cast<std::uint32_t>(overflow_.size());
        overflow_.append(sensor).append(space);
        std::memcpy(slot.keys, &offset, sizeof offset);
        continue;
      }
      std::memcpy(slot.keys, sensor.data(), sensor.size());
      std::memcpy(slot.keys + sensor.size(), space.data(), space.size());
    }
  }

  std::optional<Match> find(std::string_view sensor_id) const { return find(sensor_id, hash(sensor_id)); }

  // For batches: hash first, prefetch the slot, find later, so the memory reads of many
  // lookups overlap instead of following one another.
  static std::uint64_t hash(std::string_view s);
  void prefetch(std::uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }

  std::optional<Match> find(std::string_view sensor_id, std::uint64_t h) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint32_t tag = tag_of(h);
    for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.space == kEmpty) return std::nullopt;
      if (slot.tag != tag || slot.sensor_size != sensor_id.size()) continue;
      const char* keys = keys_of(slot);
      if (std::string_view(keys, slot.sensor_size) == sensor_id) {
        return Match{slot.space, std::string_view(keys + slot.sensor_size, slot.space_size)};
      }
    }
  }

 private:
  static constexpr SpaceIndex kEmpty = 0xffffffffu;
  struct Slot {
    std::uint32_t tag = 0;
    SpaceIndex space = kEmpty;
    std::uint8_t sensor_size = 0;
    std::uint8_t space_size = 0;
    char keys[22] = {};  // sensor id then space id, or an offset into overflow_ when too long
  };
  static_assert(sizeof(Slot) == 32);

  const char* keys_of(const Slot& slot) const {
    if (slot.sensor_size + slot.space_size <= static_cast<int>(sizeof(slot.keys))) return slot.keys;
    std::uint32_t offset = 0;
    std::memcpy(&offset, slot.keys, sizeof offset);
    return overflow_.data() + offset;
  }
  static std::uint32_t tag_of(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }

  std::vector<Slot> slots_;
  std::string overflow_;
  std::size_t mask_ = 0;
};

}  // namespace parkd
