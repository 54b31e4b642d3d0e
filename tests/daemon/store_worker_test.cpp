// The store thread: jobs run in order, a job that throws is logged and the next ones still run,
// and stop() runs what was posted before it ends.
#include "daemon/store_worker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace parkd {
namespace {

TEST(StoreWorker, AJobThatThrowsDoesNotTakeTheThreadOrParkdDown) {
  std::vector<int> ran;  // written on the worker only, read after wait_idle()
  StoreWorker worker;
  worker.post([&] { ran.push_back(1); });
  worker.post([] { throw std::runtime_error("disk on fire"); });
  worker.post([] { throw 42; });
  worker.post([&] { ran.push_back(2); });
  worker.wait_idle();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
  worker.post([&] { ran.push_back(3); });
  worker.stop();  // what was posted still runs
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
  worker.post([&] { ran.push_back(4); });  // after the end: dropped, not run, no crash
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace parkd
