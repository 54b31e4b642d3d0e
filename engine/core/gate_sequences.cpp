// Per-gate seq bookkeeping: the highest seq and the skipped ones of the last kResetGap.
#include "gate_sequences.h"

#include <algorithm>

namespace parkd {

void GateSequences::forget_old(Gate& g) {
  if (g.highest <= kResetGap) return;
  g.skipped.erase(g.skipped.begin(), g.skipped.lower_bound(g.highest - kResetGap));
}

GateSequences::Verdict GateSequences::admit(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq) {
  Gate& g = gates_[{lot_id, gate_id}];
  if (seq > g.highest) {
    // The first event heard from a gate says nothing of what came before it.
    if (g.highest > 0) {
      for (std::uint64_t s = std::max(g.highest + 1, seq > kResetGap ? seq - kResetGap : 1); s < seq; ++s) {
        g.skipped.insert(s);
      }
    }
    g.highest = seq;
    forget_old(g);
    return Verdict::New;
  }
  if (g.skipped.erase(seq) > 0) return Verdict::New;  // late, not repeated
  return g.highest - seq > kResetGap ? Verdict::FarBehind : Verdict::Repetition;
}

void GateSequences::restore(const std::string& lot_id, const std::string& gate_id, std::uint64_t highest,
                            const std::vector<std::uint64_t>& skipped) {
  Gate& g = gates_[{lot_id, gate_id}];
  if (highest < g.highest) return;
  g.highest = highest;
  g.skipped.clear();
  for (std::uint64_t s : skipped) {
    if (s < highest) g.skipped.insert(s);
  }
  forget_old(g);
}

void GateSequences::expect(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq) {
  Gate& g = gates_[{lot_id, gate_id}];
  if (seq <= g.highest) g.skipped.insert(seq);
}

void GateSequences::decided_up_to(const std::string& lot_id, const std::string& gate_id, std::uint64_t seq) {
  Gate& g = gates_[{lot_id, gate_id}];
  g.highest = std::max(g.highest, seq);
  forget_old(g);
}

std::uint64_t GateSequences::highest(const std::string& lot_id, const std::string& gate_id) const {
  const auto it = gates_.find({lot_id, gate_id});
  return it == gates_.end() ? 0 : it->second.highest;
}

std::size_t GateSequences::skipped(const std::string& lot_id, const std::string& gate_id) const {
  const auto it = gates_.find({lot_id, gate_id});
  return it == gates_.end() ? 0 : it->second.skipped.size();
}

}  // namespace parkd
