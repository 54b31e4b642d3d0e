// A gate's seq: new above the highest decided, a repetition at or below, far behind past the gap.
#include "core/gate_sequences.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

using V = GateSequences::Verdict;

TEST(GateSequences, EachGateCountsOnItsOwnAndOnlyRises) {
  GateSequences seqs;
  EXPECT_EQ(seqs.admit("xj5", "north", 5), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 5), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "north", 3), V::Repetition);  // a late redelivery
  EXPECT_EQ(seqs.admit("xj5", "east", 1), V::New);           // another gate
  EXPECT_EQ(seqs.admit("other", "north", 1), V::New);        // another lot
  EXPECT_EQ(seqs.admit("xj5", "north", 9), V::New);          // a gap is fine: events lost upstream
  seqs.decided_up_to("xj5", "north", 4);                     // the ledger never lowers it
  EXPECT_EQ(seqs.highest("xj5", "north"), 9u);
  seqs.decided_up_to("xj5", "west", 20);
  EXPECT_EQ(seqs.admit("xj5", "west", 20), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "west", 21), V::New);
}

TEST(GateSequences, ASeqFarBehindTheHighestLooksLikeAResetCamera) {
  GateSequences seqs;
  seqs.decided_up_to("xj5", "north", 5'000);
  EXPECT_EQ(seqs.admit("xj5", "north", 5'000 - GateSequences::kResetGap), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "north", 1), V::FarBehind);
  EXPECT_EQ(seqs.highest("xj5", "north"), 5'000u) << "never decided, never lowered";
}

}  // namespace
}  // namespace parkd
