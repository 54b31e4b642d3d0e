// AlertDesk with a store that records its saves: an alert goes to the store at the settle that
// raised it, strikes alone within a tenth of a second, everything in one transaction per save,
// and what waits is saved at shut-down.
#include "daemon/alert_desk.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace parkd {
namespace {

using namespace std::chrono_literals;

class NoBroker : public Publisher {
 public:
  bool publish(std::string_view, const std::string&, std::string, bool, Delivered) override { return true; }
};

class RecordingAlertStore : public AlertStore {
 public:
  std::error_code save(std::span<const Alert> alerts, std::span<const StoredStrikes> strikes) override {
    saves.push_back({{alerts.begin(), alerts.end()}, {strikes.begin(), strikes.end()}});
    return {};
  }
  std::error_code load_active(std::vector<Alert>&) override { return {}; }
  std::error_code load_strikes(std::vector<StoredStrikes>&) override { return {}; }
  std::error_code history(TimeMs, TimeMs, std::vector<Alert>&) override { return {}; }
  struct Save {
    std::vector<Alert> alerts;
    std::vector<StoredStrikes> strikes;
  };
  std::vector<Save> saves;
};

class AlertDeskTest : public ::testing::Test {
 protected:
  static Alert blocked(const char* space, TimeMs at) {
    Alert a;
    a.alert_id = std::string("xj5-blocked_suspect-") + space;
    a.lot_id = "xj5";
    a.kind = AlertKind::BlockedSuspect;
    a.space_id = space;
    a.raised_at = at;
    return a;
  }
  void run_for(std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) io.run_one_for(5ms);
  }
  boost::asio::io_context io;
  NoBroker broker;
  RecordingAlertStore store;
  AlertDesk desk{broker, &store, nullptr, io.get_executor(), false};
};

TEST_F(AlertDeskTest, AnAlertIsSavedAtItsSettleWithTheStrikesThatWaited) {
  desk.strikes_changed({"xj5", "A01", {1'000}});
  desk.strikes_changed({"xj5", "A01", {1'000, 2'000}});
  desk.changed(blocked("A01", 2'000));
  EXPECT_TRUE(store.saves.empty()) << "nothing before the settle ends";
  desk.save_soon();
  ASSERT_EQ(store.saves.size(), 1u);
  EXPECT_EQ(store.saves[0].alerts.size(), 1u);
  ASSERT_EQ(store.saves[0].strikes.size(), 2u) << "in order: the store keeps the last list of a space";
  EXPECT_EQ(store.saves[0].strikes[1].strikes, (std::vector<TimeMs>{1'000, 2'000}));
  run_for(300ms);
  EXPECT_EQ(store.saves.size(), 1u) << "nothing left to save";
}

TEST_F(AlertDeskTest, StrikesAloneWaitATenthOfASecondAndGoTogether) {
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {  // fifty settles of a flood of flapping sensors
    desk.strikes_changed({"xj5", "A0" + std::to_string(i % 5), {1'000 + i}});
    desk.save_soon();
  }
  EXPECT_TRUE(store.saves.empty()) << "strikes alone do not cost a transaction per settle";
  while (store.saves.empty() && std::chrono::steady_clock::now() - began < 5s) io.run_one_for(5ms);
  ASSERT_EQ(store.saves.size(), 1u);
  EXPECT_EQ(store.saves[0].strikes.size(), 50u);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 100ms);
}

TEST_F(AlertDeskTest, WhatWaitsIsSavedAtShutDown) {
  desk.strikes_changed({"xj5", "A01", {1'000}});
  desk.save_soon();
  EXPECT_TRUE(store.saves.empty());
  desk.save_now();
  ASSERT_EQ(store.saves.size(), 1u);
  EXPECT_EQ(store.saves[0].strikes.size(), 1u);
  run_for(200ms);
  EXPECT_EQ(store.saves.size(), 1u) << "the timer finds nothing left";
}

}  // namespace
}  // namespace parkd
