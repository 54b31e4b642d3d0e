// Where the vehicle registry lives: households and the history of every permit. An interface of
// the core's own, over SQLite in engine/store/. Nothing is ever deleted: a removed car keeps
// its row with the day it was removed, so a past month's bill comes out the same later.
#pragma once

#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "billing.h"

namespace parkd {

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;
  // New households are added, known ones updated; in one transaction.
  virtual std::error_code put_households(std::span<const Household> households) = 0;
  // New permits, in one transaction; a plate that already has a permit in force fails the whole
  // call (check first with the loaded registry to tell the operator which line).
  virtual std::error_code add_vehicles(std::span<const Vehicle> vehicles) = 0;
  // Ends the permit in force for `plate` from `removed_on` (its first day without). `found`
  // says whether there was one.
  virtual std::error_code remove_vehicle(std::string_view plate, CivilDay removed_on, bool& found) = 0;
  virtual std::error_code load(std::vector<Household>& households, std::vector<Vehicle>& vehicles) = 0;
};

}  // namespace parkd
