// Special passes: lookup by plate and day.
#include "special_pass.h"

namespace parkd {

bool in_force(const SpecialPass& pass, CivilDay day) {
  if (pass.valid_until && day > *pass.valid_until) return false;
  return !pass.revoked_on || day < *pass.revoked_on;
}

SpecialPasses::SpecialPasses(std::vector<SpecialPass> passes) : passes_(std::move(passes)) {
  for (std::size_t i = 0; i < passes_.size(); ++i) by_plate_[passes_[i].plate].push_back(i);
}

const SpecialPass* SpecialPasses::on(std::string_view plate, CivilDay day) const {
  const auto it = by_plate_.find(std::string(plate));
  if (it == by_plate_.end()) return nullptr;
  for (auto i = it->second.rbegin(); i != it->second.rend(); ++i) {
    if (in_force(passes_[*i], day)) return &passes_[*i];
  }
  return nullptr;
}

}  // namespace parkd
