// MessageIntake: when Paho's thread must wake the strand, with and without the strand holding the queue.
#include "daemon/message_intake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parkd {
namespace {

class MessageIntakeWakeTest : public ::testing::Test {
 protected:
  MessageIntakeWakeTest() : intake({}, nullptr) { intake.set_limits(ThrottleLimits{1e9, 1e9}, ThrottleLimits{1e9, 1e9}); }
  bool push(int n) { return intake.push("parking/x/sensors/s" + std::to_string(n) + "/report", "p"); }
  std::vector<std::string> take(bool hold) {
    std::vector<IncomingMessage> batch;
    intake.take(batch, hold);
    std::vector<std::string> topics;
    for (const auto& m : batch) topics.push_back(m.topic);
    return topics;
  }
  MessageIntake intake;
};

TEST_F(MessageIntakeWakeTest, OnlyTheFirstArrivalAfterATakeAsksForAWakeUp) {
  EXPECT_TRUE(push(1));
  EXPECT_FALSE(push(2));
  EXPECT_FALSE(push(3));
  EXPECT_EQ(take(false), (std::vector<std::string>{"parking/x/sensors/s1/report", "parking/x/sensors/s2/report",
                                                   "parking/x/sensors/s3/report"}));
  EXPECT_TRUE(push(4));
  EXPECT_EQ(take(false).size(), 1u);
  EXPECT_TRUE(take(false).empty());
  EXPECT_TRUE(push(5)) << "an empty take leaves no wake-up promised";
}

TEST_F(MessageIntakeWakeTest, WhileTheStrandHoldsTheQueueNoArrivalAsksUntilATakeLetsGo) {
  EXPECT_TRUE(push(1));
  EXPECT_EQ(take(true).size(), 1u);
  EXPECT_FALSE(push(2)) << "the strand drains on its own window";
  EXPECT_FALSE(push(3));
  EXPECT_EQ(take(true).size(), 2u);
  EXPECT_TRUE(take(true).empty());
  EXPECT_FALSE(push(4)) << "an empty held take still promises the next drain";
  EXPECT_EQ(take(false).size(), 1u);
  EXPECT_TRUE(push(5)) << "let go: the next arrival wakes the strand again";
}

TEST_F(MessageIntakeWakeTest, ABatchsStorageIsReusedAndClearedBeforeATake) {
  std::vector<IncomingMessage> batch(3);
  push(1);
  intake.take(batch, false);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].topic, "parking/x/sensors/s1/report");
}

}  // namespace
}  // namespace parkd
