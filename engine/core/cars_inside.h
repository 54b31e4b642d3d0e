// The gates' record of the cars inside one lot: every admitted entry and every exit, by plate
// (residents, visitors and service vehicles alike). The cars already parked when the record
// began are counted, not named (the occupied spaces then), and an exit of a plate the record
// does not hold takes one of them off. Changes are kept for the store, which writes them in the
// same transaction as the decisions that made them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "time_ms.h"

namespace parkd {

struct CarInside {
  std::string plate;
  TimeMs entered_at = 0;
  std::string gate_id;
  bool visitor = false;
  TimeMs overstay_at = 0;  // a visitor: when the stay becomes the pact's overstay (0: none)
  bool operator==(const CarInside&) const = default;
};

// One change of the record: a car in (`inside`) or out, or the record's beginning (no plate),
// with the unnamed count after it (-1 while the record has not begun).
struct InsideChange {
  std::string lot_id;
  CarInside car;  // only the plate when it left
  bool inside = false;
  std::int64_t unnamed = -1;
  bool operator==(const InsideChange&) const = default;
};

class CarsInside {
 public:
  explicit CarsInside(std::string lot_id) : lot_id_(std::move(lot_id)) {}

  // Begun: the cars parked before the record was kept are counted (the unnamed), so its count
  // can be held against the spaces. Cars come and go by plate before that too.
  bool begun() const { return begun_; }
  void begin(std::uint32_t unnamed);
  // An admitted entry. A plate already inside missed its exit: the new entry replaces it (the
  // count stays), and the old one is returned.
  std::optional<CarInside> enter(CarInside car);
  // An exit: the car it removes, or nullopt when the plate was not on record (one unnamed car
  // is taken off instead, if any are left).
  std::optional<CarInside> leave(std::string_view plate);
  std::uint32_t named() const { return static_cast<std::uint32_t>(cars_.size()); }

  std::uint32_t count() const { return static_cast<std::uint32_t>(cars_.size()) + unnamed_; }
  std::uint32_t unnamed() const { return unnamed_; }
  const CarInside* find(std::string_view plate) const;
  // The `n` cars inside longest, longest first.
  std::vector<CarInside> longest(std::size_t n) const;
  const std::unordered_map<std::string, CarInside>& cars() const { return cars_; }

  // After a restart, from the store (no unnamed count: it had not begun).
  void restore(std::optional<std::uint32_t> unnamed, std::vector<CarInside> cars);

  void take_changes(std::vector<InsideChange>& into);

 private:
  std::string lot_id_;
  bool begun_ = false;
  std::uint32_t unnamed_ = 0;
  std::unordered_map<std::string, CarInside> cars_;
  std::vector<InsideChange> changes_;
};

}  // namespace parkd
