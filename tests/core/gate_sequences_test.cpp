// A gate's seq: new above the highest decided or when it was skipped on the way up, a
// repetition otherwise, far behind past the gap; what the ledger restores after a restart.
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
  EXPECT_EQ(seqs.skipped("xj5", "north"), 3u);               // 6, 7, 8 may still come
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

// A broker cluster redelivers what a dead node had not acknowledged after newer events: the late
// ones are decided once, their repetitions never.
TEST(GateSequences, ASkippedSeqThatComesLateIsNewOnceThenARepetition) {
  GateSequences seqs;
  EXPECT_EQ(seqs.admit("xj5", "north", 100), V::New);  // the first heard: nothing before it is awaited
  EXPECT_EQ(seqs.skipped("xj5", "north"), 0u);
  EXPECT_EQ(seqs.admit("xj5", "north", 99), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "north", 104), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 102), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 102), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "north", 101), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 103), V::New);
  EXPECT_EQ(seqs.skipped("xj5", "north"), 0u);
  for (std::uint64_t s = 101; s <= 104; ++s) EXPECT_EQ(seqs.admit("xj5", "north", s), V::Repetition) << s;
}

TEST(GateSequences, SkippedSeqsAreRememberedOnlyWithinTheResetGap) {
  constexpr std::uint64_t gap = GateSequences::kResetGap;
  GateSequences seqs;
  seqs.admit("xj5", "north", 1);
  seqs.admit("xj5", "north", 1 + 5 * gap);  // a camera jump: only the last kResetGap are awaited
  EXPECT_EQ(seqs.skipped("xj5", "north"), gap);  // 1 + 4 gap ... 5 gap
  EXPECT_EQ(seqs.admit("xj5", "north", 5 * gap), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 2), V::FarBehind);
  seqs.admit("xj5", "north", 1 + 6 * gap);  // the old gaps fall out of the window
  EXPECT_EQ(seqs.admit("xj5", "north", 5 * gap - 1), V::FarBehind);
  EXPECT_LE(seqs.skipped("xj5", "north"), gap);
}

TEST(GateSequences, TheLedgersGapsComeBackAfterARestartAndTheInboxsEventsAreExpected) {
  GateSequences seqs;
  seqs.restore("xj5", "north", 50, {47, 48, 60});  // 60: above the highest, meaningless
  EXPECT_EQ(seqs.skipped("xj5", "north"), 2u);
  seqs.expect("xj5", "north", 10);  // undecided by the ledger (its batch's record failed)
  seqs.expect("xj5", "north", 51);  // above: new anyway, nothing to remember
  EXPECT_EQ(seqs.admit("xj5", "north", 10), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 48), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 49), V::Repetition);
  EXPECT_EQ(seqs.admit("xj5", "north", 51), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 47), V::New);
  EXPECT_EQ(seqs.admit("xj5", "north", 47), V::Repetition);
}

}  // namespace
}  // namespace parkd
