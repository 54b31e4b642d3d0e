// The order of each gate's events: a camera's seq rises, so an event at or below the highest
// one decided is a repetition (a redelivery after a lost acknowledgement) and is not decided
// again. One far below looks like a camera that was replaced or reset, which the operator must
// hear about: its events would be ignored until its seq passes the old one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace parkd {

class GateSequences {
 public:
  enum class Verdict {
    New,         // above every seq decided at this gate: decide it (now recorded as the highest)
    Repetition,  // at or below: decided already
    FarBehind,   // a repetition more than kResetGap below the highest: a reset camera?
  };
  // Further back than any broker redelivers.
  static constexpr std::uint64_t kResetGap = 1'000;

  Verdict admit(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq);
  // What the ledger says was decided before a restart: the highest seq only ever rises.
  void decided_up_to(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq);
  std::uint64_t highest(const std::string& lot_id, const std::string& gate_id) const;

 private:
  std::map<std::pair<std::string, std::string>, std::uint64_t> highest_;  // (lot, gate)
};

}  // namespace parkd
