// ConnectLimiter: a few connects at a time, the rest in the order they asked.
#include "daemon/connect_limiter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace parkd {
namespace {

struct Sessions {
  int id[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<int> started;
  ConnectLimiter::Start start(int i) {
    return [this, i] { started.push_back(i); };
  }
  const void* owner(int i) const { return &id[i]; }
};

TEST(ConnectLimiter, StartsAtOnceWhileSlotsAreFreeThenQueuesInOrder) {
  ConnectLimiter limiter(2);
  Sessions s;
  for (int i = 0; i < 5; ++i) limiter.acquire(s.owner(i), s.start(i));
  EXPECT_EQ(s.started, (std::vector<int>{0, 1}));
  EXPECT_EQ(limiter.in_flight(), 2u);
  EXPECT_EQ(limiter.waiting(), 3u);

  limiter.release(s.owner(1));
  EXPECT_EQ(s.started, (std::vector<int>{0, 1, 2}));
  limiter.release(s.owner(0));
  limiter.release(s.owner(2));
  EXPECT_EQ(s.started, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(limiter.waiting(), 0u);
  EXPECT_EQ(limiter.in_flight(), 2u);
}

TEST(ConnectLimiter, ASecondReleaseOrOneThatNeverHeldASlotFreesNothing) {
  ConnectLimiter limiter(1);
  Sessions s;
  limiter.acquire(s.owner(0), s.start(0));
  limiter.acquire(s.owner(1), s.start(1));
  limiter.release(s.owner(0));
  limiter.acquire(s.owner(2), s.start(2));
  limiter.release(s.owner(0));  // late: 0's slot went to 1 already
  limiter.release(s.owner(5));  // never asked
  EXPECT_EQ(s.started, (std::vector<int>{0, 1}));
  EXPECT_EQ(limiter.in_flight(), 1u);
  EXPECT_EQ(limiter.waiting(), 1u);
}

TEST(ConnectLimiter, AnOwnerThatGivesUpWaitingLeavesTheQueueAndIsNeverStarted) {
  ConnectLimiter limiter(1);
  Sessions s;
  for (int i = 0; i < 3; ++i) limiter.acquire(s.owner(i), s.start(i));
  limiter.release(s.owner(1));  // stopped while waiting
  EXPECT_EQ(limiter.waiting(), 1u);
  limiter.release(s.owner(0));
  EXPECT_EQ(s.started, (std::vector<int>{0, 2}));
}

TEST(ConnectLimiter, AnOwnerWaitsOnceHoweverOftenItAsksAndOneHoldingASlotStartsAgainInIt) {
  ConnectLimiter limiter(1);
  Sessions s;
  limiter.acquire(s.owner(0), s.start(0));
  limiter.acquire(s.owner(1), s.start(1));
  limiter.acquire(s.owner(1), s.start(1));  // waits already
  EXPECT_EQ(limiter.waiting(), 1u);
  limiter.acquire(s.owner(0), s.start(0));  // holds the slot: a new attempt in it, nobody else admitted
  EXPECT_EQ(s.started, (std::vector<int>{0, 0}));
  EXPECT_EQ(limiter.in_flight(), 1u);
  limiter.release(s.owner(0));
  EXPECT_EQ(s.started, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(limiter.waiting(), 0u);
}

TEST(ConnectLimiter, AnAttemptThatFailsOnTheSpotPassesItsSlotOnAtOnce) {
  ConnectLimiter limiter(1);
  Sessions s;
  std::vector<int> order;
  // Session 0 fails inside its start (a connect Paho refused) and gives the slot back there.
  limiter.acquire(s.owner(1), [&] { order.push_back(1); });
  limiter.acquire(s.owner(0), [&] {
    order.push_back(0);
    limiter.release(s.owner(0));
  });
  limiter.acquire(s.owner(2), [&] { order.push_back(2); });
  limiter.release(s.owner(1));
  EXPECT_EQ(order, (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(limiter.in_flight(), 1u);
  EXPECT_EQ(limiter.waiting(), 0u);
}

TEST(ConnectLimiter, NoLimitStartsEveryone) {
  ConnectLimiter limiter(0);
  Sessions s;
  for (int i = 0; i < 8; ++i) limiter.acquire(s.owner(i), s.start(i));
  EXPECT_EQ(s.started.size(), 8u);
  EXPECT_EQ(limiter.waiting(), 0u);
}

}  // namespace
}  // namespace parkd
