// The record of the cars inside: a map by plate and a count of the unnamed.
#include "cars_inside.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace parkd {

void CarsInside::begin(std::uint32_t unnamed) {
  begun_ = true;
  unnamed_ = unnamed;
  changes_.push_back(InsideChange{lot_id_, CarInside{}, false, unnamed_});
}

std::optional<CarInside> CarsInside::enter(CarInside car) {
  std::optional<CarInside> replaced;
  auto [it, fresh] = cars_.try_emplace(car.plate, car);
  if (!fresh) replaced = std::exchange(it->second, car);
  changes_.push_back(InsideChange{lot_id_, std::move(car), true, begun_ ? std::int64_t{unnamed_} : -1});
  return replaced;
}

std::optional<CarInside> CarsInside::leave(std::string_view plate) {
  const auto it = cars_.find(std::string(plate));
  if (it == cars_.end()) {
    if (unnamed_ == 0) return std::nullopt;
    --unnamed_;
    changes_.push_back(InsideChange{lot_id_, CarInside{std::string(plate), 0, {}, false, 0}, false, unnamed_});
    return std::nullopt;
  }
  CarInside car = std::move(it->second);
  cars_.erase(it);
  changes_.push_back(
      InsideChange{lot_id_, CarInside{car.plate, 0, {}, false, 0}, false, begun_ ? std::int64_t{unnamed_} : -1});
  return car;
}

const CarInside* CarsInside::find(std::string_view plate) const {
  const auto it = cars_.find(std::string(plate));
  return it == cars_.end() ? nullptr : &it->second;
}

std::vector<CarInside> CarsInside::longest(std::size_t n) const {
  std::vector<CarInside> all;
  all.reserve(cars_.size());
  for (const auto& [plate, car] : cars_) all.push_back(car);
  const auto first = [](const CarInside& a, const CarInside& b) {
    return a.entered_at != b.entered_at ? a.entered_at < b.entered_at : a.plate < b.plate;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), first);
  all.resize(n);
  return all;
}

void CarsInside::restore(std::optional<std::uint32_t> unnamed, std::vector<CarInside> cars) {
  begun_ = unnamed.has_value();
  unnamed_ = unnamed.value_or(0);
  for (CarInside& car : cars) {
    std::string plate = car.plate;
    cars_.insert_or_assign(std::move(plate), std::move(car));
  }
}

void CarsInside::take_changes(std::vector<InsideChange>& into) {
  into.insert(into.end(), std::make_move_iterator(changes_.begin()), std::make_move_iterator(changes_.end()));
  changes_.clear();
}

}  // namespace parkd
