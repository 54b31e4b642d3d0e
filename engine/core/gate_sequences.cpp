// Per-gate seq bookkeeping.
#include "gate_sequences.h"

#include <algorithm>

namespace parkd {

GateSequences::Verdict GateSequences::admit(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq) {
  std::uint64_t& highest = highest_[{lot_id, gate_id}];
  if (seq > highest) {
    highest = seq;
    return Verdict::New;
  }
  return highest - seq > kResetGap ? Verdict::FarBehind : Verdict::Repetition;
}

void GateSequences::decided_up_to(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq) {
  std::uint64_t& highest = highest_[{lot_id, gate_id}];
  highest = std::max(highest, seq);
}

std::uint64_t GateSequences::highest(const std::string& lot_id, const std::string& gate_id) const {
  const auto it = highest_.find({lot_id, gate_id});
  return it == highest_.end() ? 0 : it->second;
}

}  // namespace parkd
