// The order of each gate's events: a camera's seq rises, so an event at or below the highest
// one decided is a repetition (a redelivery after a lost acknowledgement) and is not decided
// again — unless it is one the gate skipped: a broker cluster does not keep a camera's order
// when a node fails (NATS redelivers what the dead node had not acknowledged after newer
// events), so the seqs passed over on the way up are remembered and decided when they come.
// One far below looks like a camera that was replaced or reset, which the operator must hear
// about: its events would be ignored until its seq passes the old one.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace parkd {

class GateSequences {
 public:
  enum class Verdict {
    New,         // above every seq decided at this gate, or one it skipped: decide it
    Repetition,  // decided already
    FarBehind,   // a repetition more than kResetGap below the highest: a reset camera?
  };
  // Further back than any broker redelivers; also how far back skipped seqs are remembered.
  static constexpr std::uint64_t kResetGap = 1'000;

  Verdict admit(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq);
  // What the ledger says was decided before a restart: the highest seq, and the seqs below it
  // (within kResetGap, above the first decided) that were never decided.
  void restore(const std::string& lot_id, const std::string& gate_id, std::uint64_t highest,
               const std::vector<std::uint64_t>& skipped);
  // An event known to be undecided (the inbox's, after a restart): decided when it comes even
  // below the highest.
  void expect(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq);
  // A seq parkd made itself (a guard's opening): the highest only ever rises, nothing skipped.
  void decided_up_to(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq);
  std::uint64_t highest(const std::string& lot_id, const std::string& gate_id) const;
  std::size_t skipped(const std::string& lot_id, const std::string& gate_id) const;

 private:
  struct Gate {
    std::uint64_t highest = 0;
    std::set<std::uint64_t> skipped;  // below highest, not seen yet
  };
  static void forget_old(Gate& g);
  std::map<std::pair<std::string, std::string>, Gate> gates_;  // (lot, gate)
};

}  // namespace parkd
