// Passes the property office grants to plates the pact would not admit as they are: an
// ambulance or a fire engine on civil plates, a utility's van for a week of works. A pass admits
// the plate at every gate, free of charge, until its last day; revoking it ends it. Passes are
// never deleted: the office can see who let in what, and why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "civil_day.h"
#include "time_ms.h"

namespace parkd {

struct SpecialPass {
  std::uint64_t id = 0;   // the stored record
  std::string plate;      // normalised
  std::string reason;
  std::optional<CivilDay> valid_until;  // the last day in force; none: until revoked
  std::string granted_by;               // the token's name
  TimeMs granted_at = 0;
  std::optional<CivilDay> revoked_on;   // the first day without it
};

class SpecialPasses {
 public:
  explicit SpecialPasses(std::vector<SpecialPass> passes = {});
  // The pass of `plate` in force on `day` (the latest granted, if several), or nullptr.
  const SpecialPass* on(std::string_view plate, CivilDay day) const;
  const std::vector<SpecialPass>& all() const { return passes_; }

 private:
  std::vector<SpecialPass> passes_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_plate_;
};

bool in_force(const SpecialPass& pass, CivilDay day);

}  // namespace parkd
